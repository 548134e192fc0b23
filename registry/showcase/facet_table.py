"""The published entries as a few columns in memory, for the browse page's counts and pages.

Each distinct filter combination used to cost one SQL scan per facet (kind, year, unit, topic, award title,
level) plus the count and the page: about ten queries walking every matching entry. Here the table is read
once per data version (a change shows on the next request, as everywhere), and a filter combination is a
few vectorised passes over arrays: one boolean mask per filter, then counts by ``bincount``.

A row of the table is an entry's position in ``ids``; topics and awards are (position, value) pairs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from registry.catalog.models import AwardLevel, AwardTitle, Topic
from registry.entries.models import Award, Entry, EntryKind, EntryStatus, entry_topic
from registry.extensions import db
from registry.platform.data_version import cached

KINDS = list(EntryKind)
LEVELS = list(AwardLevel)
# The filters a facet leaves out of its own counts.
DIMENSIONS = ("kind", "year", "unit", "topic", "award", "level")


@dataclass(frozen=True)
class FacetTable:
    ids: np.ndarray            # entry ids, ascending
    kind: np.ndarray           # index into KINDS
    year: np.ndarray           # 0 when unknown
    unit: np.ndarray           # unit id, -1 when none
    topic_pos: np.ndarray      # (position, topic id) pairs
    topic_id: np.ndarray
    award_pos: np.ndarray      # one row per non-revoked award: position, title id, index into LEVELS
    award_title: np.ndarray
    award_level: np.ndarray
    orders: dict[str, np.ndarray]  # positions in each sort order of the browse page

    def positions(self, entry_ids: Iterable[int]) -> np.ndarray:
        """Positions of these ids in the table (ids not in it are left out)."""
        wanted = np.fromiter(entry_ids, dtype=np.int64)
        if not len(wanted) or not len(self.ids):
            return np.empty(0, dtype=np.int64)
        pos = np.searchsorted(self.ids, wanted)
        pos = np.clip(pos, 0, len(self.ids) - 1)
        return pos[self.ids[pos] == wanted]


def _array(values: list, dtype) -> np.ndarray:
    return np.array(values, dtype=dtype) if values else np.empty(0, dtype=dtype)


def _load(sorts: dict[str, Callable[[], tuple]]) -> FacetTable:
    published = Entry.status == EntryStatus.PUBLISHED
    rows = db.session.execute(
        sa.select(Entry.id, Entry.kind, Entry.year, Entry.unit_id).where(published).order_by(Entry.id)
    ).all()
    ids = _array([r[0] for r in rows], np.int64)
    kind_index = {k: i for i, k in enumerate(KINDS)}
    table_ids = ids

    def to_pos(values: list[int]) -> np.ndarray:
        arr = _array(values, np.int64)
        return np.searchsorted(table_ids, arr) if len(arr) else arr

    topics = db.session.execute(
        sa.select(entry_topic.c.entry_id, entry_topic.c.topic_id).join(Entry, Entry.id == entry_topic.c.entry_id)
        .where(published)
    ).all()
    awards = db.session.execute(
        sa.select(Award.entry_id, Award.title_id, Award.level).join(Entry, Entry.id == Award.entry_id)
        .where(published, Award.revoked_on.is_(None))
    ).all()
    level_index = {lv: i for i, lv in enumerate(LEVELS)}
    orders = {}
    for name, order in sorts.items():
        ordered = list(db.session.scalars(sa.select(Entry.id).where(published).order_by(*order())))
        orders[name] = to_pos(ordered)
    return FacetTable(
        ids=ids,
        kind=_array([kind_index[r[1]] for r in rows], np.int8),
        year=_array([r[2] or 0 for r in rows], np.int32),
        unit=_array([r[3] if r[3] is not None else -1 for r in rows], np.int64),
        topic_pos=to_pos([t[0] for t in topics]), topic_id=_array([t[1] for t in topics], np.int64),
        award_pos=to_pos([a[0] for a in awards]), award_title=_array([a[1] or -1 for a in awards], np.int64),
        award_level=_array([level_index.get(a[2], -1) for a in awards], np.int8),
        orders=orders,
    )


def facet_table(sorts: dict[str, Callable[[], tuple]]) -> FacetTable:
    """This process's table of the published entries, current as of this request."""
    return cached(("facet-table", tuple(sorts)), lambda: _load(sorts))


@dataclass(frozen=True)
class Selection:
    """What each filter keeps: one mask a filter (None when the filter is not set)."""

    table: FacetTable
    masks: dict[str, np.ndarray | None]

    def matching(self, *, skip: str | None = None) -> np.ndarray:
        """Entries matching every filter but ``skip``."""
        mask = np.ones(len(self.table.ids), dtype=bool)
        for name, m in self.masks.items():
            if m is not None and name != skip:
                mask &= m
        return mask

    def counts(self, values: np.ndarray, positions: np.ndarray | None, *, skip: str,
               distinct_pairs: bool = False) -> dict[int, int]:
        """How many matching entries (all filters but ``skip``) have each value.

        ``values`` is a column of the table, or of pairs whose entry positions are ``positions``.
        """
        mask = self.matching(skip=skip)
        if positions is None:
            kept = values[mask]
        else:
            keep = mask[positions] if len(positions) else np.zeros(0, dtype=bool)
            kept = values[keep]
            if distinct_pairs and len(kept):
                # An entry with two awards of one title counts once for it.
                pairs = np.unique(np.stack([positions[keep], kept.astype(np.int64)]), axis=1)
                kept = pairs[1]
        if not len(kept):
            return {}
        uniques, counts = np.unique(kept, return_counts=True)
        return {int(v): int(n) for v, n in zip(uniques, counts, strict=True)}


def select(table: FacetTable, *, kind: str | None, year: int | None, unit_ids: list[int] | None,
           topic_id: int | None, award_title_id: int | None, level: str | None) -> Selection:
    """The masks of a filter combination; an unknown value keeps nothing, as the SQL filters did."""
    n = len(table.ids)
    none = np.zeros(n, dtype=bool)
    masks: dict[str, np.ndarray | None] = dict.fromkeys(DIMENSIONS)
    if kind:
        masks["kind"] = table.kind == KINDS.index(EntryKind(kind))
    if year:
        masks["year"] = table.year == year
    if unit_ids is not None:
        masks["unit"] = np.isin(table.unit, np.array(unit_ids, dtype=np.int64)) if unit_ids else none
    if topic_id is not None:
        masks["topic"] = _has(n, table.topic_pos, table.topic_id == topic_id)
    if award_title_id is not None or level:
        # One award must match both the title and the level; each facet leaves its own condition out.
        title_rows = table.award_title == award_title_id if award_title_id is not None else None
        level_rows = table.award_level == LEVELS.index(AwardLevel(level)) if level else None
        if title_rows is not None:
            rows = title_rows if level_rows is None else title_rows & level_rows
            masks["award"] = _has(n, table.award_pos, rows)
            if level_rows is not None:
                # Leaving out the title keeps "an award of this level"; leaving out the level keeps the title.
                masks["level"] = np.ones(n, dtype=bool)
                return _AwardSelection(table, masks, _has(n, table.award_pos, level_rows),
                                       _has(n, table.award_pos, title_rows))
        else:
            masks["level"] = _has(n, table.award_pos, level_rows)
    return Selection(table, masks)


@dataclass(frozen=True)
class _AwardSelection(Selection):
    """Both an award title and a level chosen: one award must carry both, each facet drops its own half."""

    level_only: np.ndarray
    title_only: np.ndarray

    def matching(self, *, skip: str | None = None) -> np.ndarray:
        if skip == "award":
            return Selection(self.table, {**self.masks, "award": self.level_only}).matching(skip="level")
        if skip == "level":
            return Selection(self.table, {**self.masks, "award": self.title_only}).matching(skip="level")
        return Selection.matching(self, skip=skip)


def _has(n: int, positions: np.ndarray, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    if len(positions):
        mask[positions[rows]] = True
    return mask


def slug_ids(model: type[Topic] | type[AwardTitle], slug: str | None) -> int | None:
    """The id of the topic or title with this slug; -1 (matching nothing) for an unknown slug."""
    if not slug:
        return None
    found = db.session.scalar(sa.select(model.id).where(model.slug == slug))
    return found if found is not None else -1
