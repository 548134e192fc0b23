"""How many expensive requests one client address may have running at once, in this worker process.

A rate limit counts requests over minutes; it cannot stop one address from holding every thread of a
worker with slow requests started together. Each worker counts, across its threads, the requests of
each kind that each address has running; one more than its cap is refused at once with 429. Counts are
per worker: with several gunicorn workers an address may run up to the cap in each of them.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests

# Seconds a client refused for running too much at once is asked to wait: such requests take a second or so.
RETRY_AFTER = 5


class TooManyAtOnce(TooManyRequests):
    """The client address already has as many requests of this kind running as it may."""


class RunningRequests:
    """Requests of one kind running now, counted per client address across the threads of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()

    @contextmanager
    def slot(self, *, limit: int, message: str) -> Iterator[None]:
        """Hold one of the address's ``limit`` places while the block runs; refuse with 429 when none is free."""
        address = get_remote_address() or "-"
        with self._lock:
            if limit > 0 and self._running[address] >= limit:
                raise TooManyAtOnce(description=message, retry_after=RETRY_AFTER)
            self._running[address] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[address] -= 1
                if self._running[address] <= 0:
                    del self._running[address]
