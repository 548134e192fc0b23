"""Notices on workflow steps: who is concerned by each step, and what they are told (kept by accounts.notices)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Notification, Role, User, UserRole
from registry.accounts.notices import NOTICE_TEXTS, mail_queue
from registry.extensions import db
from registry.workflow.models import Nomination, NominationState

NOTICE_TEXTS.update({
    "submit": _l("A nomination was submitted to the council."),
    "resubmit": _l("A nomination returned for changes was resubmitted."),
    "withdraw": _l("A nomination was withdrawn by its unit."),
    "return": _l("A nomination was returned to the unit for changes."),
    "accept": _l("A nomination was accepted for review by the council."),
    "open_vote": _l("The vote on a nomination is open."),
    "close_vote": _l("The vote on a nomination was closed."),
    "open_consultation": _l("A nomination is open for public consultation."),
    "back_to_review": _l("A nomination was sent back to the council for review."),
    "decide": _l("The decision on a nomination was recorded."),
    "publish": _l("An award was published on the showcase."),
    "revoke": _l("An award was revoked."),
    "comment": _l("A comment from the public arrived on a nomination in consultation."),
})


def _unit_officers(nomination: Nomination) -> set[int]:
    chain = [u.id for u in nomination.unit.path()]
    return set(db.session.scalars(
        sa.select(UserRole.user_id).where(UserRole.role == Role.UNIT_OFFICER, UserRole.unit_id.in_(chain))
    ))


def _council(nomination: Nomination, *roles: Role) -> set[int]:
    return set(db.session.scalars(
        sa.select(UserRole.user_id).where(UserRole.council_id == nomination.round.council_id,
                                          UserRole.role.in_(roles))
    ))


def recipients(nomination: Nomination, action: str, to_state: NominationState) -> set[int]:
    """Who is concerned by a step: the unit for the council's answers, the council for the unit's moves."""
    unit = _unit_officers(nomination) | ({nomination.created_by_id} if nomination.created_by_id else set())
    if action in ("submit", "resubmit", "withdraw"):
        return _council(nomination, Role.SECRETARY)
    if action == "open_vote":
        return _council(nomination, Role.MEMBER, Role.CHAIR)
    if action in ("back_to_review", "comment"):
        return _council(nomination, Role.SECRETARY, Role.MEMBER, Role.CHAIR) | (unit if action != "comment" else set())
    if action == "close_vote":
        return unit | _council(nomination, Role.MEMBER, Role.CHAIR)
    return unit


def notify(nomination: Nomination, *, action: str, to_state: NominationState, actor: User | None) -> None:
    """Write a notice for everyone concerned except the actor, and queue the e-mails."""
    users = recipients(nomination, action, to_state) - ({actor.id} if actor else set())
    for user_id in sorted(users):
        db.session.add(Notification(user_id=user_id, nomination=nomination, action=action, to_state=to_state.value))
    link = (url_for("nominations.show", nomination_id=nomination.id, _external=True)
            if has_request_context() and nomination.id else "")
    mail_queue(users, link=link, action=action)


notify_transition = notify
