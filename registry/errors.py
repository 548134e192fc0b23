"""Friendly error pages in the visitor's language."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


def _render_error(error: HTTPException):
    return render_template("errors/error.html", error=error), error.code


def _render_server_error(_error: Exception):
    return render_template("errors/500.html"), 500


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _render_error)
    app.register_error_handler(500, _render_server_error)
