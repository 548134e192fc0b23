"""Known devices: a signed cookie, set when someone signs in, that lets them past throttles aimed at others."""
from __future__ import annotations

import secrets

from flask import after_this_request, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "known_device"
# The accounts remembered in one browser (a shared office computer), the most recent kept.
MAX_ACCOUNTS = 10


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="registry-known-device")


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400)
    except BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not isinstance(data.get("u"), list):
        return None
    return data


def known_device(user_id: int | None) -> str | None:
    """This browser's device id if the account ``user_id`` has signed in from it before, else None."""
    data = _read()
    if user_id is None or data is None or user_id not in data["u"]:
        return None
    return data["d"]


def remember_device(user_id: int) -> None:
    """Mark this browser, in the answer, as one the user has signed in from (renewing the mark's age)."""
    data = _read() or {"d": secrets.token_hex(8), "u": []}
    accounts = [u for u in data["u"] if u != user_id][-(MAX_ACCOUNTS - 1):] + [user_id]
    value = _serializer().dumps({"d": data["d"], "u": accounts})
    config, path = current_app.config, url_for("auth.login")

    @after_this_request
    def _set_cookie(response):
        # Sent to the sign-in form only: no other page needs it, and it opens nothing but the throttle.
        response.set_cookie(COOKIE, value, max_age=config["LOGIN_DEVICE_DAYS"] * 86400, path=path,
                            secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
        return response
