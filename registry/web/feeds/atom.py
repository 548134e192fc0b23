"""Atom documents built with feedgen from entries and awards."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from registry.entries.models import Award, Entry
from registry.showcase.links import entry_url
from registry.workflow.verification import DecisionRecord, decision_records
from registry.workflow.voting import explain


def _aware(value: datetime | None) -> datetime:
    return (value or datetime.now(UTC).replace(tzinfo=None)).replace(tzinfo=UTC)


def _feed(*, title: str, subtitle: str, feed_url: str, page_url: str, language: str, updated: datetime) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.author({"name": _("Registry of exemplary people and model initiatives")})
    feed.language(language)
    feed.updated(updated)
    feed.generator("feedgen")
    return feed


def _add_item(feed: FeedGenerator, *, ident: str, title: str, link: str, published: datetime | None,
              updated: datetime | None, summary: str, author: str | None) -> Any:
    item = feed.add_entry(order="append")
    item.id(ident)
    item.title(title)
    item.link(href=link, rel="alternate", type="text/html")
    item.published(_aware(published))
    item.updated(_aware(updated))
    item.summary(summary)
    if author:
        item.author({"name": author})
    return item


def _permalink(entry: Entry) -> str:
    # The id ignores the slug, so a renamed entry stays the same item in readers.
    return url_for("public.entry", entry_id=entry.id, _external=True)


def entries_atom(entries: Sequence[Entry], *, title: str, feed_url: str, page_url: str, language: str) -> bytes:
    """An Atom feed of entries, newest publication first."""
    updated = max((_aware(e.updated_at) for e in entries), default=_aware(None))
    feed = _feed(title=title, subtitle=_("Newly published entries"), feed_url=feed_url, page_url=page_url,
                 language=language, updated=updated)
    for entry in entries:
        item = _add_item(
            feed, ident=_permalink(entry), title=entry.title, link=entry_url(entry, _external=True),
            published=entry.published_at, updated=entry.updated_at, summary=entry.summary or entry.title,
            author=entry.unit.name if entry.unit else None,
        )
        for topic in entry.topics:
            item.category(term=topic.slug, label=topic.display_name(language))
    return feed.atom_str(pretty=True)


def award_text(award: Award, language: str, record: DecisionRecord | None = None) -> str:
    """One award in a sentence: title, level, year, decision, and its revocation when revoked."""
    text = _("%(title)s, %(level)s, %(year)s", title=award.title.display_name(language),
             level=award.level.label, year=award.year)
    if award.decision_number:
        text += " · " + _("Decision No. %(number)s", number=award.decision_number)
        if award.decision_date:
            text += " " + _("of %(date)s", date=format_date(award.decision_date))
    if award.is_revoked:
        text += ". " + _("Revoked on %(date)s", date=format_date(award.revoked_on)) + f": {award.revocation_reason}"
    if record is not None:
        if record.vote:
            text += ". " + _("Council vote") + ": " + explain(record.vote)
        if record.comments is not None:
            text += ". " + ngettext("%(num)d comment received", "%(num)d comments received", record.comments)
        if record.url:
            text += ". " + _("Verify: %(url)s", url=record.url)
    return text


def awards_atom(awards: Sequence[Award], *, title: str, feed_url: str, page_url: str, language: str) -> bytes:
    """An Atom feed of awards, most recently recorded first."""
    updated = max((_aware(a.created_at) for a in awards), default=_aware(None))
    feed = _feed(title=title, subtitle=_("Newly recorded awards"), feed_url=feed_url, page_url=page_url,
                 language=language, updated=updated)
    records = decision_records(awards)
    for award in awards:
        _add_item(
            feed, ident=f"{_permalink(award.entry)}#award-{award.id}",
            title=f"{award.title.display_name(language)}: {award.entry.title} ({award.year})",
            link=f"{entry_url(award.entry, _external=True)}#award-{award.id}",
            published=award.created_at, updated=award.created_at, summary=award_text(award, language, records.get(award.id)),
            author=award.entry.unit.name if award.entry.unit else None,
        )
    return feed.atom_str(pretty=True)
