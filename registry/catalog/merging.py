"""Merging one unit into another: what belonged to it moves, the old unit stays as history."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Role, User, UserRole
from registry.catalog.models import Unit, UnitEvent, UnitEventKind, UnitFormerName
from registry.catalog.operations import CatalogError
from registry.entries.models import Entry
from registry.extensions import db
from registry.workflow.models import Nomination


def unit_merge(source: Unit, *, into: Unit, on: date, actor_id: int | None = None) -> dict[str, int]:
    """Merge ``source`` into ``into``: entries, users, officers, nominations and sub-units move; ``source`` ends
    on ``on`` with ``into`` as successor and its name kept among ``into``'s former names; both histories record it.
    Flush; return how many of each moved."""
    if source.id == into.id:
        raise CatalogError(_l("A unit cannot be merged into itself."), field="into")
    if source.id in {u.id for u in into.path()}:
        raise CatalogError(_l("A unit cannot be merged into a unit below it."), field="into")
    if source.successor_id is not None:
        raise CatalogError(_l("This unit was already merged into another one."), field="into")
    moved = {"entries": 0, "users": 0, "nominations": 0, "sub_units": 0}
    # Through the ORM, one object at a time: the search outbox and the caches' data versions follow each change.
    for entry in db.session.scalars(sa.select(Entry).where(Entry.unit_id == source.id)):
        entry.unit = into
        moved["entries"] += 1
    for user in db.session.scalars(sa.select(User).where(User.unit_id == source.id)):
        user.unit_id = into.id
        moved["users"] += 1
    officers_of_into = set(db.session.scalars(sa.select(UserRole.user_id).where(
        UserRole.role == Role.UNIT_OFFICER, UserRole.unit_id == into.id)))
    for role in db.session.scalars(sa.select(UserRole).where(UserRole.role == Role.UNIT_OFFICER,
                                                             UserRole.unit_id == source.id)):
        if role.user_id in officers_of_into:
            db.session.delete(role)  # already an officer of the unit it moves to
        else:
            role.unit_id = into.id
    for nomination in db.session.scalars(sa.select(Nomination).where(Nomination.unit_id == source.id)):
        nomination.unit = into
        moved["nominations"] += 1
    for child in db.session.scalars(sa.select(Unit).where(Unit.parent_id == source.id)):
        clash = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id == into.id, Unit.name == child.name))
        if clash:
            raise CatalogError(_l("“%(name)s” already has a sub-unit called “%(child)s”; rename one of them first.",
                                  name=into.name, child=child.name), field="into")
        child.parent = into
        moved["sub_units"] += 1
    source.successor = into
    source.valid_to = on
    if not any(f.name == source.name for f in into.former_names) and source.name != into.name:
        into.former_names.append(UnitFormerName(name=source.name, valid_to=on))
    db.session.add_all([
        UnitEvent(unit=source, kind=UnitEventKind.MERGED_INTO, other_unit=into, moved=moved, actor_id=actor_id),
        UnitEvent(unit=into, kind=UnitEventKind.ABSORBED, other_unit=source, old_name=source.name, moved=moved,
                  actor_id=actor_id),
    ])
    db.session.flush()
    return moved

