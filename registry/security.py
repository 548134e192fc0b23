"""Security headers on every answer, and the password policy (OWASP ASVS level 2 as the yardstick)."""
from __future__ import annotations

from functools import cache
from importlib import resources

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


# --- passwords ----------------------------------------------------------------------------------

@cache
def common_passwords() -> frozenset[str]:
    """A short list of passwords everyone tries first (English and Vietnamese habits)."""
    text = resources.files("registry").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _character_classes(password: str) -> int:
    classes = set()
    for ch in password:
        if ch.isdigit():
            classes.add("digit")
        elif ch.isalpha():
            classes.add("upper" if ch.isupper() else "lower")
        else:
            classes.add("other")
    return len(classes)


def password_policy_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say what is wrong with a new password under the policy, or None when it is acceptable."""
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return str(_l("The password must have at least %(min)d characters.", min=minimum))
    if password.strip() == "" or len(set(password)) < 4 or _character_classes(password) < 2:
        return str(_l("The password is too simple: mix letters with digits, spaces or other signs."))
    folded = password.lower()
    if folded in common_passwords() or folded.rstrip("0123456789!.@#") in common_passwords():
        return str(_l("This password is among the most common ones. Please choose another."))
    local = (email or "").strip().lower().partition("@")[0]
    hints = [local] + [part for part in (name or "").lower().split() if len(part) >= 4]
    if any(len(hint) >= 3 and hint in folded for hint in hints):
        return str(_l("The password must not contain your e-mail name or your name."))
    return None


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
