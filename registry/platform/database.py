"""Database engine set-up: SQLite pragmas and schema creation or upgrade."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a writer commits; foreign keys are off by default in SQLite; deleted rows
    # are overwritten with zeros rather than left in free space, where a copy of the file would still hold
    # them (secret ballots, personal data taken out of a dossier).
    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def load_models() -> None:
    """Import every concern's models, so that relationships from one concern to another resolve."""
    import registry.accounts.login_audit  # noqa: F401
    import registry.accounts.models  # noqa: F401
    import registry.accounts.sign_ins  # noqa: F401
    import registry.catalog.models  # noqa: F401
    import registry.entries.models  # noqa: F401
    import registry.platform.models  # noqa: F401
    import registry.showcase.models  # noqa: F401
    import registry.workflow.models  # noqa: F401


def session_hooks_install(*tables: tuple[tuple[str, Callable], ...]) -> None:
    """Hang every concern's hooks on the app's session, in the order given (once per process)."""
    from flask_sqlalchemy.session import Session as AppSession

    for table in tables:
        for name, fn in table:
            if not event.contains(AppSession, name, fn):
                event.listen(AppSession, name, fn)


def init_app(app: Flask) -> None:
    """Load every model and install engine hooks for the app's database."""
    load_models()
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def upgrade_schema() -> None:
    """Create or upgrade the schema to the latest migration (idempotent), then refresh planner statistics."""
    from flask_migrate import upgrade

    upgrade()
    refresh_statistics()


def refresh_statistics() -> None:
    """Let SQLite's query planner see how large each table and index has grown (a no-op elsewhere).

    Without statistics SQLite guesses, and at a hundred thousand entries a wrong guess between the
    entry indexes costs a hundred times more; PostgreSQL's autovacuum keeps its own statistics.
    """
    from registry.extensions import db

    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the PostgreSQL search tables out of schema comparisons (search/postgres/schema.py
    owns them, not the models)."""
    from search.postgres import TABLES

    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", None) not in TABLES
