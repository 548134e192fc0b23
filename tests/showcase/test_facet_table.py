"""The browse page's counts and pages from the in-memory table agree with the same filters asked in SQL."""
from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.entries.models import Award, Entry, EntryKind, entry_topic
from registry.extensions import db
from registry.showcase.filters import BrowseFilters
from registry.showcase.selectors import BROWSE_ORDERS, _conditions, browse


def _sql_counts(filters: BrowseFilters) -> dict:
    """The counts as the SQL filters give them (one query a facet, each leaving out its own filter)."""
    def grouped(column, skip, *joins, distinct=False, extra=()):
        query = sa.select(column, sa.func.count(sa.distinct(Entry.id)) if distinct else sa.func.count()).select_from(Entry)
        for target, on in joins:
            query = query.join(target, on)
        return dict(db.session.execute(query.where(*_conditions(filters, skip=skip), *extra).group_by(column)).all())

    return {
        "total": db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(*_conditions(filters))),
        "kind": {k.value: n for k, n in grouped(Entry.kind, "kind").items()},
        "year": {y: n for y, n in grouped(Entry.year, "year").items() if y},
        "topic": {slug: n for slug, n in grouped(
            Topic.slug, "topic", (entry_topic, entry_topic.c.entry_id == Entry.id),
            (Topic, Topic.id == entry_topic.c.topic_id)).items()},
        "award": {slug: n for slug, n in grouped(
            AwardTitle.slug, "award", (Award, Award.entry_id == Entry.id), (AwardTitle, AwardTitle.id == Award.title_id),
            distinct=True, extra=(Award.revoked_on.is_(None),)).items()},
        "level": {lv.value: n for lv, n in grouped(
            Award.level, "level", (Award, Award.entry_id == Entry.id), distinct=True,
            extra=(Award.revoked_on.is_(None),)).items() if lv},
    }


def _world(rng: random.Random) -> None:
    units = list(db.session.scalars(sa.select(Unit).where(Unit.valid_to.is_(None)).order_by(Unit.id).limit(60)))
    topics = list(db.session.scalars(sa.select(Topic).order_by(Topic.id)))[:6]
    titles = list(db.session.scalars(sa.select(AwardTitle).order_by(AwardTitle.id)))[:4]
    for i in range(160):
        entry = Entry(kind=rng.choice(list(EntryKind)), title=f"Gương tốt {i}", slug=f"guong-tot-{i}",
                      year=rng.choice([None, 2021, 2022, 2023]), unit=rng.choice(units + [None]),
                      summary="Tóm tắt")
        entry.topics = rng.sample(topics, rng.randint(0, 3))
        db.session.add(entry)
        db.session.flush()
        for _ in range(rng.randint(0, 3)):
            title = rng.choice(titles)
            db.session.add(Award(entry=entry, title=title, level=rng.choice(list(AwardLevel)), year=2022,
                                 **({"revoked_on": date(2024, 1, 1), "revocation_reason": "Sai sót"}
                                    if rng.random() < 0.2 else {})))
    db.session.commit()


def test_counts_and_pages_match_sql_for_random_filter_combinations(app):
    rng = random.Random(5)
    with app.test_request_context("/?lang=vi"):
        from registry.entries.operations import entry_publish

        _world(rng)
        for entry in db.session.scalars(sa.select(Entry).where(Entry.id % 10 != 0)):
            entry_publish(entry)
        db.session.commit()
        topics = list(db.session.scalars(sa.select(Topic.slug).order_by(Topic.id)))[:6] + ["no-such-topic"]
        titles = list(db.session.scalars(sa.select(AwardTitle.slug).order_by(AwardTitle.id)))[:4]
        unit_ids = list(db.session.scalars(sa.select(Entry.unit_id).where(Entry.unit_id.is_not(None)).distinct()))
        parents = list(db.session.scalars(sa.select(Unit.parent_id).where(Unit.id.in_(unit_ids)).distinct()))
        checked = 0
        for _ in range(120):
            filters = BrowseFilters(
                kind=rng.choice([None, *[k.value for k in EntryKind]]), year=rng.choice([None, 2021, 2023, 1999]),
                unit=rng.choice([None, None, *unit_ids[:5], *[p for p in parents[:3] if p]]),
                topic=rng.choice([None, None, *topics]), award=rng.choice([None, None, *titles]),
                level=rng.choice([None, None, *[lv.value for lv in AwardLevel]]),
                sort=rng.choice(["newest", "name"]), page=rng.choice([1, 1, 2]))
            result = browse(filters, per_page=7, locale="vi")
            expected = _sql_counts(filters)
            assert result.total == expected["total"], filters
            got = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
            for name in ("kind", "year", "topic", "award", "level"):
                assert got[name] == expected[name], (name, filters)
            order = BROWSE_ORDERS[filters.sort]()
            page_ids = list(db.session.scalars(sa.select(Entry.id).where(*_conditions(filters)).order_by(*order)
                                               .limit(7).offset((result.page - 1) * 7)))
            assert [e.id for e in result.entries] == page_ids, filters
            checked += bool(result.total)
        assert checked > 30


def test_a_change_shows_on_the_next_request(app):
    with app.test_request_context("/?lang=vi"):
        from registry.entries.operations import entry_publish

        _world(random.Random(1))
        before = browse(BrowseFilters(), per_page=5, locale="vi").total
        entry = db.session.scalar(sa.select(Entry).where(Entry.published_at.is_(None)).limit(1))
        entry_publish(entry)
        db.session.commit()
    with app.test_request_context("/?lang=vi"):
        assert browse(BrowseFilters(), per_page=5, locale="vi").total == before + 1
