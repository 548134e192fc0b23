"""Reads of the catalogues: a unit's subtree, units by id, a unit's history, the names facet panels show."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from registry.catalog.models import AwardTitle, Topic, Unit, UnitEvent
from registry.extensions import db
from registry.platform.data_version import UNITS, cached


def unit_descendant_ids(unit_id: int) -> list[int]:
    """Return the ids of a unit, its sub-units at any depth and the units merged into them."""
    tree = sa.select(Unit.id).where(Unit.id == unit_id).cte("tree", recursive=True)
    tree = tree.union(
        sa.select(Unit.id).where(sa.or_(Unit.parent_id == tree.c.id, Unit.successor_id == tree.c.id))
    )
    return list(db.session.scalars(sa.select(tree.c.id)))


def units_by_id(ids: Iterable[int]) -> dict[int, Unit]:
    """Load units by id in one query."""
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}


def unit_history(unit: Unit) -> list[UnitEvent]:
    """What administrators did to the unit, the latest first."""
    return list(db.session.scalars(sa.select(UnitEvent).where(UnitEvent.unit_id == unit.id)
                                   .order_by(UnitEvent.happened_at.desc(), UnitEvent.id.desc())))


def unit_names() -> dict[int, str]:
    """Every unit's name by id, read once after each change to the units: a facet panel names hundreds of units,
    and a search nobody asked before would otherwise read them on every request."""
    return cached("unit-names", lambda: dict(db.session.execute(sa.select(Unit.id, Unit.name)).all()),
                  counter=UNITS)


def catalogue_names(model: type[Topic] | type[AwardTitle], locale: str) -> dict[int, tuple[str, str]]:
    """Each topic's or award title's (slug, name in ``locale``) by id, read once after each change to the data."""
    return cached(("catalogue-names", model.__tablename__, locale),
                  lambda: {r.id: (r.slug, r.display_name(locale)) for r in db.session.scalars(sa.select(model))})
