"""Friendly error pages in the visitor's language; JSON errors under /api/."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _render_error)
    app.register_error_handler(500, _render_server_error)
