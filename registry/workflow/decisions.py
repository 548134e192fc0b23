"""Decisions: numbering per issuer per year (state) or per term (party), publication, revocation."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from registry.accounts.models import User
from registry.catalog.models import Unit
from registry.entries.models import Award, EntryStatus
from registry.entries.operations import entry_publish
from registry.extensions import db
from registry.platform.vietnam_time import today_in_vietnam
from registry.workflow.actions import S, WorkflowError, nomination_transition
from registry.workflow.dossiers import nomination_apply_proposals
from registry.workflow.models import Decision, DecisionRegister, Nomination, NumberingStyle, Round
from registry.workflow.workdays import holidays_configured


def decision_series(style: NumberingStyle, *, signed_on: date, term: str | None, symbol: str) -> str:
    """The numbering sequence a decision belongs to: the year for state documents, the term and type for party ones."""
    if style == NumberingStyle.STATE:
        return str(signed_on.year)
    term = (term or "").strip()
    if not term:
        raise WorkflowError(_l("Party documents are numbered per term: please give the term (e.g. 2020-2025)."),
                            field="term")
    doc_type = symbol.split("/", 1)[0].strip()
    return f"{term}|{doc_type}"


_STATE_NUMBER = re.compile(r"^\s*(\d{1,8})\s*/")


def _outside_awards(issuer_id: int, style: NumberingStyle, series: str) -> list[Award]:
    """Awards of the issuer's year whose decision was recorded from outside the council (imported, typed in)."""
    if style != NumberingStyle.STATE or not series.isdigit():
        return []
    year = int(series)
    return list(db.session.scalars(sa.select(Award).where(
        Award.issuer_id == issuer_id, Award.decision_number.is_not(None),
        Award.decision_date >= date(year, 1, 1), Award.decision_date <= date(year, 12, 31))))


def _award_number(award: Award) -> int | None:
    found = _STATE_NUMBER.match(award.decision_number or "")
    return int(found.group(1)) if found else None


def register_position(issuer_id: int, style: NumberingStyle, series: str) -> int:
    """Where the secretary said the issuer's register stands (0 if never said)."""
    return db.session.scalar(sa.select(DecisionRegister.last_number).where(
        DecisionRegister.issuer_id == issuer_id, DecisionRegister.style == style,
        DecisionRegister.series == series)) or 0


def next_decision_number(issuer_id: int, style: NumberingStyle, series: str) -> int:
    """Propose the next free number of the issuer's register: after its council decisions, the decisions of
    its awards recorded from outside, and where the secretary said the register stands."""
    current = db.session.scalar(
        sa.select(sa.func.max(Decision.number)).where(
            Decision.issuer_id == issuer_id, Decision.style == style, Decision.series == series)
    )
    outside = [n for n in map(_award_number, _outside_awards(issuer_id, style, series)) if n is not None]
    return max([current or 0, register_position(issuer_id, style, series), *outside]) + 1


def register_set(*, issuer: Unit, style: NumberingStyle, series: str, last_number: int, actor: User) -> None:
    """Say where the issuer's register stands (the last number given, here or anywhere else). Flush."""
    if last_number < 0:
        raise WorkflowError(_l("The last number given cannot be negative."), field="last_number")
    row = db.session.scalar(sa.select(DecisionRegister).where(
        DecisionRegister.issuer_id == issuer.id, DecisionRegister.style == style, DecisionRegister.series == series))
    if row is None:
        row = DecisionRegister(issuer_id=issuer.id, style=style, series=series, last_number=0)
        db.session.add(row)
    row.last_number, row.set_by_id = last_number, actor.id
    db.session.flush()


def format_reference(style: NumberingStyle, number: int, symbol: str) -> str:
    return f"{number}{'/' if style == NumberingStyle.STATE else '-'}{symbol}"


def ready_for_decision(nomination: Nomination, *, today: date | None = None) -> bool:
    """Passed without consultation, or the consultation period is over."""
    today = today or today_in_vietnam()
    if nomination.state == S.PASSED:
        return nomination.round.consultation_days == 0
    if nomination.state == S.IN_CONSULTATION:
        return nomination.consultation_until is not None and today > nomination.consultation_until
    return False


def _refuse_used_number(issuer_id: int, style: NumberingStyle, series: str, number: int) -> None:
    taken = db.session.scalar(sa.select(Decision).where(
        Decision.issuer_id == issuer_id, Decision.style == style, Decision.series == series, Decision.number == number))
    outside = None if taken is not None else next(
        (a for a in _outside_awards(issuer_id, style, series) if _award_number(a) == number), None)
    if taken is None and outside is None:
        return
    if taken is not None:
        used_by = _l("decision %(ref)s of %(date)s recorded by the council", ref=taken.reference,
                     date=format_date(taken.signed_on))
    else:
        used_by = _l("decision %(ref)s of %(date)s, recorded with the award of “%(name)s”",
                     ref=outside.decision_number, date=format_date(outside.decision_date), name=outside.entry.title)
    refusal = _l("Number %(number)d is already used by this issuer in this series. The next free number is %(next)d.",
                 number=number, next=next_decision_number(issuer_id, style, series))
    given_to = _l("It was given to %(what)s.", what=used_by)
    raise WorkflowError(f"{refusal} {given_to}", field="number")


def _claim_number(decision: Decision) -> None:
    """Insert the decision now; if a decision with its number was committed meanwhile, refuse it as taken."""
    key = (decision.issuer.id, decision.style, decision.series, decision.number)
    db.session.add(decision)
    try:
        db.session.flush()
    except IntegrityError:
        # Two secretaries can pass the check above at the same moment: the unique constraint then decides.
        # The failed statement has ended the transaction, so it is rolled back before the number is looked up
        # again (a savepoint would not help: on SQLite its release commits the transaction).
        db.session.rollback()
        _refuse_used_number(*key)
        raise


def decision_record(
    *, round_: Round, issuer: Unit, style: NumberingStyle, number: int, symbol: str, signed_on: date,
    signer: str, signer_position: str, legal_basis: str, term: str | None, nominations: list[Nomination],
    actor: User, scan: tuple[str, str, str] | None = None, today: date | None = None,
) -> Decision:
    """Record a signed decision for nominations of a round; refuse a number already used in its series."""
    if not nominations:
        raise WorkflowError(_l("Choose at least one nomination the decision confers an award on."),
                            field="nominations")
    symbol = symbol.strip()
    series = decision_series(style, signed_on=signed_on, term=term, symbol=symbol)
    _refuse_used_number(issuer.id, style, series, number)
    for nomination in nominations:
        if nomination.round_id != round_.id:
            raise WorkflowError(_l("This nomination belongs to another round."), field="nominations")
        if not ready_for_decision(nomination, today=today):
            raise WorkflowError(_l("“%(name)s” is not ready for a decision.", name=nomination.entry.title),
                                field="nominations")
    decision = Decision(
        round=round_, issuer=issuer, style=style, series=series, number=number, symbol=symbol,
        signed_on=signed_on, signer=signer.strip(), signer_position=signer_position.strip(),
        legal_basis=(legal_basis or "").strip(), created_by_id=actor.id,
    )
    if scan:
        decision.scan_sha256, decision.scan_name, decision.scan_type = scan
    _claim_number(decision)
    for nomination in nominations:
        nomination.decision = decision
        nomination_transition(nomination, "decide", actor=actor, comment=decision.reference)
    db.session.flush()
    return decision


def nomination_publish(nomination: Nomination, *, actor: User) -> Award:
    """Attach the award to the entry, apply the text the nomination proposed, publish the entry if it was a draft,
    and show them on the showcase."""
    decision = nomination.decision
    if decision is None:
        raise WorkflowError(_l("Record the decision before publishing."))
    round_ = nomination.round
    award = Award(
        entry=nomination.entry, title=round_.title, level=round_.level, year=decision.signed_on.year,
        award_kind=round_.award_kind, decision_number=decision.reference, decision_date=decision.signed_on,
        issuer_id=decision.issuer_id, signer=decision.signer, signer_position=decision.signer_position,
    )
    db.session.add(award)
    nomination_apply_proposals(nomination)
    if nomination.entry.status != EntryStatus.PUBLISHED:
        entry_publish(nomination.entry)
    nomination.award = award
    nomination_transition(nomination, "publish", actor=actor, comment=decision.reference)
    return award


def award_revoke(nomination: Nomination, *, actor: User, decision_reference: str, revoked_on: date,
                 reason: str) -> None:
    """Revoke a published award: the record stays, and the public page says it was revoked and why."""
    reason = (reason or "").strip()
    if not reason or not decision_reference.strip():
        raise WorkflowError(_l("The revoking decision and the reason are both required."))
    award = nomination.award
    if award is None:
        raise WorkflowError(_l("This nomination has no published award."))
    award.revoked_on = revoked_on
    award.revocation_decision = decision_reference.strip()
    award.revocation_reason = reason
    nomination_transition(nomination, "revoke", actor=actor, comment=f"{decision_reference.strip()}: {reason}")


def processing_clock(nomination: Nomination, *, today: date | None = None) -> tuple[int, int] | None:
    """Working days since submission and the round's target, while the council holds the dossier."""
    from registry.workflow.workdays import working_days_between

    if nomination.submitted_on is None or nomination.state in (
        S.DRAFT, S.RETURNED, S.WITHDRAWN, S.PUBLISHED, S.REVOKED, S.NOT_PASSED, S.DECIDED,
    ):
        return None
    used = working_days_between(nomination.submitted_on, today or today_in_vietnam(), holidays_configured())
    return used, nomination.round.processing_days
