"""The registry: exemplary people, collectives and model initiatives of Vietnamese localities."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application."""
    instance_path = os.environ.get("REGISTRY_INSTANCE_PATH") or None
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
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
    from registry.extensions import babel, cors, csrf, db, limiter, migrate
    from registry.platform import data_version, database, i18n, staging
    from registry.showcase import search_index as indexing

    db.init_app(app)
    database.init_app(app)
    staging.init_app(app)
    indexing.init_app(app)
    data_version.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    csrf.init_app(app)
    from registry.accounts import operations as accounts
    from registry.platform import proxies
    from registry.workflow import actions as workflow
    from registry.workflow import ballot_box, documents, kept_forms, notices

    proxies.init_app(app)
    limiter.init_app(app)
    # Open data is read-only, so any site may read it; nothing else is shared.
    cors.init_app(app, resources={r"/api/*": {"origins": "*"}}, send_wildcard=True, methods=["GET", "HEAD", "OPTIONS"],
                  expose_headers=["ETag", "Last-Modified", "Link", "Retry-After", "X-RateLimit-Limit",
                                  "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Total-Count"],
                  max_age=86400)
    accounts.init_app(app)
    kept_forms.init_app(app)
    notices.init_app(app)
    documents.init_app(app)
    workflow.init_app(app)
    ballot_box.init_app(app)
    from registry.accounts import login_audit
    from registry.platform import request_log, security

    request_log.init_app(app)
    security.init_app(app)
    login_audit.init_app(app)


def register_blueprints(app: Flask) -> None:
    from registry.web.api import bp as api_bp
    from registry.web.feeds import bp as feeds_bp
    from registry.web.media import bp as media_bp
    from registry.web.openweb import bp as openweb_bp
    from registry.web.public import bp as public_bp
    from registry.web.stats import bp as stats_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(openweb_bp)
    app.register_blueprint(stats_bp)
    from registry.web.admin import bp as admin_bp
    from registry.web.auth import bp as auth_bp
    from registry.web.consultation.views import bp as consultation_bp
    from registry.web.council import bp as council_bp
    from registry.web.desk import bp as desk_bp
    from registry.web.nominations import bp as nominations_bp

    for blueprint in (auth_bp, desk_bp, nominations_bp, council_bp, admin_bp, consultation_bp):
        app.register_blueprint(blueprint)
    from registry.platform import health

    health.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from registry.web import errors

    errors.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from registry.platform import templating
    from registry.showcase import page_meta

    templating.init_app(app)
    page_meta.init_app(app)
    from registry.workflow import templating as workflow_templating

    workflow_templating.init_app(app)


def register_commands(app: Flask) -> None:
    from registry import cli

    cli.init_app(app)
