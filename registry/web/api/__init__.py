"""The read-only JSON API under /api/v1/: open data for journalists and other sites."""
from flask import Blueprint, current_app, request

from registry.extensions import csrf, limiter
from registry.web.api.limits import too_many_requests

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
# Vietnamese stays readable in answers (UTF-8) instead of \u escapes.
bp.record_once(lambda state: setattr(state.app.json, "ensure_ascii", False))
# One generous budget per address for the whole API; preflight requests cost nothing.
limiter.limit(
    lambda: current_app.config["API_RATE_LIMIT"], exempt_when=lambda: request.method == "OPTIONS",
    error_message=too_many_requests,
)(bp)

from registry.web.api import catalogue, conditional, docs, entries, views  # noqa: E402,F401  (routes register on import)
from registry.web.api.downloads import download_rate_limit  # noqa: E402

download_rate_limit(bp)
