"""The search outbox: entries whose index documents still have to be written."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.platform.columns import utcnow


class IndexOutbox(db.Model):
    """An entry whose search document must be refreshed; written in the same transaction as the change."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
