"""Who signs the council's own papers: its secretary and its chair."""
from __future__ import annotations

import sqlalchemy as sa

from registry.accounts.models import Role, User, UserRole
from registry.extensions import db


def council_holder(council_id: int, role: Role) -> User | None:
    """The first active user holding ``role`` on the council (by name), or None."""
    return db.session.scalar(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.council_id == council_id, UserRole.role == role, User.active.is_(True))
        .order_by(User.name, User.id).limit(1)
    )
