"""For search engines and link previews: the sitemap and robots.txt."""
from flask import Blueprint

bp = Blueprint("openweb", __name__)

from registry.web.openweb import views  # noqa: E402,F401  (routes register on import)
