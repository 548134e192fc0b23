"""The web layer: one blueprint package per audience, each only views and forms, all registered here."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every audience's blueprint: the public side, open data, then the working pages."""
    from registry.web import (
        admin,
        api,
        auth,
        consultation,
        council,
        desk,
        feeds,
        media,
        nominations,
        openweb,
        probes,
        public,
        stats,
    )

    for package in (public, media, api, feeds, openweb, stats, auth, desk, nominations, council, admin, consultation,
                    probes):
        app.register_blueprint(package.bp)
