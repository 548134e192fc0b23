"""Typed models of the catalogues: units (with former names), topics and award titles."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from registry.catalog.folding import fold_name
from registry.extensions import db
from registry.platform.columns import LabelledEnum, enum_column, utcnow
from registry.platform.vietnam_time import today_in_vietnam

if TYPE_CHECKING:
    from registry.entries.models import Award, Entry


class UnitKind(LabelledEnum):
    ADMINISTRATIVE = "administrative"
    PARTY = "party"
    PEOPLES_COMMITTEE = "peoples_committee"
    FATHERLAND_FRONT = "fatherland_front"
    YOUTH_UNION = "youth_union"
    WOMENS_UNION = "womens_union"
    VETERANS = "veterans"
    FARMERS = "farmers"
    TRADE_UNION = "trade_union"
    ELDERLY = "elderly"
    POLICE = "police"
    ARMY = "army"
    SCHOOL = "school"
    HEALTH = "health"
    ENTERPRISE = "enterprise"
    RESIDENTIAL_GROUP = "residential_group"
    OTHER = "other"


UnitKind.LABELS = {
    "administrative": _l("Administrative unit"),
    "party": _l("Party committee"),
    "peoples_committee": _l("People's committee"),
    "fatherland_front": _l("Fatherland Front"),
    "youth_union": _l("Youth union"),
    "womens_union": _l("Women's union"),
    "veterans": _l("Veterans' association"),
    "farmers": _l("Farmers' association"),
    "trade_union": _l("Trade union"),
    "elderly": _l("Elderly association"),
    "police": _l("Police"),
    "army": _l("Army"),
    "school": _l("School"),
    "health": _l("Health"),
    "enterprise": _l("Enterprise"),
    "residential_group": _l("Residential group"),
    "other": _l("Other"),
}


class AdminLevel(LabelledEnum):
    """Where a unit sits in the administrative tree (units of every kind carry one)."""

    NATIONAL = "national"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    VILLAGE = "village"


AdminLevel.LABELS = {
    "national": _l("National"),
    "province": _l("Province"),
    "district": _l("District (before 2025)"),
    "commune": _l("Commune"),
    "village": _l("Residential group / village"),
}


class AwardLevel(LabelledEnum):
    NATIONAL = "national"
    MINISTRY = "ministry"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    GRASSROOTS = "grassroots"


AwardLevel.LABELS = {
    "national": _l("National level"),
    "ministry": _l("Ministry level"),
    "province": _l("Provincial level"),
    "district": _l("District level"),
    "commune": _l("Commune level"),
    "grassroots": _l("Grassroots level"),
}


class TitleCategory(LabelledEnum):
    EMULATION_TITLE = "emulation_title"
    COMMENDATION = "commendation"
    LOCAL_PROGRAMME = "local_programme"


TitleCategory.LABELS = {
    "emulation_title": _l("Emulation title"),
    "commendation": _l("Form of commendation"),
    "local_programme": _l("Local recognition programme"),
}


class Unit(db.Model):
    """A unit in the tree: administrative, party, mass organisation, police, school, group…"""

    __tablename__ = "unit"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_dates"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.CheckConstraint("successor_id IS NULL OR successor_id <> id", name="not_own_successor"),
        sa.UniqueConstraint("parent_id", "name", name="uq_unit_parent_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    # The name without diacritics, lower case, words apart ("phuong long bien"): what pickers match against.
    name_key: Mapped[str] = mapped_column(sa.String(255), index=True, default="", server_default="")
    short_name: Mapped[str | None] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(255), index=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind), default=UnitKind.OTHER)
    level: Mapped[AdminLevel | None] = mapped_column(enum_column(AdminLevel))
    # Official code of an administrative unit, e.g. "p:01" (province) or "w:00004" (commune).
    code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    successor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], back_populates="children", foreign_keys=[parent_id]
    )
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", foreign_keys=[parent_id], order_by="Unit.name"
    )
    successor: Mapped[Unit | None] = relationship(
        remote_side=[id], back_populates="predecessors", foreign_keys=[successor_id]
    )
    predecessors: Mapped[list[Unit]] = relationship(
        back_populates="successor", foreign_keys=[successor_id], order_by="Unit.name"
    )
    former_names: Mapped[list[UnitFormerName]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitFormerName.valid_to"
    )

    # Kept with the name whatever writes it (forms, imports, the administrative units' loader): derived data.
    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold_name(value)
        return value

    @property
    def is_historical(self) -> bool:
        return self.valid_to is not None and self.valid_to < today_in_vietnam()

    def path(self) -> list[Unit]:
        """Return the units from the root down to this one."""
        chain: list[Unit] = []
        node: Unit | None = self
        while node is not None and len(chain) < 64:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class UnitFormerName(db.Model):
    """A name a unit carried before it was renamed."""

    __tablename__ = "unit_former_name"
    __table_args__ = (sa.UniqueConstraint("unit_id", "name", name="uq_unit_former_name_unit_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    name_key: Mapped[str] = mapped_column(sa.String(255), index=True, default="", server_default="")
    valid_to: Mapped[date | None]

    unit: Mapped[Unit] = relationship(back_populates="former_names")

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold_name(value)
        return value


class Topic(db.Model):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(160))
    description: Mapped[str | None] = mapped_column(sa.Text)

    entries: Mapped[list[Entry]] = relationship(secondary="entry_topic", back_populates="topics")

    def display_name(self, locale: str) -> str:
        """Return the topic's name in the given locale, falling back to Vietnamese."""
        return (self.name_en if locale == "en" and self.name_en else self.name)


class AwardTitle(db.Model):
    """A title or form of commendation in the catalogue (e.g. "Người tốt, việc tốt", Bằng khen)."""

    __tablename__ = "award_title"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(160), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    category: Mapped[TitleCategory] = mapped_column(
        enum_column(TitleCategory), default=TitleCategory.COMMENDATION
    )
    # Entry kinds (and "household") the title may be given to.
    applies_to: Mapped[list] = mapped_column(sa.JSON, default=list)
    default_level: Mapped[AwardLevel | None] = mapped_column(enum_column(AwardLevel))
    issuing_office: Mapped[str | None] = mapped_column(sa.String(200))
    prerequisites: Mapped[str | None] = mapped_column(sa.Text)
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    valid_years: Mapped[int | None]

    awards: Mapped[list[Award]] = relationship(back_populates="title")

    def display_name(self, locale: str) -> str:
        """Return the title's name in the given locale, falling back to Vietnamese."""
        return (self.name_en if locale == "en" and self.name_en else self.name)


class UnitEventKind(LabelledEnum):
    CREATED = "created"
    RENAMED = "renamed"
    MOVED = "moved"
    MERGED_INTO = "merged_into"
    ABSORBED = "absorbed"


UnitEventKind.LABELS = {
    "created": _l("Created"),
    "renamed": _l("Renamed"),
    "moved": _l("Moved under another unit"),
    "merged_into": _l("Merged into another unit"),
    "absorbed": _l("Took over another unit"),
}


class UnitEvent(db.Model):
    """One change in a unit's life, as an administrator made it: the unit's history."""

    __tablename__ = "unit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[UnitEventKind] = mapped_column(enum_column(UnitEventKind))
    # The unit on the other side of a move or merger (the new parent, the successor, the unit taken over).
    other_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"))
    old_name: Mapped[str | None] = mapped_column(sa.String(255))
    new_name: Mapped[str | None] = mapped_column(sa.String(255))
    # What was moved by a merger, e.g. {"entries": 3, "users": 1, "nominations": 0, "sub_units": 2}.
    moved: Mapped[dict | None] = mapped_column(sa.JSON)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    happened_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    other_unit: Mapped[Unit | None] = relationship(foreign_keys=[other_unit_id])
