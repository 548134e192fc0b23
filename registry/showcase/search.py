"""Full-text search for the public: runs the query on the index, rehydrates entries in rank order, labels facets."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil
from typing import Any, TypeVar

import sqlalchemy as sa
from markupsafe import Markup

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.catalog.selectors import catalogue_names, unit_names
from registry.entries.models import Entry, EntryKind, EntryStatus
from registry.extensions import db
from registry.platform.collation import collation_key
from registry.showcase.filters import BrowseFilters
from registry.showcase.search_index import reopen_search_index, search_index
from registry.showcase.selectors import CARD_LOADING, FacetValue, unit_rollup
from search import postgres as postgres_search
from search.contract import IndexMissing, IndexNotReady, SearchRequest
from search.postgres import PostgresSearchIndex
from search.whoosh import query as whoosh_search
from search.whoosh.index import SearchIndex

log = logging.getLogger(__name__)
T = TypeVar("T")

SEARCH_SORTS = ("relevance", "newest")
MAX_QUERY_LENGTH = 200


class SearchUnavailable(RuntimeError):
    """The search index cannot be read (damaged, missing, locked) or is far behind the database; pages say so
    and the API answers 503."""


def _queries(index: SearchIndex | PostgresSearchIndex) -> Any:
    """The module that searches this kind of index: both offer search, search_ids and suggest."""
    return postgres_search if isinstance(index, PostgresSearchIndex) else whoosh_search


def _on_index(read: Callable[[SearchIndex | PostgresSearchIndex], T]) -> T:
    """Run a read on the index; a failed handle is reopened once, then the failure is SearchUnavailable."""
    # The index is derived data: whatever breaks in it must not break the pages that do not need it.
    for attempt in (1, 2):
        try:
            return read(search_index() if attempt == 1 else reopen_search_index())
        except IndexNotReady as exc:
            # Missing or far behind the database: answering from it would mislead. A missing index is
            # looked for once more (a new instance may create it); a verdict on a present one stands.
            if attempt == 2 or not isinstance(exc, IndexMissing):
                log.warning("search unavailable: %s", exc)
                raise SearchUnavailable(type(exc).__name__) from exc
        except Exception as exc:
            if attempt == 2:
                log.exception("search index unavailable")
                raise SearchUnavailable(type(exc).__name__) from exc
            log.warning("search index read failed (%s); reopening it", type(exc).__name__)
    raise AssertionError("unreachable")


@dataclass
class SearchHit:
    entry: Entry
    snippet: Markup
    title: Markup


@dataclass
class SearchPage:
    q: str
    sort: str
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    did_you_mean: str | None = None
    unit: Unit | None = None
    # Very broad searches on PostgreSQL count a sample of their matches: total and facets are estimates.
    approximate: bool = False
    # How the engine treated the query (search.contract.SearchResult.mode) and the query the hits answer.
    mode: str = "all"
    query_used: str = ""
    # Only what was typed was searched (no correction, no look-alikes, no partial matches).
    exact: bool = False
    # Entries matching all words but one, shown apart when the full matches are few.
    related: list[SearchHit] = field(default_factory=list)
    related_total: int = 0

    @property
    def query_changed(self) -> bool:
        """Whether the hits answer something else than what was typed (corrected, marks left aside, some words)."""
        return self.mode in ("typo", "folded", "any")

    @property
    def shown_total(self) -> int:
        """The total as a reader should see it: an estimate rounded to two significant digits."""
        if not self.approximate or self.total < 100:
            return self.total
        step = 10 ** (len(str(self.total)) - 2)
        return round(self.total / step) * step


def exact_requested(args: Any) -> bool:
    """Whether the request asks for only what was typed (``exact=1``)."""
    return (args.get("exact") or "").strip().lower() in ("1", "true", "on", "yes")


def search_args(args: Any) -> tuple[str, str, BrowseFilters]:
    """Read q, sort and the filters from request arguments; never fails."""
    q = " ".join((args.get("q") or "").split())[:MAX_QUERY_LENGTH]
    sort = args.get("sort")
    sort = sort if sort in SEARCH_SORTS else ("relevance" if q else "newest")
    return q, sort, BrowseFilters.from_args(args)


def _public_request(q: str, sort: str, filters: BrowseFilters, *, per_page: int, exact: bool = False) -> SearchRequest:
    return SearchRequest(
        q=q, kind=filters.kind, year=filters.year, unit=filters.unit, topic=filters.topic,
        award=filters.award, level=filters.level, visibility=("public",), sort=sort,
        page=filters.page, per_page=per_page, exact=exact,
    )


def search_entry_ids(q: str, sort: str, filters: BrowseFilters, *, limit: int,
                     exact: bool = False) -> tuple[int, list[int]]:
    """How many published entries match, and the ids of the first ``limit`` in result order (for downloads)."""
    request = _public_request(q, sort, filters, per_page=1, exact=exact)
    return _on_index(lambda index: _queries(index).search_ids(index, request, limit=limit))


def run_search(q: str, sort: str, filters: BrowseFilters, *, per_page: int, locale: str,
               exact: bool = False) -> SearchPage:
    """Search published entries and return one page of hits with labelled facet counts."""
    request = _public_request(q, sort, filters, per_page=per_page, exact=exact)
    result = _on_index(lambda index: _queries(index).search(index, request))
    found = result.hits + result.related
    entries = {
        e.id: e for e in db.session.scalars(
            sa.select(Entry).where(Entry.id.in_([h.id for h in found]), Entry.status == EntryStatus.PUBLISHED)
            .options(*CARD_LOADING)
        )
    }

    def shown(hits: list[Any]) -> list[SearchHit]:
        return [
            SearchHit(entry=entries[h.id], snippet=Markup(h.snippet_html),
                      title=Markup(h.title_html or "") or Markup.escape(entries[h.id].title))
            for h in hits if h.id in entries
        ]

    return SearchPage(
        q=q, sort=sort, hits=shown(result.hits), total=result.total, page=result.page,
        pages=max(1, ceil(result.total / per_page)), per_page=per_page,
        facets=label_facets(result.facets, filters, locale), did_you_mean=result.did_you_mean,
        unit=db.session.get(Unit, filters.unit) if filters.unit is not None else None,
        approximate=getattr(result, "approximate", False),
        mode=result.mode, query_used=result.query_used or q, exact=exact,
        related=shown(result.related), related_total=result.related_total,
    )


def label_facets(raw: dict[str, list[tuple[Any, int]]], filters: BrowseFilters, locale: str) -> dict[str, list[FacetValue]]:
    """Turn the index's (value, count) facets into labelled, selectable values."""
    # The index counts each entry's own unit; like the browse page, show the level below the chosen
    # unit (the roots when none), or a large result would list every commune it touches.
    rolled = unit_rollup(dict(raw.get("unit", [])), filters.unit)
    raw = {**raw, "unit": sorted(rolled.items(), key=lambda kv: (-kv[1], kv[0]))}

    units = unit_names()
    topics = dict(catalogue_names(Topic, locale).values())
    titles = dict(catalogue_names(AwardTitle, locale).values())
    kinds = {k.value: k.label for k in EntryKind}
    levels = {lv.value: lv.label for lv in AwardLevel}
    labels = {"kind": kinds, "unit": units, "topic": topics, "award": titles, "level": levels}
    facets: dict[str, list[FacetValue]] = {}
    for key in ("kind", "year", "unit", "topic", "award", "level"):
        current = getattr(filters, key)
        values = []
        for value, count in raw.get(key, []):
            label = str(value) if key == "year" else labels[key].get(value)
            if label is None:
                continue
            values.append(FacetValue(value, label, count, current is not None and str(current) == str(value)))
        if key == "year":
            values.sort(key=lambda v: -int(v.value))
        elif key in ("unit", "topic", "award"):
            values.sort(key=lambda v: (-v.count, collation_key(v.label)))
        facets[key] = values
    return facets


def title_suggestions(prefix: str, *, limit: int = 8) -> list[dict[str, Any]]:
    """Title suggestions for a prefix typed with or without diacritics."""
    prefix = " ".join((prefix or "").split())[:MAX_QUERY_LENGTH]
    if not prefix:
        return []
    return _on_index(lambda index: _queries(index).suggest(index, prefix, limit=limit))
