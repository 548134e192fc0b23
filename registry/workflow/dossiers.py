"""The dossier of a nomination: creating and editing it, its attachments, and what it still lacks."""
from __future__ import annotations

from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import User
from registry.catalog.models import Unit
from registry.catalog.operations import clean_name
from registry.entries.models import Award, Entry, EntryKind, EntryStatus, Photo
from registry.entries.operations import entry_set_title, photo_attach
from registry.extensions import db
from registry.platform.columns import utcnow
from registry.platform.vietnam_time import table_date, today_in_vietnam
from registry.workflow.actions import (
    EDITABLE_STATES,
    S,
    WorkflowError,
    can_name_entry,
    nomination_record_creation,
    nomination_transition,
)
from registry.workflow.documents import clean_filename, document_release, store_document
from registry.workflow.models import Attachment, AttachmentKind, Nomination, Round

# The public text of an entry a nomination may propose when it does not edit the entry in place.
PROPOSED_FIELDS = ("title", "summary", "story")


# --- writes -------------------------------------------------------------------------------------

def nomination_create(
    *, round_: Round, unit: Unit, actor: User, entry: Entry | None = None, kind: EntryKind | None = None,
    title: str = "", today: date | None = None,
) -> Nomination:
    """Create a draft nomination, drafting a new entry in place unless an existing one is named."""
    today = today or today_in_vietnam()
    if not round_.is_open_on(today):
        raise WorkflowError(_l("Nominations for this round are not open."))
    if entry is not None and not can_name_entry(actor, entry):
        # Worded as for a name that fits nothing: another unit's draft is not even said to exist.
        raise WorkflowError(_l("No entry fits what was typed."), field="entry_ref")
    drafted_here = entry is None
    if entry is None:
        entry = Entry(kind=kind or EntryKind.INDIVIDUAL, unit=unit, year=round_.year, status=EntryStatus.DRAFT)
        entry_set_title(entry, clean_name(title) or "—")
        db.session.add(entry)
    nomination = Nomination(round=round_, unit=unit, entry=entry, entry_drafted_here=drafted_here,
                            created_by_id=actor.id)
    db.session.add(nomination)
    nomination_record_creation(nomination, actor=actor)
    db.session.flush()
    return nomination


def edits_entry_in_place(nomination: Nomination) -> bool:
    """True while the dossier writes into its subject: drafted in this dossier and not published (by any nomination)."""
    return nomination.entry_drafted_here and nomination.entry.status == EntryStatus.DRAFT


def subject_text(nomination: Nomination, field: str) -> str:
    """The subject's title, summary or story as this dossier would have it: its proposal, else the entry's text."""
    proposed = getattr(nomination, f"proposed_{field}")
    return getattr(nomination.entry, field) if proposed is None else proposed


def pending_changes(nomination: Nomination) -> list[tuple[str, str, str]]:
    """(field, public text now, proposed text) for each change to the public page awaiting the award's publication."""
    if nomination.state in (S.PUBLISHED, S.REVOKED, S.WITHDRAWN, S.NOT_PASSED):
        return []
    return [(field, getattr(nomination.entry, field), proposed) for field in PROPOSED_FIELDS
            if (proposed := getattr(nomination, f"proposed_{field}")) is not None
            and proposed != getattr(nomination.entry, field)]


def _propose_entry_text(nomination: Nomination, fields: dict) -> None:
    entry = nomination.entry
    for key in PROPOSED_FIELDS:
        if key not in fields:
            continue
        value = clean_name(fields[key] or "") if key == "title" else (fields[key] or "").strip()
        # An emptied name keeps the current one; an emptied summary or story proposes to clear it.
        unchanged = value == getattr(entry, key) or (key == "title" and not value)
        setattr(nomination, f"proposed_{key}", None if unchanged else value)


def nomination_update(nomination: Nomination, *, fields: dict, actor: User) -> None:
    """Save the dossier's fields as typed (a draft saves whatever it holds; submission checks completeness).

    The subject's fields go into the entry only while this dossier edits it in place; otherwise its public
    text is proposed on the nomination and reaches the entry when the council publishes the award.
    """
    if nomination.state not in EDITABLE_STATES:
        raise WorkflowError(_l("The dossier can no longer be changed."))
    entry = nomination.entry
    if edits_entry_in_place(nomination):
        if "title" in fields:
            entry_set_title(entry, clean_name(fields["title"]) or "—")
        for key in ("summary", "story", "private_phone", "private_address", "private_id_number"):
            if key in fields:
                setattr(entry, key, (fields[key] or "").strip() or (None if key.startswith("private") else ""))
        if fields.get("kind"):
            entry.kind = EntryKind(fields["kind"])
        if "year" in fields:
            entry.year = fields["year"]
    else:
        _propose_entry_text(nomination, fields)
    for key in ("report", "letter_number", "letter_signer"):
        if key in fields:
            value = (fields[key] or "").strip()
            setattr(nomination, key, value if value or key == "report" else None)
    if "letter_date" in fields:
        nomination.letter_date = fields["letter_date"]
    nomination.updated_at = utcnow()
    db.session.flush()


def nomination_apply_proposals(nomination: Nomination) -> None:
    """Write the public text the nomination proposed into its entry (when the council publishes the award)."""
    entry = nomination.entry
    if nomination.proposed_title is not None:
        entry_set_title(entry, nomination.proposed_title)
    for key in ("summary", "story"):
        if (value := getattr(nomination, f"proposed_{key}")) is not None:
            setattr(entry, key, value)


def attachment_add(nomination: Nomination, *, kind: AttachmentKind, data: bytes | BinaryIO, filename: str,
                   actor: User) -> Attachment:
    """Check and store a document of the dossier."""
    filename = clean_filename(filename)
    file_type, sha, size = store_document(data, filename)
    attachment = Attachment(kind=kind, filename=filename, file_type=file_type, sha256=sha, size=size,
                            uploaded_by_id=actor.id)
    nomination.attachments.append(attachment)
    nomination.updated_at = utcnow()
    db.session.flush()
    return attachment


def attachment_remove(nomination: Nomination, attachment: Attachment) -> None:
    """Remove a document from the dossier; its file goes too once no other row names the same content."""
    nomination.attachments.remove(attachment)
    document_release(attachment.sha256, attachment.file_type)
    nomination.updated_at = utcnow()
    db.session.flush()


def _require_photos_in_place(nomination: Nomination) -> None:
    if not edits_entry_in_place(nomination):
        raise WorkflowError(_l("Photos can be changed here only for a subject drafted in this dossier and not "
                               "yet published."))


def nomination_photo_add(nomination: Nomination, *, data: bytes | BinaryIO, alt: str, caption: str | None,
                         credit: str | None) -> None:
    """Add a photo to the subject drafted in this dossier (raises PhotoError)."""
    _require_photos_in_place(nomination)
    photo_attach(nomination.entry, data, alt=alt, caption=caption, credit=credit)
    nomination.updated_at = utcnow()


def nomination_photo_remove(nomination: Nomination, photo: Photo) -> None:
    """Remove a photo of the subject drafted in this dossier."""
    _require_photos_in_place(nomination)
    nomination.entry.all_photos.remove(photo)
    for position, other in enumerate(nomination.entry.all_photos):
        other.position = position
    nomination.updated_at = utcnow()
    db.session.flush()


# --- what the dossier lacks ---------------------------------------------------------------------

def dossier_problems(nomination: Nomination) -> list[str]:
    """Name each missing piece of the dossier; empty when it may be submitted."""
    round_, entry = nomination.round, nomination.entry
    problems: list[str] = []
    title = subject_text(nomination, "title")
    if not title or title == "—":
        problems.append(str(_l("The name of the person, collective or initiative is missing.")))
    allowed = [k for k in (round_.title.applies_to or []) if k in {e.value for e in EntryKind}]
    if allowed and entry.kind.value not in allowed:
        problems.append(str(_l("“%(title)s” cannot be given to this kind of subject (%(kind)s).",
                               title=round_.title.name, kind=entry.kind.label)))
    if not nomination.letter_number:
        problems.append(str(_l("The number of the proposal letter is missing.")))
    if not nomination.letter_date:
        problems.append(str(_l("The date of the proposal letter is missing.")))
    if not nomination.letter_signer:
        problems.append(str(_l("The signer of the proposal letter is missing.")))
    if not nomination.attachments_of(AttachmentKind.PROPOSAL_LETTER):
        problems.append(str(_l("The scanned proposal letter is not attached.")))
    if round_.is_sudden:
        if not subject_text(nomination, "summary").strip():
            problems.append(str(_l("The short summary of the deed is missing.")))
        return problems
    if not (nomination.report or "").strip() and not nomination.attachments_of(AttachmentKind.ACHIEVEMENT_REPORT):
        problems.append(str(_l("The achievement report is missing: write it in the box or attach it as a document.")))
    if not nomination.attachments_of(AttachmentKind.MINUTES):
        problems.append(str(_l("The minutes of the unit's review meeting are not attached.")))
    if round_.certificate_required and not nomination.attachments_of(AttachmentKind.CERTIFICATE):
        problems.append(str(_l("The initiative certificate is not attached (this round requires it).")))
    return problems


def prerequisite_warnings(nomination: Nomination) -> list[str]:
    """Check the round's prerequisite (e.g. three consecutive lower titles) against the subject's awards."""
    round_ = nomination.round
    if not round_.prerequisite_title_id or round_.prerequisite_years <= 0:
        return []
    years = set(range(round_.year - round_.prerequisite_years, round_.year))
    have = set(db.session.scalars(
        sa.select(Award.year).where(Award.entry_id == nomination.entry_id,
                                    Award.title_id == round_.prerequisite_title_id, Award.revoked_on.is_(None))
    ))
    missing = sorted(years - have)
    if not missing:
        return []
    return [str(_l(
        "Prerequisite not met: no recorded “%(title)s” for %(years)s (needed in each of the %(count)d years before %(year)d).",
        title=round_.prerequisite_title.name, years=", ".join(map(str, missing)),
        count=round_.prerequisite_years, year=round_.year,
    ))]


def nomination_submit(nomination: Nomination, *, actor: User, today: date | None = None) -> None:
    """Submit (or resubmit) a complete dossier to the council."""
    problems = dossier_problems(nomination)
    if problems:
        raise WorkflowError(_l("The dossier is not complete: %(problems)s", problems=" ".join(problems)))
    today = today or today_in_vietnam()
    if nomination.state == S.DRAFT:
        if not nomination.round.is_open_on(today):
            raise WorkflowError(_l("Nominations for this round closed on %(date)s.",
                                   date=table_date(nomination.round.closes_on)))
        nomination_transition(nomination, "submit", actor=actor)
        nomination.submitted_on = today
    else:
        nomination_transition(nomination, "resubmit", actor=actor)
