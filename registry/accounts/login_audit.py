"""Sign-in attempts: an audit trail for administrators, and the throttle that slows down password guessing."""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registry.accounts.models import Notification
from registry.accounts.notices import SIGN_IN_FAILURES, notify_account
from registry.extensions import db
from registry.platform.columns import LabelledEnum, enum_column, utcnow


class LoginOutcome(LabelledEnum):
    SUCCESS = "success"
    BAD_PASSWORD = "bad_password"
    UNKNOWN_EMAIL = "unknown_email"
    LOCKED = "locked"


LoginOutcome.LABELS = {
    "success": _l("Signed in"),
    "bad_password": _l("Wrong password or disabled account"),
    "unknown_email": _l("Unknown e-mail address"),
    "locked": _l("Refused: too many failures, must wait"),
}
FAILED = (LoginOutcome.BAD_PASSWORD, LoginOutcome.UNKNOWN_EMAIL)


class LoginAttempt(db.Model):
    """One sign-in attempt: when, for which e-mail, from which address or known device, and how it ended."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_email_at", "email", "at"),
                      sa.Index("ix_login_attempt_network_at", "network", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    outcome: Mapped[LoginOutcome] = mapped_column(enum_column(LoginOutcome))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
    # What the throttle counts by: the address, or for IPv6 its /64 (one subscriber holds a whole /64).
    network: Mapped[str | None] = mapped_column(sa.String(64))
    # The known device the attempt came from (a cookie set when this account signed in there), if any.
    device: Mapped[str | None] = mapped_column(sa.String(32))


def client_network(address: str | None) -> str | None:
    """The network an address is throttled as: an IPv4 address itself, an IPv6 address by its /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "")[:64] or None
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


@dataclass(frozen=True)
class Wait:
    """A refusal to check a password before ``until``, because of the failures counted by ``rule``."""

    until: datetime
    rule: str  # "pair" (this account from this address), "address", "account" (from everywhere) or "device"

    @property
    def seconds(self) -> int:
        """Whole seconds left to wait, at least one."""
        return max(1, math.ceil((self.until - utcnow()).total_seconds()))


def backoff(failures: int, free: int) -> timedelta | None:
    """The wait after ``failures`` failures: none before the ``free``-th, then a first delay doubling each time."""
    if free <= 0 or failures < free:
        return None
    config = current_app.config
    seconds = config["LOGIN_DELAY_SECONDS"] * 2 ** min(failures - free, 30)
    return timedelta(seconds=min(seconds, config["LOGIN_MAX_DELAY_SECONDS"]))


def _streak(matching: sa.ColumnElement[bool], *, reset_by_success: bool, since: datetime,
            exclude: int | None) -> tuple[int, datetime | None]:
    """How many failures match, and the latest, since ``since`` (or a later matching success, if it resets)."""
    if reset_by_success:
        success = db.session.scalar(sa.select(sa.func.max(LoginAttempt.at)).where(
            matching, LoginAttempt.outcome == LoginOutcome.SUCCESS, LoginAttempt.at >= since))
        since = max(since, success) if success else since
    query = sa.select(sa.func.count(LoginAttempt.id), sa.func.max(LoginAttempt.at)).where(
        matching, LoginAttempt.outcome.in_(FAILED), LoginAttempt.at >= since)
    if exclude is not None:
        query = query.where(LoginAttempt.id != exclude)
    count, last = db.session.execute(query).one()
    return count, last


def login_wait(attempt: LoginAttempt, *, counting_itself: bool) -> Wait | None:
    """Whether the client of ``attempt`` must wait before its password is checked, and until when."""
    # Failures slow down only where they come from: this account from this address, this address for every
    # account, this account from every unknown device together (a much higher count, against guessing spread
    # over many addresses), or one known device; so an outsider's wrong passwords never lock the owner out.
    config, now = current_app.config, utcnow()
    since = now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    exclude = None if counting_itself else attempt.id
    account = LoginAttempt.email == attempt.email
    here = LoginAttempt.network == attempt.network
    unknown_device = LoginAttempt.device.is_(None)
    # Only a success of the same kind resets a count: the owner signing in on a known device does not hand
    # whoever guesses from elsewhere a fresh allowance.
    from_everywhere = _streak(account & unknown_device, reset_by_success=True, since=since, exclude=exclude)
    if attempt.device is not None:
        # A known device passes the address and account limits; while the account is under attack from
        # elsewhere, its own wrong passwords are slowed down from the first one.
        device = account & (LoginAttempt.device == attempt.device)
        under_attack = backoff(from_everywhere[0], config["LOGIN_ACCOUNT_FREE_FAILURES"]) is not None
        rules = {"device": (_streak(device, reset_by_success=True, since=since, exclude=exclude),
                            1 if under_attack else config["LOGIN_FREE_FAILURES"])}
    else:
        rules = {
            "pair": (_streak(account & here & unknown_device, reset_by_success=True, since=since, exclude=exclude),
                     config["LOGIN_FREE_FAILURES"]),
            "address": (_streak(here & unknown_device, reset_by_success=False, since=since, exclude=exclude),
                        config["LOGIN_ADDRESS_FREE_FAILURES"]),
            "account": (from_everywhere, config["LOGIN_ACCOUNT_FREE_FAILURES"]),
        }
    waits = [Wait(last + delay, rule) for rule, ((count, last), free) in rules.items()
             if last is not None and (delay := backoff(count, free)) is not None and last + delay > now]
    return max(waits, key=lambda w: w.until, default=None)


def login_attempt_start(email: str, *, user_id: int | None, device: str | None) -> LoginAttempt:
    """Keep an attempt, counted as failed until its password is found right; drop those older than LOGIN_AUDIT_DAYS."""
    address = (request.remote_addr or "")[:64] or None
    attempt = LoginAttempt(email=email[:254], user_id=user_id, device=device, remote_addr=address,
                           network=client_network(address),
                           outcome=LoginOutcome.BAD_PASSWORD if user_id else LoginOutcome.UNKNOWN_EMAIL)
    db.session.add(attempt)
    keep = timedelta(days=current_app.config["LOGIN_AUDIT_DAYS"])
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - keep))
    db.session.flush()
    return attempt


# One notice a day at most, however long an attack lasts.
NOTICE_INTERVAL = timedelta(hours=24)


def login_failures_notify(attempt: LoginAttempt) -> None:
    """Tell the account holder that wrong passwords are slowing down sign-ins to their account."""
    if attempt.user_id is None:
        return
    recent = db.session.scalar(sa.select(Notification.id).where(
        Notification.user_id == attempt.user_id, Notification.action == SIGN_IN_FAILURES,
        Notification.created_at > utcnow() - NOTICE_INTERVAL).limit(1))
    if recent is None:
        notify_account(attempt.user_id, action=SIGN_IN_FAILURES, detail=attempt.remote_addr or "?")


def login_failures_unread(user_id: int) -> bool:
    """Whether the user has an unread notice about failed sign-ins to their account."""
    return db.session.scalar(sa.select(Notification.id).where(
        Notification.user_id == user_id, Notification.action == SIGN_IN_FAILURES,
        Notification.read_at.is_(None)).limit(1)) is not None


def sign_in_attempts(*, failed_only: bool, limit: int = 500) -> list[LoginAttempt]:
    """The latest sign-in attempts, newest first; only the failed ones if asked."""
    query = sa.select(LoginAttempt).order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(limit)
    if failed_only:
        query = query.where(LoginAttempt.outcome != LoginOutcome.SUCCESS)
    return list(db.session.scalars(query))
