"""Apps made by tests: letting one go at the end, so no connection or index stays open."""
from __future__ import annotations

from flask import Flask

from registry.extensions import db
from registry.showcase.search_index import close_indexes


def app_release(app: Flask) -> None:
    """Close the app's sessions and connections, and every search index the process holds."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_indexes()
