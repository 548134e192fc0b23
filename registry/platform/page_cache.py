"""Whole public answers kept per process while the data version stands still.

The showcase, the search page and the read-only API answer every visitor without an account alike,
so each worker keeps the body it rendered for an address and serves it again until a change to the
public data moves the data version (see data_version.py): a change made through any worker of any
server shows on the next request everywhere. Headers that differ per request (security policy,
request id, rate-limit counters, language cookie, ETag checks) are added afresh on every answer.

Nothing personal is ever kept: only GETs by visitors who are not signed in, with no message waiting
in their session, and only answers that wrote nothing to the session (a CSRF token means a form,
which belongs to one visitor).

With the Whoosh backend the index follows the database a moment after each commit (the outbox). A
search answer is kept only when the outbox was empty after the data version was read, so a result
computed between a commit and its index update is never kept under the newer version. A kept search
answer is served only while the index can answer (``search_ready``: it is not missing nor far behind),
so an outage shows as 503 at once; error answers are never kept.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_babel import to_user_timezone
from flask_login import current_user

from registry.extensions import db
from registry.platform.data_version import COUNTERS, committed_versions
from registry.showcase.models import IndexOutbox
from registry.showcase.search_index import search_ready

# Pages and API answers that depend only on the address, the language and the public data.
CACHEABLE_ENDPOINTS = frozenset({
    "public.home", "public.browse", "public.entry", "public.units", "public.unit", "public.topics",
    "public.topic", "public.search", "api.search", "api.suggest", "api.entries", "api.entry", "api.awards",
    "api.units", "api.unit", "api.topics", "api.award_titles",
})
# Answers that come from the search index rather than the database alone.
SEARCH_ENDPOINTS = frozenset({"public.search", "api.search", "api.suggest"})
# Set again on every answer by the hooks that run after the view.
_FRESH_HEADERS = frozenset({"set-cookie", "vary", "etag", "last-modified", "cache-control", "content-length",
                            "date"})


@dataclass(frozen=True)
class CachedAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageCache:
    """A thread-safe LRU of answers bounded in bytes, holding one data version at a time."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self._version: tuple[int, ...] = ()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: tuple[int, ...], key: tuple) -> CachedAnswer | None:
        with self._lock:
            answer = self._items.get(key) if version == self._version else None
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, version: tuple[int, ...], key: tuple, answer: CachedAnswer) -> None:
        size = len(answer.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if version != self._version:
                # Counters only grow: a newer version empties the cache, an older answer is dropped.
                if sum(version) < sum(self._version):
                    return
                self._clear()
                self._version = version
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.body)

    def _clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def clear(self) -> None:
        with self._lock:
            self._clear()
            self._version = ()

    def __len__(self) -> int:
        return len(self._items)


def page_cache(app: Flask | None = None) -> PageCache | None:
    """The app's page cache, or None when PAGE_CACHE_MB is 0."""
    return (app or current_app).extensions.get("page_cache")


def _index_in_step() -> bool:
    """True when every committed change has reached the search index (the outbox is empty)."""
    from registry.showcase.search_index import search_backend

    if search_backend() == "postgres":
        return True  # search rows commit with the data
    return db.session.execute(sa.select(IndexOutbox.id).limit(1)).first() is None


def _visitor_may_share() -> bool:
    """A GET by a visitor without an account and with no message waiting: the answer is everyone's."""
    return (request.method == "GET" and request.endpoint in CACHEABLE_ENDPOINTS
            and not current_user.is_authenticated and not session.get("_flashes"))


def _query_key() -> bytes | tuple:
    """The query string as the cache keys it: for an API route, only the arguments it reads, in one order."""
    # Arguments nobody reads (z=<n>, tracking tags) or a new order would otherwise make each request a
    # fresh rendering, or a fresh export of thousands of entries for a download.
    doc = getattr(current_app.view_functions.get(request.endpoint), "api_doc", None)
    if doc is None:
        return request.query_string  # pages keep every argument in their links: all of them name the page
    known = doc.query_names()
    return tuple((name, tuple(request.args.getlist(name))) for name in sorted(request.args) if name in known)


def _key() -> tuple:
    from registry.platform.i18n import current_language

    # The host and scheme appear in canonical and citation links; the query string names the page;
    # citations say the day they were read, in the site's time zone.
    today = to_user_timezone(datetime.now(UTC)).date()
    return (request.host_url, request.path, _query_key(), current_language(), today)


def _serve_from_cache() -> Response | None:
    cache = page_cache()
    if cache is None or not _visitor_may_share():
        return None
    # Read before anything is rendered, so a kept answer is never older than the version it is kept under.
    committed = committed_versions()
    version = tuple(committed[name] for name in COUNTERS)
    if request.endpoint in SEARCH_ENDPOINTS and not search_ready():
        # A kept result must not hide an index that went missing or fell behind: the view answers 503.
        g.page_cache = "bypass"
        return None
    key = _key()
    answer = cache.get(version, key)
    if answer is not None:
        g.page_cache = "hit"
        return Response(answer.body, status=answer.status, headers=list(answer.headers))
    g.page_cache = "miss"
    if request.endpoint not in SEARCH_ENDPOINTS or _index_in_step():
        g.page_cache_slot = (version, key)
    return None


def _keep_answer(response: Response) -> Response:
    slot = g.pop("page_cache_slot", None)
    if g.get("page_cache"):
        response.headers["X-Page-Cache"] = g.page_cache
    if slot is None or response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return response
    # An answer that wrote to the session (a CSRF token, a message) belongs to one visitor.
    if "csrf_token" in g or session.modified:
        return response
    headers = tuple((name, value) for name, value in response.headers.items()
                    if name.lower() not in _FRESH_HEADERS
                    and (not name.lower().startswith("x-") or name.lower() == "x-total-count"))
    cache = page_cache()
    if cache is not None:
        cache.put(*slot, CachedAnswer(response.status_code, headers, response.get_data()))
    return response


def init_app(app: Flask) -> None:
    """Serve kept answers before the view runs; keep new ones. Call after every other hook is registered."""
    megabytes = app.config.get("PAGE_CACHE_MB", 64)
    if megabytes > 0:
        app.extensions["page_cache"] = PageCache(int(megabytes * 1024 * 1024))
    app.before_request(_serve_from_cache)
    # Registered last, so it runs first among the app's after-request hooks: it sees the view's
    # headers before the security, CORS, language and logging hooks add theirs.
    app.after_request(_keep_answer)
