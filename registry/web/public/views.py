"""Views of the public showcase; each loads, asks a selector, renders."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, send_from_directory

from registry.catalog.models import Topic, Unit
from registry.entries.selectors import merged_entry_target
from registry.extensions import db
from registry.platform.i18n import current_language
from registry.showcase import selectors as showcase
from registry.showcase.about import about_sections
from registry.showcase.links import entry_url, unit_url
from registry.showcase.search import exact_requested, run_search, search_args

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """Home: search box, latest recognised entries, counts by kind, topics, recent awards."""
    return render_template("public/home.html", **showcase.home_overview(locale=current_language()))


@bp.get("/entries")
def browse():
    """Browse published entries with filters as shareable links."""
    filters = showcase.BrowseFilters.from_args(request.args)
    result = showcase.browse(filters, per_page=current_app.config["PER_PAGE"], locale=current_language())
    return render_template("public/browse.html", filters=filters, result=result)


@bp.get("/entries/<int:entry_id>")
@bp.get("/entries/<int:entry_id>/<slug>")
def entry(entry_id: int, slug: str | None = None):
    """An entry's page; any other slug redirects to the canonical URL."""
    item = showcase.entry_for_public(entry_id)
    if item is None:
        merged = merged_entry_target(entry_id)
        if merged is not None:
            return redirect(entry_url(merged, **request.args.to_dict()), code=301)
        abort(404)
    if slug != item.slug:
        return redirect(entry_url(item, **request.args.to_dict()), code=301)
    return render_template("public/entry.html", entry=item, related=showcase.related_entries(item))


@bp.get("/units")
def units():
    """The top of the unit tree, with how many entries each unit holds."""
    return render_template("public/units.html", children=showcase.unit_children_with_counts(None))


@bp.get("/units/<int:unit_id>")
@bp.get("/units/<int:unit_id>/<slug>")
def unit(unit_id: int, slug: str | None = None):
    """A unit's page: entries of the unit and its sub-units by year, a page at a time."""
    item = db.session.get(Unit, unit_id)
    if item is None:
        abort(404)
    if slug != item.slug:
        return redirect(unit_url(item, **request.args.to_dict()), code=301)
    page = request.args.get("page", 1, type=int)
    listing = showcase.unit_entries_by_year(item, page=page, per_page=2 * current_app.config["PER_PAGE"])
    return render_template(
        "public/unit.html", unit=item, groups=listing.groups, listing=listing,
        children=showcase.unit_children_with_counts(item),
    )


@bp.get("/topics")
def topics():
    """Every topic with its number of entries."""
    return render_template("public/topics.html", topics=showcase.topics_with_counts(current_language()))


@bp.get("/topics/<slug>")
def topic(slug: str):
    """A topic's page: its entries, filterable like the browse page."""
    item = db.session.scalar(sa.select(Topic).where(Topic.slug == slug))
    if item is None:
        abort(404)
    filters = showcase.BrowseFilters.from_args(request.args)
    filters = showcase.BrowseFilters(**{**filters.__dict__, "topic": slug})
    result = showcase.browse(filters, per_page=current_app.config["PER_PAGE"], locale=current_language())
    return render_template("public/topic.html", topic=item, filters=filters, result=result)


@bp.get("/about")
def about():
    """About the registry (Giới thiệu): the owning agency, contact, data licence and privacy notice."""
    return render_template("public/about.html", sections=about_sections(current_app.config, current_language()))


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root; pages name the SVG and PNG ones in <head>."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400)


@bp.get("/search")
def search():
    """Full-text search with facets, highlights and suggestions when nothing matches."""
    q, sort, filters = search_args(request.args)
    page = run_search(q, sort, filters, per_page=current_app.config["PER_PAGE"], locale=current_language(),
                      exact=exact_requested(request.args))
    return render_template("search/page.html", q=q, filters=filters, result=page)
