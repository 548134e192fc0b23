"""Whoosh schema and the mapping from the application's document dicts to index fields."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Mapping

from whoosh import columns, fields

from search.analysis import normalize
from search.whoosh_analysis import VietnameseText

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
        # No positions: adjacency is answered by the pair fields with set algebra,
        # which is far cheaper than Whoosh's position-by-position phrase matching.
        title_exact=VietnameseText("exact"),
        title_folded=VietnameseText("folded"),
        body_exact=VietnameseText("exact"),
        body_folded=VietnameseText("folded"),
        title_pairs=VietnameseText("pairs"),
        body_pairs=VietnameseText("pairs"),
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


def encode_facets(
    kind: str,
    year: str,
    unit_id: str,
    topics: list[str],
    awards: list[str],
    levels: list[str],
    units: list[str],
    visibility: list[str],
    doc_id: str = "",
    stamp: str = "",
) -> bytes:
    """Pack the facet, filter and bookkeeping values of one document into its column."""
    lists = (topics, awards, levels, units, visibility)
    parts = [kind, year, unit_id] + [LIST_SEP.join(v) for v in lists] + [doc_id, stamp.replace(FACET_SEP, " ")]
    return FACET_SEP.join(parts).encode("utf-8")


def decode_facets(blob: bytes) -> tuple[Any, ...]:
    """Unpack the column written by ``encode_facets``:
    (kind, year, unit_id, topics, awards, levels, units, visibility, id, stamp)."""
    if not blob:
        return ("", "", "", (), (), (), (), (), "", "")
    parts = blob.decode("utf-8").split(FACET_SEP)
    parts += [""] * (10 - len(parts))
    kind, year, unit_id = parts[:3]
    lists = tuple(tuple(p.split(LIST_SEP)) if p else () for p in parts[3:8])
    return (kind, year, unit_id) + lists + (parts[8], parts[9])


@dataclass(frozen=True)
class Prepared:
    """One application document cleaned for indexing, the same for every backend."""

    id: int
    ref: Any
    kind: str
    year: str
    unit_id: str
    unit_ids: list[str]
    topics: list[str]
    awards: list[str]
    levels: list[str]
    visibility: list[str]
    published: int
    stamp: str
    title: str
    summary: str
    body: str
    # Summary, story and place names: the text searched besides the title.
    text: str


def prepare(doc: Mapping[str, Any]) -> Prepared:
    """Clean an application document dict: normalised text, string ids, a publication epoch."""
    title = _clean(doc.get("title"))
    summary = _clean(doc.get("summary"))
    body = _clean(doc.get("body"))
    unit_names = _clean(doc.get("unit_names"))
    unit_ids = _ids(doc.get("unit_ids"))
    return Prepared(
        id=int(doc["id"]),
        ref=doc.get("ref"),
        kind=str(doc.get("kind") or ""),
        year=str(doc["year"]) if doc.get("year") else "",
        unit_id=unit_ids[0] if unit_ids else "",
        unit_ids=unit_ids,
        topics=_ids(doc.get("topics")),
        awards=_ids(doc.get("awards")),
        levels=_ids(doc.get("levels")),
        visibility=_ids(doc.get("visibility")) or ["public"],
        published=_epoch(doc.get("published")),
        stamp="" if doc.get("stamp") is None else str(doc.get("stamp")),
        title=title,
        summary=summary,
        body=body,
        # Newlines keep a phrase from straddling summary, story and place names.
        text="\n".join(t for t in (summary, body, unit_names) if t),
    )


def to_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Convert an application document dict into Whoosh field values."""
    p = prepare(doc)
    doc_id = str(p.id)
    out: dict[str, Any] = {
        "id": doc_id,
        "ref": p.ref,
        "kind": p.kind,
        "year": p.year,
        "unit": " ".join(p.unit_ids),
        "unit_id": p.unit_id,
        "topic": " ".join(p.topics),
        "award": " ".join(p.awards),
        "level": " ".join(p.levels),
        "visibility": " ".join(p.visibility),
        "published": p.published,
        "stamp": p.stamp,
        "facets": encode_facets(p.kind, p.year, p.unit_id, p.topics, p.awards, p.levels, p.unit_ids, p.visibility,
                                doc_id, p.stamp),
        "title": p.title,
        "summary": p.summary,
        "body": p.body[:STORED_BODY_CHARS],
        "title_exact": p.title,
        "title_folded": p.title,
        "body_exact": p.text,
        "body_folded": p.text,
        "title_pairs": p.title,
        "body_pairs": p.text,
    }
    # Whoosh rejects empty strings for ID fields only in some paths; drop them to be safe.
    return {k: v for k, v in out.items() if v != "" or k in ("title", "summary", "body", "stamp")}
