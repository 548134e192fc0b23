"""The API described: an OpenAPI 3 document built from the routes, and a page for people."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse as parse_limit

from registry.web.api.downloads import export_limit
from registry.web.api.limits import limits_text
from registry.web.api.spec import api_routes, documented, openapi_document
from registry.web.api.views import bp


def rate_limit_text() -> str:
    """The API's rate limit in words of the current language ("600 requests per 1 minute")."""
    limit = parse_limit(current_app.config["API_RATE_LIMIT"])
    return _("%(amount)s requests per %(window)s", amount=format_decimal(limit.amount),
             window=format_timedelta(timedelta(seconds=limit.get_expiry())))


@bp.get("/")
@documented(summary=_l("Where to start"), description=_l("Sends you to the API page."), example="/api/v1/", tag="about")
def index():
    """The API's address leads to its page."""
    return redirect(url_for("api.docs"))


@bp.get("/openapi.json")
@documented(
    summary=_l("OpenAPI document"), description=_l("This API described in OpenAPI 3, built from the code."),
    example="/api/v1/openapi.json", tag="about",
)
def openapi():
    """The OpenAPI 3 document of the API."""
    return jsonify(openapi_document(server_url=request.url_root.rstrip("/")))


@bp.get("/docs")
@documented(
    summary=_l("API page"), description=_l("This page: every endpoint with its parameters and an example."),
    example="/api/v1/docs", tag="about",
)
def docs():
    """The API explained for people: endpoints, parameters, examples, rules."""
    return render_template(
        "api/docs.html", routes=api_routes(), export_limit=export_limit(),
        rate_limit=rate_limit_text(), download_limits=limits_text(current_app.config["EXPORT_RATE_LIMIT"]),
        root=request.url_root.rstrip("/"),
    )
