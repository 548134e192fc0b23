"""The council's review and vote: sessions, attendance, notes, conflicts of interest, ballots and closing."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from registry.accounts.models import Role, User, UserRole
from registry.extensions import db
from registry.platform.collation import sorted_by_name
from registry.workflow.actions import S, WorkflowError, can_manage_council, is_voting_member_of, nomination_transition
from registry.workflow.ballot_box import box_count, box_drop
from registry.entries.models import EntryKind
from registry.workflow.models import (
    AuditEvent,
    Ballot,
    BallotKind,
    ConflictDeclaration,
    ConflictGrounds,
    CouncilSession,
    Nomination,
    ReviewNote,
    Round,
    SessionAttendance,
    VoteChoice,
    VoteRecord,
)
from registry.workflow.voting import Rule, Tally, vote_outcome


def voting_members(council_id: int) -> list[User]:
    """Members and the chair of a council, by name."""
    return sorted_by_name(db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.council_id == council_id, UserRole.role.in_([Role.MEMBER, Role.CHAIR]),
               User.active.is_(True))
        .distinct().order_by(User.id)
    ), lambda user: user.name)


def _same_name(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def conflict_grounds(user: User, nomination: Nomination) -> ConflictGrounds | None:
    """Why the registry would propose that ``user`` is in conflict on ``nomination``, or None.

    Narrow on purpose: being the nominee, belonging to the nominated collective, leading the unit that wrote the
    dossier. A commune council is made of the commune's leaders; serving the area the nominee lives in is not a
    conflict, so a member whose own unit is merely above the nominating unit is never proposed.
    """
    entry = nomination.entry
    if entry.kind == EntryKind.INDIVIDUAL and _same_name(user.name, entry.title):
        return ConflictGrounds.NOMINEE
    if entry.kind == EntryKind.COLLECTIVE and user.unit_id is not None and user.unit_id == entry.unit_id \
            and entry.unit_id != nomination.round.council.unit_id:
        return ConflictGrounds.COLLECTIVE
    if _same_name(user.name, nomination.letter_signer):
        return ConflictGrounds.NOMINATING_UNIT
    # Everyone of the council's own unit works there: only its letter's signer (above) leads the dossier.
    if user.unit_id is not None and user.unit_id == nomination.unit_id \
            and nomination.unit_id != nomination.round.council.unit_id:
        return ConflictGrounds.NOMINATING_UNIT
    return None


def _conflict_rows(nomination: Nomination) -> dict[int, ConflictDeclaration]:
    return {c.user_id: c for c in db.session.scalars(
        sa.select(ConflictDeclaration).where(ConflictDeclaration.nomination_id == nomination.id))}


def recused_ids(nomination: Nomination) -> set[int]:
    """Members recused from this nomination's vote: declared by themselves, or confirmed by the secretary."""
    return {user_id for user_id, row in _conflict_rows(nomination).items() if row.recused}


def declared_conflict_ids(nomination: Nomination) -> set[int]:
    return recused_ids(nomination)


def conflict_proposals(nomination: Nomination) -> list[tuple[User, ConflictGrounds]]:
    """Members the registry believes may be in conflict and the secretary has not yet decided on, with why."""
    decided = _conflict_rows(nomination)
    out = []
    for member in voting_members(nomination.round.council_id):
        if member.id in decided:
            continue
        grounds = conflict_grounds(member, nomination)
        if grounds is not None:
            out.append((member, grounds))
    return out


def conflicted(user: User, nomination: Nomination) -> bool:
    """A voting member recused from this nomination (a secretary who does not vote never is)."""
    return is_voting_member_of(user, nomination.round.council_id) and user.id in recused_ids(nomination)


def eligible_members(nomination: Nomination) -> list[User]:
    """The members who may vote on this nomination: the council less those recused."""
    recused = recused_ids(nomination)
    return [m for m in voting_members(nomination.round.council_id) if m.id not in recused]


def is_eligible(user: User, nomination: Nomination) -> bool:
    return any(m.id == user.id for m in eligible_members(nomination))


def present_ids(nomination: Nomination) -> set[int]:
    return {a.user_id for a in nomination.session.attendance} if nomination.session else set()


def written_vote_candidates(nomination: Nomination) -> list[User]:
    """Members who may send a written vote: eligible, not marked present at the session, not yet voted."""
    present = present_ids(nomination)
    voted = set(db.session.scalars(sa.select(VoteRecord.user_id).where(VoteRecord.nomination_id == nomination.id)))
    return [m for m in eligible_members(nomination) if m.id not in present and m.id not in voted]


def has_voted(user: User, nomination: Nomination) -> bool:
    return db.session.scalar(
        sa.select(VoteRecord.id).where(VoteRecord.nomination_id == nomination.id, VoteRecord.user_id == user.id)
    ) is not None


# --- sessions -----------------------------------------------------------------------------------

def session_create(round_: Round, *, held_on: date, place: str) -> CouncilSession:
    """Schedule a council session for a round."""
    session = CouncilSession(round=round_, held_on=held_on, place=place.strip())
    db.session.add(session)
    db.session.flush()
    return session


def session_assign(session: CouncilSession, nominations: list[Nomination]) -> None:
    """Put accepted nominations of the session's round on its agenda."""
    for nomination in nominations:
        if nomination.round_id != session.round_id:
            raise WorkflowError(_l("This nomination belongs to another round."))
        if nomination.state != S.ACCEPTED:
            raise WorkflowError(_l("Only nominations accepted for review can be put on the agenda."))
        nomination.session = session
    db.session.flush()


def session_set_attendance(session: CouncilSession, present_ids: set[int]) -> None:
    """Record which members are present (the quorum and the 'present' denominator follow from it)."""
    members = {m.id for m in voting_members(session.round.council_id)}
    present_ids = present_ids & members
    for row in list(session.attendance):
        if row.user_id not in present_ids:
            session.attendance.remove(row)
    have = {row.user_id for row in session.attendance}
    for user_id in sorted(present_ids - have):
        session.attendance.append(SessionAttendance(user_id=user_id))
    db.session.flush()


def session_open_votes(session: CouncilSession, *, actor: User) -> int:
    """Open the vote on every accepted nomination on the session's agenda; return how many."""
    opened = 0
    for nomination in session.nominations:
        if nomination.state == S.ACCEPTED:
            vote_open(nomination, actor=actor)
            opened += 1
    return opened


# --- review -------------------------------------------------------------------------------------

def review_note_add(nomination: Nomination, *, author: User, body: str) -> ReviewNote:
    """Leave a note on the dossier for the council."""
    body = (body or "").strip()
    if not body:
        raise WorkflowError(_l("The note is empty."))
    note = ReviewNote(nomination_id=nomination.id, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def review_notes(nomination: Nomination) -> list[ReviewNote]:
    return list(db.session.scalars(
        sa.select(ReviewNote).where(ReviewNote.nomination_id == nomination.id).order_by(ReviewNote.id)
    ))


def _record_recusal(nomination: Nomination, *, actor: User, member: User, recused: bool, text: str) -> None:
    # A recusal changes who may vote: it belongs in the nomination's timeline, with its reason.
    db.session.add(AuditEvent(
        nomination=nomination, actor_id=actor.id, action="recuse" if recused else "keep_in_vote",
        from_state=nomination.state.value, to_state=nomination.state.value,
        comment=f"{member.name}: {text}" if text else member.name,
    ))


def conflict_declare(nomination: Nomination, *, member: User, reason: str) -> None:
    """Declare a conflict of interest: the member leaves the vote on this nomination."""
    if nomination.state not in (S.ACCEPTED, S.IN_VOTE):
        raise WorkflowError(_l("Conflicts are declared before the vote closes."))
    if has_voted(member, nomination):
        raise WorkflowError(_l("You have already voted on this nomination."))
    row = _conflict_rows(nomination).get(member.id)
    if row is not None and row.recused:
        return
    reason = (reason or "").strip()
    if row is None:
        row = ConflictDeclaration(nomination_id=nomination.id, user_id=member.id)
        db.session.add(row)
    row.reason, row.grounds, row.recused, row.decided_by_id = reason, ConflictGrounds.DECLARED, True, member.id
    _record_recusal(nomination, actor=member, member=member, recused=True,
                    text=reason or str(ConflictGrounds.DECLARED.label))
    db.session.flush()


def conflict_decide(nomination: Nomination, *, member: User, recuse: bool, actor: User, note: str = "") -> None:
    """The secretary's answer to a proposed conflict: recuse the member, or keep them in the vote; both are kept."""
    if nomination.state not in (S.ACCEPTED, S.IN_VOTE):
        raise WorkflowError(_l("Conflicts are decided before the vote closes."))
    if not can_manage_council(actor, nomination.round.council_id):
        raise WorkflowError(_l("Only the council's secretary decides on proposed conflicts."))
    grounds = conflict_grounds(member, nomination)
    if grounds is None or member.id in _conflict_rows(nomination):
        raise WorkflowError(_l("There is no proposed conflict to decide for this member."))
    if recuse and has_voted(member, nomination):
        raise WorkflowError(_l("This member has already voted on this nomination."))
    note = (note or "").strip()
    text = str(grounds.label) + (f" ({note})" if note else "")
    db.session.add(ConflictDeclaration(nomination_id=nomination.id, user_id=member.id, reason=note,
                                       grounds=grounds, recused=recuse, decided_by_id=actor.id))
    _record_recusal(nomination, actor=actor, member=member, recused=recuse, text=text)
    db.session.flush()


def conflicts(nomination: Nomination) -> list[tuple[User, str]]:
    """Every recused member, and why."""
    rows = _conflict_rows(nomination)
    out = []
    for member in voting_members(nomination.round.council_id):
        row = rows.get(member.id)
        if row is not None and row.recused:
            why = str(row.grounds.label)
            if row.reason and row.grounds != ConflictGrounds.DECLARED:
                why = f"{why} ({row.reason})"
            elif row.reason:
                why = row.reason
            out.append((member, why))
    return out


# --- the vote -----------------------------------------------------------------------------------

def on_an_agenda(nomination: Nomination) -> bool:
    """A vote is held in a session: the nomination must be on one's agenda."""
    return nomination.session_id is not None


def can_vote_on(user: User | None, nomination: Nomination) -> bool:
    """An eligible member votes once, while the vote is open."""
    return (
        nomination.state == S.IN_VOTE
        and is_voting_member_of(user, nomination.round.council_id)
        and is_eligible(user, nomination)
        and not has_voted(user, nomination)
    )


def vote_open(nomination: Nomination, *, actor: User) -> None:
    """Open the vote; the nomination must be on a session's agenda."""
    if not on_an_agenda(nomination):
        raise WorkflowError(_l("Put the nomination on a session's agenda before opening the vote."))
    pending = conflict_proposals(nomination)
    if pending:
        raise WorkflowError(_l(
            "“%(name)s”: decide first on the proposed conflicts of interest (%(members)s), on the dossier's page.",
            name=nomination.entry.title, members=", ".join(m.name for m, _g in pending)))
    nomination_transition(nomination, "open_vote", actor=actor)
    # A nomination sent back to review is voted on afresh; the earlier result stays in its timeline.
    db.session.execute(sa.delete(Ballot).where(Ballot.nomination_id == nomination.id))
    db.session.execute(sa.delete(VoteRecord).where(VoteRecord.nomination_id == nomination.id))
    nomination.vote_result = None


def vote_cast(nomination: Nomination, *, voter: User, choice: VoteChoice, recorded_by: User | None = None) -> None:
    """Record one vote. A secret ballot goes sealed into the nomination's box; the database refuses a second vote."""
    if nomination.state != S.IN_VOTE:
        raise WorkflowError(_l("The vote on this nomination is not open."))
    written = recorded_by is not None and recorded_by.id != voter.id
    if written:
        if not nomination.round.written_votes_allowed:
            raise WorkflowError(_l("The rules of this round do not allow written votes."))
        if not can_manage_council(recorded_by, nomination.round.council_id):
            raise WorkflowError(_l("Only the council's secretary records written votes."))
        if voter.id in present_ids(nomination):
            raise WorkflowError(_l("A member present at the session votes in person."))
    if not is_voting_member_of(voter, nomination.round.council_id) or not is_eligible(voter, nomination):
        raise WorkflowError(_l("This member may not vote on this nomination."))
    secret = nomination.round.ballot == BallotKind.SECRET
    for _attempt in range(VOTE_ATTEMPTS):
        try:
            with db.session.begin_nested():
                if not _claim_open_vote(nomination):
                    raise _VoteMoved
                db.session.add(VoteRecord(nomination_id=nomination.id, user_id=voter.id, written=written,
                                          recorded_by_id=recorded_by.id if written else None))
                db.session.flush()
                if secret:
                    box_drop(nomination.id, choice)
                else:
                    db.session.add(Ballot(nomination_id=nomination.id, choice=choice, voter_id=voter.id))
                    db.session.flush()
            return
        except IntegrityError:
            raise WorkflowError(_l("This vote has already been cast.")) from None
        except _VoteMoved:
            db.session.refresh(nomination)
            if nomination.state != S.IN_VOTE:
                raise WorkflowError(_l("The vote on this nomination is not open.")) from None
    raise WorkflowError(_l("Many votes arrived at the same moment and yours was not recorded. Please vote again."))


VOTE_ATTEMPTS = 5


class _VoteMoved(Exception):
    """Another vote, or the closing of the vote, was committed since the nomination was read."""


def _claim_open_vote(nomination: Nomination) -> bool:
    """Move the nomination's version on while its vote is still open; False if it changed meanwhile.

    A vote and the closing of the vote both change the nomination's row, so whichever commits second sees
    the other: a vote is never recorded after the tally was taken. Only the version moves, never a time,
    so a secret ballot leaves no trace of when anyone voted.
    """
    table = Nomination.__table__
    claimed = db.session.execute(
        sa.update(table).where(table.c.id == nomination.id, table.c.version == nomination.version,
                               table.c.state == S.IN_VOTE)
        .values(version=table.c.version + 1)
    ).rowcount
    if claimed:
        set_committed_value(nomination, "version", nomination.version + 1)
    return bool(claimed)


def tally(nomination: Nomination) -> Tally:
    """Count the ballots (a secret ballot's once its box is opened at the close) and every number the rule needs."""
    counts = dict(db.session.execute(
        sa.select(Ballot.choice, sa.func.count()).where(Ballot.nomination_id == nomination.id).group_by(Ballot.choice)
    ).all())
    members = {m.id for m in voting_members(nomination.round.council_id)}
    recused = recused_ids(nomination) & members
    records = db.session.execute(sa.select(VoteRecord.user_id, VoteRecord.written)
                                 .where(VoteRecord.nomination_id == nomination.id)).all()
    written = {user_id for user_id, is_written in records if is_written} & members
    in_person = {user_id for user_id, is_written in records if not is_written} & members
    # At the meeting: marked present, or voted there (a member who voted in person was there).
    present = (present_ids(nomination) | in_person) & members
    return Tally(
        agree=counts.get(VoteChoice.AGREE, 0), disagree=counts.get(VoteChoice.DISAGREE, 0),
        abstain=counts.get(VoteChoice.ABSTAIN, 0), members=len(members),
        participants=len((present | written) - recused), recused=len(recused), present=len(present),
        written=len(written),
    )


def votes_cast_count(nomination: Nomination) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(VoteRecord.id)).where(VoteRecord.nomination_id == nomination.id)
    ) or 0


def round_rule(round_: Round) -> Rule:
    return Rule(threshold_percent=round_.threshold_percent, denominator=round_.denominator.value,
                quorum_percent=round_.quorum_percent, recused_leave_denominator=round_.recused_leave_denominator,
                exclusive=round_.threshold_exclusive)


def vote_close(nomination: Nomination, *, actor: User) -> dict:
    """Close the vote: count the ballots, apply the round's rule, keep the result with the nomination, move it on."""
    if nomination.state != S.IN_VOTE:
        raise WorkflowError(_l("The vote on this nomination is not open."))
    # Holding the nomination, no vote can be recorded between counting the voters and counting the ballots;
    # one recorded since the secretary looked sends them back to look again.
    if not _claim_open_vote(nomination):
        raise StaleDataError("a vote was recorded while the vote was being closed")
    voters = votes_cast_count(nomination)
    cast = db.session.scalar(
        sa.select(sa.func.count()).select_from(Ballot).where(Ballot.nomination_id == nomination.id))
    if cast != voters:
        raise WorkflowError(_l("There are %(ballots)d ballots but %(voters)d members are recorded as having voted: "
                               "the ballots do not match the voters, so nothing was counted.",
                               ballots=cast, voters=voters))
    box_count(nomination.id, secret=nomination.round.ballot == BallotKind.SECRET)
    counts = tally(nomination)
    rule = round_rule(nomination.round)
    outcome = vote_outcome(counts, rule)
    record = outcome.as_record(counts, rule)
    record["ballot"] = nomination.round.ballot.value
    nomination.vote_result = record
    from registry.workflow.voting import explain

    nomination_transition(nomination, "close_vote", actor=actor, comment=explain(record),
                          target=S.PASSED if outcome.passed else S.NOT_PASSED)
    return record


def open_ballot_names(nomination: Nomination) -> dict[VoteChoice, list[User]]:
    """Who voted what, for open ballots only; a secret ballot has no names to give."""
    if nomination.round.ballot != BallotKind.OPEN:
        return {}
    out: dict[VoteChoice, list[User]] = {c: [] for c in VoteChoice}
    for ballot in db.session.scalars(
        sa.select(Ballot).where(Ballot.nomination_id == nomination.id, Ballot.voter_id.is_not(None))
    ):
        out[ballot.choice].append(ballot.voter)
    for names in out.values():
        names.sort(key=lambda u: u.name)
    return out
