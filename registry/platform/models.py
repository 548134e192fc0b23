"""The data version: counters that move with every commit changing public data."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class DataVersion(db.Model):
    """A counter bumped by every commit that changes what the public pages show; read-side caches key on it.

    ``entries`` moves with entries, awards, photos, replications, topics, titles and units;
    ``units`` moves with the unit tree only, so the cached tree survives ordinary edits.
    """

    __tablename__ = "data_version"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
