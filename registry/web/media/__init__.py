"""Photo files, served by content hash with long-lived cache headers."""
from flask import Blueprint

bp = Blueprint("media", __name__, url_prefix="/media")

from registry.web.media import views  # noqa: E402,F401  (routes register on import)
