"""Which store a photo's picture lives in: public while some public photo shows it, held (private) otherwise.

The public store is served to anyone who has an address (by nginx straight from disk), so a photo without
consent, without a description, removed or withdrawn must not stay there. Every commit that adds, changes
or deletes photos puts their pictures where they belong; the upkeep run by `flask init` and `doctor --fix`
does the same for every picture, so a crash between the commit and the move is repaired.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.entries.models import Photo
from registry.entries.photos import held_photo_dir, photo_dir, photo_files_place
from registry.extensions import db

log = logging.getLogger(__name__)


def _public_shas(connection: sa.Connection, shas: set[str]) -> set[str]:
    return set(connection.scalars(
        sa.select(Photo.sha256).where(Photo.sha256.in_(sorted(shas)), Photo.is_public.is_(True)).distinct()))


def photo_files_sync(shas: set[str]) -> None:
    """Move each picture into the store its photos call for."""
    if not shas:
        return
    # A connection of its own: the session that just committed cannot run statements in its hook.
    with db.engine.connect() as connection:
        public = _public_shas(connection, shas)
    for sha in sorted(shas):
        try:
            photo_files_place(sha, public=sha in public)
        except OSError:
            log.exception("photo %s not moved to its store", sha)


def photo_files_upkeep() -> int:
    """Put every stored picture in its store (idempotent); return how many pictures were looked at."""
    shas: set[str] = set()
    for root in (photo_dir(), held_photo_dir()):
        if root.is_dir():
            shas.update(p.name for p in root.glob("*/*") if p.is_dir() and len(p.name) == 64)
    with db.engine.connect() as connection:
        named = set(connection.scalars(sa.select(Photo.sha256).distinct()))
    # Pictures no photo names (dossier pictures of earlier releases, bulk imports in progress) stay as they are.
    photo_files_sync(shas & named)
    return len(shas & named)


def _before_flush(session: Session, _context, _instances) -> None:
    touched = session.info.setdefault("photo_shas", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Photo) and obj.sha256:
            touched.add(obj.sha256)


def _after_transaction_end(session: Session, transaction) -> None:
    # Savepoints end inside the request's transaction: wait for the outermost one, committed or not (after a
    # rollback the pictures go where the rows that remain call for).
    if transaction.parent is not None:
        return
    photo_files_sync(session.info.pop("photo_shas", set()))


SESSION_HOOKS = (("before_flush", _before_flush), ("after_transaction_end", _after_transaction_end))
