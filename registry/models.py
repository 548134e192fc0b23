"""Typed models of the registry: units, entries, photos, topics, award titles and awards."""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC (naive, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a translatable label."""

    @property
    def label(self) -> str:
        return str(self.LABELS[self.value])  # type: ignore[attr-defined]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for forms and filters."""
        return [(m.value, m.label) for m in cls]


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> sa.Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kwargs,
    )


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


class EntryKind(LabelledEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    INITIATIVE = "initiative"


EntryKind.LABELS = {
    "individual": _l("Individual"),
    "collective": _l("Collective"),
    "initiative": _l("Model initiative"),
}
EntryKind.PLURAL_LABELS = {
    "individual": _l("Individuals"),
    "collective": _l("Collectives"),
    "initiative": _l("Model initiatives"),
}


class EntryStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


EntryStatus.LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "archived": _l("Archived"),
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


class AwardKind(LabelledEnum):
    ACHIEVEMENT = "achievement"
    CAMPAIGN = "campaign"
    SUDDEN = "sudden"
    LONG_SERVICE = "long_service"


AwardKind.LABELS = {
    "achievement": _l("By achievement"),
    "campaign": _l("By campaign or theme"),
    "sudden": _l("Sudden"),
    "long_service": _l("Long service"),
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

    @property
    def is_historical(self) -> bool:
        return self.valid_to is not None and self.valid_to < date.today()

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
    valid_to: Mapped[date | None]

    unit: Mapped[Unit] = relationship(back_populates="former_names")


entry_topic = sa.Table(
    "entry_topic",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    # Topic first, then entry: a topic's entries (filter, counts, newest related) come from the index alone.
    sa.Index("ix_entry_topic_topic_id_entry_id", "topic_id", "entry_id"),
)


class Topic(db.Model):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(160))
    description: Mapped[str | None] = mapped_column(sa.Text)

    entries: Mapped[list[Entry]] = relationship(secondary=entry_topic, back_populates="topics")

    def display_name(self, locale: str) -> str:
        """Return the topic's name in the given locale, falling back to Vietnamese."""
        return (self.name_en if locale == "en" and self.name_en else self.name)


class Entry(db.Model):
    """A person, collective or model initiative shown on the showcase and found by search."""

    __tablename__ = "entry"
    __table_args__ = (
        sa.CheckConstraint("year IS NULL OR (year >= 1945 AND year <= 2100)", name="year_range"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_has_date"),
        sa.Index("ix_entry_status_published_at", "status", "published_at"),
        # Browse filters by kind and year and orders by date: one index serves filter and order.
        sa.Index("ix_entry_status_kind_year_published_at", "status", "kind", "year", "published_at"),
        # Unit filters and the unit facet count published entries per unit from the index alone.
        sa.Index("ix_entry_status_unit_id", "status", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    title: Mapped[str] = mapped_column(sa.String(300))
    slug: Mapped[str] = mapped_column(sa.String(300))
    # Vietnamese alphabetical order, which no database collation gives portably.
    title_sort: Mapped[str] = mapped_column(sa.String(320), index=True, default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    story: Mapped[str] = mapped_column(sa.Text, default="")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int | None] = mapped_column(index=True)
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus), default=EntryStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    # Private personal data of individuals: never on public pages, API, exports or the search index.
    private_phone: Mapped[str | None] = mapped_column(sa.String(40))
    private_address: Mapped[str | None] = mapped_column(sa.String(300))
    private_id_number: Mapped[str | None] = mapped_column(sa.String(40))

    unit: Mapped[Unit | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(
        secondary=entry_topic, back_populates="entries", order_by="Topic.name"
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Photo.position"
    )
    awards: Mapped[list[Award]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="(Award.year.desc(), Award.id)"
    )
    replications: Mapped[list[Replication]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="(Replication.since_year, Replication.id)"
    )

    @property
    def is_published(self) -> bool:
        return self.status == EntryStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.title!r}>"


class Replication(db.Model):
    """A unit that adopted a model initiative, and since when."""

    __tablename__ = "replication"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "unit_id", name="uq_replication_entry_unit"),
        sa.CheckConstraint("since_year IS NULL OR (since_year >= 1945 AND since_year <= 2100)", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    since_year: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    entry: Mapped[Entry] = relationship(back_populates="replications")
    unit: Mapped[Unit] = relationship()


class Photo(db.Model):
    """A photo of an entry, stored by content hash with derivatives."""

    __tablename__ = "photo"
    __table_args__ = (
        sa.CheckConstraint("width > 0 AND height > 0", name="positive_size"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    position: Mapped[int] = mapped_column(default=0)
    alt: Mapped[str] = mapped_column(sa.String(300), default="")
    caption: Mapped[str | None] = mapped_column(sa.String(500))
    credit: Mapped[str | None] = mapped_column(sa.String(200))
    licence: Mapped[str | None] = mapped_column(sa.String(120))
    is_illustration: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int]
    height: Mapped[int]
    source_format: Mapped[str] = mapped_column(sa.String(16))
    # Rendition name -> [width, height]; the files live under PHOTO_DIR by hash.
    renditions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="photos")


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


class Award(db.Model):
    """An award given to an entry by a decision; revocation keeps the record."""

    __tablename__ = "award"
    __table_args__ = (
        sa.CheckConstraint("year >= 1945 AND year <= 2100", name="year_range"),
        sa.CheckConstraint(
            "(revoked_on IS NULL AND revocation_reason IS NULL) OR "
            "(revoked_on IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revocation_has_reason",
        ),
        sa.Index("ix_award_title_level_year", "title_id", "level", "year"),
        # An entry's live awards with their title and level, read without the table (award filters, facets).
        sa.Index("ix_award_entry_id_live", "entry_id", "revoked_on", "title_id", "level"),
        # The most recent awards (home page, feeds) in index order.
        sa.Index("ix_award_year_decision_date", "year", "decision_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    title_id: Mapped[int] = mapped_column(sa.ForeignKey("award_title.id", ondelete="RESTRICT"), index=True)
    level: Mapped[AwardLevel] = mapped_column(enum_column(AwardLevel))
    year: Mapped[int]
    award_kind: Mapped[AwardKind] = mapped_column(enum_column(AwardKind), default=AwardKind.ACHIEVEMENT)
    # As written on the decision, e.g. "4512/QĐ-UBND" or "500-QĐ/QU".
    decision_number: Mapped[str | None] = mapped_column(sa.String(80))
    decision_date: Mapped[date | None]
    issuer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    signer: Mapped[str | None] = mapped_column(sa.String(160))
    signer_position: Mapped[str | None] = mapped_column(sa.String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_on: Mapped[date | None]
    revocation_decision: Mapped[str | None] = mapped_column(sa.String(80))
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)

    entry: Mapped[Entry] = relationship(back_populates="awards")
    title: Mapped[AwardTitle] = relationship(back_populates="awards")
    issuer: Mapped[Unit | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None


class IndexOutbox(db.Model):
    """An entry whose search document must be refreshed; written in the same transaction as the change."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataVersion(db.Model):
    """A counter bumped by every commit that changes what the public pages show; read-side caches key on it.

    ``entries`` moves with entries, awards, photos, replications, topics, titles and units;
    ``units`` moves with the unit tree only, so the cached tree survives ordinary edits.
    """

    __tablename__ = "data_version"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# The nomination workflow keeps its models in their own module; importing it registers its tables.
from . import workflow_models  # noqa: E402,F401
