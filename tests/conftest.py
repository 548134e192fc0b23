"""The suite's hooks: markers, the database line of the report, PostgreSQL skips; fixtures come from tests.support."""
from __future__ import annotations

import pytest

from tests.support import databases

pytest_plugins = ["tests.support.fixtures"]


def pytest_configure(config):
    config.addinivalue_line("markers", "empty_database: on PostgreSQL, start from an empty database "
                            "(the test builds the schema itself), as a new instance folder does on SQLite")
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite itself")
    config.addinivalue_line("markers", "database: on PostgreSQL, give this test a database of its own although "
                            "it uses no app fixture (it makes its app itself)")
    config.addinivalue_line("markers", "packaging: builds the package and installs it in a fresh virtual "
                            "environment (part of the normal suite; about half a minute)")
    config.addinivalue_line("markers", "whoosh: the test is about the embedded Whoosh index, so it keeps that "
                            "backend on PostgreSQL too (SEARCH_BACKEND=whoosh)")


def pytest_report_header(config):
    if databases.on_postgres():
        return f"database: PostgreSQL at {databases.SERVER_URL.render_as_string(hide_password=True)}"
    return "database: SQLite in each test's instance folder"


def pytest_collection_modifyitems(config, items):
    if not databases.on_postgres():
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=marker.args[0] if marker.args else "about SQLite"))


def pytest_sessionfinish(session, exitstatus):
    if databases.on_postgres():
        databases.drop_template()
