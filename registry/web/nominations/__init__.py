"""The unit's side of a nomination: the dossier, its documents and photos, and the moves the unit makes."""
from flask import Blueprint

bp = Blueprint("nominations", __name__, url_prefix="/nominations")

from registry.web.nominations import views  # noqa: E402,F401  (routes register on import)
