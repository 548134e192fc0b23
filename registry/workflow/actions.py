"""The nomination workflow: the one action table, permission predicates, and the function that moves a nomination."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.utils import import_string

from registry.accounts.models import Role, User
from registry.entries.models import Entry, EntryStatus
from registry.extensions import db
from registry.platform.columns import utcnow
from registry.workflow.models import AuditEvent, Nomination, NominationState

S = NominationState

__all__ = [
    "NominationState", "Action", "ACTIONS", "EDITABLE_STATES", "WorkflowError", "nomination_transition",
    "action_perform", "allowed_actions", "can_transition", "can_view_nomination", "can_edit_dossier", "can_review",
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
class Action:
    """One move of the workflow, whole: where it may start and lead, who makes it, what it runs, what triggers it.

    The permission check, the view that carries it out and the page's buttons all read this one row.
    ``operation``, ``rule`` and ``success_from`` name functions as ``module:function``; they are found when
    first used, so the modules that carry out moves can themselves use the table.
    """

    name: str
    sources: frozenset[NominationState]
    targets: tuple[NominationState, ...]
    actor: str
    label: LazyString
    # How the step reads in a nomination's timeline.
    done: LazyString
    needs_comment: bool = False
    # Runs the move (it checks what only it knows, then calls nomination_transition); None: a plain move.
    operation: str | None = None
    # Whether the round's rules leave the move open now (the operation says why when they do not).
    rule: str | None = None
    # What the user is told when it is done: a text, or a function of the operation's result; else "Done: <label>".
    success: LazyString | None = None
    success_from: str | None = None
    # The view that carries it out: the audience's button endpoint, or a page with its own form.
    endpoint: str = ""
    page: bool = False


def _a(name, sources, targets, actor, label, done, **extra) -> Action:
    endpoint = extra.pop("endpoint", "nominations.act" if actor == UNIT else "council.act")
    return Action(name, frozenset(sources), tuple(targets), actor, label, done, endpoint=endpoint, **extra)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    _a("submit", [S.DRAFT], [S.SUBMITTED], UNIT, _l("Submit to the council"), _l("Submitted to the council"),
       operation="registry.workflow.dossiers:nomination_submit"),
    _a("resubmit", [S.RETURNED], [S.RESUBMITTED], UNIT, _l("Resubmit"), _l("Resubmitted"),
       operation="registry.workflow.dossiers:nomination_submit"),
    _a("withdraw", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.RESUBMITTED, S.ACCEPTED], [S.WITHDRAWN], UNIT,
       _l("Withdraw"), _l("Withdrew the nomination"), needs_comment=True),
    _a("return", [S.SUBMITTED, S.RESUBMITTED], [S.RETURNED], SECRETARY, _l("Return for changes"),
       _l("Returned for changes"), needs_comment=True),
    _a("accept", [S.SUBMITTED, S.RESUBMITTED], [S.ACCEPTED], SECRETARY, _l("Accept for review"),
       _l("Accepted for review")),
    _a("open_vote", [S.ACCEPTED], [S.IN_VOTE], SECRETARY, _l("Open the vote"), _l("Opened the vote"),
       operation="registry.workflow.ballots:vote_open", rule="registry.workflow.ballots:on_an_agenda"),
    _a("close_vote", [S.IN_VOTE], [S.PASSED, S.NOT_PASSED], SECRETARY, _l("Close the vote"), _l("Closed the vote"),
       operation="registry.workflow.ballots:vote_close", success_from="registry.workflow.voting:explain"),
    _a("open_consultation", [S.PASSED], [S.IN_CONSULTATION], SECRETARY, _l("Open public consultation"),
       _l("Opened public consultation"), operation="registry.workflow.consultation:consultation_open",
       rule="registry.workflow.consultation:consultation_wanted"),
    _a("back_to_review", [S.PASSED, S.IN_CONSULTATION], [S.ACCEPTED], SECRETARY, _l("Send back to review"),
       _l("Sent back to review"), needs_comment=True),
    _a("decide", [S.PASSED, S.IN_CONSULTATION], [S.DECIDED], SECRETARY, _l("Record the decision"),
       _l("Recorded the decision"), rule="registry.workflow.decisions:ready_for_decision",
       endpoint="council.decision_new", page=True),
    _a("publish", [S.DECIDED], [S.PUBLISHED], SECRETARY, _l("Publish the award"), _l("Published the award"),
       operation="registry.workflow.decisions:nomination_publish",
       success=_l("The award is published on the showcase.")),
    _a("revoke", [S.PUBLISHED], [S.REVOKED], SECRETARY, _l("Revoke the award"), _l("Revoked the award"),
       needs_comment=True, endpoint="council.revoke", page=True),
)}

# How each step reads in a nomination's timeline: every action, and the draft's creation.
# Recusals are no moves (the state stays) but belong in the timeline, with who and why.
ACTION_LABELS = {"create": _l("Created the draft"), "recuse": _l("Recused a member from the vote"),
                 "keep_in_vote": _l("Found no conflict of interest: the member votes")} | {
    a.name: a.done for a in ACTIONS.values()}

# States in which the unit may still change the dossier.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# States in which the council is at work on the dossier (review notes, conflicts).
REVIEW_STATES = frozenset({S.ACCEPTED, S.IN_VOTE})


@cache
def _function(dotted: str) -> Callable[..., Any]:
    return import_string(dotted)


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
    transition = ACTIONS.get(action)
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


def rules_allow(nomination: Nomination, action: str) -> bool:
    """Whether the round's rules leave the move open now (the operations say why when they do not)."""
    rule = ACTIONS[action].rule
    return rule is None or bool(_function(rule)(nomination))


def allowed_actions(user: User | None, nomination: Nomination) -> list[Action]:
    """The actions the user may take now, in table order (for buttons)."""
    return [a for a in ACTIONS.values() if can_transition(user, nomination, a.name) and rules_allow(nomination, a.name)]


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
    transition = ACTIONS.get(action)
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


def action_perform(nomination: Nomination, action: str, *, actor: User, comment: str = "") -> Any:
    """Take one of the table's button actions: its operation, or the plain move; flush. Return what it returns."""
    row = ACTIONS.get(action)
    if row is None or row.page:
        raise WorkflowError(_l("Unknown action."))
    if row.operation is not None:
        return _function(row.operation)(nomination, actor=actor)
    return nomination_transition(nomination, action, actor=actor, comment=comment)


def action_done_message(action: str, result: Any) -> str:
    """What the user is told once the action is taken."""
    row = ACTIONS[action]
    if row.success_from is not None:
        return str(_function(row.success_from)(result))
    return str(row.success or _l("Done: %(action)s.", action=row.label))


def _refuse_audit_rewrites(session, _context, _instances) -> None:
    # The timeline is evidence: events are added, never changed or removed.
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise WorkflowError(_l("The timeline of a nomination cannot be changed."))


# Guard the audit trail of every session of the app (installed by platform.database).
SESSION_HOOKS = (("before_flush", _refuse_audit_rewrites),)
