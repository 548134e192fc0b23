"""Pages of API results: the per_page argument, and links to other pages in the body and the Link header."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request, url_for

MAX_PER_PAGE = 100


def per_page_arg() -> int:
    """Return ?per_page= clamped to 1..100, the site's page size when absent or wrong."""
    try:
        value = int(request.args.get("per_page", current_app.config["PER_PAGE"]))
    except ValueError:
        value = current_app.config["PER_PAGE"]
    return min(max(value, 1), MAX_PER_PAGE)


def page_links(page: int, pages: int) -> dict[str, str | None]:
    """Absolute URLs of this page, the first, last, previous and next pages, keeping the route's other arguments."""
    # Only arguments the route reads: the answer then depends on nothing else, and the page cache keys on them.
    known = current_app.view_functions[request.endpoint].api_doc.query_names()
    args = {name: values for name, values in request.args.to_dict(flat=False).items() if name in known}

    def link(number: int) -> str:
        return url_for(request.endpoint, **(request.view_args or {}), **{**args, "page": number}, _external=True)

    return {
        "self": link(page),
        "first": link(1),
        "last": link(pages),
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }


def paged_response(body: dict[str, Any], *, page: int, pages: int) -> Response:
    """Return ``body`` as JSON with pagination links in it and in an RFC 8288 Link header."""
    links = page_links(page, pages)
    response = jsonify({**body, "pages": pages, "links": links})
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    return response
