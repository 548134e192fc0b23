"""The API's limits as people read them, and the message of a 429 when the API's own budget is spent."""
from __future__ import annotations

from datetime import timedelta

from babel.lists import format_list
from flask import current_app
from flask_babel import format_decimal, format_timedelta, get_locale
from flask_babel import gettext as _
from limits import parse_many


def limits_text(setting: str) -> str:
    """Limits in Flask-Limiter notation ("10 per minute;100 per day") in words of the current language."""
    parts = [_("%(amount)s per %(window)s", amount=format_decimal(limit.amount),
               window=format_timedelta(timedelta(seconds=limit.get_expiry())))
             for limit in parse_many(setting)]
    return format_list(parts, locale=get_locale())


def too_many_requests() -> str:
    """What a client over the API's rate limit is told."""
    return _("Too many requests from your address: the API answers %(limits)s at most. Please wait a moment and "
             "try again.", limits=limits_text(current_app.config["API_RATE_LIMIT"]))
