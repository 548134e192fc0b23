"""Fixtures of the operations tests: the workflow's app and world, and the request log as parsed JSON lines."""
from __future__ import annotations

import json
import logging

import pytest

from registry.platform.request_log import JsonLineFormatter
from tests.workflow.conftest import app, world  # noqa: F401  (the same cheap-hashing app and small world)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLineFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    """Every line the app logs while the test runs (request log and everything else), as text."""
    handler = _Lines()
    loggers = [logging.getLogger(), logging.getLogger("registry.requests"), logging.getLogger("registry")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.lines
    for logger in loggers:
        logger.removeHandler(handler)


def request_records(lines: list[str]) -> list[dict]:
    """The request log's lines, parsed."""
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return [r for r in records if r.get("logger") == "registry.requests" and "status" in r]
