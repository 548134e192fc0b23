"""Administration: users and roles, councils, award rounds, holidays."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from registry.web.admin import views  # noqa: E402,F401  (routes register on import)
