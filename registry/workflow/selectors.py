"""Read-side queries of the dashboards."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from registry.accounts.models import Role, User
from registry.catalog.models import Unit
from registry.catalog.selectors import unit_descendant_ids
from registry.extensions import db
from registry.workflow.actions import S, council_ids, officer_unit_ids
from registry.workflow.ballots import conflicted, has_voted, review_notes
from registry.workflow.decisions import processing_clock, ready_for_decision
from registry.workflow.models import Nomination, NominationState, Round


def officer_nominations(user: User) -> list[Nomination]:
    """Nominations of the officer's units and the units below them, newest first."""
    unit_ids: set[int] = set()
    for unit_id in officer_unit_ids(user):
        unit_ids.update(unit_descendant_ids(unit_id))
    if not unit_ids:
        return []
    return list(db.session.scalars(
        sa.select(Nomination).where(Nomination.unit_id.in_(unit_ids)).order_by(Nomination.id.desc())
    ))


def state_counts(nominations: list[Nomination]) -> list[tuple[NominationState, int]]:
    counts = Counter(n.state for n in nominations)
    return [(state, counts[state]) for state in NominationState if counts[state]]


@dataclass
class RoundPipeline:
    round: Round
    nominations: list[Nomination]
    counts: list[tuple[NominationState, int]]
    clocks: dict[int, tuple[int, int]]
    ready: list[Nomination]


def round_pipeline(round_: Round, *, today: date | None = None) -> RoundPipeline:
    """A round's nominations (drafts excluded), counts per state and the processing clock of each."""
    items = list(db.session.scalars(
        sa.select(Nomination).where(Nomination.round_id == round_.id, Nomination.state != S.DRAFT)
        .order_by(Nomination.id)
    ))
    clocks = {n.id: c for n in items if (c := processing_clock(n, today=today))}
    ready = [n for n in items if ready_for_decision(n, today=today)]
    return RoundPipeline(round_, items, state_counts(items), clocks, ready)


def council_rounds(user: User) -> list[Round]:
    """Rounds of the councils the user sits on, the latest first."""
    ids = council_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Round).where(Round.council_id.in_(ids)).order_by(Round.closes_on.desc(), Round.id.desc())
    ))


def member_work(user: User) -> tuple[list[Nomination], list[Nomination]]:
    """For a member: dossiers awaiting their review (no note yet), and open votes awaiting their ballot."""
    ids = council_ids(user, Role.MEMBER, Role.CHAIR)
    if not ids:
        return [], []
    items = db.session.scalars(
        sa.select(Nomination).join(Round).where(Round.council_id.in_(ids),
                                                Nomination.state.in_([S.ACCEPTED, S.IN_VOTE]))
        .order_by(Nomination.id)
    ).all()
    to_review = [n for n in items if n.state == S.ACCEPTED and not conflicted(user, n)
                 and not any(note.author_id == user.id for note in review_notes(n))]
    to_vote = [n for n in items if n.state == S.IN_VOTE and not conflicted(user, n) and not has_voted(user, n)]
    return to_review, to_vote


def open_rounds_for(user: User, today: date) -> list[Round]:
    """The rounds open today to which the user's units may nominate: those of councils of their units or above."""
    rounds = db.session.scalars(
        sa.select(Round).where(Round.opens_on <= today, Round.closes_on >= today).order_by(Round.closes_on)
    ).all()
    mine = [db.session.get(Unit, uid) for uid in officer_unit_ids(user)]
    # A unit nominates to the councils of the units above it (or its own).
    return [r for r in rounds if any(u and r.council.unit_id in {p.id for p in u.path()} for u in mine)]
