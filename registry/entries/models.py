"""Typed models of entries: people, collectives and initiatives, their photos, awards and replications."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.catalog.models import AwardLevel
from registry.extensions import db
from registry.platform.columns import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from registry.accounts.models import User
    from registry.catalog.models import AwardTitle, Topic, Unit


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


entry_topic = sa.Table(
    "entry_topic",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    # Topic first, then entry: a topic's entries (filter, counts, newest related) come from the index alone.
    sa.Index("ix_entry_topic_topic_id_entry_id", "topic_id", "entry_id"),
)


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
    # "text": typed in the editor, paragraphs kept as typed; "markdown": imported or written before the editor.
    story_format: Mapped[str] = mapped_column(sa.String(16), default="markdown", server_default="markdown")
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
    # Where the person lives or works or the initiative runs, as the public may read it (a village, a ward).
    place: Mapped[str | None] = mapped_column(sa.String(200))
    # Why the entry was taken off the public showcase (shown to its editors, never to the public).
    unpublish_reason: Mapped[str | None] = mapped_column(sa.Text)
    # An entry merged into another: its address redirects there for good.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entry.id", ondelete="SET NULL"), index=True)
    # Optimistic locking: a save made on an older copy of the entry is refused, never silently overwritten.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(
        secondary="entry_topic", back_populates="entries", order_by="Topic.name"
    )
    # Every photo, published or not: what the entry's editors see and change.
    all_photos: Mapped[list[Photo]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="(Photo.position, Photo.id)"
    )
    # The photos the public may see (consent recorded where needed, not removed): every public page, feed,
    # export and API answer reads this one, so a photo held back can never reach them by accident.
    photos: Mapped[list[Photo]] = relationship(
        primaryjoin="and_(Entry.id == foreign(Photo.entry_id), Photo.is_public == True)",
        viewonly=True, order_by="(Photo.position, Photo.id)",
    )
    revisions: Mapped[list[EntryRevision]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryRevision.number.desc()",
        foreign_keys="EntryRevision.entry_id",
    )
    merged_into: Mapped[Entry | None] = relationship(remote_side="Entry.id", foreign_keys=[merged_into_id])
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
    # People can be recognised in it: it stays unpublished until their consent is recorded.
    shows_people: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # One of them is a minor: the consent must come from a parent or guardian.
    shows_minor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Removed by an editor (undone while the entry's page offers it); never shown.
    removed_at: Mapped[datetime | None]
    # Kept by photo_refresh_visibility: not removed, and consent recorded where people can be recognised.
    is_public: Mapped[bool] = mapped_column(default=True, server_default=sa.true(), index=True)

    entry: Mapped[Entry] = relationship(back_populates="all_photos")
    consents: Mapped[list[PhotoConsent]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", order_by="PhotoConsent.id"
    )

    @property
    def active_consent(self) -> PhotoConsent | None:
        """The consent in force: recorded and not withdrawn (a guardian's when the photo shows a minor)."""
        for consent in reversed(self.consents):
            if consent.withdrawn_at is None and (consent.by_guardian or not self.shows_minor):
                return consent
        return None

    @property
    def held_back(self) -> bool:
        """People can be recognised and no consent is in force."""
        return self.shows_people and self.active_consent is None


class PhotoConsent(db.Model):
    """Consent to publish a photo in which people can be recognised, with the signed form kept privately."""

    __tablename__ = "photo_consent"
    __table_args__ = (
        sa.CheckConstraint("length(given_by) > 0", name="given_by_not_empty"),
        sa.CheckConstraint("file_type IS NULL OR file_type IN ('pdf', 'image')", name="file_type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(sa.ForeignKey("photo.id", ondelete="CASCADE"), index=True)
    given_by: Mapped[str] = mapped_column(sa.String(200))
    # A parent or guardian consenting for a minor.
    by_guardian: Mapped[bool] = mapped_column(default=False)
    given_on: Mapped[date]
    # The signed form: a private document (see registry.workflow.documents), never public.
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    file_type: Mapped[str | None] = mapped_column(sa.String(8))
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_note: Mapped[str | None] = mapped_column(sa.Text)

    photo: Mapped[Photo] = relationship(back_populates="consents")


class EntryRevision(db.Model):
    """One save of an entry: who, when, and the entry's editable fields as they stood after it."""

    __tablename__ = "entry_revision"
    __table_args__ = (sa.UniqueConstraint("entry_id", "number", name="uq_entry_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the save was: "created", "edited", "unpublished", "restored 3", "merged #12"...
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    entry: Mapped[Entry] = relationship(back_populates="revisions", foreign_keys=[entry_id])
    author: Mapped[User | None] = relationship()


# Letters and digits nobody misreads or mistypes: no 0/O, 1/I/L; 31 signs, so ten of them make ~9.2e14 codes.
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_LENGTH = 10


def new_verification_code() -> str:
    """A random award verification code: unlike a sequence, one code tells nothing about any other."""
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _i in range(VERIFICATION_LENGTH))


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
    # Printed on the certificate and checked at /verify/<code> (registry.workflow.verification).
    verification_code: Mapped[str | None] = mapped_column(
        sa.String(VERIFICATION_LENGTH), unique=True, default=new_verification_code)

    entry: Mapped[Entry] = relationship(back_populates="awards")
    title: Mapped[AwardTitle] = relationship(back_populates="awards")
    issuer: Mapped[Unit | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None
