"""Choosing an entry (or a person) by name for a nomination: published entries and the drafts of the user's own units.

Published entries come from the search index's title suggestions (diacritics ignored, cheap at any size);
unpublished ones only from the units the user nominates for, so another unit's draft is never suggested.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from registry.catalog.folding import fold_name
from registry.catalog.operations import clean_name
from registry.catalog.selectors import unit_descendant_ids
from registry.catalog.unit_picker import SUGGESTION_LIMIT, Candidate, PickerField
from registry.entries.models import Entry, EntryKind, EntryStatus
from registry.extensions import db
from registry.showcase.search import SearchUnavailable, title_suggestions
from registry.workflow.actions import can_name_entry, officer_unit_ids

# How many unpublished entries of the user's units are read for one query at most.
_DRAFTS_READ = 500


def entry_label(entry: Entry) -> str:
    """The entry as a list shows it: "Nguyễn Văn An — Phường Ba Đình (2024)"."""
    parts = [entry.title]
    if entry.unit is not None:
        parts.append(entry.unit.name)
    label = " — ".join(parts)
    return f"{label} ({entry.year})" if entry.year else label


def _own_unit_ids(user) -> list[int]:
    ids: set[int] = set()
    for unit_id in officer_unit_ids(user):
        ids.update(unit_descendant_ids(unit_id))
    return sorted(ids)


def entry_candidates(user, text: str, *, kind: EntryKind | None = None,
                     limit: int = SUGGESTION_LIMIT) -> list[tuple[bool, Entry]]:
    """Entries the user may name whose title fits ``text``: (title equal to what was typed, entry), best first."""
    q = fold_name(text)
    if not q:
        return []
    ids: list[int] = []
    try:
        ids = [s["id"] for s in title_suggestions(text, limit=limit * 2)]
    except SearchUnavailable:
        pass  # the drafts of one's own units are still found; published ones wait for the index
    own = _own_unit_ids(user)
    if own:
        drafts = db.session.execute(
            sa.select(Entry.id, Entry.title).where(Entry.unit_id.in_(own), Entry.status != EntryStatus.PUBLISHED)
            .order_by(Entry.id.desc()).limit(_DRAFTS_READ)
        ).all()
        ids += [entry_id for entry_id, title in drafts if q in fold_name(title)]
    if not ids:
        return []
    entries = db.session.scalars(
        sa.select(Entry).where(Entry.id.in_(ids)).options(selectinload(Entry.unit))
    ).all()
    found = [(fold_name(e.title) == q, e) for e in entries
             if can_name_entry(user, e) and (kind is None or e.kind == kind) and q in fold_name(e.title)]
    order = {entry_id: n for n, entry_id in enumerate(ids)}
    found.sort(key=lambda row: (not row[0], order.get(row[1].id, 0)))
    return found[:limit]


def entry_candidate(entry: Entry) -> Candidate:
    note = "" if entry.status == EntryStatus.PUBLISHED else entry.status.label
    return Candidate(entry.id, entry_label(entry), note)


def _entry_from_address(text: str) -> Entry | None:
    """An entry named by its public address or its number (still taken, never asked for)."""
    path = urlsplit(text).path if "/" in text else ""
    m = re.search(r"/entries/(\d+)", path) or re.fullmatch(r"#?(\d+)", text)
    return db.session.get(Entry, int(m.group(1))) if m else None


def entry_lookup(user, text: str, *, kind: EntryKind | None = None):
    """Find one entry from what was typed: (entry, [], None), or (None, entries to choose from, a message)."""
    text = clean_name(text)
    if not text:
        return None, [], None
    if (by_address := _entry_from_address(text)) is not None or "/" in text or text.lstrip("#").isdigit():
        if by_address is None or not can_name_entry(user, by_address):
            return None, [], _("No entry fits “%(name)s”.", name=text)
        return by_address, [], None
    ranked = entry_candidates(user, text, kind=kind)
    equal = [e for same, e in ranked if same]
    if len(equal) == 1:
        return equal[0], [], None
    if not ranked:
        return None, [], _("No entry fits “%(name)s”. Check the spelling; without diacritics works too.", name=text)
    return None, [entry_candidate(e) for _same, e in ranked], _("Several entries fit “%(name)s”: choose one below.",
                                                               name=text)


class EntryField(PickerField):
    """Holds an Entry in ``.entry`` once validated: found by name, the list telling namesakes apart by unit and year."""

    source = "pickers.entries"
    kind: EntryKind | None = None

    @property
    def entry(self) -> Entry | None:
        return self.chosen

    @property
    def source_args(self) -> dict[str, Any]:
        return {"kind": self.kind.value} if self.kind else {}

    def label_of(self, obj: Entry) -> str:
        return entry_label(obj)

    def load(self, object_id: int) -> Entry | None:
        entry = db.session.get(Entry, object_id)
        return entry if entry is not None and can_name_entry(current_user, entry) else None

    def lookup(self, text: str):
        return entry_lookup(current_user, text, kind=self.kind)


class PersonField(EntryField):
    """An EntryField for individuals only."""

    kind = EntryKind.INDIVIDUAL
