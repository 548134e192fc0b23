"""Scratch PostgreSQL databases for tests, made on the server named by REGISTRY_TEST_POSTGRES_URL.

Each one is created empty and dropped afterwards, so tests never touch the database in the
URL itself (which need not exist): the role connects to the server's `postgres` database and needs CREATEDB.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from typing import Iterator

import sqlalchemy as sa

ENV = "REGISTRY_TEST_POSTGRES_URL"
SKIP_REASON = f"needs a PostgreSQL server: set {ENV}, e.g. postgresql+psycopg://registry:…@127.0.0.1:5432/registry_test"


def server_url() -> str | None:
    """The URL of the test server's database, or None when PostgreSQL tests are to be skipped.

    When the whole suite runs on PostgreSQL (``DATABASE_URL``), that server serves here too.
    """
    from tests.support import databases

    if os.environ.get(ENV):
        return os.environ[ENV]
    if databases.SERVER_URL is not None:
        return databases.SERVER_URL.render_as_string(hide_password=False)
    return None


@contextmanager
def scratch_database(label: str) -> Iterator[str]:
    """Create an empty database named after the server's and ``label``; yield its URL; drop it."""
    url = server_url()
    if url is None:
        raise RuntimeError(SKIP_REASON)
    base = sa.engine.make_url(url)
    name = f"{base.database or 'registry_test'}_{label}_{os.getpid()}_{secrets.token_hex(3)}"[:63]
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
