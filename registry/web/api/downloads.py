"""The answer to ?format=csv or ?format=jsonl: the whole result as a file, capped in size and in cost.

A download renders up to EXPORT_MAX_ROWS entries (about a second of a worker's time), so each address
gets its own budget of downloads (EXPORT_RATE_LIMIT; one served again from the page cache costs nothing
and does not count) and may have EXPORT_CONCURRENCY of them in preparation at once in each worker.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Response, abort, current_app, request
from flask_babel import gettext as _

from registry.entries.models import Entry
from registry.extensions import limiter
from registry.platform.concurrency import RunningRequests
from registry.platform.slugs import make_slug
from registry.platform.vietnam_time import today_in_vietnam
from registry.showcase.exports import entries_csv, entries_jsonl
from registry.web.api.limits import limits_text

FORMATS: dict[str, tuple[Callable[[list[Entry]], bytes], str, str]] = {
    "csv": (entries_csv, "text/csv; charset=utf-8", "csv"),
    "jsonl": (entries_jsonl, "application/x-ndjson; charset=utf-8", "jsonl"),
}


def requested_format() -> str:
    """Return the asked-for format, "json" by default; an unknown one is a 400."""
    fmt = request.args.get("format", "json")
    if fmt != "json" and fmt not in FORMATS:
        abort(400, description=f"Unknown format {fmt!r}: use json, csv or jsonl.")
    return fmt


def export_limit() -> int:
    """The most entries a download holds."""
    return current_app.config["EXPORT_MAX_ROWS"]


def is_download() -> bool:
    """Whether the request asks a route that offers downloads for a whole result as a file."""
    doc = getattr(current_app.view_functions.get(request.endpoint or ""), "api_doc", None)
    return doc is not None and doc.exports and request.args.get("format", "json") in FORMATS


def _too_many_downloads() -> str:
    return _("Too many downloads from your address: %(limits)s at most. Downloading the same result again "
             "does not count. Please try again later.", limits=limits_text(current_app.config["EXPORT_RATE_LIMIT"]))


# One budget for every download route, on top of the API's own; checked before the page cache answers
# (a limit on the blueprint, not on the views, whose limits only the view itself would check).
download_rate_limit = limiter.shared_limit(
    lambda: current_app.config["EXPORT_RATE_LIMIT"], scope="downloads", exempt_when=lambda: not is_download(),
    override_defaults=False, error_message=_too_many_downloads,
    # Only downloads that were rendered count: an answer the page cache kept costs nothing.
    deduct_when=lambda response: response.status_code == 200 and response.headers.get("X-Page-Cache") != "hit",
)
_preparing = RunningRequests()


@contextmanager
def download_slot() -> Iterator[None]:
    """Prepare a download only while the address has fewer than EXPORT_CONCURRENCY in preparation here."""
    with _preparing.slot(limit=current_app.config["EXPORT_CONCURRENCY"],
                         message=_("A download from your address is still being prepared. Please wait until it "
                                   "has finished, then try again.")):
        yield


def download(entries: list[Entry], *, total: int, fmt: str, name: str) -> Response:
    """Return entries as an attachment named after the result and today's date."""
    render, mimetype, extension = FORMATS[fmt]
    response = Response(render(entries), mimetype=mimetype)
    filename = f"registry-{make_slug(name, max_length=60)}-{today_in_vietnam():%Y%m%d}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Export-Limit"] = str(export_limit())
    return response
