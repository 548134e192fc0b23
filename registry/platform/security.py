"""Security headers on every answer, ids in URLs that the database can hold, and no NUL characters in requests."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# No inline script or style anywhere; JSON-LD blocks are data, which script-src does not govern.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
])


PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
))


STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _add_headers(response):
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    # HSTS only over TLS (behind a proxy, ProxyFix turns X-Forwarded-Proto into request.is_secure).
    if request.is_secure and (max_age := current_app.config.get("HSTS_MAX_AGE")):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(max_age)}; includeSubDomains")
    return response


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in URLs: a number too large for a database id is a 404, not a failing query."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002  (Werkzeug's name)
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


class ForbiddenCharacter(BadRequest):
    """A request holding U+0000; its description is written for the visitor and shown to them."""

    description = _l("The address or the form holds a character that is not allowed (NUL). "
                     "Please retype it and try again.")
    for_the_visitor = True


def _refuse_nul_characters():
    """No text the app keeps or looks up may hold U+0000: PostgreSQL refuses it, and no person types it."""
    values = [request.path, *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        raise ForbiddenCharacter()


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    """Add the security headers to every response; bound the numbers URLs may carry."""
    app.after_request(_add_headers)
    # Before the blueprints add their rules, so every <int:…> uses it.
    app.url_map.converters["int"] = DatabaseIdConverter
