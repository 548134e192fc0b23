"""Accounts: creating users, passwords, roles; the writes behind sign-in and user management."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.models import Role, User, UserRole, new_session_token
from registry.accounts.sign_ins import SESSION_KEY, sign_in_alive, sign_ins_end
from registry.extensions import db, login_manager
from registry.platform.columns import utcnow

# A hash checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


class AccountError(ValueError):
    """A refused account change; ``message`` is shown to the user."""

    def __init__(self, message, *, field: str = "password") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say what is wrong with a new password, or None (the policy is in ``security``)."""
    from registry.accounts.passwords import password_policy_problem

    return password_policy_problem(password, email=email, name=name)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def user_create(*, email: str, name: str, password: str, unit_id: int | None = None,
                position: str | None = None) -> User:
    """Create an active user; raise AccountError on a taken e-mail or a weak password."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(_l("Please enter a valid e-mail address."), field="email")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("A user with this e-mail address already exists."), field="email")
    if problem := password_problem(password, email=email, name=name):
        raise AccountError(problem)
    user = User(email=email, name=name.strip(), password_hash=_hash(password), unit_id=unit_id, position=position)
    db.session.add(user)
    db.session.flush()
    return user


def user_authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, generate_password_hash("not a password", method=method))
        check_password_hash(dummy, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def user_set_password(user: User, password: str) -> None:
    """Set a new password and end every session of the user (the current one is renewed by the view)."""
    if problem := password_problem(password, email=user.email, name=user.name):
        raise AccountError(problem)
    user.password_hash = _hash(password)
    user.must_change_password = False
    user.session_token = new_session_token()
    sign_ins_end(user.id)


def user_update(user: User, *, actor: User, email: str, name: str, position: str | None, unit_id: int | None,
                active: bool, password: str | None, roles: list[tuple[Role, int | None, int | None]]) -> None:
    """An administrator changes a user: details, roles, password; deactivating ends every session. Flush."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user.id)):
        raise AccountError(_l("A user with this e-mail address already exists."), field="email")
    if user.id == actor.id and (Role.ADMINISTRATOR, None, None) not in roles:
        raise AccountError(_l("You cannot remove your own administrator role."), field="administrator")
    if password:
        user_set_password(user, password)
    user.email, user.name, user.position = email, name.strip(), position or None
    user.unit_id = unit_id
    if user.active and not active:
        user.session_token = new_session_token()
    user.active = active if user.id != actor.id else True
    user_set_roles(user, roles)


def user_set_roles(user: User, roles: list[tuple[Role, int | None, int | None]]) -> None:
    """Replace the user's roles by ``(role, unit_id, council_id)`` triples."""
    wanted = {(r, u, c) for r, u, c in roles}
    for existing in list(user.roles):
        if (existing.role, existing.unit_id, existing.council_id) not in wanted:
            user.roles.remove(existing)
    have = {(r.role, r.unit_id, r.council_id) for r in user.roles}
    for role, unit_id, council_id in sorted(wanted - have, key=lambda t: (t[0].value, t[1] or 0, t[2] or 0)):
        user.roles.append(UserRole(role=role, unit_id=unit_id, council_id=council_id))
    db.session.flush()


def first_administrator_create(*, email: str, name: str, password: str) -> User:
    """Create the first administrator of an empty registry; raise AccountError once any user exists. Flush."""
    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        raise AccountError(_l("The registry already has users: sign in, or ask an administrator."))
    user = user_create(email=email, name=name, password=password)
    user_set_roles(user, [(Role.ADMINISTRATOR, None, None)])
    return user


def user_add_role(user: User, role: Role, *, unit_id: int | None = None, council_id: int | None = None) -> None:
    """Give the user one more role (nothing happens if they hold it already)."""
    current = [(r.role, r.unit_id, r.council_id) for r in user.roles]
    user_set_roles(user, current + [(role, unit_id, council_id)])


def _load_user(user_id: str) -> User | None:
    # The id carries the session token: a password change makes older sessions unknown. The browser's
    # sign-in must also still be kept on the server: signing out deletes it, so a copied cookie dies with it.
    ident, _sep, token = (user_id or "").partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.scalar(sa.select(User).where(User.id == int(ident),
                                                   sign_in_alive(int(ident), session.get(SESSION_KEY))))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def init_app(app) -> None:
    """Set up Flask-Login."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Please sign in again to see this page.")
    login_manager.needs_refresh_message_category = "info"
