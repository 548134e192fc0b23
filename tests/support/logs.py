"""The app's log lines, captured as a test runs and read back as JSON."""
from __future__ import annotations

import json
import logging

from registry.platform.request_log import JsonLineFormatter


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLineFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def request_records(lines: list[str]) -> list[dict]:
    """The request log's lines, parsed."""
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return [r for r in records if r.get("logger") == "registry.requests" and "status" in r]
