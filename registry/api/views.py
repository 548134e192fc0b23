"""JSON endpoints: search and title suggestions."""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..extensions import csrf
from ..i18n import current_language
from ..searching import run_search, search_args, title_suggestions
from ..templating import entry_url
from . import bp

csrf.exempt(bp)
MAX_PER_PAGE = 100


def _per_page() -> int:
    try:
        value = int(request.args.get("per_page", current_app.config["PER_PAGE"]))
    except ValueError:
        value = current_app.config["PER_PAGE"]
    return min(max(value, 1), MAX_PER_PAGE)


@bp.get("/search")
def search():
    """Search published entries: results with snippets, and facet counts."""
    q, sort, filters = search_args(request.args)
    page = run_search(q, sort, filters, per_page=_per_page(), locale=current_language())
    return jsonify({
        "q": q,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "results": [
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
            for hit in page.hits
        ],
        "facets": {key: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                   for key, values in page.facets.items()},
        "did_you_mean": page.did_you_mean,
    })


@bp.get("/suggest")
def suggest():
    """Title suggestions as the user types, with or without diacritics."""
    suggestions = title_suggestions(request.args.get("q", ""))
    return jsonify({"q": request.args.get("q", ""), "suggestions": [
        {"id": s["id"], "title": s["title"]} for s in suggestions
    ]})
