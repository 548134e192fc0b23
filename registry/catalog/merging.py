"""Merging one unit into another: what belonged to it moves, the old unit stays as history.

Every row that names a unit (``grep 'ForeignKey("unit.id"'``) is either moved here or is the unit's own history,
which stays with it: its former names and recorded changes, the successor links of units merged into it earlier.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Role, User, UserRole
from registry.catalog.models import Unit, UnitEvent, UnitEventKind, UnitFormerName
from registry.catalog.operations import CatalogError
from registry.entries.models import Award, Entry, Replication
from registry.extensions import db
from registry.workflow.models import Council, Decision, DecisionRegister, Nomination


def unit_merge(source: Unit, *, into: Unit, on: date, actor_id: int | None = None) -> dict[str, int]:
    """Merge ``source`` into ``into``: entries, users, officers, nominations, sub-units, councils, replications,
    awards it issued, its decisions and decision registers move; ``source`` ends on ``on`` with ``into`` as
    successor and its names kept among ``into``'s former names; both histories record it.
    Flush; return how many of each moved."""
    if source.id == into.id:
        raise CatalogError(_l("A unit cannot be merged into itself."), field="into")
    if source.id in {u.id for u in into.path()}:
        raise CatalogError(_l("A unit cannot be merged into a unit below it."), field="into")
    if source.successor_id is not None:
        raise CatalogError(_l("This unit was already merged into another one."), field="into")
    moved = {"entries": 0, "users": 0, "nominations": 0, "sub_units": 0, "councils": 0, "replications": 0,
             "awards": 0, "decisions": 0, "decision_registers": 0}
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
    for council in db.session.scalars(sa.select(Council).where(Council.unit_id == source.id)):
        council.unit_id = into.id
        moved["councils"] += 1
    moved["replications"] = _move_replications(source, into)
    for award in db.session.scalars(sa.select(Award).where(Award.issuer_id == source.id)):
        award.issuer_id = into.id
        moved["awards"] += 1
    moved["decisions"], moved["decision_registers"] = _move_decisions(source, into)
    source.successor = into
    source.valid_to = on
    known = {f.name for f in into.former_names} | {into.name}
    for name, valid_to in [(source.name, on), *((f.name, f.valid_to) for f in source.former_names)]:
        if name not in known:
            into.former_names.append(UnitFormerName(name=name, valid_to=valid_to))
            known.add(name)
    db.session.add_all([
        UnitEvent(unit=source, kind=UnitEventKind.MERGED_INTO, other_unit=into, moved=moved, actor_id=actor_id),
        UnitEvent(unit=into, kind=UnitEventKind.ABSORBED, other_unit=source, old_name=source.name, moved=moved,
                  actor_id=actor_id),
    ])
    db.session.flush()
    return moved



def _move_replications(source: Unit, into: Unit) -> int:
    """An initiative replicated at both units stays once, at ``into``; return how many moved."""
    taken = set(db.session.scalars(sa.select(Replication.entry_id).where(Replication.unit_id == into.id)))
    moved = 0
    for replication in db.session.scalars(sa.select(Replication).where(Replication.unit_id == source.id)):
        if replication.entry_id in taken:
            db.session.delete(replication)
        else:
            replication.unit_id = into.id
            taken.add(replication.entry_id)
            moved += 1
    return moved


def _move_decisions(source: Unit, into: Unit) -> tuple[int, int]:
    """``into`` issues on from where both registers stood; the decisions move with their numbers.

    A decision numbered like one of ``into``'s in the same series stays with ``source`` (both were issued, and
    a register does not hold one number twice). Return (decisions moved, registers moved or joined)."""
    taken = {tuple(row) for row in db.session.execute(sa.select(Decision.style, Decision.series, Decision.number)
                                                      .where(Decision.issuer_id == into.id))}
    decisions = 0
    for decision in db.session.scalars(sa.select(Decision).where(Decision.issuer_id == source.id)):
        if (decision.style, decision.series, decision.number) not in taken:
            decision.issuer_id = into.id
            decisions += 1
    db.session.flush()
    registers = 0
    for register in db.session.scalars(sa.select(DecisionRegister).where(DecisionRegister.issuer_id == source.id)):
        own = db.session.scalar(sa.select(DecisionRegister).where(
            DecisionRegister.issuer_id == into.id, DecisionRegister.style == register.style,
            DecisionRegister.series == register.series))
        if own is None:
            register.issuer_id = into.id
        else:
            own.last_number = max(own.last_number, register.last_number)
            db.session.delete(register)
        registers += 1
    return decisions, registers
