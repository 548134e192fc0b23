"""Notices on workflow steps: in the app for every user concerned, by e-mail when SMTP is configured."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from registry.accounts.models import Role, User, UserRole
from registry.extensions import db
from registry.workflow.models import Nomination, NominationState, Notification

log = logging.getLogger(__name__)

NOTICE_TEXTS = {
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
}
# Notices about the user's own account rather than a nomination; ``detail`` fills their blank.
SIGN_IN_FAILURES = "sign_in_failures"
NOTICE_TEXTS[SIGN_IN_FAILURES] = _l(
    "Wrong passwords were entered for your account several times, the last from the address %(detail)s. "
    "Sign-ins from there must now wait; your own devices can still sign in. "
    "If it was not you, change your password.")
MAIL_SUBJECTS = {SIGN_IN_FAILURES: _l("Registry: failed sign-ins to your account")}


def _text(action: str, detail: str | None) -> str:
    text = NOTICE_TEXTS.get(action)
    if text is None:
        return action
    return str(text) % {"detail": detail} if detail is not None else str(text)


def notice_text(notice: Notification) -> str:
    """The notice in the reader's language."""
    return _text(notice.action, notice.detail)


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
    if users and current_app.config.get("MAIL_SERVER"):
        emails = list(db.session.scalars(
            sa.select(User.email).where(User.id.in_(users), User.active.is_(True)).order_by(User.email)
        ))
        link = (url_for("nominations.show", nomination_id=nomination.id, _external=True)
                if has_request_context() and nomination.id else "")
        db.session.info.setdefault("mail_outbox", []).append((emails, link, action, None))


notify_transition = notify


def notify_account(user_id: int, *, action: str, detail: str | None = None) -> None:
    """Write a notice to a user about their own account, and queue its e-mail."""
    db.session.add(Notification(user_id=user_id, action=action, to_state="", detail=detail))
    if current_app.config.get("MAIL_SERVER"):
        emails = list(db.session.scalars(sa.select(User.email).where(User.id == user_id, User.active.is_(True))))
        link = url_for("auth.notices", _external=True) if has_request_context() else ""
        db.session.info.setdefault("mail_outbox", []).append((emails, link, action, detail))


def _send_mail(emails: list[str], link: str, action: str, detail: str | None) -> None:
    cfg = current_app.config
    if not emails:
        return
    with force_locale(cfg["BABEL_DEFAULT_LOCALE"]):
        subject = str(MAIL_SUBJECTS.get(action, _l("Registry: a nomination has moved on")))
        body = f"{_text(action, detail)}\n\n{link}\n"
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        for email in emails:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_SENDER"], email, subject
            msg.set_content(body)
            smtp.send_message(msg)


def _after_commit(session: Session) -> None:
    # Mail goes out only once the step is committed, and a mail failure never undoes the step.
    outbox = session.info.pop("mail_outbox", [])
    for emails, link, action, detail in outbox:
        try:
            _send_mail(emails, link, action, detail)
        except Exception:
            log.exception("notice e-mail not sent")


def _after_rollback(session: Session) -> None:
    session.info.pop("mail_outbox", None)


def unread_count(user: User) -> int:
    """How many notices the user has not read."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


# Send queued e-mails after commit, drop them on rollback (installed by platform.database).
SESSION_HOOKS = (("after_commit", _after_commit), ("after_rollback", _after_rollback))
