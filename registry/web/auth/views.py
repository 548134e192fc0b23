"""Views of the account pages: sign in, sign out, password, notices."""
from __future__ import annotations

import hmac
import ipaddress
import secrets
import sys
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from registry.accounts.login_audit import (
    LoginOutcome,
    Wait,
    login_attempt_start,
    login_failures_notify,
    login_failures_unread,
    login_wait,
)
from registry.accounts.models import Notification, User
from registry.accounts.operations import (
    AccountError,
    first_administrator_create,
    normalise_email,
    user_authenticate,
    user_set_password,
)
from registry.accounts.sign_ins import SESSION_KEY, sign_in_end, sign_in_start, sign_ins_end, sign_ins_of
from registry.extensions import db, limiter
from registry.platform.columns import utcnow
from registry.web.auth.devices import known_device, remember_device
from registry.web.auth.forms import FirstAdministratorForm, LoginForm, PasswordForm
from registry.workflow.kept_forms import DOSSIER_FORM, PAGE_FORM

bp = Blueprint("auth", __name__, url_prefix="/account")


def _safe_next(target: str | None) -> str | None:
    """Only local paths: never redirect a user to another site after signing in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _failed(response) -> bool:
    # Only failed attempts count towards the throttle; a successful sign-in redirects.
    return request.method == "POST" and response.status_code != 302


WAIT_MESSAGES = {
    "pair": _l("Too many wrong passwords for this account from your address. Please wait %(wait)s before "
               "trying again."),
    "address": _l("Too many wrong passwords from your address. Please wait %(wait)s before trying again."),
    "account": _l("Too many wrong passwords for this account from many addresses. Please wait %(wait)s, or sign "
                  "in from a device you have signed in from before."),
    "device": _l("Too many wrong passwords on this device. Please wait %(wait)s before trying again."),
}


def _wait_message(wait: Wait) -> str:
    return str(WAIT_MESSAGES[wait.rule]) % {"wait": format_timedelta(timedelta(seconds=wait.seconds),
                                                                     add_direction=False)}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed)
def login():
    """Sign in with e-mail and password."""
    next_url = _safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("desk.home"))
    # An empty registry: the page offers to create the first administrator (a sign-in sent anyway is one).
    if (request.method == "GET" or "first_administrator" in request.form) \
            and db.session.scalar(sa.select(User.id).limit(1)) is None:
        return _first_administrator()
    form = LoginForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        known = db.session.scalar(sa.select(User.id).where(User.email == email))
        attempt = login_attempt_start(email, user_id=known, device=known_device(known))
        # Kept before the password is checked, so attempts arriving together count each other.
        db.session.commit()
        if wait := login_wait(attempt, counting_itself=False):
            attempt.outcome = LoginOutcome.LOCKED
            db.session.commit()
            form.password.errors.append(_wait_message(wait))
            return render_template("auth/login.html", form=form, next_url=next_url)
        user = user_authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The e-mail address or the password is not right."))
            if wait := login_wait(attempt, counting_itself=True):
                form.password.errors.append(_wait_message(wait))
                login_failures_notify(attempt)
            db.session.commit()
        else:
            attempt.outcome = LoginOutcome.SUCCESS
            # A new session, but the forms kept while signed out come along (for this user only: kept_forms).
            kept = {key: session[key] for key in (DOSSIER_FORM, PAGE_FORM) if session.get(key)}
            session.clear()
            session.update(kept)
            _sign_in(user)
            remember_device(user.id)
            if login_failures_unread(user.id):
                flash(_("Someone entered wrong passwords for your account: see your notices."), "warning")
            db.session.commit()
            if user.must_change_password:
                flash(_("This password was given to you for the first sign-in only: choose your own now."), "info")
                return redirect(url_for("auth.password"))
            return redirect(next_url or url_for("desk.home"))
    return render_template("auth/login.html", form=form, next_url=next_url)


# --- the first administrator ---------------------------------------------------------------------

SETUP_TOKEN_KEY = "first_administrator_token"


def _from_this_machine() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def setup_token() -> str:
    """The token that lets a visitor from another machine create the first administrator; printed on the console
    the first time it is needed (each worker process has its own)."""
    token = current_app.extensions.get(SETUP_TOKEN_KEY)
    if token is None:
        token = current_app.extensions[SETUP_TOKEN_KEY] = secrets.token_urlsafe(16)
        print(f"The registry has no users yet. To create the first administrator from another machine, open "
              f"{url_for('auth.login', _external=True)}?setup_token={token}", file=sys.stderr, flush=True)
    return token


def _setup_allowed() -> bool:
    if _from_this_machine():
        return True
    given = request.values.get("setup_token") or ""
    return bool(given) and hmac.compare_digest(given, setup_token())


def _first_administrator():
    """An empty registry: the sign-in page offers to create the first administrator (from this machine, or with
    the token printed on the console)."""
    form = FirstAdministratorForm()
    if not _setup_allowed():
        setup_token()  # printed on the console for whoever runs the server
        return render_template("auth/first_administrator.html", form=None), 403
    if not form.setup_token.data:
        form.setup_token.data = request.values.get("setup_token", "")
    if form.validate_on_submit():
        try:
            user = first_administrator_create(email=form.email.data, name=form.name.data, password=form.password.data)
        except AccountError as exc:
            db.session.rollback()
            (getattr(form, exc.field, None) or form.password).errors.append(str(exc.message))
        else:
            session.clear()
            _sign_in(user)
            db.session.commit()
            flash(_("The administrator account is created and signed in. Next: units, councils and users."),
                  "success")
            return redirect(url_for("admin.home"))
    return render_template("auth/first_administrator.html", form=form)


@bp.before_app_request
def _password_first():
    """Someone signed in with a one-time password may do nothing else before choosing their own."""
    if (current_user.is_authenticated and getattr(current_user, "must_change_password", False)
            and request.endpoint not in ("auth.password", "auth.logout", "static", None)):
        return redirect(url_for("auth.password"))
    return None


def _sign_in(user: User) -> None:
    """Sign this browser in under a new sign-in kept on the server."""
    session[SESSION_KEY] = sign_in_start(user.id, user_agent=request.user_agent.string,
                                         remote_addr=request.remote_addr)
    login_user(user)


@bp.post("/logout")
def logout():
    """Sign out of this browser: its sign-in ends on the server, so a copy of its cookie no longer works."""
    sign_in_end(session.get(SESSION_KEY))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; every other session of the user ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            try:
                user_set_password(current_user, form.new.data)
            except AccountError as exc:
                form.new.errors.append(str(exc.message))
            else:
                _sign_in(current_user._get_current_object())  # this browser stays signed in, under a new sign-in
                db.session.commit()
                flash(_("Your password has been changed. Other sessions have been signed out."), "success")
                return redirect(url_for("desk.home"))
    return render_template("auth/password.html", form=form)


@bp.get("/sign-ins")
@login_required
def sign_ins():
    """The browsers and devices signed in to this account."""
    rows = sign_ins_of(current_user.id, current=session.get(SESSION_KEY))
    return render_template("auth/sign_ins.html", sign_ins=rows)


@bp.post("/sign-ins/end-others")
@login_required
def sign_ins_end_others():
    """Sign out on every other browser and device; this one stays signed in."""
    sign_ins_end(current_user.id, keep=session.get(SESSION_KEY))
    db.session.commit()
    flash(_("You are signed out on every other device."), "success")
    return redirect(url_for("auth.sign_ins"))


@bp.get("/notices")
@login_required
def notices():
    """The user's notices, newest first."""
    items = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()).limit(200)
    ).all()
    return render_template("auth/notices.html", notices=items)


@bp.post("/notices/read")
@login_required
def notices_read():
    """Mark every notice as read."""
    db.session.execute(
        sa.update(Notification).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("auth.notices"))
