"""Feed views: pick the entries or awards, build the Atom document, answer conditionally."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import gettext as _

from registry.catalog.models import Topic, Unit
from registry.extensions import db
from registry.platform.i18n import current_language
from registry.showcase.filters import BrowseFilters
from registry.showcase.links import topic_url, unit_url
from registry.showcase.opendata import entries_by_ids, recent_awards, recent_entries
from registry.showcase.search import search_args, search_entry_ids
from registry.web.feeds.atom import awards_atom, entries_atom

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

ATOM = "application/atom+xml; charset=utf-8"


def _size() -> int:
    return current_app.config["FEED_SIZE"]


def _answer(document: bytes) -> Response:
    response = Response(document, mimetype=ATOM)
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.get("/entries.atom")
def entries():
    """Newly published entries."""
    return _answer(entries_atom(
        recent_entries(BrowseFilters(), limit=_size()), title=_("New entries"),
        feed_url=request.url, page_url=url_for("public.browse", _external=True), language=current_language(),
    ))


@bp.get("/awards.atom")
def awards():
    """Newly recorded awards, revoked ones marked."""
    return _answer(awards_atom(
        recent_awards(limit=_size()), title=_("New awards"),
        feed_url=request.url, page_url=url_for("public.home", _external=True), language=current_language(),
    ))


@bp.get("/units/<int:unit_id>.atom")
def unit(unit_id: int):
    """New entries of a unit and its sub-units."""
    item = db.session.get(Unit, unit_id)
    if item is None:
        abort(404)
    return _answer(entries_atom(
        recent_entries(BrowseFilters(unit=item.id), limit=_size()), title=_("New entries: %(name)s", name=item.name),
        feed_url=request.url, page_url=unit_url(item, _external=True), language=current_language(),
    ))


@bp.get("/topics/<slug>.atom")
def topic(slug: str):
    """New entries under a topic."""
    item = db.session.scalar(sa.select(Topic).where(Topic.slug == slug))
    if item is None:
        abort(404)
    language = current_language()
    return _answer(entries_atom(
        recent_entries(BrowseFilters(topic=item.slug), limit=_size()),
        title=_("New entries: %(name)s", name=item.display_name(language)),
        feed_url=request.url, page_url=topic_url(item, _external=True), language=language,
    ))


@bp.get("/search.atom")
def search():
    """New entries matching a search and its filters, newest first."""
    q, _sort, filters = search_args(request.args)
    _total, ids = search_entry_ids(q, "newest", filters, limit=_size())
    args = request.args.to_dict()
    return _answer(entries_atom(
        entries_by_ids(ids), title=_("New entries: %(q)s", q=q) if q else _("New entries"),
        feed_url=request.url, page_url=url_for("public.search", **args, _external=True), language=current_language(),
    ))
