"""Whoosh schema and the mapping from the application's document dicts to index fields."""

from __future__ import annotations

from typing import Any, Mapping

from whoosh import columns, fields

from search.document import STORED_BODY_CHARS, prepare
from search.whoosh.analysis import VietnameseText

FACET_SEP = "\x1f"
LIST_SEP = "\x1e"


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
