"""Counts behind the statistics page and the yearly report: published entries and their awards.

Every function runs a fixed number of grouped queries (no query per row) in SQL that SQLite and
PostgreSQL both accept; ``scope`` narrows the counts to a unit and everything below or merged into it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.catalog.selectors import unit_descendant_ids
from registry.entries.models import Award, AwardKind, Entry, EntryKind, EntryStatus, entry_topic
from registry.extensions import db
from registry.platform.collation import collation_key
from registry.showcase.selectors import unit_rollup_nodes


@dataclass
class StatRow:
    key: Any
    label: str
    values: list[int]
    link_unit: int | None = None


@dataclass
class StatTable:
    """A named table of counts: rows by one thing, columns by another; charted as bars."""

    name: str
    title: str
    description: str
    row_header: str
    columns: list[str]
    rows: list[StatRow]
    # The leading columns that add up to a whole (stacked in the chart); later ones are shown side by side.
    stacked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def has_total(self) -> bool:
        """Whether rows have a meaningful total (their stacked columns add up to a whole)."""
        return self.stacked > 1

    def row_total(self, row: StatRow) -> int:
        """The sum of a row's stacked columns."""
        return sum(row.values[:self.stacked])

    @property
    def column_totals(self) -> list[int]:
        return [sum(r.values[i] for r in self.rows) for i in range(len(self.columns))]

    def csv_rows(self) -> tuple[list[str], list[list[Any]]]:
        """The header and rows of this table for a CSV file."""
        header = [self.row_header, *self.columns] + ([_("Total")] if self.has_total else [])
        rows = [[r.label, *r.values] + ([self.row_total(r)] if self.has_total else []) for r in self.rows]
        return header, rows


def _entries(scope: Unit | None) -> sa.Select:
    query = sa.select(Entry.id).where(Entry.status == EntryStatus.PUBLISHED)
    if scope is not None:
        query = query.where(Entry.unit_id.in_(unit_descendant_ids(scope.id)))
    return query


def _grid(counts: dict[tuple[Any, Any], int], row_keys: list[Any], col_keys: list[Any]) -> list[list[int]]:
    return [[counts.get((r, c), 0) for c in col_keys] for r in row_keys]


def entries_by_year(scope: Unit | None) -> StatTable:
    """Published entries by year and kind, newest year first."""
    counts = {(y, k): n for y, k, n in db.session.execute(
        sa.select(Entry.year, Entry.kind, sa.func.count()).where(Entry.id.in_(_entries(scope)))
        .group_by(Entry.year, Entry.kind)
    )}
    years = sorted({y for y, _k in counts}, key=lambda y: (y is None, -(y or 0)))
    kinds = list(EntryKind)
    return StatTable(
        "entries-by-year", _("Entries by year and kind"),
        _("Published entries by the year of the deed or recognition, split by kind."),
        _("Year"), [str(EntryKind.PLURAL_LABELS[k.value]) for k in kinds],
        [StatRow(y, str(y) if y else _("Year not given"), vals)
         for y, vals in zip(years, _grid(counts, years, kinds), strict=True)],
        stacked=len(kinds),
    )


def _awards(scope: Unit | None) -> sa.Select:
    return sa.select(Award).join(Entry, Entry.id == Award.entry_id).where(Entry.id.in_(_entries(scope)))


def awards_by_year(scope: Unit | None) -> StatTable:
    """Awards by year and kind of award; revoked awards are counted apart, not in the kinds."""
    kind_counts = {(y, k): n for y, k, n in db.session.execute(
        _awards(scope).with_only_columns(Award.year, Award.award_kind, sa.func.count())
        .where(Award.revoked_on.is_(None)).group_by(Award.year, Award.award_kind)
    )}
    revoked = dict(db.session.execute(
        _awards(scope).with_only_columns(Award.year, sa.func.count()).where(Award.revoked_on.is_not(None))
        .group_by(Award.year)
    ).all())
    years = sorted({y for y, _k in kind_counts} | set(revoked), reverse=True)
    kinds = list(AwardKind)
    rows = [StatRow(y, str(y), vals + [revoked.get(y, 0)]) for y, vals in zip(years, _grid(kind_counts, years, kinds), strict=True)]
    return StatTable(
        "awards-by-year", _("Awards by year and kind"),
        _("Awards of published entries by year and kind of award. Revoked awards are not counted; they are shown apart."),
        _("Year"), [k.label for k in kinds] + [_("Revoked (not counted)")], rows, stacked=len(kinds),
    )


def _rollup_rows(scope: Unit | None, per_unit: list[dict[int, int]], nodes: dict[int, int] | None = None) -> list[StatRow]:
    """Rows for the units one level below ``scope``, each series of per-unit counts added up into them."""
    if nodes is None:
        nodes = unit_rollup_nodes(set().union(*per_unit), scope.id if scope else None)
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * len(per_unit))
    for i, counts in enumerate(per_unit):
        for unit_id, n in counts.items():
            if unit_id in nodes:
                totals[nodes[unit_id]][i] += n
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(totals)))} if totals else {}
    rows = [StatRow(uid, units[uid].name, values, link_unit=uid) for uid, values in totals.items() if uid in units]
    return sorted(rows, key=lambda r: (-r.values[0], collation_key(r.label)))


def by_unit(scope: Unit | None) -> StatTable:
    """Entries and awards under each unit one level below ``scope`` (top-level units when None)."""
    entries = dict(db.session.execute(
        sa.select(Entry.unit_id, sa.func.count()).where(Entry.id.in_(_entries(scope)), Entry.unit_id.is_not(None))
        .group_by(Entry.unit_id)
    ).all())
    awards = dict(db.session.execute(
        _awards(scope).with_only_columns(Entry.unit_id, sa.func.count())
        .where(Award.revoked_on.is_(None), Entry.unit_id.is_not(None)).group_by(Entry.unit_id)
    ).all())
    return StatTable(
        "by-unit", _("Entries and awards by unit"),
        _("Published entries and their awards (revoked ones left out) under each unit, sub-units included. "
          "Follow a unit's name to see the units below it."),
        _("Unit"), [_("Entries"), _("Awards")], _rollup_rows(scope, [entries, awards]),
    )


def by_topic(scope: Unit | None, locale: str) -> StatTable:
    """Published entries under each topic."""
    rows = db.session.execute(
        sa.select(Topic, sa.func.count()).join(entry_topic, entry_topic.c.topic_id == Topic.id)
        .where(entry_topic.c.entry_id.in_(_entries(scope))).group_by(Topic.id)
    ).all()
    return StatTable(
        "by-topic", _("Entries by topic"), _("Published entries under each topic; an entry may have several topics."),
        _("Topic"), [_("Entries")],
        sorted((StatRow(t.slug, t.display_name(locale), [n]) for t, n in rows), key=lambda r: (-sum(r.values), collation_key(r.label))),
    )


def _title_level_counts(query: sa.Select) -> tuple[dict[tuple[int, AwardLevel], int], list[AwardLevel]]:
    counts = {(t, lv): n for t, lv, n in db.session.execute(
        query.with_only_columns(Award.title_id, Award.level, sa.func.count()).group_by(Award.title_id, Award.level)
    )}
    levels = [lv for lv in AwardLevel if any(k[1] == lv for k in counts)]
    return counts, levels


def _titles(ids: set[int]) -> dict[int, AwardTitle]:
    return {t.id: t for t in db.session.scalars(sa.select(AwardTitle).where(AwardTitle.id.in_(ids)))} if ids else {}


def by_title(scope: Unit | None, locale: str) -> StatTable:
    """Awards by title and level; revoked awards left out."""
    counts, levels = _title_level_counts(_awards(scope).where(Award.revoked_on.is_(None)))
    titles = _titles({t for t, _lv in counts})
    rows = [StatRow(t.slug, t.display_name(locale), [counts.get((t.id, lv), 0) for lv in levels]) for t in titles.values()]
    return StatTable(
        "by-title", _("Awards by title and level"),
        _("Awards of published entries by title and level. Revoked awards are not counted."),
        _("Title"), [lv.label for lv in levels], sorted(rows, key=lambda r: (-sum(r.values), collation_key(r.label))), stacked=len(levels),
    )


def _builders(scope: Unit | None, locale: str) -> dict[str, Callable[[], StatTable]]:
    return {
        "entries-by-year": lambda: entries_by_year(scope),
        "awards-by-year": lambda: awards_by_year(scope),
        "by-unit": lambda: by_unit(scope),
        "by-topic": lambda: by_topic(scope, locale),
        "by-title": lambda: by_title(scope, locale),
    }


def statistics_tables(scope: Unit | None, locale: str) -> list[StatTable]:
    """Every table of the statistics page, in page order."""
    return [build() for build in _builders(scope, locale).values()]


def statistics_table(name: str, scope: Unit | None, locale: str) -> StatTable | None:
    """One table by name, or None for an unknown name."""
    build = _builders(scope, locale).get(name)
    return build() if build else None


# ------------------------------------------------------------------ the yearly report


@dataclass
class YearReport:
    """Award counts of one year, the basis of the statistics units send upward."""

    year: int
    by_title: StatTable
    by_unit: StatTable
    total: int
    revoked: int
    lines: list[tuple[str, str, str, int, int]]  # unit, title, level, awards, revoked


def award_years() -> list[int]:
    """Years that have awards of published entries, newest first."""
    return list(db.session.scalars(
        sa.select(Award.year).join(Entry, Entry.id == Award.entry_id).where(Entry.status == EntryStatus.PUBLISHED)
        .group_by(Award.year).order_by(Award.year.desc())
    ))


def year_report(year: int, scope: Unit | None, locale: str) -> YearReport:
    """Awards of ``year`` by title × level and by unit × level; revoked awards counted apart."""
    base = _awards(scope).where(Award.year == year)
    live, revoked = base.where(Award.revoked_on.is_(None)), base.where(Award.revoked_on.is_not(None))
    counts, levels = _title_level_counts(live)
    revoked_by_title = dict(db.session.execute(
        revoked.with_only_columns(Award.title_id, sa.func.count()).group_by(Award.title_id)).all())
    titles = _titles({t for t, _lv in counts} | set(revoked_by_title))
    title_rows = sorted(
        (StatRow(t.slug, t.display_name(locale), [counts.get((t.id, lv), 0) for lv in levels] + [revoked_by_title.get(t.id, 0)])
         for t in titles.values()),
        key=lambda r: (-sum(r.values[:-1]), collation_key(r.label)),
    )
    level_columns = [lv.label for lv in levels]
    revoked_column = _("Revoked (not counted)")

    # Per unit: each recipient's unit counts toward the unit one level below the scope.
    per_unit_level = db.session.execute(
        base.with_only_columns(Entry.unit_id, Award.title_id, Award.level, Award.revoked_on.is_not(None), sa.func.count())
        .where(Entry.unit_id.is_not(None))
        .group_by(Entry.unit_id, Award.title_id, Award.level, Award.revoked_on.is_not(None))
    ).all()
    series: dict[AwardLevel | str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, _title_id, level, is_revoked, n in per_unit_level:
        series["revoked" if is_revoked else level][unit_id] += n
    nodes = unit_rollup_nodes({row[0] for row in per_unit_level}, scope.id if scope else None)
    unit_rows = _rollup_rows(scope, [dict(series[lv]) for lv in levels] + [dict(series["revoked"])], nodes)
    unit_rows.sort(key=lambda r: (-sum(r.values[:-1]), collation_key(r.label)))

    # Tidy lines for the CSV: unit (one level below the scope), title, level, awards, revoked.
    rolled: dict[tuple[int, int, AwardLevel], list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, title_id, level, is_revoked, n in per_unit_level:
        if unit_id in nodes:
            rolled[(nodes[unit_id], title_id, level)][1 if is_revoked else 0] += n
    unit_names = {r.key: r.label for r in unit_rows}
    lines = sorted(
        ((unit_names.get(u, ""), titles[t].display_name(locale) if t in titles else "", lv.label, c[0], c[1])
         for (u, t, lv), c in rolled.items()),
        key=lambda line: (collation_key(line[0]), collation_key(line[1]), line[2:]),
    )
    scope_name = scope.name if scope else _("all units")
    return YearReport(
        year=year,
        by_title=StatTable(
            "report-by-title", _("Awards in %(year)s by title and level", year=year),
            _("Awards of %(year)s in %(scope)s by title and level.", year=year, scope=scope_name),
            _("Title"), level_columns + [revoked_column], title_rows, stacked=len(levels),
        ),
        by_unit=StatTable(
            "report-by-unit", _("Awards in %(year)s by unit and level", year=year),
            _("Awards of %(year)s in %(scope)s by the recipients' unit and level.", year=year, scope=scope_name),
            _("Unit"), level_columns + [revoked_column], unit_rows, stacked=len(levels),
        ),
        total=sum(sum(r.values[:-1]) for r in title_rows),
        revoked=sum(r.values[-1] for r in title_rows),
        lines=lines,
    )
