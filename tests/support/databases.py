"""The databases the tests run on.

By default every test's app keeps SQLite in its own instance folder. When ``DATABASE_URL`` names a
PostgreSQL server as the suite starts (``.ci/run`` starts one on loopback and runs the suite a second
time so), every test gets a database of its own on that server instead: a copy of a template holding
the schema and the shipped catalogues, or an empty one for tests that build the schema themselves
(``@pytest.mark.empty_database``). Each is dropped when its test ends.
"""
from __future__ import annotations

import itertools
import os
import tempfile
import threading

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

_raw = os.environ.get("DATABASE_URL", "")
if _raw.startswith("postgres://"):
    _raw = "postgresql://" + _raw[len("postgres://"):]
SERVER_URL: URL | None = make_url(_raw) if _raw.startswith("postgresql") else None
if SERVER_URL is not None and SERVER_URL.drivername == "postgresql":
    SERVER_URL = SERVER_URL.set(drivername="postgresql+psycopg")

# Where tests that asked for no database point: connecting fails at once, naming it.
NO_DATABASE_URL = (SERVER_URL.set(database="no_database_for_this_test").render_as_string(hide_password=False)
                   if SERVER_URL is not None else "")

_counter = itertools.count(1)
_lock = threading.Lock()
_template: str | None = None
_admin: sa.Engine | None = None


def on_postgres() -> bool:
    """Whether this run of the suite is on PostgreSQL."""
    return SERVER_URL is not None


def _prefix() -> str:
    base = (SERVER_URL.database if SERVER_URL is not None else None) or "registry_test"
    return f"{base}_{os.getpid()}"


def _admin_engine() -> sa.Engine:
    """A connection to the server's maintenance database, outside any transaction."""
    global _admin
    if _admin is None:
        assert SERVER_URL is not None
        _admin = sa.create_engine(SERVER_URL.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                  poolclass=sa.pool.NullPool)
    return _admin


def _url(name: str) -> str:
    assert SERVER_URL is not None
    return SERVER_URL.set(database=name).render_as_string(hide_password=False)


def _build_template(name: str) -> None:
    """Create the schema and load the catalogues into ``name``, through the app as tests do."""
    from registry import create_app
    from registry.catalog.seed import catalogues_load
    from registry.extensions import db
    from registry.showcase.search_index import close_indexes

    saved = {key: os.environ.get(key) for key in ("DATABASE_URL", "REGISTRY_INSTANCE_PATH")}
    with tempfile.TemporaryDirectory() as instance:
        os.environ["DATABASE_URL"] = _url(name)
        os.environ["REGISTRY_INSTANCE_PATH"] = instance
        try:
            app = create_app({"TESTING": True})
            with app.app_context():
                db.create_all()
                catalogues_load()
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
            close_indexes()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def create_database(*, empty: bool = False) -> str:
    """A new database on the server: a copy of the template, or empty. Returns its URL."""
    global _template
    with _lock:
        engine = _admin_engine()
        if not empty and _template is None:
            template = f"{_prefix()}_template"
            with engine.connect() as con:
                con.execute(sa.text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                con.execute(sa.text(f'CREATE DATABASE "{template}"'))
            _build_template(template)
            _template = template
        name = f"{_prefix()}_{next(_counter)}"
        clause = "" if empty else f' TEMPLATE "{_template}"'
        with engine.connect() as con:
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            con.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
    return _url(name)


def use_new_database(mp, *, empty: bool = False) -> str | None:
    """Point ``DATABASE_URL`` (through the monkeypatch ``mp``) at a new database; SQLite needs none."""
    if not on_postgres():
        mp.delenv("DATABASE_URL", raising=False)
        return None
    url = create_database(empty=empty)
    mp.setenv("DATABASE_URL", url)
    return url


def clone_database(url: str) -> str:
    """A copy of the database at ``url`` (nobody may be connected to it), as a new database."""
    name = f"{_prefix()}_{next(_counter)}"
    with _lock, _admin_engine().connect() as con:
        con.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'))
    return _url(name)


def drop_database(url: str | None) -> None:
    """Drop a database made here, whoever is still connected; nothing to do on SQLite."""
    if url is None:
        return
    name = make_url(url).database
    with _admin_engine().connect() as con:
        con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def drop_template() -> None:
    """Drop the template at the end of the run."""
    global _template, _admin
    if _template is not None:
        with _admin_engine().connect() as con:
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{_template}" WITH (FORCE)'))
        _template = None
    if _admin is not None:
        _admin.dispose()
        _admin = None
