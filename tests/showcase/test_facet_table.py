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


def test_a_broad_rollup_in_arrays_adds_up_as_the_walk_does(app):
    """Past 64 units the roots are added up in arrays; merged units, a merged root and an id no unit has
    land where walking the tree puts them."""
    from collections import Counter

    from registry.showcase.selectors import unit_rollup, unit_rollup_nodes

    with app.test_request_context("/?lang=vi"):
        rng = random.Random(7)
        provinces = [Unit(name=f"Tỉnh {i}", slug=f"tinh-{i}") for i in range(3)]
        db.session.add_all(provinces)
        db.session.flush()
        units = list(provinces)
        for i in range(120):
            units.append(Unit(name=f"Xã {i}", slug=f"xa-{i}", parent_id=rng.choice(units).id))
            db.session.add(units[-1])
            db.session.flush()
        # A former province merged into another, with a commune of its own; and a commune merged away.
        former = Unit(name="Tỉnh cũ", slug="tinh-cu", successor_id=provinces[0].id)
        db.session.add(former)
        db.session.flush()
        old_commune = Unit(name="Xã cũ", slug="xa-cu", parent_id=former.id)
        merged = Unit(name="Xã sáp nhập", slug="xa-sap-nhap", parent_id=provinces[1].id, successor_id=units[10].id)
        db.session.add_all([old_commune, merged])
        db.session.commit()
        ids = [u.id for u in units] + [former.id, old_commune.id, merged.id, 10**7]
        counts = {unit_id: rng.randrange(1, 40) for unit_id in ids}
        assert len(counts) > 64
        nodes = unit_rollup_nodes(counts, None)
        walked: Counter[int] = Counter()
        for unit_id, n in counts.items():
            if unit_id in nodes:
                walked[nodes[unit_id]] += n
        rolled = unit_rollup(counts, None)
        assert rolled == walked
        assert rolled[provinces[0].id] >= counts[former.id] + counts[old_commune.id]
        assert rolled[10**7] == counts[10**7]
