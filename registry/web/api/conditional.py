"""Validators on API answers: an ETag from the body and the data's last change, so clients get 304s."""
from __future__ import annotations

from flask import Response, request

from registry.showcase.opendata import data_last_modified
from registry.web.api.views import bp


@bp.after_request
def make_conditional(response: Response) -> Response:
    """Add ETag and Last-Modified to successful GETs and answer 304 when the client is up to date."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed:
        return response
    last_modified = data_last_modified()
    if last_modified is not None:
        response.last_modified = last_modified
    response.add_etag()
    # Answers follow the language (labels) and change with the data: revalidate, then reuse.
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)
