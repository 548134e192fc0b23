"""The public showcase that citizens see: home, browse, entries, units and topics."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from registry.web.public import views  # noqa: E402,F401  (routes register on import)
