"""Whoosh schema and the mapping from the application's document dicts to index fields."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timezone
from typing import Any, Mapping

from whoosh import columns, fields

from search.analysis import normalize
from search.whoosh_analysis import VietnameseTokenizer

# Snippets are cut from the stored summary and the head of the body; storing whole
# stories would double the index for text nobody sees in a result list.
STORED_BODY_CHARS = 2000
FACET_SEP = "\x1f"
LIST_SEP = "\x1e"

# Field boosts: marked matches outrank folded ones, titles outrank stories.
BOOSTS = {"title_exact": 6.0, "title_folded": 3.0, "body_exact": 2.0, "body_folded": 1.0}


def build_schema() -> fields.Schema:
    """Return the index schema."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        ref=fields.STORED(),
        kind=fields.ID(stored=True),
        year=fields.ID(stored=True),
        unit=fields.KEYWORD(),
        unit_id=fields.ID(stored=True),
        topic=fields.KEYWORD(),
        award=fields.KEYWORD(),
        level=fields.KEYWORD(),
        visibility=fields.KEYWORD(),
        published=fields.NUMERIC(bits=64, signed=True, stored=True, sortable=True),
        stamp=fields.STORED(),
        facets=fields.COLUMN(columns.VarBytesColumn()),
        title=fields.STORED(),
        summary=fields.STORED(),
        body=fields.STORED(),
        title_exact=fields.TEXT(analyzer=VietnameseTokenizer(folded=False), phrase=True),
        title_folded=fields.TEXT(analyzer=VietnameseTokenizer(folded=True), phrase=True),
        body_exact=fields.TEXT(analyzer=VietnameseTokenizer(folded=False), phrase=True),
        body_folded=fields.TEXT(analyzer=VietnameseTokenizer(folded=True), phrase=True),
    )


def _clean(text: Any) -> str:
    if not text:
        return ""
    return normalize(unicodedata.normalize("NFC", str(text)))


def _ids(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, (str, int)):
        values = [values]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _epoch(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())
    if isinstance(value, (int, float)):
        return int(value)
    try:
        return _epoch(datetime.fromisoformat(str(value)))
    except ValueError:
        return 0


def encode_facets(kind: str, year: str, unit_id: str, topics: list[str], awards: list[str], levels: list[str]) -> bytes:
    """Pack the facet values of one document into the per-document column."""
    parts = [kind, year, unit_id, LIST_SEP.join(topics), LIST_SEP.join(awards), LIST_SEP.join(levels)]
    return FACET_SEP.join(parts).encode("utf-8")


def decode_facets(blob: bytes) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Unpack the column written by ``encode_facets``."""
    if not blob:
        return ("", "", "", (), (), ())
    kind, year, unit_id, topics, awards, levels = blob.decode("utf-8").split(FACET_SEP)
    split = lambda s: tuple(s.split(LIST_SEP)) if s else ()  # noqa: E731
    return kind, year, unit_id, split(topics), split(awards), split(levels)


def to_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Convert an application document dict into Whoosh field values."""
    title = _clean(doc.get("title"))
    summary = _clean(doc.get("summary"))
    body = _clean(doc.get("body"))
    unit_names = _clean(doc.get("unit_names"))
    unit_ids = _ids(doc.get("unit_ids"))
    topics, awards, levels = _ids(doc.get("topics")), _ids(doc.get("awards")), _ids(doc.get("levels"))
    visibility = _ids(doc.get("visibility")) or ["public"]
    kind = str(doc.get("kind") or "")
    year = str(doc["year"]) if doc.get("year") else ""
    unit_id = unit_ids[0] if unit_ids else ""
    # Newlines keep a phrase from straddling summary, story and place names.
    text = "\n".join(t for t in (summary, body, unit_names) if t)
    out: dict[str, Any] = {
        "id": str(int(doc["id"])),
        "ref": doc.get("ref"),
        "kind": kind,
        "year": year,
        "unit": " ".join(unit_ids),
        "unit_id": unit_id,
        "topic": " ".join(topics),
        "award": " ".join(awards),
        "level": " ".join(levels),
        "visibility": " ".join(visibility),
        "published": _epoch(doc.get("published")),
        "stamp": "" if doc.get("stamp") is None else str(doc.get("stamp")),
        "facets": encode_facets(kind, year, unit_id, topics, awards, levels),
        "title": title,
        "summary": summary,
        "body": body[:STORED_BODY_CHARS],
        "title_exact": title,
        "title_folded": title,
        "body_exact": text,
        "body_folded": text,
    }
    # Whoosh rejects empty strings for ID fields only in some paths; drop them to be safe.
    return {k: v for k, v in out.items() if v != "" or k in ("title", "summary", "body", "stamp")}
