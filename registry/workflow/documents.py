"""Dossier documents (attachments and scanned decisions): private files, stored by content hash apart from photos.

A document is a PDF, an office document (Word .docx/.doc, OpenDocument .odt, Excel .xlsx: see
office_documents, which checks them by content) or a picture (re-encoded as a metadata-free WebP), kept under
``ATTACHMENT_DIR`` as ``<sha[:2]>/<sha>.<extension>``. Nothing serves that folder directly: the app sends a
document only to those who may see its dossier, never to be cached. Two rows naming the same content share
one file, which is removed once the last row naming it is gone (or was never committed).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from registry.entries.models import Photo, PhotoConsent
from registry.entries.photos import PhotoError, encode_original, photo_dir, rendition_path
from registry.extensions import db
from registry.platform.staging import write_whole
from registry.workflow.models import Attachment, Decision
from registry.workflow.office_documents import (
    OFFICE_PROGRAMS,
    OFFICE_TYPES,
    OfficeFileError,
    looks_like_office_file,
    office_file_type,
)

PDF_MAGIC = b"%PDF-"
# File type as stored on the rows → (file extension, media type).
FILE_TYPES = {"pdf": ("pdf", "application/pdf"), "image": ("webp", "image/webp"), **OFFICE_TYPES}


def _document_formats_label() -> str:
    """The documents accepted besides pictures, as people name them, read from the table of file types."""
    programs: dict[str, list[str]] = {}
    for file_type, (extension, _media_type) in OFFICE_TYPES.items():
        programs.setdefault(OFFICE_PROGRAMS[file_type], []).append("." + extension)
    return ", ".join(["PDF", *(f"{name} ({', '.join(extensions)})" for name, extensions in programs.items())])


# "PDF, Word (.docx, .doc), OpenDocument (.odt), Excel (.xlsx)": what the dossier's hint names.
DOCUMENT_FORMATS_LABEL = _document_formats_label()
# A file no row names is left alone this long: an upload may still be on its way to its commit.
UNUSED_GRACE_SECONDS = 24 * 3600


class AttachmentError(ValueError):
    """A refused document; ``message`` says what was wrong with the file."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def document_dir() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def document_path(sha256: str, file_type: str) -> Path:
    """Where a stored document lives."""
    if len(sha256 or "") != 64 or any(c not in "0123456789abcdef" for c in sha256) or file_type not in FILE_TYPES:
        raise ValueError("not a stored document")
    return document_dir() / sha256[:2] / f"{sha256}.{FILE_TYPES[file_type][0]}"


def clean_filename(name: str) -> str:
    """Keep a readable file name (Vietnamese letters included) without paths or control characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "document"


def _write_private(dest: Path, raw: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_whole(dest, root=document_dir(), write=lambda fh: fh.write(raw), mode=0o640)


def _keep(raw: bytes, sha: str, file_type: str) -> str:
    dest = document_path(sha, file_type)
    if not dest.is_file():
        _write_private(dest, raw)
    # Until the row naming it commits, the file is this transaction's to take back.
    db.session.info.setdefault("documents_stored", set()).add((sha, file_type))
    return sha


def store_document(data: bytes | BinaryIO, filename: str) -> tuple[str, str, int]:
    """Check and store an uploaded PDF, office document or image privately; return (file_type, sha256, size) or
    raise AttachmentError."""
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
        return "pdf", _keep(raw, hashlib.sha256(raw).hexdigest(), "pdf"), len(raw)
    if looks_like_office_file(raw):
        try:
            file_type = office_file_type(raw, filename)
        except OfficeFileError as exc:
            raise AttachmentError(exc.message) from None
        return file_type, _keep(raw, hashlib.sha256(raw).hexdigest(), file_type), len(raw)
    try:
        sha, webp = encode_original(raw, max_bytes=max_bytes, max_pixels=current_app.config["PHOTO_MAX_PIXELS"])
    except PhotoError as exc:
        if exc.code in ("not_image", "unsupported_format"):
            raise AttachmentError(_l(
                "The file “%(name)s” is not a document we accept: PDF, Word (.docx, .doc), OpenDocument (.odt), "
                "Excel (.xlsx) or a picture (JPEG, PNG, WebP).", name=filename,
            )) from None
        raise AttachmentError(_l("“%(name)s”: %(problem)s", name=filename, problem=exc.message)) from None
    return "image", _keep(webp, sha, "image"), len(raw)


def document_release(sha256: str, file_type: str) -> None:
    """A row naming this document is being removed: once that commits, remove the file unless another row names it."""
    db.session.info.setdefault("documents_released", set()).add((sha256, file_type))


def document_response(sha256: str, file_type: str, filename: str):
    """Send a document as a download no browser or proxy keeps, named as uploaded (404 when the file is missing)."""
    path = document_path(sha256, file_type)
    if not path.is_file():
        abort(404)
    extension = FILE_TYPES[file_type][0]
    if not filename.lower().endswith("." + extension):
        filename = filename.rsplit(".", 1)[0] + "." + extension
    response = send_file(path, mimetype=FILE_TYPES[file_type][1], as_attachment=True, download_name=filename,
                         max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- which files the rows name ------------------------------------------------------------------

def _named_documents(connection) -> set[tuple[str, str]]:
    rows = connection.execute(sa.union(
        sa.select(Attachment.sha256, Attachment.file_type),
        sa.select(Decision.scan_sha256, Decision.scan_type).where(Decision.scan_sha256.is_not(None)),
        sa.select(PhotoConsent.sha256, PhotoConsent.file_type).where(PhotoConsent.sha256.is_not(None)),
    ))
    return {(sha, file_type) for sha, file_type in rows}


def _is_named(connection, sha256: str, file_type: str) -> bool:
    return bool(
        connection.scalar(sa.select(sa.func.count()).select_from(Attachment)
                          .where(Attachment.sha256 == sha256, Attachment.file_type == file_type))
        or connection.scalar(sa.select(sa.func.count()).select_from(Decision)
                             .where(Decision.scan_sha256 == sha256, Decision.scan_type == file_type))
        or connection.scalar(sa.select(sa.func.count()).select_from(PhotoConsent)
                             .where(PhotoConsent.sha256 == sha256, PhotoConsent.file_type == file_type))
    )


def _remove_unnamed(candidates: set[tuple[str, str]]) -> None:
    # Asked on a connection of its own: the session that just ended cannot run statements here.
    with db.engine.connect() as connection:
        for sha, file_type in sorted(candidates):
            if not _is_named(connection, sha, file_type):
                document_path(sha, file_type).unlink(missing_ok=True)


def _after_commit(session: Session) -> None:
    session.info.pop("documents_stored", None)
    released = session.info.pop("documents_released", set())
    if released:
        _remove_unnamed(released)


def _after_transaction_end(session: Session, transaction) -> None:
    # Rolled back or closed without a commit: files stored for rows that never came to be are taken back.
    if transaction.parent is not None:
        return
    session.info.pop("documents_released", None)
    stored = session.info.pop("documents_stored", set())
    if stored:
        _remove_unnamed(stored)


# --- upkeep: `flask init` and `doctor` ----------------------------------------------------------

@dataclass
class DocumentUpkeep:
    """What ``documents_upkeep`` did: dossier pictures copied out of the public photo store, public copies
    removed, and day-old files no row names removed."""

    moved: int = 0
    public_removed: int = 0
    unnamed_removed: int = 0


def _dossier_pictures() -> tuple[list[str], set[str]]:
    """The hashes of every dossier picture, and those of them that are also some entry's photo."""
    pictures = sa.union(
        sa.select(Attachment.sha256.label("sha")).where(Attachment.file_type == "image"),
        sa.select(Decision.scan_sha256).where(Decision.scan_type == "image", Decision.scan_sha256.is_not(None)),
    ).subquery()
    with db.engine.connect() as connection:
        every = sorted(connection.scalars(sa.select(pictures.c.sha)))
        shown = set(connection.scalars(sa.select(Photo.sha256).distinct()
                                       .where(Photo.sha256.in_(sa.select(pictures.c.sha)))))
    return every, shown


def public_copies() -> list[str]:
    """Hashes of dossier pictures that an earlier release left in the public photo store (none an entry's photo)."""
    every, shown = _dossier_pictures()
    root = photo_dir()
    return [sha for sha in every if sha not in shown and (root / sha[:2] / sha).is_dir()]


def unnamed_documents(*, older_than: float = 0) -> list[Path]:
    """Files in the document folder that no row names (interrupted uploads), at least ``older_than`` seconds old."""
    root = document_dir()
    if not root.is_dir():
        return []
    with db.engine.connect() as connection:
        named = {document_path(sha, file_type) for sha, file_type in _named_documents(connection)}
    limit = time.time() - older_than
    return sorted(path for path in root.glob("*/*") if path.is_file() and not path.name.startswith(".tmp-")
                  and path not in named and path.stat().st_mtime <= limit)


def documents_upkeep() -> DocumentUpkeep:
    """Move dossier pictures kept by earlier releases in the public photo store into the private store, remove
    their public copies unless an entry's photo is the same picture, and remove day-old files no row names
    (idempotent)."""
    report = DocumentUpkeep()
    root = photo_dir()
    every, shown = _dossier_pictures()
    for sha in every:
        dest = document_path(sha, "image")
        earlier = rendition_path(root, sha, "original")
        if not dest.is_file() and earlier.is_file():
            _write_private(dest, earlier.read_bytes())
            report.moved += 1
        if dest.is_file() and sha not in shown and earlier.parent.is_dir():
            shutil.rmtree(earlier.parent)
            report.public_removed += 1
    for path in unnamed_documents(older_than=UNUSED_GRACE_SECONDS):
        path.unlink(missing_ok=True)
        report.unnamed_removed += 1
    return report


# Remove document files once the rows naming them are gone, or were never committed (installed by
# platform.database).
SESSION_HOOKS = (("after_commit", _after_commit), ("after_transaction_end", _after_transaction_end))
