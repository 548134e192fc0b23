"""Typed models of the nomination workflow: councils, rounds, nominations, votes, decisions."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.catalog.models import AwardLevel, AwardTitle, Unit
from registry.entries.models import Award, AwardKind, Entry
from registry.extensions import db
from registry.platform.columns import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from registry.accounts.models import User, UserRole


def new_ballot_id() -> str:
    """A random ballot id: unlike a sequence, it tells nothing about the order of voting."""
    return secrets.token_hex(16)


class BallotKind(LabelledEnum):
    SECRET = "secret"
    OPEN = "open"


BallotKind.LABELS = {"secret": _l("Secret ballot"), "open": _l("Open ballot")}


class Denominator(LabelledEnum):
    ALL_MEMBERS = "all_members"
    PRESENT = "present"


Denominator.LABELS = {
    "all_members": _l("All members of the council"),
    "present": _l("Members taking part in the vote"),
}


class VoteChoice(LabelledEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"


VoteChoice.LABELS = {"agree": _l("Agree"), "disagree": _l("Disagree"), "abstain": _l("Abstain")}


class NumberingStyle(LabelledEnum):
    STATE = "state"
    PARTY = "party"


NumberingStyle.LABELS = {
    "state": _l("State style (4512/QĐ-UBND), numbered per issuer per year"),
    "party": _l("Party style (500-QĐ/QU), numbered per issuer per term"),
}


class NominationState(LabelledEnum):
    """Where a nomination stands; the legal moves between states live in registry.workflow.actions."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    ACCEPTED = "accepted"
    IN_VOTE = "in_vote"
    PASSED = "passed"
    NOT_PASSED = "not_passed"
    IN_CONSULTATION = "in_consultation"
    DECIDED = "decided"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


NominationState.LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned for changes"),
    "resubmitted": _l("Resubmitted"),
    "accepted": _l("Accepted for review"),
    "in_vote": _l("In vote"),
    "passed": _l("Passed"),
    "not_passed": _l("Not passed"),
    "in_consultation": _l("In public consultation"),
    "decided": _l("Decided"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
    "revoked": _l("Revoked"),
}


class AttachmentKind(LabelledEnum):
    PROPOSAL_LETTER = "proposal_letter"
    ACHIEVEMENT_REPORT = "achievement_report"
    MINUTES = "minutes"
    CERTIFICATE = "certificate"
    OTHER = "other"


AttachmentKind.LABELS = {
    "proposal_letter": _l("Proposal letter"),
    "achievement_report": _l("Achievement report (as a document)"),
    "minutes": _l("Minutes of the unit's review meeting"),
    "certificate": _l("Initiative certificate"),
    "other": _l("Other document"),
}


class Council(db.Model):
    """An emulation and commendation council (Hội đồng Thi đua – Khen thưởng) of a unit."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    # The unit the council advises; nominations come from it and the units below it.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    roles: Mapped[list[UserRole]] = relationship(viewonly=True, order_by="UserRole.id")


class Holiday(db.Model):
    """A public holiday: not a working day for consultation periods and processing clocks."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), default="")


class Round(db.Model):
    """An award round (đợt xét): one title and level, one council, and the title's rules as data."""

    __tablename__ = "award_round"
    __table_args__ = (
        sa.CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        sa.CheckConstraint("threshold_percent > 0 AND threshold_percent <= 100", name="threshold_range"),
        sa.CheckConstraint("quorum_percent >= 0 AND quorum_percent <= 100", name="quorum_range"),
        sa.CheckConstraint("consultation_days >= 0 AND consultation_days <= 60", name="consultation_range"),
        sa.CheckConstraint("processing_days >= 1 AND processing_days <= 120", name="processing_range"),
        sa.CheckConstraint("year >= 1945 AND year <= 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    title_id: Mapped[int] = mapped_column(sa.ForeignKey("award_title.id", ondelete="RESTRICT"), index=True)
    level: Mapped[AwardLevel] = mapped_column(enum_column(AwardLevel))
    award_kind: Mapped[AwardKind] = mapped_column(enum_column(AwardKind), default=AwardKind.ACHIEVEMENT)
    council_id: Mapped[int] = mapped_column(sa.ForeignKey("council.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int]
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    ballot: Mapped[BallotKind] = mapped_column(enum_column(BallotKind), default=BallotKind.SECRET)
    threshold_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("50"))
    denominator: Mapped[Denominator] = mapped_column(enum_column(Denominator), default=Denominator.ALL_MEMBERS)
    # "Of all members" counts recused members too, unless the round's rule explicitly leaves them out.
    recused_leave_denominator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # "More than" the threshold (trên 50%) rather than "at least" it (từ 90% trở lên).
    threshold_exclusive: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    quorum_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("50"))
    written_votes_allowed: Mapped[bool] = mapped_column(default=False)
    consultation_days: Mapped[int] = mapped_column(default=0)
    processing_days: Mapped[int] = mapped_column(default=10)
    certificate_required: Mapped[bool] = mapped_column(default=False)
    # "Three consecutive lower titles": this title in each of the N years before the round's year.
    prerequisite_title_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("award_title.id", ondelete="SET NULL"), index=True
    )
    prerequisite_years: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    title: Mapped[AwardTitle] = relationship(foreign_keys=[title_id])
    prerequisite_title: Mapped[AwardTitle | None] = relationship(foreign_keys=[prerequisite_title_id])
    council: Mapped[Council] = relationship()

    @property
    def is_sudden(self) -> bool:
        return self.award_kind == AwardKind.SUDDEN

    def is_open_on(self, day: date) -> bool:
        """True if nominations may be created and submitted on ``day``."""
        return self.opens_on <= day <= self.closes_on


class CouncilSession(db.Model):
    """A meeting of the council that reviews and votes on some of a round's nominations."""

    __tablename__ = "council_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("award_round.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship()
    attendance: Mapped[list[SessionAttendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    nominations: Mapped[list[Nomination]] = relationship(back_populates="session", order_by="Nomination.id")


class SessionAttendance(db.Model):
    """A council member present at a session."""

    __tablename__ = "session_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id", name="uq_session_attendance_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("council_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)

    session: Mapped[CouncilSession] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()


class Decision(db.Model):
    """A signed decision (quyết định) that confers the awards of one or more nominations."""

    __tablename__ = "decision"
    __table_args__ = (
        # The number is unique within its series: an issuer's year (state) or term and symbol (party).
        sa.UniqueConstraint("issuer_id", "style", "series", "number", name="uq_decision_number"),
        sa.CheckConstraint("number > 0", name="positive_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award_round.id", ondelete="SET NULL"), index=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    style: Mapped[NumberingStyle] = mapped_column(enum_column(NumberingStyle))
    # State style: the calendar year ("2025"); party style: the term and symbol ("2020-2025|QĐ/QU").
    series: Mapped[str] = mapped_column(sa.String(80))
    number: Mapped[int]
    symbol: Mapped[str] = mapped_column(sa.String(40))
    signed_on: Mapped[date]
    signer: Mapped[str] = mapped_column(sa.String(160))
    signer_position: Mapped[str] = mapped_column(sa.String(160))
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    scan_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    scan_name: Mapped[str | None] = mapped_column(sa.String(200))
    scan_type: Mapped[str | None] = mapped_column(sa.String(40))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    issuer: Mapped[Unit] = relationship()
    round: Mapped[Round | None] = relationship()
    nominations: Mapped[list[Nomination]] = relationship(back_populates="decision", order_by="Nomination.id")

    @property
    def reference(self) -> str:
        """The number and symbol as written on the document: 4512/QĐ-UBND or 500-QĐ/QU."""
        sep = "/" if self.style == NumberingStyle.STATE else "-"
        return f"{self.number}{sep}{self.symbol}"


class Nomination(db.Model):
    """A unit's proposal (hồ sơ đề nghị) to award a round's title to a person, collective or initiative."""

    __tablename__ = "nomination"
    __table_args__ = (
        sa.CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name="returned_has_reason"),
        sa.Index("ix_nomination_round_state", "round_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("award_round.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id", ondelete="RESTRICT"), index=True)
    # True when the subject was drafted in this dossier (the unit may edit it until publication).
    entry_drafted_here: Mapped[bool] = mapped_column(default=True)
    state: Mapped[NominationState] = mapped_column(
        enum_column(NominationState), default=NominationState.DRAFT, index=True
    )
    report: Mapped[str] = mapped_column(sa.Text, default="")
    letter_number: Mapped[str | None] = mapped_column(sa.String(80))
    letter_date: Mapped[date | None]
    letter_signer: Mapped[str | None] = mapped_column(sa.String(160))
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_session.id", ondelete="SET NULL"), index=True
    )
    # The result as computed on closing the vote, with the rules then in force.
    vote_result: Mapped[dict | None] = mapped_column(sa.JSON)
    consultation_until: Mapped[date | None]
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decision.id", ondelete="RESTRICT"), index=True)
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_on: Mapped[date | None]
    # The public text a nomination proposes for an entry it does not edit in place (one already published, or
    # another dossier's): held here and applied only when the council publishes the award. None: unchanged.
    proposed_title: Mapped[str | None] = mapped_column(sa.String(300))
    proposed_summary: Mapped[str | None] = mapped_column(sa.Text)
    proposed_story: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()
    entry: Mapped[Entry] = relationship()
    session: Mapped[CouncilSession | None] = relationship(back_populates="nominations")
    decision: Mapped[Decision | None] = relationship(back_populates="nominations")
    award: Mapped[Award | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    events: Mapped[list[AuditEvent]] = relationship(
        back_populates="nomination", order_by="AuditEvent.id", viewonly=True
    )

    def attachments_of(self, kind: AttachmentKind) -> list[Attachment]:
        return [a for a in self.attachments if a.kind == kind]


class Attachment(db.Model):
    """A document of the dossier: a PDF, or a picture re-encoded without its metadata; private (registry.workflow.documents)."""

    __tablename__ = "attachment"
    __table_args__ = (sa.CheckConstraint("size > 0", name="positive_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    filename: Mapped[str] = mapped_column(sa.String(200))
    # "pdf" or "image" (a metadata-free WebP): both stored under ATTACHMENT_DIR, apart from the public photos.
    file_type: Mapped[str] = mapped_column(sa.String(16))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="attachments")


class AuditEvent(db.Model):
    """One step in a nomination's life: who, when, from which state to which, and why. Append-only."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="RESTRICT"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str] = mapped_column(sa.String(24))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    nomination: Mapped[Nomination] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ReviewNote(db.Model):
    """A council member's note on a dossier, seen by the council only."""

    __tablename__ = "review_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ConflictGrounds(LabelledEnum):
    """Why a member is (or may be) in conflict on a nomination; all but "declared" are proposed by the registry."""

    DECLARED = "declared"
    NOMINEE = "nominee"
    COLLECTIVE = "collective"
    NOMINATING_UNIT = "nominating_unit"


ConflictGrounds.LABELS = {
    "declared": _l("declared by the member"),
    "nominee": _l("the member is the nominee"),
    "collective": _l("the member belongs to the nominated collective"),
    "nominating_unit": _l("the member leads the unit that wrote the dossier"),
}


class ConflictDeclaration(db.Model):
    """A recusal on one nomination (the member leaves its vote), or a proposed conflict the secretary dismissed."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (sa.UniqueConstraint("nomination_id", "user_id", name="uq_conflict_nomination_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    grounds: Mapped[ConflictGrounds] = mapped_column(
        enum_column(ConflictGrounds), default=ConflictGrounds.DECLARED, server_default="declared")
    # False: the registry proposed a conflict and the secretary found none; the member votes.
    recused: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class DecisionRegister(db.Model):
    """Where an issuer's register of decisions stands for a series, as the secretary set it (numbers given outside)."""

    __tablename__ = "decision_register"
    __table_args__ = (
        sa.UniqueConstraint("issuer_id", "style", "series", name="uq_decision_register_series"),
        sa.CheckConstraint("last_number >= 0", name="non_negative_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    style: Mapped[NumberingStyle] = mapped_column(enum_column(NumberingStyle))
    series: Mapped[str] = mapped_column(sa.String(80))
    last_number: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VoteRecord(db.Model):
    """That a member has voted on a nomination (never how): the unique key makes voting once-only."""

    __tablename__ = "vote_record"
    __table_args__ = (sa.UniqueConstraint("nomination_id", "user_id", name="uq_vote_record_nomination_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    # A written vote of an absent member, entered by the secretary.
    written: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Ballot(db.Model):
    """A ballot: sealed while a secret vote is open, then its choice; a secret one names no voter (see ballot_box.py)."""

    __tablename__ = "ballot"
    __table_args__ = (
        # Either sealed (a secret vote still open) or counted with its choice in the clear, never both.
        sa.CheckConstraint("(choice IS NULL) <> (sealed IS NULL)", name="sealed_or_counted"),
        # Without SQLite's hidden rowid, the table keeps no trace of the order in which ballots arrived.
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_ballot_id)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    choice: Mapped[VoteChoice | None] = mapped_column(enum_column(VoteChoice))
    # The choice sealed with a key the database never holds (hex), until the vote closes.
    sealed: Mapped[str | None] = mapped_column(sa.String(64))
    # Only for open ballots, where the names are shown.
    voter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"))

    voter: Mapped[User | None] = relationship()


class ConsultationComment(db.Model):
    """A comment from the public on a nomination in public consultation."""

    __tablename__ = "consultation_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160), default="")
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingForm(db.Model):
    """What a user typed into a form when their session had ended, kept for them until they sign in again:
    into a dossier (``nomination_id``), or into any other form page of the working side (``path``)."""

    __tablename__ = "pending_form"
    __table_args__ = (
        sa.CheckConstraint("(nomination_id IS NULL) <> (path IS NULL)", name="dossier_or_page"),
    )

    # The browser that sent the form holds the token in its session: only it gets the form back.
    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nomination.id", ondelete="CASCADE"),
                                                      index=True)
    # The form page's path ("/desk/entries/12/edit"): the form comes back there, and nowhere else.
    path: Mapped[str | None] = mapped_column(sa.String(300))
    data: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
