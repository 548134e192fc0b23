"""The dossier of a nomination: creating and editing it, its attachments, and what it still lacks."""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from .catalog import clean_name
from .entries import entry_set_title, photo_attach, photo_dir
from .extensions import db
from .models import Award, Entry, EntryKind, EntryStatus, Unit, utcnow
from .photos import PhotoError, store_image
from .staging import write_whole
from .workflow import S, WorkflowError, nomination_record_creation, nomination_transition
from .workflow_models import Attachment, AttachmentKind, Nomination, Round, User

PDF_MAGIC = b"%PDF-"


class AttachmentError(ValueError):
    """A refused document; ``message`` says what was wrong with the file."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def attachment_dir() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def attachment_path(sha256: str) -> Path:
    """Where a stored PDF lives."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise ValueError("not a sha256")
    return attachment_dir() / sha256[:2] / f"{sha256}.pdf"


def clean_filename(name: str) -> str:
    """Keep a readable file name (Vietnamese letters included) without paths or control characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "document"


def _store_pdf(raw: bytes) -> str:
    sha = hashlib.sha256(raw).hexdigest()
    dest = attachment_path(sha)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists():
        write_whole(dest, root=attachment_dir(), write=lambda fh: fh.write(raw), mode=0o640)
    return sha


def store_document(data: bytes | BinaryIO, filename: str) -> tuple[str, str, int]:
    """Check and store an uploaded PDF or image; return (file_type, sha256, size) or raise AttachmentError."""
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    raw = data if isinstance(data, bytes) else data.read(max_bytes + 1)
    if not raw:
        raise AttachmentError(_l("The file “%(name)s” is empty.", name=filename))
    if len(raw) > max_bytes:
        raise AttachmentError(_l("The file “%(name)s” is too large. The maximum size is %(max)d MB.",
                                 name=filename, max=max_bytes // (1024 * 1024)))
    if raw.startswith(PDF_MAGIC):
        if b"%%EOF" not in raw[-2048:]:
            raise AttachmentError(_l("The PDF file “%(name)s” is incomplete or damaged.", name=filename))
        return "pdf", _store_pdf(raw), len(raw)
    try:
        stored = store_image(raw, root=photo_dir(), max_bytes=max_bytes,
                             max_pixels=current_app.config["PHOTO_MAX_PIXELS"])
    except PhotoError as exc:
        if exc.code in ("not_image", "unsupported_format"):
            raise AttachmentError(_l(
                "The file “%(name)s” is neither a PDF nor an image we accept (JPEG, PNG, WebP).", name=filename,
            )) from None
        raise AttachmentError(_l("“%(name)s”: %(problem)s", name=filename, problem=exc.message)) from None
    return "image", stored.sha256, len(raw)


# --- writes -------------------------------------------------------------------------------------

def nomination_create(
    *, round_: Round, unit: Unit, actor: User, entry: Entry | None = None, kind: EntryKind | None = None,
    title: str = "", today: date | None = None,
) -> Nomination:
    """Create a draft nomination, drafting a new entry in place unless an existing one is named."""
    today = today or date.today()
    if not round_.is_open_on(today):
        raise WorkflowError(_l("Nominations for this round are not open."))
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


def nomination_update(nomination: Nomination, *, fields: dict, actor: User) -> None:
    """Save the dossier's fields as typed (a draft saves whatever it holds; submission checks completeness)."""
    if nomination.state not in (S.DRAFT, S.RETURNED):
        raise WorkflowError(_l("The dossier can no longer be changed."))
    entry = nomination.entry
    if nomination.entry_drafted_here:
        if "title" in fields:
            entry_set_title(entry, clean_name(fields["title"]) or "—")
        for key in ("summary", "story", "private_phone", "private_address", "private_id_number"):
            if key in fields:
                setattr(entry, key, (fields[key] or "").strip() or (None if key.startswith("private") else ""))
        if fields.get("kind"):
            entry.kind = EntryKind(fields["kind"])
        if "year" in fields:
            entry.year = fields["year"]
    for key in ("report", "letter_number", "letter_signer"):
        if key in fields:
            value = (fields[key] or "").strip()
            setattr(nomination, key, value if value or key == "report" else None)
    if "letter_date" in fields:
        nomination.letter_date = fields["letter_date"]
    nomination.updated_at = utcnow()
    db.session.flush()


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
    """Remove a document from the dossier (the stored file may be shared and stays)."""
    nomination.attachments.remove(attachment)
    nomination.updated_at = utcnow()
    db.session.flush()


def nomination_photo_add(nomination: Nomination, *, data: bytes | BinaryIO, alt: str, caption: str | None,
                         credit: str | None) -> None:
    """Add a photo to the subject drafted in this dossier (raises PhotoError)."""
    if not nomination.entry_drafted_here:
        raise WorkflowError(_l("Photos of an entry already on the showcase are managed on the entry itself."))
    photo_attach(nomination.entry, data, alt=alt, caption=caption, credit=credit)
    nomination.updated_at = utcnow()


# --- what the dossier lacks ---------------------------------------------------------------------

def dossier_problems(nomination: Nomination) -> list[str]:
    """Name each missing piece of the dossier; empty when it may be submitted."""
    round_, entry = nomination.round, nomination.entry
    problems: list[str] = []
    if not entry.title or entry.title == "—":
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
        if not (entry.summary or "").strip():
            problems.append(str(_l("The short summary of the deed is missing.")))
        return problems
    if not (nomination.report or "").strip():
        problems.append(str(_l("The achievement report is missing.")))
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
    today = today or date.today()
    if nomination.state == S.DRAFT:
        if not nomination.round.is_open_on(today):
            raise WorkflowError(_l("Nominations for this round closed on %(date)s.",
                                   date=nomination.round.closes_on.isoformat()))
        nomination_transition(nomination, "submit", actor=actor)
        nomination.submitted_on = today
    else:
        nomination_transition(nomination, "resubmit", actor=actor)
