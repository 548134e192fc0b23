"""An application document made ready for indexing: cleaned text, string ids, a publication epoch.
The same for every engine."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Mapping

from search.analysis import normalize

# Snippets are cut from the stored summary and the head of the body; storing whole
# stories would double the index for text nobody sees in a result list.
STORED_BODY_CHARS = 2000


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
    # Summary, story, place names, topic and award title names: the text searched besides the title.
    text: str


def prepare(doc: Mapping[str, Any]) -> Prepared:
    """Clean an application document dict: normalised text, string ids, a publication epoch."""
    title = _clean(doc.get("title"))
    summary = _clean(doc.get("summary"))
    body = _clean(doc.get("body"))
    unit_names = _clean(doc.get("unit_names"))
    # Names of the entry's topics and award titles: found by their words, weighed as the story is.
    topic_names = _clean(doc.get("topic_names"))
    award_names = _clean(doc.get("award_names"))
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
        # Newlines keep a phrase from straddling summary, story, place, topic and title names.
        text="\n".join(t for t in (summary, body, unit_names, topic_names, award_names) if t),
    )
