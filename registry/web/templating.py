"""Template globals and filters, all registered here: URLs of things, photos, Markdown, locale-aware formatting,
citations and structured data, and the working pages' permission predicates."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, g, request, url_for
from babel import numbers
from flask_babel import format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from registry.accounts.models import Role
from registry.accounts.notices import notice_text, unread_count
from registry.entries.permissions import can_edit_entry
from registry.entries.photos import ACCEPTED_FORMATS_LABEL
from registry.entries.richtext import render_markdown, render_story
from registry.platform.i18n import current_language
from registry.platform.vietnam_time import date_for_people, official_date
from registry.showcase import page_meta
from registry.showcase.links import (
    entry_url,
    photo_size,
    photo_srcset,
    photo_url,
    topic_url,
    unit_url,
)
from registry.web.actions import action_url
from registry.workflow import actions as workflow
from registry.workflow.ballots import can_vote_on
from registry.workflow.documents import DOCUMENT_FORMATS_LABEL
from registry.workflow.dossiers import edits_entry_in_place
from registry.workflow.models import AttachmentKind, NominationState, VoteChoice
from registry.workflow.verification import decision_records
from registry.workflow.voting import explain


def url_with_lang(lang: str) -> str:
    """Return the current URL with ?lang= set, so switching language keeps the page and its filters."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    if request.url_rule is None or request.endpoint is None:
        return url_for("public.home", lang=lang)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def url_with_args(**changes: Any) -> str:
    """Return the current page's URL with some query arguments changed (None removes one)."""
    # A filter panel asks for dozens of these: the current arguments are read once a request.
    base = g.get("url_with_args_base")
    if base is None:
        base = g.url_with_args_base = request.args.to_dict(flat=True)
        base.pop("lang", None)
    args = dict(base)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    # The path is built once a request too, the query each time, encoded as url_for encodes it.
    path = g.get("url_with_args_path")
    if path is None:
        path = g.url_with_args_path = url_for(request.endpoint, **(request.view_args or {}))
    query = urlencode(args, safe="!$'()*,/:;?@")
    return f"{path}?{query}" if query else path


def plain_paragraphs(text: str | None) -> Markup:
    """Text typed in a plain box as HTML: an empty line starts a new paragraph, a single line break stays one;
    nothing else is interpreted (no Markdown to learn), and everything is escaped."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in block.split("\n")))
        for block in blocks if block.strip()
    )


@lru_cache(maxsize=8192)
def _formatted_number(value: int | float, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def format_number(value: int | float) -> str:
    """Format a number per the current locale (1.234 in Vietnamese, 1,234 in English).

    A filter panel shows a hundred counts; Babel reads its locale data for each, so what it wrote is kept."""
    return _formatted_number(value, str(get_locale()))


def _unread() -> int:
    return unread_count(current_user) if current_user.is_authenticated else 0


def _council_member_ids() -> set[int]:
    return workflow.council_ids(current_user, Role.MEMBER, Role.CHAIR)


def init_app(app: Flask) -> None:
    """Register every template global and filter: links and formatting, what entry pages tell other programs,
    and the working pages' permission predicates (the same ones the views enforce)."""
    app.jinja_env.globals.update(
        entry_url=entry_url, unit_url=unit_url, topic_url=topic_url, photo_url=photo_url,
        photo_srcset=photo_srcset, photo_size=photo_size, url_with_lang=url_with_lang,
        url_with_args=url_with_args, current_language=current_language,
    )
    app.jinja_env.globals.update(
        entry_citation=page_meta.entry_citation, award_citation=page_meta.award_citation,
        entry_open_graph=page_meta.entry_open_graph, entry_json_ld=page_meta.entry_json_ld,
        photo_file_url=page_meta.photo_file_url, decision_records=decision_records,
    )
    app.jinja_env.globals.update(
        can_view_nomination=workflow.can_view_nomination, can_edit_dossier=workflow.can_edit_dossier,
        can_transition=workflow.can_transition, can_review=workflow.can_review, can_vote_on=can_vote_on,
        can_manage_council=workflow.can_manage_council, allowed_actions=workflow.allowed_actions,
        action_labels=workflow.ACTION_LABELS, action_url=action_url, notice_text=notice_text,
        unread_notices=_unread, explain_vote=explain, state_label=lambda value: NominationState(value).label,
        vote_choices=VoteChoice.choices, council_member_ids=_council_member_ids, attachment_kinds=AttachmentKind,
        edits_entry_in_place=edits_entry_in_place, current_app=current_app, can_edit_entry=can_edit_entry,
        document_formats=DOCUMENT_FORMATS_LABEL, picture_formats=ACCEPTED_FORMATS_LABEL,
    )
    app.jinja_env.filters.update(markdown=render_markdown, story=lambda e: render_story(e.story, e.story_format),
                                 paragraphs=plain_paragraphs, date=date_for_people, number=format_number,
                                 datetime=format_datetime,
                                 official_date=lambda value: official_date(value, current_language()))
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
