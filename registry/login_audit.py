"""Sign-in attempts: an audit trail for administrators, and a temporary lockout after repeated failures."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .access import admin_required
from .extensions import db
from .models import LabelledEnum, enum_column, utcnow


class LoginOutcome(LabelledEnum):
    SUCCESS = "success"
    BAD_PASSWORD = "bad_password"
    UNKNOWN_EMAIL = "unknown_email"
    LOCKED = "locked"


LoginOutcome.LABELS = {
    "success": _l("Signed in"),
    "bad_password": _l("Wrong password or disabled account"),
    "unknown_email": _l("Unknown e-mail address"),
    "locked": _l("Refused: account locked"),
}


class LoginAttempt(db.Model):
    """One sign-in attempt: when, for which e-mail, from which address, and how it ended."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    outcome: Mapped[LoginOutcome] = mapped_column(enum_column(LoginOutcome))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def login_locked_until(email: str, *, now: datetime | None = None) -> datetime | None:
    """When the account of this e-mail may try again, if repeated failures have locked it; else None."""
    threshold = current_app.config["LOGIN_LOCKOUT_THRESHOLD"]
    if not threshold:
        return None
    now = now or utcnow()
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(LoginAttempt.email == email,
                                                       LoginAttempt.outcome == LoginOutcome.SUCCESS))
    since = max(now - _window(), last_success) if last_success else now - _window()
    failures = db.session.scalars(
        sa.select(LoginAttempt.at).where(
            LoginAttempt.email == email, LoginAttempt.at > since,
            LoginAttempt.outcome.in_([LoginOutcome.BAD_PASSWORD, LoginOutcome.UNKNOWN_EMAIL]))
        .order_by(LoginAttempt.at.desc()).limit(threshold)
    ).all()
    if len(failures) < threshold:
        return None
    return failures[0] + _window()


def login_attempt_record(email: str, *, outcome: LoginOutcome, user_id: int | None = None) -> None:
    """Keep one attempt in the audit trail; attempts older than LOGIN_AUDIT_DAYS are dropped."""
    db.session.add(LoginAttempt(email=email[:254], user_id=user_id, outcome=outcome,
                                remote_addr=(request.remote_addr or "")[:64] or None))
    keep = timedelta(days=current_app.config["LOGIN_AUDIT_DAYS"])
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - keep))
    db.session.flush()


bp = Blueprint("login_audit", __name__, url_prefix="/admin")


@bp.get("/sign-ins")
@admin_required
def sign_ins():
    """Recent sign-in attempts, failures first if asked, for administrators."""
    failed_only = request.args.get("failed") == "1"
    query = sa.select(LoginAttempt).order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(500)
    if failed_only:
        query = query.where(LoginAttempt.outcome != LoginOutcome.SUCCESS)
    attempts = db.session.scalars(query).all()
    return render_template("admin/sign_ins.html", attempts=attempts, failed_only=failed_only)


def init_app(app: Flask) -> None:
    """Register the administrators' page of sign-in attempts."""
    app.register_blueprint(bp)
