"""The registry: exemplary people, collectives and model initiatives of Vietnamese localities."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _site_folder(name: str) -> str:
    # In a checkout (or an editable install) templates and static files sit beside the package;
    # an installed wheel carries them inside it (see setup.py).
    checkout = ROOT / name
    return str(checkout if checkout.is_dir() else Path(__file__).resolve().parent / "site" / name)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application."""
    instance_path = os.environ.get("REGISTRY_INSTANCE_PATH") or None
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=_site_folder("templates"),
        static_folder=_site_folder("static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from registry.config import build_config

    app.config.from_mapping(build_config(Path(app.instance_path)))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    from registry.platform import page_cache

    # Last: its hooks must wrap every other one.
    page_cache.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    from registry.accounts import notices
    from registry.accounts import operations as accounts
    from registry.entries import photo_store
    from registry.extensions import babel, cors, csrf, db, limiter, migrate
    from registry.platform import data_version, database, i18n, proxies, request_log, security, staging
    from registry.showcase import search_index
    from registry.workflow import actions, ballot_box, documents, kept_forms
    from registry.workflow import notices as workflow_notices  # noqa: F401 (adds the workflow's notice texts)

    db.init_app(app)
    database.init_app(app)
    staging.init_app(app)
    search_index.init_app(app)
    data_version.init_app(app)
    # Every hook on the app's session, in the order they run: the index outbox, the data version, e-mails,
    # dossier files, the audit trail's guard, and last the scrubbing after a secret vote is closed.
    database.session_hooks_install(search_index.SESSION_HOOKS, data_version.SESSION_HOOKS, notices.SESSION_HOOKS,
                                   documents.SESSION_HOOKS, photo_store.SESSION_HOOKS, actions.SESSION_HOOKS,
                                   ballot_box.SESSION_HOOKS)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    csrf.init_app(app)
    proxies.init_app(app)
    limiter.init_app(app)
    # Open data is read-only, so any site may read it; nothing else is shared.
    cors.init_app(app, resources={r"/api/*": {"origins": "*"}}, send_wildcard=True, methods=["GET", "HEAD", "OPTIONS"],
                  expose_headers=["ETag", "Last-Modified", "Link", "Retry-After", "X-RateLimit-Limit",
                                  "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Total-Count"],
                  max_age=86400)
    accounts.init_app(app)
    kept_forms.init_app(app)
    request_log.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from registry import web

    web.register_blueprints(app)


def register_errorhandlers(app: Flask) -> None:
    from registry.web import errors

    errors.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from registry.web import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    from registry import cli

    cli.init_app(app)
