"""Probes for the process manager and the load balancer: /healthz (alive) and /readyz (can serve)."""
from flask import Blueprint

bp = Blueprint("health", __name__)

from registry.web.probes import views  # noqa: E402,F401  (routes register on import)
