"""One JSON line per request (method, path, status, timing, request id, user), and a request id on every answer.

The path is logged without its query string: a search or a form's GET may carry words a citizen typed.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.signals import got_request_exception
from werkzeug.local import LocalProxy

log = logging.getLogger("registry.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept when it looks like an id, never when it could smuggle text into a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


class JsonLineFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Add the current request id to the app's records; drop Flask's copy of an error already logged as JSON."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Exception on "):
            return False
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id") \
                and isinstance(record.msg, str):
            record.request_id = g.request_id
            record.msg = f"{record.msg} [request id {g.request_id}]"
        return True


class _StderrHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is at the time (a test runner may swap it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def request_id() -> str | None:
    """The id of the request being handled (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def _incoming_id() -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _start() -> None:
    g.request_id = _incoming_id()
    g.request_started = time.perf_counter()


def _user_id() -> int | None:
    # Only a user already loaded for this request: logging must not cost a query.
    user = g.get("_login_user")
    if isinstance(user, LocalProxy):  # login_user(current_user) stores the proxy itself
        return None
    return getattr(user, "id", None) if user is not None and getattr(user, "is_authenticated", False) else None


def _finish(response):
    rid = g.get("request_id") or _incoming_id()
    response.headers[REQUEST_ID_HEADER] = rid
    started = g.get("request_started")
    fields = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "request_id": rid,
    }
    if (uid := _user_id()) is not None:
        fields["user_id"] = uid
    log.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": fields})
    return response


def log_request_error(exception: BaseException, what: str = "unhandled") -> None:
    """Log an error of the current request as a JSON line carrying its request id and traceback."""
    log.error("%s %s on %s %s", what, type(exception).__name__, request.method, request.path,
              exc_info=(type(exception), exception, exception.__traceback__),
              extra={"fields": {"method": request.method, "path": request.path, "request_id": request_id()}})


def _log_exception(sender: Flask, exception: BaseException, **_extra) -> None:
    log_request_error(exception)


def init_app(app: Flask) -> None:
    """Give every request an id, log each as a JSON line, and tag error logs with the request id."""
    app.before_request(_start)
    app.after_request(_finish)
    got_request_exception.connect(_log_exception, app, weak=False)
    # On the app's logger and on Flask's handler, which also prints what the app's modules log.
    from flask.logging import default_handler

    for target in (app.logger, default_handler):
        if not any(isinstance(f, RequestIdFilter) for f in target.filters):
            target.addFilter(RequestIdFilter())
    log.setLevel(logging.INFO)
    if app.config.get("REQUEST_LOG") and not any(getattr(h, "_registry", False) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(JsonLineFormatter())
        handler._registry = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    # The lines are complete JSON; the app logger's plain-text handler must not print them again.
    log.propagate = False
