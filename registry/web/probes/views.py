"""Views of the probes: liveness touches nothing; readiness reads the database and the search index."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, jsonify

from registry.extensions import db, limiter

bp = Blueprint("health", __name__)

log = logging.getLogger(__name__)

@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness: the process answers; touches neither the database nor the index."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def _check_database() -> dict:
    db.session.execute(sa.text("SELECT 1"))
    return {"ok": True}


def _check_search_index() -> dict:
    from registry.showcase.search_index import SearchIndexBehind, search_backend, search_index
    from search.contract import IndexNotReady

    index = search_index()
    documents = index.count()
    try:
        index.verify()  # after count(), which opened the index as it is now
    except IndexNotReady as exc:
        check = {"ok": False, "backend": search_backend(), "error": type(exc).__name__}
        if isinstance(exc, SearchIndexBehind):
            check |= {"documents": exc.documents, "published": exc.published, "pending": exc.pending}
        return check
    return {"ok": True, "backend": search_backend(), "documents": documents}


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Readiness: the database answers and the search index opens and is in step; 503 with the failing part
    otherwise."""
    checks: dict[str, dict] = {}
    for name, check in (("database", _check_database), ("search_index", _check_search_index)):
        try:
            checks[name] = check()
        except Exception as exc:  # a probe reports every failure instead of failing itself
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            checks[name] = {"ok": False, "error": type(exc).__name__}
            if name == "database":
                db.session.rollback()
    ready = all(c["ok"] for c in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
