"""The answer to ?format=csv or ?format=jsonl: the whole result as a file, capped in size."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Response, abort, current_app, request

from ..models import Entry
from ..opendata.exports import entries_csv, entries_jsonl
from ..slugs import make_slug

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


def download(entries: list[Entry], *, total: int, fmt: str, name: str) -> Response:
    """Return entries as an attachment named after the result and today's date."""
    render, mimetype, extension = FORMATS[fmt]
    response = Response(render(entries), mimetype=mimetype)
    filename = f"registry-{make_slug(name, max_length=60)}-{date.today():%Y%m%d}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Export-Limit"] = str(export_limit())
    return response
