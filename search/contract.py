"""What both engines agree on: the request, the result, and the errors of an index that cannot answer.

A backend takes a ``SearchRequest`` (text, filters, sort, page) and returns a ``SearchResult``:
the hits of the page (entry ids, scores, highlighted title and snippet), the total, facet counts,
and what the query became when the engine had to change it (``mode``, ``did_you_mean``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from search.analysis import ParsedQuery, QueryToken

FACET_KEYS = ("kind", "year", "unit", "topic", "award", "level")
MAX_PER_PAGE = 100
# Typo correction: title words one edit away from a syllable of at least this many letters,
# at most this many of them.
FUZZY_MIN_LEN = 3
MAX_TYPO_ALTERNATIVES = 8

# Folded syllable of the query -> title words one edit away, the syllable itself first when it is known.
Typos = Mapping[str, Sequence[str]]


class IndexNotReady(RuntimeError):
    """The index cannot answer searches as the data stands (missing, or far behind its source)."""


class IndexMissing(IndexNotReady):
    """The index has no live generation: it was never built here, or it was removed."""


@dataclass
class SearchRequest:
    """What the user asked for: text, filters, sort and page."""

    q: str = ""
    kind: str | None = None
    year: int | str | None = None
    unit: int | str | None = None
    topic: str | None = None
    award: str | None = None
    level: str | None = None
    visibility: Sequence[str] = ("public",)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True
    # Only what was typed: no look-alikes, no typo correction, no partial matches.
    exact: bool = False


@dataclass
class Hit:
    """One result row."""

    id: int
    score: float
    title_html: str
    snippet_html: str
    title: str = ""
    ref: str | None = None
    kind: str = ""
    year: int | None = None


@dataclass
class SearchResult:
    """A page of results with facet counts and the query actually run."""

    total: int = 0
    page: int = 1
    per_page: int = 20
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    did_you_mean: str | None = None
    # The query the hits answer: the corrected one in "typo" mode, else what was typed.
    query_used: str = ""
    # "all": every word as typed; "folded": every word, marks left aside; "typo": corrected words;
    # "any": some of the words; "browse": no text. Anything but "all" and "browse" changed the query.
    mode: str = "all"
    # Entries matching all words but one, apart from the hits (when the full matches are few).
    related: list[Hit] = field(default_factory=list)
    related_total: int = 0
    # True when ``total`` and the facet counts are estimates from a sample of the matches rather than
    # counted one by one (the PostgreSQL backend does so for broad queries): show them as "about N".
    approximate: bool = False


def typo_alternatives(tok: QueryToken, typos: Typos | None) -> list[str]:
    """The corrections that stand in for a syllable in typo mode (none otherwise)."""
    return [c for c in (typos or {}).get(tok.folded, ()) if c != tok.folded]


def did_you_mean(parsed: ParsedQuery, typos: Typos) -> str | None:
    """The query with each unknown syllable replaced by its likeliest correction, or None."""
    changed = False
    words: list[str] = []
    for tok in parsed.tokens:
        near = typos.get(tok.folded)
        if not near or near[0] == tok.folded:
            words.append(tok.text)
        else:
            words.append(near[0])
            changed = True
    return " ".join(words) if changed else None


def to_int(value: Any, default: int) -> int:
    """``int(value)``, or ``default`` when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def by_count(items: Sequence[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """Facet values as every engine returns them: most counted first, then by value (numbers as numbers,
    the rest by their text).

    A broad query counts thousands of units: past a few dozen values the order is taken in numpy.
    """
    values = [v for v, _ in items]
    numeric = all(isinstance(v, int) for v in values)
    if len(items) < 64:
        return sorted(items, key=lambda kv: (-kv[1], kv[0] if numeric else str(kv[0])))
    counts = np.fromiter((n for _, n in items), dtype=np.int64, count=len(items))
    ties = np.array(values, dtype=np.int64) if numeric else np.array([str(v) for v in values])
    order = np.lexsort((ties, -counts))
    return [(values[i], int(counts[i])) for i in order.tolist()]
