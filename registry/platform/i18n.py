"""Locale choice: ?lang= on any page switches language and the choice persists in a cookie."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask.wrappers import Response
from flask_babel import get_locale, get_translations

LANG_COOKIE = "lang"


def select_locale() -> str:
    """Pick the locale from ?lang=, then the language cookie, then the default (Vietnamese)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _persist_choice(response: Response) -> Response:
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    # Pages differ by language cookie, so shared caches must key on it.
    response.vary.add("Cookie")
    return response


def current_language() -> str:
    """Return the language code of the current request ("vi" or "en")."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _forms_speak_our_catalog() -> None:
    # Flask-WTF looks up WTForms' built-in messages ("This field is required.") in WTForms' own catalogs,
    # which have no Vietnamese; it keeps the translations it found on the request, so handing it ours first
    # makes every built-in message go through our catalog (registry/platform/form_messages.py lists them).
    request.wtforms_translations = get_translations()


def init_app(app: Flask) -> None:
    """Register the hooks that translate form messages and remember an explicit language choice."""
    app.config.setdefault("WTF_I18N_ENABLED", True)
    app.before_request(_forms_speak_our_catalog)
    app.after_request(_persist_choice)
