"""Database engine set-up: SQLite pragmas and schema creation or upgrade."""
from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a writer commits; foreign keys are off by default in SQLite.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def init_app(app: Flask) -> None:
    """Install engine hooks for the app's database."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def upgrade_schema() -> None:
    """Create or upgrade the schema to the latest migration (idempotent)."""
    from flask_migrate import upgrade

    upgrade()
