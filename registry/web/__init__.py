"""The web layer: one blueprint package per audience, each only views and forms, all registered here."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every audience's blueprint: the public side, open data, then the working pages."""
    import registry.web.api  # noqa: F401  (its other modules add routes to the API's blueprint)
    from registry.web.admin import views as admin
    from registry.web.api import views as api
    from registry.web.auth import views as auth
    from registry.web.consultation import views as consultation
    from registry.web.council import views as council
    from registry.web.desk import views as desk
    from registry.web.entries import views as entries
    from registry.web.feeds import views as feeds
    from registry.web.media import views as media
    from registry.web.nominations import views as nominations
    from registry.web.openweb import views as openweb
    from registry.web.pickers import views as pickers
    from registry.web.probes import views as probes
    from registry.web.public import views as public
    from registry.web.stats import views as stats
    from registry.web.verification import views as verification

    for package in (public, media, api, feeds, openweb, stats, auth, desk, entries, nominations, council, admin,
                    consultation, probes, pickers, verification):
        app.register_blueprint(package.bp)

    from registry.web import kept_forms

    # A form of the working side sent after the session ended is kept and comes back after signing in.
    kept_forms.init_app(app)
