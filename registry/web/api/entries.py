"""Entries and awards: lists with the browse page's filters, and one entry in full."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l

from registry.catalog.models import AwardLevel
from registry.showcase.filters import BrowseFilters
from registry.showcase.opendata import AwardFilters, awards_page, entries_matching, entries_page, published_entry
from registry.showcase.representations import award_json, entry_json
from registry.web.api.downloads import download, download_slot, export_limit, requested_format
from registry.web.api.paging import paged_response, per_page_arg
from registry.web.api.spec import FILTERS, FORMAT, PAGING, SORT, Param, documented
from registry.web.api.views import bp


@bp.get("/entries")
@documented(
    summary=_l("List published entries"),
    description=_l("The browse page's filters as query arguments; each entry with its unit path, topics, "
                   "awards (revoked ones with their revocation) and photos."),
    params=(*FILTERS, SORT, *PAGING, FORMAT),
    example="/api/v1/entries?kind=initiative&year=2021", schema="EntryPage", exports=True, tag="entries",
)
def entries():
    """Published entries with the browse filters, a page at a time, or all of them as a download."""
    filters = BrowseFilters.from_args(request.args)
    fmt = requested_format()
    if fmt != "json":
        with download_slot():
            items, total = entries_matching(filters, limit=export_limit())
            return download(items, total=total, fmt=fmt, name="entries")
    page = entries_page(filters, per_page=per_page_arg())
    return paged_response({
        "total": page.total, "page": page.page, "per_page": page.per_page,
        "results": [entry_json(e) for e in page.items],
    }, page=page.page, pages=page.pages)


@bp.get("/entries/<int:entry_id>")
@documented(
    summary=_l("One published entry"),
    description=_l("The entry's record with its story (Markdown) and the units that replicated it."),
    example="/api/v1/entries/1", schema="Entry", tag="entries", path_params={"entry_id": _l("Entry id.")},
)
def entry(entry_id: int):
    """One published entry in full."""
    item = published_entry(entry_id)
    if item is None:
        abort(404, description=f"No published entry has id {entry_id}.")
    return jsonify(entry_json(item, full=True))


@bp.get("/awards")
@documented(
    summary=_l("List awards"),
    description=_l("Awards of published entries, newest first; revoked awards are listed with their revocation."),
    params=(
        Param("year", _l("Year of the award."), "integer", example=2021),
        Param("title", _l("Award title slug (see /api/v1/award-titles).")),
        Param("level", _l("Award level."), enum=tuple(lv.value for lv in AwardLevel)),
        Param("unit", _l("Unit id of the recipients; sub-units count too."), "integer"),
        *PAGING,
    ),
    example="/api/v1/awards?year=2021&level=district", schema="AwardPage", tag="awards",
)
def awards():
    """Awards of published entries with filters, a page at a time."""
    page = awards_page(AwardFilters.from_args(request.args), per_page=per_page_arg())
    return paged_response({
        "total": page.total, "page": page.page, "per_page": page.per_page,
        "results": [award_json(a, with_entry=True) for a in page.items],
    }, page=page.page, pages=page.pages)
