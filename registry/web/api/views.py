"""Search and title suggestions; a search can also be downloaded whole (CSV, JSON Lines)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from registry.extensions import csrf, limiter
from registry.platform.i18n import current_language
from registry.showcase.links import entry_url
from registry.showcase.opendata import entries_by_ids
from registry.showcase.search import exact_requested, run_search, search_args, search_entry_ids, title_suggestions
from registry.web.api.downloads import download, download_rate_limit, download_slot, export_limit, requested_format
from registry.web.api.limits import too_many_requests
from registry.web.api.paging import paged_response, per_page_arg
from registry.web.api.spec import FILTERS, FORMAT, PAGING, Param, documented

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
# Vietnamese stays readable in answers (UTF-8) instead of \u escapes.
bp.record_once(lambda state: setattr(state.app.json, "ensure_ascii", False))
# One generous budget per address for the whole API; preflight requests cost nothing.
limiter.limit(
    lambda: current_app.config["API_RATE_LIMIT"], exempt_when=lambda: request.method == "OPTIONS",
    error_message=too_many_requests,
)(bp)
download_rate_limit(bp)

QUERY = Param("q", _l("What to look for, with or without diacritics."), example="nha van hoa")


@bp.get("/search")
@documented(
    summary=_l("Search published entries"),
    description=_l("Full-text search with snippets and facet counts; without q, the newest entries. When a "
                    "search matches so much that its matches are counted on a sample, total and facet counts "
                    "are estimates and total_is_estimate is true. mode says how the query was run: all (every "
                    "word as typed), folded (every word, marks left aside, as none matched as typed), typo "
                    "(misspelt words corrected), any (only some of the words), browse (no q); when it is "
                    "folded, typo or any, query_changed is true and query_used is the query the results answer "
                    "(exact=1 searches only what was typed). When every word matches only a few entries, "
                    "related lists entries matching all words but one, counted apart in related_total."),
    params=(QUERY, Param("sort", _l("Order of results."), enum=("relevance", "newest")),
            Param("exact", _l("1: only what was typed, with no correction and no partial matches."), enum=("1",)),
            *FILTERS, *PAGING, FORMAT),
    example="/api/v1/search?q=nha+van+hoa&kind=initiative", exports=True, tag="search",
)
def search():
    """Search published entries: results with snippets, and facet counts."""
    q, sort, filters = search_args(request.args)
    fmt = requested_format()
    if fmt != "json":
        with download_slot():
            total, ids = search_entry_ids(q, sort, filters, limit=export_limit(), exact=exact_requested(request.args))
            return download(entries_by_ids(ids), total=total, fmt=fmt, name=f"search {q}" if q else "search")
    page = run_search(q, sort, filters, per_page=per_page_arg(), locale=current_language(),
                      exact=exact_requested(request.args))

    def results(hits: list) -> list[dict]:
        return [
            {
                "id": hit.entry.id,
                "ref": hit.entry.ref,
                "kind": hit.entry.kind.value,
                "title": hit.entry.title,
                "year": hit.entry.year,
                "unit": hit.entry.unit.name if hit.entry.unit else None,
                "url": entry_url(hit.entry, _external=True),
                "snippet": str(hit.snippet),
            }
            for hit in hits
        ]

    return paged_response({
        "q": q,
        "total": page.total,
        "total_is_estimate": page.approximate,
        "page": page.page,
        "per_page": page.per_page,
        "mode": page.mode,
        "query_used": page.query_used,
        "query_changed": page.query_changed,
        "exact": page.exact,
        "results": results(page.hits),
        "related": results(page.related),
        "related_total": page.related_total,
        "facets": {key: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                   for key, values in page.facets.items()},
        "did_you_mean": page.did_you_mean,
    }, page=page.page, pages=page.pages)


@bp.get("/suggest")
@documented(
    summary=_l("Title suggestions"),
    description=_l("Titles that start with what is typed so far, with or without diacritics."),
    params=(Param("q", _l("What is typed so far."), example="cay at"),),
    example="/api/v1/suggest?q=cay+at", tag="search",
)
def suggest():
    """Title suggestions as the user types, with or without diacritics."""
    suggestions = title_suggestions(request.args.get("q", ""))
    return jsonify({"q": request.args.get("q", ""), "suggestions": [
        {"id": s["id"], "title": s["title"]} for s in suggestions
    ]})
