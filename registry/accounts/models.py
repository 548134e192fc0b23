"""Typed models of accounts: users and the roles they hold."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.catalog.models import Unit
from registry.extensions import db
from registry.platform.columns import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from registry.workflow.models import Council, Nomination


def new_session_token() -> str:
    """A random token that ties login sessions to the current password."""
    return secrets.token_urlsafe(24)


class Role(LabelledEnum):
    ADMINISTRATOR = "administrator"
    UNIT_OFFICER = "unit_officer"
    SECRETARY = "secretary"
    MEMBER = "member"
    CHAIR = "chair"


Role.LABELS = {
    "administrator": _l("Administrator"),
    "unit_officer": _l("Unit officer"),
    "secretary": _l("Council secretary"),
    "member": _l("Council member"),
    "chair": _l("Council chair"),
}


class User(UserMixin, db.Model):
    """A working user of the registry; citizens need no account."""

    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint("length(email) > 3", name="email_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Changing it signs the user out of every other session (and remember-me cookie).
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    # The member's own unit: conflicts of interest follow from it.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    position: Mapped[str | None] = mapped_column(sa.String(160))
    active: Mapped[bool] = mapped_column(default=True)
    # A one-time password (a demo account's, or one an administrator gave): changed at the first sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    unit: Mapped[Unit | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserRole.id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role, *, council_id: int | None = None) -> bool:
        """True if the user holds ``role`` (for the given council when one is named)."""
        return any(
            r.role == role and (council_id is None or r.council_id == council_id) for r in self.roles
        )

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class UserRole(db.Model):
    """One role of a user, scoped to a unit (unit officer) or a council (secretary, member, chair)."""

    __tablename__ = "user_role"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "unit_id", "council_id", name="uq_user_role_scope"),
        sa.CheckConstraint(
            "(role = 'administrator' AND unit_id IS NULL AND council_id IS NULL) OR "
            "(role = 'unit_officer' AND unit_id IS NOT NULL AND council_id IS NULL) OR "
            "(role IN ('secretary', 'member', 'chair') AND council_id IS NOT NULL AND unit_id IS NULL)",
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[Unit | None] = relationship()
    council: Mapped[Council | None] = relationship()


class Notification(db.Model):
    """An in-app notice to a user about a nomination's step, or about their own account."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # What a notice about the user's own account names (the address wrong passwords came from).
    detail: Mapped[str | None] = mapped_column(sa.String(64))

    nomination: Mapped[Nomination | None] = relationship("Nomination")
