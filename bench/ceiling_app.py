"""The framework's ceiling: a bare Flask app rendering a saved showcase page through Jinja, no database.

    CEILING_HTML=/tmp/home.html gunicorn -w 2 --threads 4 'bench.ceiling_app:create_app()'

load_bench.py saves the registry's home page and serves it through this app under the same gunicorn
settings, so each showcase page's throughput can be read as a share of what Flask, Jinja and gunicorn
alone reach on this machine for a page of the same size. The page is split at its tags and written
out by a Jinja loop with autoescaping, so the template does per-request work of the page's shape.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask, render_template_string
from markupsafe import Markup

TEMPLATE = "{% for tag, text in parts %}{{ tag }}{{ text }}{% endfor %}"


def create_app() -> Flask:
    """An app with one page: the saved HTML, tags kept as markup and text escaped again as it is written."""
    html = Path(os.environ["CEILING_HTML"]).read_text(encoding="utf-8")
    parts = [(Markup(tag), Markup(text).unescape()) for tag, text in re.findall(r"(<[^>]*>)([^<]*)", html)]
    app = Flask(__name__)

    @app.get("/")
    def page():
        return render_template_string(TEMPLATE, parts=parts)

    return app
