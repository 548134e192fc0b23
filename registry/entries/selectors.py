"""Reads on entries for their editors: the entries a user keeps, and entries that may be the same as a new one."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from registry.catalog.models import Unit
from registry.entries.models import Entry, EntryStatus
from registry.entries.permissions import can_see_entry_drafts, editor_unit_ids
from registry.extensions import db
from registry.platform.slugs import make_slug

# Titles people add before a name, which say nothing about who it is.
_HONORIFICS = {"ong", "ba", "anh", "chi", "em", "co", "chu", "bac", "cu", "dong", "thay"}


def _descendant_ids(unit_ids: set[int]) -> set[int]:
    """The units and every unit below them."""
    found, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        frontier = set(db.session.scalars(sa.select(Unit.id).where(Unit.parent_id.in_(frontier)))) - found
        found |= frontier
    return found


def entries_kept_by(user, *, q: str = "", status: str | None = None, limit: int = 200) -> list[Entry]:
    """The entries of the user's units and the units below them (every entry for administrators), newest first."""
    query = sa.select(Entry).where(Entry.merged_into_id.is_(None))
    if not user.is_admin:
        query = query.where(Entry.unit_id.in_(_descendant_ids(editor_unit_ids(user))))
    if status:
        query = query.where(Entry.status == EntryStatus(status))
    if q.strip():
        query = query.where(Entry.title.ilike(f"%{q.strip()}%"))
    return list(db.session.scalars(query.order_by(Entry.updated_at.desc(), Entry.id.desc()).limit(limit)
                                   .options(selectinload(Entry.unit))))


def name_key(text: str) -> str:
    """A name as compared for duplicates: without marks, case, punctuation or honorifics (“Ông Nguyễn Văn A.”)."""
    words = [w for w in make_slug(text or "", max_length=300).split("-") if w]
    while len(words) > 1 and words[0] in _HONORIFICS:
        words.pop(0)
    return " ".join(words)


def _neighbourhood(unit: Unit) -> set[int]:
    """Where a duplicate of an entry of ``unit`` would be: everything under the unit's parent, the parent's
    siblings, the units above, and the units any of them took over or that took them over, with what lies
    under those (a district abolished in 2025 and the commune that followed it)."""
    base = unit.parent or unit
    ids = {u.id for u in unit.path()}
    roots = {base.id}
    if base.parent_id:
        roots |= set(db.session.scalars(sa.select(Unit.id).where(Unit.parent_id == base.parent_id)))
    for u in unit.path():
        if u.successor_id:
            roots.add(u.successor_id)
        roots |= {p.id for p in u.predecessors}
    return ids | _descendant_ids(roots)


@dataclass
class SimilarEntry:
    entry: Entry
    score: float


def similar_entries(title: str, unit: Unit | None, *, viewer=None, exclude_id: int | None = None, limit: int = 5,
                    threshold: float = 0.82) -> list[SimilarEntry]:
    """Entries whose name looks like ``title`` (written differently, with or without marks) in the same or a
    neighbouring unit (the nomination form asks it too). Published entries, and the drafts ``viewer`` may see:
    duplicates often start as drafts, but another unit's drafts stay its own."""
    key = name_key(title)
    if len(key) < 3:
        return []
    query = sa.select(Entry).where(Entry.merged_into_id.is_(None))
    if unit is not None:
        query = query.where(Entry.unit_id.in_(_neighbourhood(unit)))
    last = key.split()[-1]
    # The last word of a Vietnamese name (the given name) narrows the candidates before comparing whole names.
    query = query.where(Entry.slug.like(f"%{last}%")) if re.fullmatch(r"[a-z0-9]+", last) else query
    found = []
    for entry in db.session.scalars(query.limit(500).options(selectinload(Entry.unit))):
        if entry.id == exclude_id or not (entry.is_published or can_see_entry_drafts(viewer, entry)):
            continue
        other = name_key(entry.title)
        if not other or difflib.SequenceMatcher(None, last, other.split()[-1]).ratio() < 0.8:
            continue  # Vietnamese names share family and middle names: the given name must agree
        score = difflib.SequenceMatcher(None, key, other).ratio()
        mine, theirs = set(key.split()), set(other.split())
        if min(len(mine), len(theirs)) >= 2 and (mine <= theirs or theirs <= mine):
            score = max(score, 0.9)  # "Nguyễn Văn An" and "Ông Nguyễn Văn An (Tổ 5)"
        if score >= threshold:
            found.append(SimilarEntry(entry, score))
    found.sort(key=lambda s: (-s.score, s.entry.id))
    return found[:limit]


def merged_entry_target(entry_id: int) -> Entry | None:
    """The published entry an entry was merged into (following merges of merges), or None."""
    seen: set[int] = set()
    entry = db.session.get(Entry, entry_id)
    while entry is not None and entry.merged_into_id is not None and entry.id not in seen:
        seen.add(entry.id)
        entry = db.session.get(Entry, entry.merged_into_id)
    if entry is None or not seen or entry.status != EntryStatus.PUBLISHED:
        return None
    return entry
