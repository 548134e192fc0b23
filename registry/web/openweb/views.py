"""Sitemap (an index of numbered parts past 50,000 addresses) and robots.txt."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from registry.showcase.links import topic_url, unit_url
from registry.showcase.opendata import data_last_modified, sitemap_items

bp = Blueprint("openweb", __name__)

# Areas that are not public now or later: never to be crawled.
PRIVATE_AREAS = ("/nominations", "/council", "/admin", "/account")


@dataclass
class SitemapUrl:
    loc: str
    lastmod: datetime | None


def _all_urls() -> list[SitemapUrl]:
    entries, units, topics = sitemap_items()
    newest = data_last_modified()
    urls = [SitemapUrl(url_for(endpoint, _external=True), newest)
            for endpoint in ("public.home", "public.browse", "public.units", "public.topics", "stats.index")]
    urls += [SitemapUrl(url_for("public.entry", entry_id=i, slug=slug, _external=True), stamp) for i, slug, stamp in entries]
    urls += [SitemapUrl(unit_url(unit, _external=True), stamp) for unit, stamp in units]
    urls += [SitemapUrl(topic_url(topic, _external=True), stamp) for topic, stamp in topics]
    return urls


def _xml(template: str, **context) -> Response:
    response = Response(render_template(template, **context), mimetype="application/xml")
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page worth indexing with its last change, or an index of parts when there are too many."""
    urls = _all_urls()
    size = current_app.config["SITEMAP_MAX_URLS"]
    if len(urls) <= size:
        return _xml("openweb/sitemap.xml", urls=urls)
    parts = [url_for("openweb.sitemap_part", number=n, _external=True) for n in range(1, ceil(len(urls) / size) + 1)]
    return _xml("openweb/sitemap_index.xml", parts=parts, lastmod=data_last_modified())


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    """One numbered part of a large sitemap."""
    urls = _all_urls()
    size = current_app.config["SITEMAP_MAX_URLS"]
    chunk = urls[(number - 1) * size:number * size] if number >= 1 else []
    if not chunk or len(urls) <= size:
        abort(404)
    return _xml("openweb/sitemap.xml", urls=chunk)


@bp.get("/robots.txt")
def robots():
    """Let crawlers read the showcase, not the API's downloads or private areas; point them to the sitemap."""
    lines = ["User-agent: *", "Allow: /", f"Allow: {url_for('api.docs')}", "Disallow: /api/"]
    lines += [f"Disallow: {area}" for area in PRIVATE_AREAS]
    lines += ["", f"Sitemap: {url_for('openweb.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")
