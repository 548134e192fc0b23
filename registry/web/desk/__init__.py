"""The working user's desk: what needs their action, by role."""
from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from registry.web.desk import views  # noqa: E402,F401  (routes register on import)
