"""Count the SQL statements a piece of code sends, to catch queries that grow with the page (N+1)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from registry.extensions import db


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the text of every statement the app's engine executes inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(app: Flask, path: str, *, cold: bool = True) -> list[str]:
    """The statements one GET of ``path`` sends; ``cold`` empties the read-side and page caches first."""
    if cold:
        app.extensions["data_version_cache"].clear()
        if "page_cache" in app.extensions:
            app.extensions["page_cache"].clear()
    client = app.test_client()
    with counting_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return statements
