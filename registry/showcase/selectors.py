"""Read-side queries for the public showcase: only published entries, only public fields."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from math import ceil
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.catalog.selectors import catalogue_names, unit_names
from registry.catalog.unit_tree import unit_tree
from registry.entries.models import Award, Entry, EntryKind, EntryStatus, Replication, entry_topic
from registry.extensions import db
from registry.platform.collation import collation_key
from registry.platform.data_version import cached
from registry.showcase.facet_table import KINDS as FACET_KINDS
from registry.showcase.facet_table import LEVELS as FACET_LEVELS
from registry.showcase.facet_table import Selection as FacetSelection
from registry.showcase.facet_table import facet_table, slug_ids
from registry.showcase.facet_table import select as facet_select
from registry.showcase.filters import BrowseFilters

# Related entries are chosen among the newest entries of each shared topic and of the unit, so an entry
# page costs the same with a hundred thousand entries under one topic as with ten.
RELATED_CANDIDATES = 100


@dataclass
class FacetValue:
    value: Any
    label: str
    count: int
    selected: bool


@dataclass
class BrowseResult:
    entries: list[Entry]
    total: int
    page: int
    pages: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    unit: Unit | None = None
    topic: Topic | None = None
    award_title: AwardTitle | None = None


def published() -> sa.Select:
    """Select the ids of published entries."""
    return sa.select(Entry.id).where(Entry.status == EntryStatus.PUBLISHED)


def _award_clause(filters: BrowseFilters, *, skip: str | None) -> sa.ColumnElement | None:
    # An alias, so the clause stays about the entry when the outer query joins awards itself.
    award = aliased(Award)
    conditions = [award.entry_id == Entry.id, award.revoked_on.is_(None)]
    if filters.award and skip != "award":
        conditions.append(award.title_id.in_(sa.select(AwardTitle.id).where(AwardTitle.slug == filters.award)))
    if filters.level and skip != "level":
        conditions.append(award.level == AwardLevel(filters.level))
    if len(conditions) == 2:
        return None
    return sa.exists(sa.select(award.id).where(*conditions).correlate(Entry))


def _conditions(filters: BrowseFilters, *, skip: str | None = None) -> list[sa.ColumnElement]:
    """Conditions on Entry for published entries matching every filter but ``skip`` (facets leave out their own).

    Queries put them on the entry table itself, not behind ``id IN (subquery)``, so SQLite can use
    the entry indexes for the filters and the order instead of building the id list first.
    """
    conditions: list[sa.ColumnElement] = [Entry.status == EntryStatus.PUBLISHED]
    if filters.kind and skip != "kind":
        conditions.append(Entry.kind == EntryKind(filters.kind))
    if filters.year and skip != "year":
        conditions.append(Entry.year == filters.year)
    if filters.unit is not None and skip != "unit":
        conditions.append(Entry.unit_id.in_(unit_tree().descendants(filters.unit)))
    if filters.topic and skip != "topic":
        # A check per entry, not `id IN (every entry of the topic)`: walking the kind/year/date index
        # stops after a page of matches, where the list of a large topic has tens of thousands of ids.
        topic_id = sa.select(Topic.id).where(Topic.slug == filters.topic).scalar_subquery()
        conditions.append(
            sa.exists().where(entry_topic.c.entry_id == Entry.id, entry_topic.c.topic_id == topic_id)
        )
    clause = _award_clause(filters, skip=skip)
    if clause is not None:
        conditions.append(clause)
    return conditions


def _filtered(filters: BrowseFilters, *, skip: str | None = None) -> sa.Select:
    """Published entry ids matching every filter but ``skip``."""
    return sa.select(Entry.id).where(*_conditions(filters, skip=skip))


def matching_entry_ids(filters: BrowseFilters) -> sa.Select:
    """Select the ids of published entries matching every filter (the page number aside)."""
    return _filtered(filters)


def unit_rollup_nodes(unit_ids: Iterable[int], top: int | None) -> dict[int, int]:
    """Map each unit to the unit one level below ``top`` (a root when None) that it counts toward."""
    ids = set(unit_ids)
    if not ids:
        return {}
    tree = unit_tree()
    nodes = {unit_id: tree.rollup_node(unit_id, top) for unit_id in ids}
    return {unit_id: node for unit_id, node in nodes.items() if node is not None}


def unit_rollup(counts: dict[int, int], top: int | None) -> Counter[int]:
    """Add up per-unit counts into the units one level below ``top`` (the roots when None)."""
    if top is None and len(counts) > 64:
        # A broad search touches thousands of units: added up in arrays, not a step per unit.
        roots = unit_tree().roots()
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        numbers = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        known = (ids >= 0) & (ids < len(roots))
        nodes = ids.copy()
        nodes[known] = roots[ids[known]]
        counted = nodes >= 0
        totals_of, where = np.unique(nodes[counted], return_inverse=True)
        sums = np.bincount(where, weights=numbers[counted], minlength=len(totals_of)).astype(np.int64)
        return Counter(dict(zip(totals_of.tolist(), sums.tolist())))
    nodes = unit_rollup_nodes(counts, top)
    totals: Counter[int] = Counter()
    for unit_id, count in counts.items():
        if unit_id in nodes:
            totals[nodes[unit_id]] += count
    return totals


def newest_first() -> tuple:
    """"Newest" is the most recently recognised: the year of recognition, then the date of its latest award
    decision (revoked awards aside), then the most recently published; never the order of an import."""
    latest_decision = (
        sa.select(sa.func.max(Award.decision_date))
        .where(Award.entry_id == Entry.id, Award.revoked_on.is_(None))
        .correlate(Entry).scalar_subquery()
    )
    return (Entry.year.desc().nulls_last(), latest_decision.desc().nulls_last(), Entry.published_at.desc(),
            Entry.id.desc())


# What an entry card shows, loaded with the entries: the unit in the same statement (a join), the public photos
# in one more. Each further relationship loaded costs a statement and its rows for every card of the page.
CARD_LOADING = (joinedload(Entry.unit), selectinload(Entry.photos))

# The orders of the browse page, by the name of its ``sort`` argument.
BROWSE_ORDERS: dict[str, Callable[[], tuple]] = {
    "newest": newest_first,
    "name": lambda: (Entry.title_sort.asc(), Entry.id.asc()),
}


def browse(filters: BrowseFilters, *, per_page: int, locale: str) -> BrowseResult:
    """Return one page of published entries matching the filters, with counts for every filter.

    Counts and the page's ids come from the in-memory table of the published entries (facet_table):
    a filter combination nobody asked before costs a few passes over arrays, not a scan per facet.
    """
    selected_unit = db.session.get(Unit, filters.unit) if filters.unit is not None else None
    selection = _selection(filters)
    table = selection.table
    matching = selection.matching()
    total = int(matching.sum())
    pages = max(1, ceil(total / per_page))
    page = min(filters.page, pages)
    order = table.orders[filters.sort if filters.sort in BROWSE_ORDERS else "newest"]
    in_order = order[matching[order]] if total else order[:0]
    page_ids = [int(table.ids[p]) for p in in_order[(page - 1) * per_page:page * per_page]]
    loaded = {
        e.id: e for e in db.session.scalars(
            sa.select(Entry).where(Entry.id.in_(page_ids), Entry.status == EntryStatus.PUBLISHED)
            .options(*CARD_LOADING)
        )
    } if page_ids else {}
    entries = [loaded[i] for i in page_ids if i in loaded]
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == filters.topic)) if filters.topic else None
    award_title = (
        db.session.scalar(sa.select(AwardTitle).where(AwardTitle.slug == filters.award)) if filters.award else None
    )
    facets = cached(("browse-facets", replace(filters, page=1, sort="newest"), locale),
                    lambda: _facets(filters, selection, selected_unit, locale))
    return BrowseResult(
        entries=entries, total=total, page=page, pages=pages, per_page=per_page,
        facets=facets, unit=selected_unit, topic=topic, award_title=award_title,
    )


def _selection(filters: BrowseFilters) -> FacetSelection:
    """The filter combination over the table of published entries."""
    return facet_select(
        facet_table(BROWSE_ORDERS), kind=filters.kind, year=filters.year,
        unit_ids=unit_tree().descendants(filters.unit) if filters.unit is not None else None,
        topic_id=slug_ids(Topic, filters.topic), award_title_id=slug_ids(AwardTitle, filters.award),
        level=filters.level,
    )


def _unit_facet(filters: BrowseFilters, selected_unit: Unit | None) -> list[FacetValue]:
    """Counts for the next level down the unit tree (roots when no unit is chosen)."""
    selection = _selection(filters)
    # Below a chosen unit only its subtree can count; with none chosen, every unit counts toward its root.
    counts = selection.counts(selection.table.unit, None, skip=None if selected_unit is not None else "unit")
    counts.pop(-1, None)
    return _unit_values(counts, selected_unit)


def _labelled(model: type[Topic] | type[AwardTitle], counts: dict[int, int], selected: str | None,
              locale: str) -> list[FacetValue]:
    if not counts:
        return []
    names = catalogue_names(model, locale)
    return sorted(
        (FacetValue(slug, label, counts[i], selected == slug) for i, (slug, label) in names.items() if i in counts),
        key=lambda v: (-v.count, collation_key(v.label)),
    )


def _facets(filters: BrowseFilters, selection: FacetSelection, selected_unit: Unit | None,
            locale: str) -> dict[str, list[FacetValue]]:
    table = selection.table
    kind_counts = selection.counts(table.kind, None, skip="kind")
    year_counts = selection.counts(table.year, None, skip="year")
    topic_counts = selection.counts(table.topic_id, table.topic_pos, skip="topic")
    award_counts = selection.counts(table.award_title, table.award_pos, skip="award", distinct_pairs=True)
    level_counts = selection.counts(table.award_level, table.award_pos, skip="level", distinct_pairs=True)
    return {
        "kind": [FacetValue(k.value, k.label, kind_counts[i], filters.kind == k.value)
                 for i, k in enumerate(FACET_KINDS) if kind_counts.get(i)],
        "year": [FacetValue(y, str(y), n, filters.year == y) for y, n in sorted(year_counts.items(), reverse=True)
                 if y],
        "unit": _unit_facet(filters, selected_unit),
        "topic": _labelled(Topic, topic_counts, filters.topic, locale),
        "award": _labelled(AwardTitle, award_counts, filters.award, locale),
        "level": [FacetValue(lv.value, lv.label, level_counts[i], filters.level == lv.value)
                  for i, lv in enumerate(FACET_LEVELS) if level_counts.get(i)],
    }


def _unit_values(counts: dict[int, int], selected_unit: Unit | None) -> list[FacetValue]:
    totals = unit_rollup(counts, selected_unit.id if selected_unit else None)
    if not totals:
        return []
    names = unit_names()
    values = [FacetValue(uid, names[uid], n, False) for uid, n in totals.items() if uid in names]
    return sorted(values, key=lambda v: (-v.count, collation_key(v.label)))


def entry_for_public(entry_id: int) -> Entry | None:
    """Return a published entry with everything its page shows, or None."""
    return db.session.scalar(
        sa.select(Entry).where(Entry.id == entry_id, Entry.status == EntryStatus.PUBLISHED).options(
            selectinload(Entry.photos), selectinload(Entry.topics),
            selectinload(Entry.awards).selectinload(Award.title), selectinload(Entry.awards).selectinload(Award.issuer),
            selectinload(Entry.replications).selectinload(Replication.unit), selectinload(Entry.unit),
        )
    )


def related_entries(entry: Entry, *, limit: int = 4) -> list[Entry]:
    """Published entries that share topics or the unit with ``entry``, most shared topics first.

    Candidates are the newest entries of each of its topics and of its unit (RELATED_CANDIDATES each),
    read from the indexes in one query, so the page never counts a whole topic.
    """
    topic_ids = [t.id for t in entry.topics]
    newest = [
        sa.select(entry_topic.c.entry_id.label("id")).join(Entry, Entry.id == entry_topic.c.entry_id)
        .where(entry_topic.c.topic_id == topic_id, Entry.status == EntryStatus.PUBLISHED, Entry.id != entry.id)
        .order_by(entry_topic.c.entry_id.desc()).limit(RELATED_CANDIDATES).subquery()
        for topic_id in topic_ids
    ]
    if entry.unit_id is not None:
        newest.append(
            sa.select(Entry.id.label("id"))
            .where(Entry.unit_id == entry.unit_id, Entry.status == EntryStatus.PUBLISHED, Entry.id != entry.id)
            .order_by(Entry.id.desc()).limit(RELATED_CANDIDATES).subquery()
        )
    if not newest:
        return []
    candidates = sa.union(*(sa.select(sub.c.id) for sub in newest)).subquery()
    shared = (
        sa.select(entry_topic.c.entry_id, sa.func.count().label("shared"))
        .where(entry_topic.c.topic_id.in_(topic_ids), entry_topic.c.entry_id.in_(sa.select(candidates.c.id)))
        .group_by(entry_topic.c.entry_id).subquery()
    )
    query = (
        sa.select(Entry).join(candidates, candidates.c.id == Entry.id).outerjoin(shared, shared.c.entry_id == Entry.id)
        .order_by(sa.func.coalesce(shared.c.shared, 0).desc(), (Entry.unit_id == entry.unit_id).desc(),
                  Entry.published_at.desc(), Entry.id.desc())
        .limit(limit).options(*CARD_LOADING)
    )
    return list(db.session.scalars(query))


@dataclass
class UnitEntries:
    """One page of a unit's published entries (its sub-units' included), grouped by year."""

    groups: list[tuple[int | None, list[Entry]]]
    total: int
    page: int
    pages: int


def unit_entries_by_year(unit: Unit, *, page: int = 1, per_page: int = 48) -> UnitEntries:
    """Published entries of a unit and its sub-units, newest year first, one page of them grouped by year."""
    condition = sa.and_(Entry.status == EntryStatus.PUBLISHED, Entry.unit_id.in_(unit_tree().descendants(unit.id)))
    total = cached(("unit-total", unit.id),
                   lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(condition)) or 0)
    pages = max(1, ceil(total / per_page))
    page = min(max(page, 1), pages)
    entries = db.session.scalars(
        sa.select(Entry).where(condition)
        .order_by(Entry.year.desc().nulls_last(), Entry.title_sort, Entry.id)
        .limit(per_page).offset((page - 1) * per_page)
        .options(*CARD_LOADING)
    ).all() if total else []
    groups: dict[int | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.year, []).append(entry)
    return UnitEntries(groups=list(groups.items()), total=total, page=page, pages=pages)


def unit_children_with_counts(unit: Unit | None) -> list[tuple[Unit, int]]:
    """Child units (roots when None) that hold published entries in their subtree, with counts."""
    filters = BrowseFilters(unit=unit.id if unit else None)
    facet = cached(("unit-children", filters.unit), lambda: [(v.value, v.count) for v in _unit_facet(filters, unit)])
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_([uid for uid, _n in facet])))}
    return [(units[uid], count) for uid, count in facet if uid in units]


def _home_counts(latest: int, awards: int) -> dict[str, Any]:
    """The expensive part of the home page, as plain values: counts and the ids to show."""
    kind_counts = dict(db.session.execute(
        sa.select(Entry.kind, sa.func.count()).where(Entry.status == EntryStatus.PUBLISHED).group_by(Entry.kind)
    ).all())
    return {
        "latest": list(db.session.scalars(
            sa.select(Entry.id).where(Entry.status == EntryStatus.PUBLISHED).order_by(*newest_first()).limit(latest))),
        "kinds": {k.value: n for k, n in kind_counts.items()},
        "topics": _topic_counts(),
        "awards": list(db.session.scalars(
            sa.select(Award.id).join(Entry, Entry.id == Award.entry_id)
            .where(Entry.status == EntryStatus.PUBLISHED, Award.revoked_on.is_(None))
            .order_by(Award.year.desc(), Award.decision_date.desc().nulls_last(), Award.id.desc()).limit(awards))),
    }


def _topic_counts() -> dict[int, int]:
    """Published entries per topic id (topics without any are left out)."""
    return dict(db.session.execute(
        sa.select(entry_topic.c.topic_id, sa.func.count()).join(Entry, Entry.id == entry_topic.c.entry_id)
        .where(Entry.status == EntryStatus.PUBLISHED).group_by(entry_topic.c.topic_id)
    ).all())


def home_overview(*, locale: str, latest: int = 8, awards: int = 8) -> dict[str, Any]:
    """Everything the home page shows: latest entries, counts by kind, topics, recent awards."""
    counts = cached(("home", latest, awards), lambda: _home_counts(latest, awards))
    latest_entries = sorted(
        db.session.scalars(sa.select(Entry).where(Entry.id.in_(counts["latest"]))
                           .options(*CARD_LOADING)),
        key=lambda e: counts["latest"].index(e.id),
    )
    recent_awards = sorted(
        db.session.scalars(sa.select(Award).where(Award.id.in_(counts["awards"]))
                           .options(selectinload(Award.entry), selectinload(Award.title))),
        key=lambda a: counts["awards"].index(a.id),
    )
    topics = db.session.scalars(sa.select(Topic).where(Topic.id.in_(counts["topics"]))).all()
    return {
        "latest": latest_entries,
        "kind_counts": [(k, counts["kinds"].get(k.value, 0)) for k in EntryKind],
        "total": sum(counts["kinds"].values()),
        "topics": sorted(((t, counts["topics"][t.id]) for t in topics), key=lambda tc: (-tc[1], collation_key(tc[0].display_name(locale)))),
        "recent_awards": recent_awards,
    }


def topics_with_counts(locale: str) -> list[tuple[Topic, int]]:
    """Every topic with the number of published entries under it."""
    counts = cached("topic-counts", _topic_counts)
    rows = [(topic, counts.get(topic.id, 0)) for topic in db.session.scalars(sa.select(Topic))]
    return sorted(rows, key=lambda tc: collation_key(tc[0].display_name(locale)))
