"""The council's side: a round's pipeline, sessions and minutes, review notes, votes, decisions."""
from flask import Blueprint

bp = Blueprint("council", __name__, url_prefix="/council")

from registry.web.council import views  # noqa: E402,F401  (routes register on import)
