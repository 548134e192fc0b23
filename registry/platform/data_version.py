"""The data version: counters bumped by every commit that changes public data, and caches keyed on them.

Each process keeps expensive read-side results (facet counts, the unit tree) and reuses them while
the counters stand still. Reading the counters costs one small query per request, so a change made
through any worker of any server shows on the next request everywhere: nothing waits for a timeout.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.catalog.models import AwardTitle, Topic, Unit, UnitFormerName
from registry.entries.models import Award, Entry, Photo, Replication
from registry.extensions import db
from registry.platform.models import DataVersion

T = TypeVar("T")

ENTRIES = "entries"
UNITS = "units"
COUNTERS = (ENTRIES, UNITS)

# What a flush of each class changes; units move entry counts too (rollups follow the tree).
_BUMPS: dict[type, tuple[str, ...]] = {
    Entry: (ENTRIES,), Award: (ENTRIES,), Photo: (ENTRIES,), Replication: (ENTRIES,),
    Topic: (ENTRIES,), AwardTitle: (ENTRIES,), Unit: (ENTRIES, UNITS), UnitFormerName: (ENTRIES, UNITS),
}
_table = DataVersion.__table__


def bump(session: Session, names: tuple[str, ...] | set[str] = COUNTERS) -> None:
    """Move the named counters on, inside the session's transaction (bulk writes call this themselves)."""
    for name in sorted(names):
        moved = session.execute(sa.update(_table).where(_table.c.name == name).values(value=_table.c.value + 1))
        if moved.rowcount == 0:
            session.execute(sa.insert(_table).values(name=name, value=1))


def current_versions() -> dict[str, int]:
    """The counters as this request sees them, read once per request."""
    versions = g.get("data_versions")
    if versions is None:
        versions = g.data_versions = _read_versions(db.session)
    return versions


def committed_versions() -> dict[str, int]:
    """The counters as last committed, read on a connection of their own in autocommit (no transaction
    to open and close); for a read before the request's session has done anything.

    They also serve as the request's own version (``current_versions``) unless it has read one: its
    session reads data only afterwards, so whatever it keeps under these counters is at least as new
    as they are, and a request answered from kept values opens no transaction at all."""
    engines = current_app.extensions.setdefault("data_version_engines", {})
    engine = engines.get(db.engine)
    if engine is None:
        engine = engines[db.engine] = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        versions = _read_versions(connection)
    if "data_versions" not in g:
        g.data_versions = versions
    return versions


def _read_versions(conn: Session | sa.Connection) -> dict[str, int]:
    versions = {name: 0 for name in COUNTERS}
    versions.update(conn.execute(sa.select(_table.c.name, _table.c.value)).all())
    return versions


class VersionedCache:
    """A bounded, thread-safe map from keys to values computed at one data version."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()
        # One computation per key at a time: the threads asking for the same missing value wait for the
        # first one's answer instead of each spending seconds on it (the browse table at 100k entries).
        self._computing: dict[Hashable, threading.Lock] = {}

    def _hit(self, key: Hashable, version: int) -> tuple[bool, object]:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == version:
                self._items.move_to_end(key)
                return True, hit[1]
        return False, None

    def get(self, key: Hashable, version: int, compute: Callable[[], T]) -> T:
        """Return the value cached for ``key`` at ``version``, computing and keeping it when missing."""
        if self.size <= 0:
            return compute()
        found, value = self._hit(key, version)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            found, value = self._hit(key, version)
            if found:
                return value  # type: ignore[return-value]
            try:
                value = compute()
                with self._lock:
                    self._items[key] = (version, value)
                    self._items.move_to_end(key)
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def cached(key: Hashable, compute: Callable[[], T], *, counter: str = ENTRIES) -> T:
    """Return ``compute()``, reused while the counter stands still. Cache plain data only, never ORM objects."""
    cache: VersionedCache = current_app.extensions["data_version_cache"]
    return cache.get((counter, key), current_versions()[counter], compute)


def _before_flush(session: Session, _context, _instances) -> None:
    names: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        names.update(_BUMPS.get(type(obj), ()))
    if names:
        session.info.setdefault("data_version_bumps", set()).update(names)


def _after_flush(session: Session, _context) -> None:
    names = session.info.pop("data_version_bumps", None)
    if names:
        bump(session, names)


def _after_commit(_session: Session) -> None:
    # A request that wrote and then reads again must see its own change.
    if has_app_context():
        g.pop("data_versions", None)


def _after_rollback(session: Session) -> None:
    session.info.pop("data_version_bumps", None)


def _seed_counters(target: sa.Table, connection: sa.Connection, **_kw) -> None:
    connection.execute(sa.insert(target), [{"name": name, "value": 0} for name in COUNTERS])


# Bump the counters on every flush that changes public data (installed by platform.database).
SESSION_HOOKS = (("before_flush", _before_flush), ("after_flush", _after_flush),
                 ("after_commit", _after_commit), ("after_rollback", _after_rollback))


def init_app(app: Flask) -> None:
    """Give the app its cache, and seed the counters when their table is created."""
    app.extensions["data_version_cache"] = VersionedCache(app.config.get("READ_CACHE_SIZE", 2048))
    if not event.contains(_table, "after_create", _seed_counters):
        event.listen(_table, "after_create", _seed_counters)
