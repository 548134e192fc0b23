"""Entries with a name like a new one, in the same unit or a neighbouring one: "is it one of these?" before a duplicate."""
from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from registry.catalog.folding import fold_name
from registry.catalog.models import Unit
from registry.entries.models import Entry
from registry.extensions import db

# Folded names this alike (difflib's ratio) count as the same name typed differently ("Nguyen Thi Hoa", "Nguyễn Thị Hòa").
SIMILARITY = 0.85
# Entries read from the neighbouring units at most, newest first.
_READ_LIMIT = 3000


def neighbour_unit_ids(unit: Unit) -> set[int]:
    """The unit, the unit above it, the units beside it (same parent) and the units below it."""
    ids = {unit.id}
    parents = [unit.parent_id] if unit.parent_id else []
    ids.update(parents)
    ids.update(db.session.scalars(sa.select(Unit.id).where(
        sa.or_(Unit.parent_id == unit.id, Unit.parent_id.in_(parents) if parents else sa.false()))))
    return ids


def similar_entries(*, title: str, unit: Unit, may_see: Callable[[Entry], bool], limit: int = 5) -> list[Entry]:
    """Entries the caller may see whose name is like ``title``, in ``unit`` or a neighbouring unit, likest first."""
    wanted = fold_name(title)
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(Entry.id, Entry.title).where(Entry.unit_id.in_(neighbour_unit_ids(unit)))
        .order_by(Entry.id.desc()).limit(_READ_LIMIT)
    ).all()
    scored = []
    for entry_id, entry_title in rows:
        folded = fold_name(entry_title)
        score = 1.0 if folded == wanted else SequenceMatcher(None, wanted, folded).ratio()
        if score >= SIMILARITY:
            scored.append((score, entry_id))
    if not scored:
        return []
    scored.sort(key=lambda row: (-row[0], -row[1]))
    entries = {e.id: e for e in db.session.scalars(
        sa.select(Entry).where(Entry.id.in_([i for _s, i in scored])).options(selectinload(Entry.unit)))}
    return [entries[i] for _s, i in scored if may_see(entries[i])][:limit]
