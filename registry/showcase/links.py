"""Addresses of public things: entry, unit and topic pages, and photo renditions."""
from __future__ import annotations

from typing import Any

from flask import url_for

from registry.catalog.models import Topic, Unit
from registry.entries.models import Entry, Photo

# Rendition widths a browser may choose from, in order; the original is only for downloads.
SRCSET_RENDITIONS = ("thumb", "medium", "large")


def entry_url(entry: Entry, **kwargs: Any) -> str:
    """Return the canonical URL of an entry's page (id is the key, the slug is cosmetic)."""
    return url_for("public.entry", entry_id=entry.id, slug=entry.slug, **kwargs)


def unit_url(unit: Unit, **kwargs: Any) -> str:
    """Return the URL of a unit's page."""
    return url_for("public.unit", unit_id=unit.id, slug=unit.slug, **kwargs)


def topic_url(topic: Topic, **kwargs: Any) -> str:
    """Return the URL of a topic's page."""
    return url_for("public.topic", slug=topic.slug, **kwargs)


def photo_url(photo: Photo, rendition: str = "medium") -> str:
    """Return the URL of one rendition of a photo."""
    name = rendition if rendition in (photo.renditions or {}) else "original"
    if not photo.is_public:
        # Only those who keep the entry see a photo that is not public, through an address that checks who asks.
        return url_for("media.held_photo", photo_id=photo.id, rendition=name)
    return url_for("media.photo", sha256=photo.sha256, rendition=name)


def photo_srcset(photo: Photo) -> str:
    """Return the srcset attribute listing the photo's renditions by width."""
    parts = []
    for name in SRCSET_RENDITIONS:
        size = (photo.renditions or {}).get(name)
        if size:
            parts.append(f"{photo_url(photo, name)} {size[0]}w")
    return ", ".join(parts)


def photo_size(photo: Photo, rendition: str = "medium") -> tuple[int, int]:
    """Return (width, height) of a rendition, falling back to the original's size."""
    size = (photo.renditions or {}).get(rendition)
    return (size[0], size[1]) if size else (photo.width, photo.height)
