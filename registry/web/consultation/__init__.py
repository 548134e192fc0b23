"""Public consultation: the proposed list, each proposal's public facts, and a comment form."""
from flask import Blueprint

bp = Blueprint("consultation", __name__, url_prefix="/consultation")

from registry.web.consultation import views  # noqa: E402,F401  (routes register on import)
