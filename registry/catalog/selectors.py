"""Reads of the catalogues: a unit's subtree, units by id, a unit's history."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from registry.catalog.models import Unit, UnitEvent
from registry.extensions import db


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
