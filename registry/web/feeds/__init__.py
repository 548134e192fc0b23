"""Atom feeds of newly published entries and awards: overall, per unit, per topic, per search."""
from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from registry.web.feeds import views  # noqa: E402,F401  (routes register on import)
