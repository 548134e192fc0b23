"""The public statistics page, its CSV files and the yearly report."""
from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/statistics")

from registry.web.stats import views  # noqa: E402,F401  (routes register on import)
