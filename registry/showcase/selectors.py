"""Read-side queries for the public showcase: only published entries, only public fields."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from math import ceil
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.catalog.unit_tree import unit_tree
from registry.entries.models import Award, Entry, EntryKind, EntryStatus, Replication, entry_topic
from registry.extensions import db
from registry.platform.collation import collation_key
from registry.platform.data_version import cached
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
    nodes = unit_rollup_nodes(counts, top)
    totals: Counter[int] = Counter()
    for unit_id, count in counts.items():
        if unit_id in nodes:
            totals[nodes[unit_id]] += count
    return totals


def _unit_facet(filters: BrowseFilters, selected_unit: Unit | None) -> list[FacetValue]:
    """Counts for the next level down the unit tree (roots when no unit is chosen)."""
    # Below a chosen unit only its subtree can count (units merged into it belong to the subtree):
    # keeping the unit filter spares grouping every entry of the country by unit.
    counts = dict(
        db.session.execute(
            sa.select(Entry.unit_id, sa.func.count())
            .where(*_conditions(filters, skip=None if selected_unit is not None else "unit"))
            .where(Entry.unit_id.is_not(None)).group_by(Entry.unit_id)
        ).all()
    )
    totals = unit_rollup(counts, selected_unit.id if selected_unit else None)
    if not totals:
        return []
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(totals)))}
    values = [FacetValue(uid, units[uid].name, n, False) for uid, n in totals.items() if uid in units]
    return sorted(values, key=lambda v: (-v.count, collation_key(v.label)))


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


def browse(filters: BrowseFilters, *, per_page: int, locale: str) -> BrowseResult:
    """Return one page of published entries matching the filters, with counts for every filter."""
    selected_unit = db.session.get(Unit, filters.unit) if filters.unit is not None else None
    # The total and the facets do not depend on the page or the order: one cached value serves them all.
    total, facets = cached(
        ("browse", replace(filters, page=1, sort="newest"), locale),
        lambda: (db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(*_conditions(filters))) or 0,
                 _facets(filters, selected_unit, locale)),
    )
    pages = max(1, ceil(total / per_page))
    page = min(filters.page, pages)
    order = (Entry.title_sort.asc(), Entry.id.asc()) if filters.sort == "name" else newest_first()
    entries = list(
        db.session.scalars(
            sa.select(Entry).where(*_conditions(filters)).order_by(*order)
            .limit(per_page).offset((page - 1) * per_page)
            .options(selectinload(Entry.unit), selectinload(Entry.photos), selectinload(Entry.topics))
        )
    ) if total else []
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == filters.topic)) if filters.topic else None
    award_title = (
        db.session.scalar(sa.select(AwardTitle).where(AwardTitle.slug == filters.award)) if filters.award else None
    )
    return BrowseResult(
        entries=entries, total=total, page=page, pages=pages, per_page=per_page,
        facets=facets, unit=selected_unit, topic=topic, award_title=award_title,
    )


def _facets(filters: BrowseFilters, selected_unit: Unit | None, locale: str) -> dict[str, list[FacetValue]]:
    kind_counts = dict(db.session.execute(
        sa.select(Entry.kind, sa.func.count()).where(*_conditions(filters, skip="kind")).group_by(Entry.kind)
    ).all())
    year_counts = db.session.execute(
        sa.select(Entry.year, sa.func.count()).where(*_conditions(filters, skip="year"))
        .where(Entry.year.is_not(None)).group_by(Entry.year).order_by(Entry.year.desc())
    ).all()
    topic_counts = db.session.execute(
        sa.select(Topic, sa.func.count()).join(entry_topic, entry_topic.c.topic_id == Topic.id)
        .join(Entry, Entry.id == entry_topic.c.entry_id).where(*_conditions(filters, skip="topic")).group_by(Topic.id)
    ).all()
    award_counts = db.session.execute(
        sa.select(AwardTitle, sa.func.count(sa.distinct(Award.entry_id))).join(Award, Award.title_id == AwardTitle.id)
        .join(Entry, Entry.id == Award.entry_id).where(Award.revoked_on.is_(None), *_conditions(filters, skip="award"))
        .group_by(AwardTitle.id)
    ).all()
    level_counts = dict(db.session.execute(
        sa.select(Award.level, sa.func.count(sa.distinct(Award.entry_id))).join(Entry, Entry.id == Award.entry_id)
        .where(Award.revoked_on.is_(None), *_conditions(filters, skip="level"))
        .group_by(Award.level)
    ).all())
    return {
        "kind": [FacetValue(k.value, k.label, kind_counts[k], filters.kind == k.value) for k in EntryKind if kind_counts.get(k)],
        "year": [FacetValue(y, str(y), n, filters.year == y) for y, n in year_counts],
        "unit": _unit_facet(filters, selected_unit),
        "topic": sorted(
            (FacetValue(t.slug, t.display_name(locale), n, filters.topic == t.slug) for t, n in topic_counts),
            key=lambda v: (-v.count, collation_key(v.label)),
        ),
        "award": sorted(
            (FacetValue(t.slug, t.display_name(locale), n, filters.award == t.slug) for t, n in award_counts),
            key=lambda v: (-v.count, collation_key(v.label)),
        ),
        "level": [FacetValue(lv.value, lv.label, level_counts[lv], filters.level == lv.value) for lv in AwardLevel if level_counts.get(lv)],
    }


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
        .limit(limit).options(selectinload(Entry.photos), selectinload(Entry.unit))
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
        .options(selectinload(Entry.unit), selectinload(Entry.photos))
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
                           .options(selectinload(Entry.photos), selectinload(Entry.unit))),
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
