"""The nomination workflow: states, the one transition table, permission predicates and the apply function."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Role, User
from registry.entries.models import Entry, EntryStatus
from registry.extensions import db
from registry.platform.columns import utcnow
from registry.workflow.models import AuditEvent, Nomination, NominationState

S = NominationState

__all__ = [
    "NominationState", "Transition", "TRANSITIONS", "WorkflowError", "nomination_transition",
    "can_transition", "can_view_nomination", "can_edit_dossier", "can_review", "can_vote_on",
    "can_manage_council", "can_nominate_for", "can_name_entry", "officer_unit_ids", "council_ids",
]


class WorkflowError(Exception):
    """A move the workflow does not allow; ``message`` is shown to the user (409 in the API)."""

    def __init__(self, message: LazyString | str, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        # The form field the problem belongs to, when there is one.
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


UNIT = "unit"  # an officer of the nominating unit or a unit above it
SECRETARY = "secretary"  # a secretary of the round's council


@dataclass(frozen=True)
class Transition:
    """One legal move: from any of ``sources`` to one of ``targets``, made by ``actor``."""

    action: str
    sources: frozenset[NominationState]
    targets: tuple[NominationState, ...]
    actor: str
    label: LazyString
    needs_comment: bool = False


def _t(action, sources, targets, actor, label, needs_comment=False) -> Transition:
    return Transition(action, frozenset(sources), tuple(targets), actor, label, needs_comment)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("submit", [S.DRAFT], [S.SUBMITTED], UNIT, _l("Submit to the council")),
    _t("resubmit", [S.RETURNED], [S.RESUBMITTED], UNIT, _l("Resubmit")),
    _t("withdraw", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.RESUBMITTED, S.ACCEPTED], [S.WITHDRAWN], UNIT,
       _l("Withdraw"), needs_comment=True),
    _t("return", [S.SUBMITTED, S.RESUBMITTED], [S.RETURNED], SECRETARY, _l("Return for changes"),
       needs_comment=True),
    _t("accept", [S.SUBMITTED, S.RESUBMITTED], [S.ACCEPTED], SECRETARY, _l("Accept for review")),
    _t("open_vote", [S.ACCEPTED], [S.IN_VOTE], SECRETARY, _l("Open the vote")),
    _t("close_vote", [S.IN_VOTE], [S.PASSED, S.NOT_PASSED], SECRETARY, _l("Close the vote")),
    _t("open_consultation", [S.PASSED], [S.IN_CONSULTATION], SECRETARY, _l("Open public consultation")),
    _t("back_to_review", [S.PASSED, S.IN_CONSULTATION], [S.ACCEPTED], SECRETARY, _l("Send back to review"),
       needs_comment=True),
    _t("decide", [S.PASSED, S.IN_CONSULTATION], [S.DECIDED], SECRETARY, _l("Record the decision")),
    _t("publish", [S.DECIDED], [S.PUBLISHED], SECRETARY, _l("Publish the award")),
    _t("revoke", [S.PUBLISHED], [S.REVOKED], SECRETARY, _l("Revoke the award"), needs_comment=True),
)}

# States in which the unit may still change the dossier.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# States in which the council is at work on the dossier (review notes, conflicts).
REVIEW_STATES = frozenset({S.ACCEPTED, S.IN_VOTE})


# --- who is who ---------------------------------------------------------------------------------

def officer_unit_ids(user: User | None) -> set[int]:
    """The units for which the user is a unit officer (not their sub-units)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {r.unit_id for r in user.roles if r.role == Role.UNIT_OFFICER and r.unit_id}


def council_ids(user: User | None, *roles: Role) -> set[int]:
    """The councils in which the user holds one of ``roles`` (any council role if none are named)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    wanted = set(roles) or {Role.SECRETARY, Role.MEMBER, Role.CHAIR}
    return {r.council_id for r in user.roles if r.role in wanted and r.council_id}


def _unit_chain_ids(unit) -> set[int]:
    return {u.id for u in unit.path()} if unit is not None else set()


def can_nominate_for(user: User | None, unit) -> bool:
    """True if the user is an officer of ``unit`` or of a unit above it."""
    return bool(officer_unit_ids(user) & _unit_chain_ids(unit))


def can_name_entry(user: User | None, entry: Entry) -> bool:
    """A nomination names a published entry, or an unpublished one of the user's units or the units below them."""
    return entry.status == EntryStatus.PUBLISHED or can_nominate_for(user, entry.unit)


def is_unit_officer_of(user: User | None, nomination: Nomination) -> bool:
    return can_nominate_for(user, nomination.unit)


def is_secretary_of(user: User | None, nomination: Nomination) -> bool:
    return nomination.round.council_id in council_ids(user, Role.SECRETARY)


def is_voting_member_of(user: User | None, council_id: int) -> bool:
    """Members and the chair vote; a secretary votes only when also a member."""
    return council_id in council_ids(user, Role.MEMBER, Role.CHAIR)


def can_manage_council(user: User | None, council_id: int) -> bool:
    """Secretaries prepare files, open and close votes and record decisions."""
    return council_id in council_ids(user, Role.SECRETARY)


def can_follow_council(user: User | None, council_id: int) -> bool:
    """Anyone on the council (secretary, member, chair) follows its rounds and minutes."""
    return council_id in council_ids(user)


# --- predicates on a nomination -----------------------------------------------------------------

def can_view_nomination(user: User | None, nomination: Nomination) -> bool:
    """The nominating unit's officers, and the council once the dossier has been submitted."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_unit_officer_of(user, nomination):
        return True
    if nomination.state == S.DRAFT:
        return False
    return can_follow_council(user, nomination.round.council_id) or user.is_admin


def can_edit_dossier(user: User | None, nomination: Nomination) -> bool:
    """The unit edits its dossier while it is a draft or returned for changes."""
    return nomination.state in EDITABLE_STATES and is_unit_officer_of(user, nomination)


def can_transition(user: User | None, nomination: Nomination, action: str) -> bool:
    """True if the user may make ``action`` on the nomination in its current state."""
    transition = TRANSITIONS.get(action)
    if transition is None or nomination.state not in transition.sources:
        return False
    if transition.actor == UNIT:
        return is_unit_officer_of(user, nomination)
    return is_secretary_of(user, nomination)


def can_review(user: User | None, nomination: Nomination) -> bool:
    """Council members (and the chair) leave review notes and declare conflicts while the council works."""
    return nomination.state in REVIEW_STATES and (
        is_voting_member_of(user, nomination.round.council_id) or is_secretary_of(user, nomination)
    )


def can_vote_on(user: User | None, nomination: Nomination) -> bool:
    """An eligible member votes once, while the vote is open."""
    from registry.workflow.ballots import has_voted, is_eligible

    return (
        nomination.state == S.IN_VOTE
        and is_voting_member_of(user, nomination.round.council_id)
        and is_eligible(user, nomination)
        and not has_voted(user, nomination)
    )


def rules_allow(nomination: Nomination, action: str) -> bool:
    """Whether the round's rules leave the move open now (the domain functions say why when they do not)."""
    if action == "open_consultation":
        return nomination.round.consultation_days > 0
    if action == "decide":
        from registry.workflow.decisions import ready_for_decision

        return ready_for_decision(nomination)
    if action == "open_vote":
        return nomination.session_id is not None
    return True


def allowed_actions(user: User | None, nomination: Nomination) -> list[Transition]:
    """The transitions the user may make now, in table order (for buttons)."""
    return [t for t in TRANSITIONS.values()
            if can_transition(user, nomination, t.action) and rules_allow(nomination, t.action)]


# --- the one function that moves a nomination ---------------------------------------------------

def nomination_transition(
    nomination: Nomination,
    action: str,
    *,
    actor: User,
    comment: str = "",
    target: NominationState | None = None,
    today: date | None = None,
) -> AuditEvent:
    """Check permission and state, move the nomination, write the audit event and the notices; flush."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(_l("Unknown action."))
    if nomination.state not in transition.sources:
        raise WorkflowError(_l(
            "This nomination is now “%(state)s”; “%(action)s” is not possible any more.",
            state=nomination.state.label, action=transition.label,
        ))
    if not can_transition(actor, nomination, action):
        raise WorkflowError(_l("You are not allowed to do this."))
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise WorkflowError(_l("Please give the reason."))
    to_state = target or transition.targets[0]
    if to_state not in transition.targets:
        raise WorkflowError(_l("Unknown action."))

    from_state = nomination.state
    nomination.state = to_state
    nomination.updated_at = utcnow()
    if action == "return":
        nomination.return_reason = comment
    event = AuditEvent(
        nomination=nomination, actor_id=actor.id, action=action,
        from_state=from_state.value, to_state=to_state.value, comment=comment,
    )
    db.session.add(event)
    from registry.workflow.notices import notify_transition

    notify_transition(nomination, action=action, to_state=to_state, actor=actor)
    db.session.flush()
    return event


def nomination_record_creation(nomination: Nomination, *, actor: User) -> AuditEvent:
    """Write the first audit event of a new draft."""
    event = AuditEvent(nomination=nomination, actor_id=actor.id, action="create", from_state=None,
                       to_state=S.DRAFT.value, comment="")
    db.session.add(event)
    return event


# How each step reads in a nomination's timeline.
ACTION_LABELS = {
    "create": _l("Created the draft"),
    "submit": _l("Submitted to the council"),
    "resubmit": _l("Resubmitted"),
    "withdraw": _l("Withdrew the nomination"),
    "return": _l("Returned for changes"),
    "accept": _l("Accepted for review"),
    "open_vote": _l("Opened the vote"),
    "close_vote": _l("Closed the vote"),
    "open_consultation": _l("Opened public consultation"),
    "back_to_review": _l("Sent back to review"),
    "decide": _l("Recorded the decision"),
    "publish": _l("Published the award"),
    "revoke": _l("Revoked the award"),
}


def _refuse_audit_rewrites(session, _context, _instances) -> None:
    # The timeline is evidence: events are added, never changed or removed.
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise WorkflowError(_l("The timeline of a nomination cannot be changed."))


def init_app(app) -> None:
    """Guard the audit trail of every session of the app."""
    from flask_sqlalchemy.session import Session as AppSession
    from sqlalchemy import event

    if not event.contains(AppSession, "before_flush", _refuse_audit_rewrites):
        event.listen(AppSession, "before_flush", _refuse_audit_rewrites)
