"""Shared fixtures for the search tests."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from search.index import SearchIndex
from search_relevance_data import ENTRIES, REPORTS


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the relevance score table in normal pytest output."""
    for report in REPORTS:
        terminalreporter.write_sep("=", "search relevance")
        terminalreporter.write_line(report)
