"""Shared fixtures for the search tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from search import postgres
from search.postgres import PostgresSearchIndex
from search.whoosh.index import SearchIndex
from tests.support.pg_scratch import SKIP_REASON, scratch_database, server_url
from tests.support.search_relevance_data import ENTRIES, REPORTS


@pytest.fixture(scope="session")
def relevance_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """An index of the relevance collection, built once per test session."""
    idx = SearchIndex(tmp_path_factory.mktemp("relevance-index"))
    idx.rebuild(ENTRIES)
    yield idx
    idx.close()


@pytest.fixture
def empty_index(tmp_path: Path) -> Iterator[SearchIndex]:
    """A fresh empty index in a temporary directory."""
    idx = SearchIndex(tmp_path / "index")
    yield idx
    idx.close()


@contextmanager
def _postgres_index(label: str) -> Iterator[PostgresSearchIndex]:
    if server_url() is None:
        pytest.skip(SKIP_REASON)
    with scratch_database(label) as url:
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            postgres.create_schema(connection)
        try:
            yield PostgresSearchIndex(engine)
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def relevance_pg_index() -> Iterator[PostgresSearchIndex]:
    """The relevance collection in the PostgreSQL backend, in a scratch database for the session."""
    with _postgres_index("relevance") as idx:
        idx.rebuild(ENTRIES)
        yield idx


@pytest.fixture(scope="module")
def _pg_scratch_index() -> Iterator[PostgresSearchIndex]:
    with _postgres_index("search") as idx:
        yield idx


@pytest.fixture
def empty_pg_index(_pg_scratch_index: PostgresSearchIndex) -> Iterator[PostgresSearchIndex]:
    """The PostgreSQL backend with no documents (one scratch database per module, emptied per test)."""
    with _pg_scratch_index.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {', '.join(postgres.TABLES)}")
    _pg_scratch_index.forget_statistics()
    yield _pg_scratch_index


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the relevance score table in normal pytest output."""
    for report in REPORTS:
        terminalreporter.write_sep("=", "search relevance")
        terminalreporter.write_line(report)
