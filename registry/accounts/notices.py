"""Notices to users: kept in the app for each user, sent by e-mail when SMTP is configured.

Other concerns add the texts of their own notices to NOTICE_TEXTS and write them with ``notice_add``;
the e-mails wait for the commit, so a step that is rolled back never mails anyone.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from registry.accounts.models import Notification, User
from registry.extensions import db

log = logging.getLogger(__name__)

# Notices about the user's own account; ``detail`` fills their blank.
SIGN_IN_FAILURES = "sign_in_failures"
NOTICE_TEXTS = {
    SIGN_IN_FAILURES: _l(
        "Wrong passwords were entered for your account several times, the last from the address %(detail)s. "
        "Sign-ins from there must now wait; your own devices can still sign in. "
        "If it was not you, change your password."),
}
MAIL_SUBJECTS = {SIGN_IN_FAILURES: _l("Registry: failed sign-ins to your account")}
DEFAULT_SUBJECT = _l("Registry: a nomination has moved on")


def _text(action: str, detail: str | None) -> str:
    text = NOTICE_TEXTS.get(action)
    if text is None:
        return action
    return str(text) % {"detail": detail} if detail is not None else str(text)


def notice_text(notice: Notification) -> str:
    """The notice in the reader's language."""
    return _text(notice.action, notice.detail)


def mail_queue(user_ids: set[int] | list[int], *, link: str, action: str, detail: str | None = None) -> None:
    """Queue the notice's e-mail to these users (active ones only); it leaves after the commit."""
    if not user_ids or not current_app.config.get("MAIL_SERVER"):
        return
    emails = list(db.session.scalars(
        sa.select(User.email).where(User.id.in_(list(user_ids)), User.active.is_(True)).order_by(User.email)))
    db.session.info.setdefault("mail_outbox", []).append((emails, link, action, detail))


def notify_account(user_id: int, *, action: str, detail: str | None = None) -> None:
    """Write a notice to a user about their own account, and queue its e-mail."""
    db.session.add(Notification(user_id=user_id, action=action, to_state="", detail=detail))
    link = url_for("auth.notices", _external=True) if has_request_context() else ""
    mail_queue([user_id], link=link, action=action, detail=detail)


def _send_mail(emails: list[str], link: str, action: str, detail: str | None) -> None:
    cfg = current_app.config
    if not emails:
        return
    with force_locale(cfg["BABEL_DEFAULT_LOCALE"]):
        subject = str(MAIL_SUBJECTS.get(action, DEFAULT_SUBJECT))
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
