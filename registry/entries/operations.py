"""Writes on entries: publishing, photos, replications."""
from __future__ import annotations

from typing import BinaryIO

from flask import current_app

from registry.catalog.models import Unit
from registry.entries.models import Entry, EntryStatus, Photo, Replication
from registry.entries.photos import photo_dir, store_image
from registry.extensions import db
from registry.platform.collation import sort_key
from registry.platform.columns import utcnow
from registry.platform.slugs import make_slug


def entry_set_title(entry: Entry, title: str) -> None:
    """Set an entry's title and its cosmetic slug (the id keeps permalinks stable)."""
    entry.title = title
    entry.slug = make_slug(title)
    entry.title_sort = sort_key(title)


def entry_publish(entry: Entry) -> None:
    """Publish an entry; the first publication date is kept on later publications."""
    if entry.status != EntryStatus.PUBLISHED:
        entry.status = EntryStatus.PUBLISHED
    if entry.published_at is None:
        entry.published_at = utcnow()


def photo_attach(
    entry: Entry,
    data: bytes | BinaryIO,
    *,
    alt: str,
    caption: str | None = None,
    credit: str | None = None,
    licence: str | None = None,
    is_illustration: bool = False,
) -> Photo:
    """Process an uploaded image (raises PhotoError) and attach it to the entry as its last photo."""
    stored = store_image(
        data,
        root=photo_dir(),
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
    )
    photo = Photo(
        sha256=stored.sha256,
        position=len(entry.photos),
        alt=alt,
        caption=caption,
        credit=credit,
        licence=licence,
        is_illustration=is_illustration,
        width=stored.width,
        height=stored.height,
        source_format=stored.format,
        renditions={name: [r.width, r.height] for name, r in stored.renditions.items()},
    )
    entry.photos.append(photo)
    db.session.flush()
    return photo


def replication_add(entry: Entry, unit: Unit, *, since_year: int | None, note: str | None = None) -> Replication:
    """Record that ``unit`` adopted the initiative ``entry`` (updates the year if already recorded)."""
    for existing in entry.replications:
        if existing.unit_id == unit.id:
            existing.since_year = since_year
            existing.note = note
            return existing
    replication = Replication(unit=unit, since_year=since_year, note=note)
    entry.replications.append(replication)
    return replication
