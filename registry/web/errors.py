"""Friendly error pages in the visitor's language; JSON errors under /api/."""
from __future__ import annotations

import errno

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException

# Errors of the disk rather than of the code: the request is refused with 503 and nothing half-written.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO}
STORAGE_DB_MESSAGES = ("readonly database", "database or disk is full", "disk i/o error", "unable to open database")
# PostgreSQL's: a read-only transaction (a standby, or default_transaction_read_only), a full disk, an I/O error.
STORAGE_SQLSTATES = {"25006", "53100", "58030"}

API_PREFIX = "/api/"


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(code: int, message: str):
    """Return the API's error body, ``{"error": {"code": ..., "message": ...}}``, with its status."""
    return jsonify({"error": {"code": code, "message": message}}), code


def _render_error(error: HTTPException):
    if _wants_json():
        response = error.get_response()
        body, code = json_error(error.code or 500, str(error.description or error.name))
        # Keep headers the exception carries (Allow on 405, Retry-After on 429).
        for name in ("Allow", "Retry-After"):
            if name in response.headers:
                body.headers[name] = response.headers[name]
        return body, code
    return render_template("errors/error.html", error=error), error.code


def _render_server_error(_error: Exception):
    if _wants_json():
        return json_error(500, "The server failed to answer this request.")
    return render_template("errors/500.html"), 500


def _render_search_unavailable(_error: Exception):
    if _wants_json():
        body, code = json_error(503, _("Search is temporarily unavailable. Please try again later."))
    else:
        body, code = render_template("errors/search_unavailable.html"), 503
    return body, code, {"Retry-After": "120"}


def is_storage_error(error: BaseException) -> bool:
    """Whether the error comes from a full, read-only or failing disk (or database file)."""
    if isinstance(error, OSError):
        return error.errno in STORAGE_ERRNOS
    if isinstance(error, DBAPIError):
        return (getattr(error.orig, "sqlstate", None) in STORAGE_SQLSTATES
                or any(m in str(error.orig).lower() for m in STORAGE_DB_MESSAGES))
    return False


def storage_error_response(error: Exception):
    """503 "nothing was saved" for an error of the disk or database; any other error is raised again."""
    # Flask hands an exception raised inside an error handler to no other handler (it becomes a 500), so
    # error handlers that write call this themselves.
    if not is_storage_error(error):
        raise error  # a fault of the code: the usual 500, logged with its request id
    from registry.extensions import db
    from registry.platform.request_log import log_request_error

    db.session.rollback()
    log_request_error(error, "storage unavailable:")
    message = _("The server cannot save anything right now (its disk is full or read-only). Nothing was saved; "
                "please try again later.")
    if _wants_json():
        body, code = json_error(503, message)
    else:
        body, code = render_template("errors/storage.html", message=message), 503
    return body, code, {"Retry-After": "300"}


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _render_error)
    app.register_error_handler(500, _render_server_error)
    from registry.showcase.search import SearchUnavailable

    app.register_error_handler(SearchUnavailable, _render_search_unavailable)
    for storage_error in (OSError, OperationalError, InternalError):
        app.register_error_handler(storage_error, storage_error_response)
