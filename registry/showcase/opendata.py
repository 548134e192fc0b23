"""Read-side queries behind open data (API, exports, feeds, sitemap): published data, public fields only."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from math import ceil
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.catalog.selectors import unit_descendant_ids
from registry.entries.models import Award, Entry, EntryStatus, Replication, entry_topic
from registry.extensions import db
from registry.platform.collation import collation_key
from registry.platform.data_version import cached
from registry.showcase.filters import BrowseFilters
from registry.showcase.selectors import matching_entry_ids, newest_first, unit_rollup

# Everything an entry's open-data record shows, loaded in a fixed number of queries.
ENTRY_LOAD = (
    selectinload(Entry.unit), selectinload(Entry.topics), selectinload(Entry.photos),
    selectinload(Entry.awards).selectinload(Award.title), selectinload(Entry.awards).selectinload(Award.issuer),
    selectinload(Entry.replications).selectinload(Replication.unit),
)


def data_last_modified() -> datetime | None:
    """When public data last changed: the newest change to an entry, an award or a unit (UTC)."""
    # Every API answer asks, and the maxima scan whole tables: kept while the data version stands.
    return cached("data_last_modified", _data_last_modified)


def _data_last_modified() -> datetime | None:
    stamps = db.session.execute(sa.select(
        sa.select(sa.func.max(Entry.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(Entry.published_at)).scalar_subquery(),
        sa.select(sa.func.max(Award.created_at)).scalar_subquery(),
        sa.select(sa.func.max(Unit.created_at)).scalar_subquery(),
    )).one()
    newest = max((s for s in stamps if s is not None), default=None)
    return newest.replace(tzinfo=UTC, microsecond=0) if newest else None


def preload_unit_paths(units: Iterable[Unit | None]) -> None:
    """Load every ancestor of these units in one query, so ``unit.path()`` needs no more."""
    ids = {u.id for u in units if u is not None}
    if not ids:
        return
    tree = sa.select(Unit.id, Unit.parent_id).where(Unit.id.in_(ids)).cte("ancestors", recursive=True)
    tree = tree.union(sa.select(Unit.id, Unit.parent_id).where(Unit.id == tree.c.parent_id))
    loaded = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(sa.select(tree.c.id))))}
    # Linking each unit to its parent keeps the chain alive: the session only holds objects weakly.
    for unit in loaded.values():
        set_committed_value(unit, "parent", loaded.get(unit.parent_id))


def _with_unit_paths(entries: list[Entry]) -> list[Entry]:
    preload_unit_paths([*(e.unit for e in entries), *(r.unit for e in entries for r in e.replications)])
    return entries


def _entry_order(sort: str) -> tuple:
    if sort == "name":
        return (Entry.title_sort.asc(), Entry.id.asc())
    return newest_first()


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    pages: int
    per_page: int


def _paginate(query: sa.Select, *, page: int, per_page: int) -> Page:
    """Count what ``query`` selects and return the asked page of it (the last one when asked past the end)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(page, pages)
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total, page, pages, per_page)


def entries_page(filters: BrowseFilters, *, per_page: int) -> Page:
    """One page of published entries matching the browse filters, with everything a record shows."""
    result = _paginate(
        sa.select(Entry).where(Entry.id.in_(matching_entry_ids(filters))).order_by(*_entry_order(filters.sort))
        .options(*ENTRY_LOAD),
        page=filters.page, per_page=per_page,
    )
    _with_unit_paths(result.items)
    return result


def entries_matching(filters: BrowseFilters, *, limit: int) -> tuple[list[Entry], int]:
    """Up to ``limit`` published entries matching the filters, in the page's order, and how many match."""
    ids = matching_entry_ids(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0
    entries = list(db.session.scalars(
        sa.select(Entry).where(Entry.id.in_(ids)).order_by(*_entry_order(filters.sort)).limit(limit)
        .options(*ENTRY_LOAD)
    ))
    return _with_unit_paths(entries), total


def entries_by_ids(ids: list[int]) -> list[Entry]:
    """Published entries with these ids, in the order given (search ranks), with everything a record shows."""
    found: dict[int, Entry] = {}
    # Chunks keep each IN list below every database's parameter limit.
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update((e.id, e) for e in db.session.scalars(
            sa.select(Entry).where(Entry.id.in_(chunk), Entry.status == EntryStatus.PUBLISHED).options(*ENTRY_LOAD)
        ))
    return _with_unit_paths([found[i] for i in ids if i in found])


def published_entry(entry_id: int) -> Entry | None:
    """A published entry with everything its record shows, or None."""
    entry = db.session.scalar(
        sa.select(Entry).where(Entry.id == entry_id, Entry.status == EntryStatus.PUBLISHED).options(*ENTRY_LOAD)
    )
    return _with_unit_paths([entry])[0] if entry is not None else None


@dataclass(frozen=True)
class AwardFilters:
    """Which awards a list shows; unknown values are ignored, like the browse filters."""

    year: int | None = None
    title: str | None = None
    level: str | None = None
    unit: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> AwardFilters:
        """Parse request arguments, dropping values that cannot be right (as the browse filters do)."""
        common = BrowseFilters.from_args(args)
        return cls(year=common.year, title=args.get("title") or None, level=common.level, unit=common.unit,
                   page=common.page)


def _awards_query(filters: AwardFilters) -> sa.Select:
    query = sa.select(Award).join(Entry, Entry.id == Award.entry_id).where(Entry.status == EntryStatus.PUBLISHED)
    if filters.year:
        query = query.where(Award.year == filters.year)
    if filters.title:
        query = query.where(Award.title_id.in_(sa.select(AwardTitle.id).where(AwardTitle.slug == filters.title)))
    if filters.level:
        query = query.where(Award.level == AwardLevel(filters.level))
    if filters.unit is not None:
        query = query.where(Entry.unit_id.in_(unit_descendant_ids(filters.unit)))
    return query


def awards_page(filters: AwardFilters, *, per_page: int) -> Page:
    """One page of awards of published entries, revoked ones included, newest decision first."""
    return _paginate(
        _awards_query(filters).order_by(Award.year.desc(), Award.decision_date.desc().nulls_last(), Award.id.desc())
        .options(selectinload(Award.title), selectinload(Award.issuer), selectinload(Award.entry)),
        page=filters.page, per_page=per_page,
    )


def recent_awards(*, limit: int, unit: int | None = None) -> list[Award]:
    """The awards of published entries most recently added, for feeds."""
    return list(db.session.scalars(
        _awards_query(AwardFilters(unit=unit)).order_by(Award.created_at.desc(), Award.id.desc()).limit(limit)
        .options(selectinload(Award.title), selectinload(Award.entry).selectinload(Entry.unit))
    ))


def recent_entries(filters: BrowseFilters, *, limit: int) -> list[Entry]:
    """The most recently published entries matching the filters, for feeds."""
    return list(db.session.scalars(
        sa.select(Entry).where(Entry.id.in_(matching_entry_ids(filters)))
        .order_by(Entry.published_at.desc(), Entry.id.desc()).limit(limit)
        .options(selectinload(Entry.unit), selectinload(Entry.topics), selectinload(Entry.photos))
    ))


def unit_roots() -> list[Unit]:
    """Units at the top of the tree, current ones first, by name."""
    roots = db.session.scalars(sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    return sorted(roots, key=lambda u: (u.valid_to is not None, collation_key(u.name)))


def unit_entry_counts(units: Iterable[Unit], top: Unit | None) -> dict[int, int]:
    """Published entries in the subtree of each unit one level below ``top`` (roots when None)."""
    counts = dict(db.session.execute(
        sa.select(Entry.unit_id, sa.func.count()).where(Entry.status == EntryStatus.PUBLISHED)
        .where(Entry.unit_id.is_not(None)).group_by(Entry.unit_id)
    ).all())
    totals = unit_rollup(counts, top.id if top else None)
    return {u.id: totals.get(u.id, 0) for u in units}


def unit_subtree_entry_count(unit: Unit) -> int:
    """Published entries of a unit and everything below it or merged into it."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Entry)
        .where(Entry.status == EntryStatus.PUBLISHED, Entry.unit_id.in_(unit_descendant_ids(unit.id)))
    ) or 0


def sitemap_items() -> tuple[list[Any], list[tuple[Unit, datetime]], list[tuple[Topic, datetime]]]:
    """Published entries (id, slug, last change), the units above them and their topics, each with its last change."""
    entries = db.session.execute(
        sa.select(Entry.id, Entry.slug, Entry.updated_at).where(Entry.status == EntryStatus.PUBLISHED).order_by(Entry.id)
    ).all()
    per_unit = dict(db.session.execute(
        sa.select(Entry.unit_id, sa.func.max(Entry.updated_at)).where(Entry.status == EntryStatus.PUBLISHED)
        .where(Entry.unit_id.is_not(None)).group_by(Entry.unit_id)
    ).all())
    parents = dict(db.session.execute(sa.select(Unit.id, Unit.parent_id)).all())
    # A unit's page lists the entries of its whole subtree, so it changes when any of them does.
    newest: dict[int, datetime] = {}
    for unit_id, stamp in per_unit.items():
        node, steps = unit_id, 0
        while node is not None and steps < 64:
            if newest.get(node) is None or newest[node] < stamp:
                newest[node] = stamp
            node, steps = parents.get(node), steps + 1
    units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(newest)).order_by(Unit.id)).all() if newest else []
    topics = db.session.execute(
        sa.select(Topic, sa.func.max(Entry.updated_at)).join(entry_topic, entry_topic.c.topic_id == Topic.id)
        .join(Entry, Entry.id == entry_topic.c.entry_id).where(Entry.status == EntryStatus.PUBLISHED)
        .group_by(Topic.id).order_by(Topic.id)
    ).all()
    return list(entries), [(u, newest[u.id]) for u in units], [(t, stamp) for t, stamp in topics]
