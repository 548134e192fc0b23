"""Sign-ins kept on the server: each signed-in browser has a row, so signing out ends that browser for good."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.platform.columns import utcnow

# The key of the Flask session holding this browser's sign-in token.
SESSION_KEY = "sign_in"


class SignIn(db.Model):
    """One browser signed in to an account; its cookie holds the token whose hash is kept here."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Only a hash: someone who reads the database or a backup cannot turn a row into a working cookie.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_alive() -> datetime:
    # The signed session cookie is refused after this lifetime anyway; the row must not outlive it.
    return utcnow() - current_app.permanent_session_lifetime


def sign_in_start(user_id: int, *, user_agent: str | None, remote_addr: str | None) -> str:
    """Keep a new sign-in of the user and return the token its browser carries; expired sign-ins are dropped."""
    token = secrets.token_urlsafe(32)
    db.session.execute(sa.delete(SignIn).where(SignIn.created_at < _oldest_alive()))
    db.session.add(SignIn(user_id=user_id, token_hash=_hash(token), user_agent=(user_agent or "")[:200] or None,
                          remote_addr=(remote_addr or "")[:64] or None))
    db.session.flush()
    return token


def sign_in_alive(user_id: int, token: str | None) -> sa.ColumnElement[bool]:
    """A condition true when the token is a live sign-in of this user (for the user loader's one query)."""
    return sa.exists().where(SignIn.user_id == user_id, SignIn.token_hash == _hash(token or ""),
                             SignIn.created_at >= _oldest_alive())


def sign_in_end(token: str | None) -> None:
    """End one sign-in: its cookie, even copied elsewhere, no longer signs anyone in."""
    if token:
        db.session.execute(sa.delete(SignIn).where(SignIn.token_hash == _hash(token)))


def sign_ins_end(user_id: int, *, keep: str | None = None) -> int:
    """End every sign-in of the user but the one whose token is ``keep``; return how many ended."""
    query = sa.delete(SignIn).where(SignIn.user_id == user_id)
    if keep:
        query = query.where(SignIn.token_hash != _hash(keep))
    return db.session.execute(query).rowcount


def sign_ins_of(user_id: int, *, current: str | None = None) -> list[tuple[SignIn, bool]]:
    """The user's live sign-ins, newest first, each with whether it is the browser holding ``current``."""
    rows = db.session.scalars(sa.select(SignIn).where(SignIn.user_id == user_id, SignIn.created_at >= _oldest_alive())
                              .order_by(SignIn.created_at.desc(), SignIn.id.desc())).all()
    mine = _hash(current) if current else None
    return [(row, row.token_hash == mine) for row in rows]
