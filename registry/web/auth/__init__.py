"""Signing in and out, the user's password, and their notices."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from registry.web.auth import views  # noqa: E402,F401  (routes register on import)
