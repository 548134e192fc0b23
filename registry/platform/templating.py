"""Template globals and filters: URLs of things, photos, Markdown, locale-aware formatting."""
from __future__ import annotations

from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_decimal

from registry.catalog.models import Topic, Unit
from registry.entries.models import Entry, Photo
from registry.entries.richtext import render_markdown
from registry.platform.i18n import current_language

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


def url_with_lang(lang: str) -> str:
    """Return the current URL with ?lang= set, so switching language keeps the page and its filters."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    if request.url_rule is None or request.endpoint is None:
        return url_for("public.home", lang=lang)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def url_with_args(**changes: Any) -> str:
    """Return the current page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=True)
    args.pop("lang", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def format_number(value: int | float) -> str:
    """Format a number per the current locale (1.234 in Vietnamese, 1,234 in English)."""
    return format_decimal(value)


def init_app(app: Flask) -> None:
    """Register the template globals and filters."""
    app.jinja_env.globals.update(
        entry_url=entry_url, unit_url=unit_url, topic_url=topic_url, photo_url=photo_url,
        photo_srcset=photo_srcset, photo_size=photo_size, url_with_lang=url_with_lang,
        url_with_args=url_with_args, current_language=current_language,
    )
    app.jinja_env.filters.update(markdown=render_markdown, date=format_date, number=format_number)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
