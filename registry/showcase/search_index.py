"""The search index as derived data: entry -> document, kept in step with the database, and reindex.

Two backends, chosen by ``SEARCH_BACKEND`` (``auto`` picks PostgreSQL when the database is):

* Whoosh, a folder per instance: changes wait in an outbox table written in the same
  transaction as the data, and are applied to the folder after the commit.
* PostgreSQL, tables beside the data: the search rows are written in the same
  transaction as the change, so every app server sees them the moment it commits.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from registry.catalog.models import AwardTitle, Topic, Unit
from registry.entries.models import Award, Entry, EntryStatus, Photo, Replication, entry_topic
from registry.entries.richtext import story_to_text
from registry.extensions import db
from registry.showcase.models import IndexOutbox
from search import postgres as search_postgres
from search.contract import IndexNotReady
from search.postgres import PostgresSearchIndex
from search.whoosh.index import SearchIndex

log = logging.getLogger(__name__)

BACKENDS = ("auto", "whoosh", "postgres")
# An index lacking more than this share of the published entries (those waiting in the outbox aside) is
# far behind the database: search says it is unavailable rather than answer from it.
FAR_BEHIND_SHARE = 0.1

_indexes: dict[str, SearchIndex | PostgresSearchIndex] = {}
_indexes_lock = threading.Lock()


class SearchBackendError(RuntimeError):
    """SEARCH_BACKEND names no backend, or one the database cannot carry."""


class SearchIndexBehind(IndexNotReady):
    """The index lacks much of what the database publishes (emptied, replaced by an old copy, never filled)."""

    def __init__(self, *, documents: int, published: int, pending: int) -> None:
        super().__init__(f"the search index holds {documents} documents for {published} published entries "
                         f"({pending} changes waiting in the outbox)")
        self.documents, self.published, self.pending = documents, published, pending


def resolve_backend(setting: str | None, database_url: str) -> str:
    """Return "postgres" or "whoosh" for a SEARCH_BACKEND setting and a database URL."""
    choice = (setting or "auto").strip().lower()
    dialect = sa.engine.make_url(database_url).get_backend_name()
    if choice not in BACKENDS:
        raise SearchBackendError(f"SEARCH_BACKEND={setting!r} is not one of {', '.join(BACKENDS)}.")
    if choice == "auto":
        return "postgres" if dialect == "postgresql" else "whoosh"
    if choice == "postgres" and dialect != "postgresql":
        raise SearchBackendError(
            f"SEARCH_BACKEND=postgres keeps the search tables in the database, which must then be PostgreSQL "
            f"(DATABASE_URL=postgresql+psycopg://...); this one is {dialect}. Use SEARCH_BACKEND=whoosh or auto.")
    return choice


def search_backend(app: Flask | None = None) -> str:
    """The search backend of the app: "postgres" or "whoosh"."""
    return (app or current_app).extensions["search_backend"]


def _uses_postgres() -> bool:
    return has_app_context() and current_app.extensions.get("search_backend") == "postgres"


def _index_key() -> str:
    if search_backend() == "postgres":
        return f"postgres:{id(db.engine)}"
    return current_app.config["SEARCH_INDEX_DIR"]


def _published_and_pending() -> tuple[int, int]:
    """How many entries are published, and how many entries have changes waiting in the outbox."""
    with db.engine.connect() as connection:
        published = connection.scalar(sa.select(sa.func.count()).select_from(Entry)
                                      .where(Entry.status == EntryStatus.PUBLISHED))
        pending = connection.scalar(sa.select(sa.func.count(sa.distinct(IndexOutbox.entry_id))))
    return int(published or 0), int(pending or 0)


def check_in_step(documents: int) -> None:
    """Raise SearchIndexBehind when an index of ``documents`` lacks much of what the database publishes."""
    if not has_app_context():
        return
    published, pending = _published_and_pending()
    # Entries waiting in the outbox reach the index with the next write; the rest are lost from it.
    if published - documents - pending > published * FAR_BEHIND_SHARE:
        raise SearchIndexBehind(documents=documents, published=published, pending=pending)


def _may_start_empty() -> bool:
    """Whether an empty index, once the outbox is applied, would hold every published entry."""
    with db.engine.connect() as connection:
        return connection.execute(
            sa.select(Entry.id).where(Entry.status == EntryStatus.PUBLISHED,
                                      Entry.id.not_in(sa.select(IndexOutbox.entry_id))).limit(1)
        ).first() is None


def search_index() -> SearchIndex | PostgresSearchIndex:
    """Return this process's long-lived index for the app (its Whoosh folder, or its database).

    A Whoosh folder is created empty only for a database whose published entries are all still waiting
    in the outbox (a new instance); otherwise a missing index stays missing, and reads of it raise
    IndexMissing until `reindex` builds it. Each newly opened state of the index is compared with the
    database (``check_in_step``).
    """
    key = _index_key()
    with _indexes_lock:
        index = _indexes.get(key)
        if search_backend() == "postgres":
            if not isinstance(index, PostgresSearchIndex) or index.engine is not db.engine:
                index = _indexes[key] = PostgresSearchIndex(db.engine, check=check_in_step)
        elif index is None:
            index = SearchIndex(key, create=False, check=check_in_step)
            if not index.exists() and _may_start_empty():
                index.create()
            _indexes[key] = index
        return index


def search_ready() -> bool:
    """Whether search can answer now: cheap, as the index is judged only when it changed or its verdict aged."""
    try:
        search_index().verify()
    except Exception:
        return False
    return True


def reopen_search_index() -> SearchIndex | PostgresSearchIndex:
    """Drop this process's handle on the app's index and open it afresh (after a read failed on it)."""
    with _indexes_lock:
        index = _indexes.pop(_index_key(), None)
    if index is not None:
        try:
            index.close()
        except Exception:
            log.warning("closing a failed search index handle failed", exc_info=True)
    return search_index()


def close_indexes() -> None:
    """Close every index this process opened (tests use a fresh folder each)."""
    with _indexes_lock:
        for index in _indexes.values():
            index.close()
        _indexes.clear()


def _unit_fields(unit: Unit | None) -> tuple[list[int], str]:
    """Ids that a unit filter should match (the unit, its ancestors, what it was merged into) and searchable names."""
    ids: list[int] = []
    names: list[str] = []
    node = unit
    while node is not None and node.id not in ids and len(ids) < 64:
        ids.append(node.id)
        names.append(node.name)
        names.extend(f.name for f in node.former_names)
        # A former unit belongs to its successor's subtree as well.
        successor = node.successor
        while successor is not None and successor.id not in ids and len(ids) < 64:
            ids.append(successor.id)
            names.append(successor.name)
            successor = successor.parent if successor.parent_id not in ids else None
        node = node.parent
    return ids, " ".join(names)


def entry_document(entry: Entry) -> dict[str, Any]:
    """Build the search document of a published entry: public fields only."""
    unit_ids, unit_names = _unit_fields(entry.unit)
    live_awards = [a for a in entry.awards if not a.is_revoked]
    return {
        "id": entry.id,
        "ref": entry.ref,
        "kind": entry.kind.value,
        "title": entry.title,
        "summary": entry.summary or "",
        "body": story_to_text(entry.story, entry.story_format),
        "year": entry.year,
        "unit_id": entry.unit_id,
        "unit_ids": unit_ids,
        "unit_names": unit_names,
        "topics": [t.slug for t in entry.topics],
        "topic_names": "\n".join(t.name for t in entry.topics),
        "award_names": "\n".join(sorted({a.title.name for a in live_awards})),
        "awards": sorted({a.title.slug for a in live_awards}),
        "levels": sorted({a.level.value for a in live_awards}),
        "visibility": "public",
        "published": entry.published_at,
        "stamp": entry_stamp(entry),
    }


def entry_stamp(entry: Entry) -> str:
    """A string that changes whenever the entry's document would change."""
    return f"{entry.updated_at.isoformat() if entry.updated_at else ''}|{entry.status.value}"


def _load_entries(session: Session, ids: Iterable[int] | None) -> Iterator[Entry]:
    query = sa.select(Entry).options(
        selectinload(Entry.topics), selectinload(Entry.awards).selectinload(Award.title),
        selectinload(Entry.unit),
    ).order_by(Entry.id)
    if ids is not None:
        query = query.where(Entry.id.in_(list(ids)))
    else:
        query = query.where(Entry.status == EntryStatus.PUBLISHED)
    yield from session.scalars(query.execution_options(yield_per=500))


def apply_pending(session: Session | None = None, *, index: SearchIndex | PostgresSearchIndex | None = None) -> int:
    """Apply the outbox to the index, then clear what was applied; returns how many entries were refreshed.

    With PostgreSQL the outbox stays empty (changes reach the search rows as they commit);
    it only holds changes made while the app ran on Whoosh.
    """
    own = session is None
    session = session or Session(db.engine)
    index = index or search_index()
    try:
        rows = session.execute(sa.select(IndexOutbox.id, IndexOutbox.entry_id).order_by(IndexOutbox.id)).all()
        if not rows:
            return 0
        entry_ids = {entry_id for _, entry_id in rows}
        docs, live = [], set()
        for entry in _load_entries(session, entry_ids):
            if entry.status == EntryStatus.PUBLISHED:
                docs.append(entry_document(entry))
                live.add(entry.id)
        gone = entry_ids - live
        if isinstance(index, PostgresSearchIndex):
            # In the transaction that clears the outbox: both happen, or neither.
            index.upsert(docs, connection=session.connection())
            index.delete(gone, connection=session.connection())
        else:
            if docs:
                index.upsert(docs)
            if gone:
                index.delete(gone)
        session.execute(sa.delete(IndexOutbox).where(IndexOutbox.id <= max(row_id for row_id, _ in rows))
                        .where(IndexOutbox.entry_id.in_(entry_ids)))
        session.commit()
        return len(entry_ids)
    finally:
        if own:
            session.close()


def _rebuild() -> int:
    with Session(db.engine) as session:
        # Read before the entries: a change queued later may not be in the rebuild, so it stays queued.
        queued = session.scalar(sa.select(sa.func.max(IndexOutbox.id)))
        # Every document walks its unit's ancestors: load the units once (kept referenced for the session's
        # identity map) instead of a query per ancestor and former name.
        units = session.scalars(sa.select(Unit).options(selectinload(Unit.former_names))).all()
        count = search_index().rebuild(entry_document(e) for e in _load_entries(session, None))
        del units
        if queued is not None:
            session.execute(sa.delete(IndexOutbox).where(IndexOutbox.id <= queued))
        session.commit()
    return count


def _set_aside_damaged_index() -> Path:
    """Move an unreadable index folder out of the way (kept for inspection) so a new one can be built."""
    close_indexes()
    path = Path(current_app.config["SEARCH_INDEX_DIR"])
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    if path.exists():
        os.replace(path, aside)
    return aside


def reindex_all() -> int:
    """Rebuild the whole index from published entries; search stays online.

    Whoosh builds aside and swaps the new index in; when the live one cannot even be read, it
    is set aside and built anew. PostgreSQL replaces the rows in one transaction.
    """
    if search_backend() == "postgres":
        # Tables in the database: nothing to set aside, a failure leaves the rows as they were.
        return _rebuild()
    try:
        return _rebuild()
    except Exception:
        aside = _set_aside_damaged_index()
        log.exception("search index unreadable; set aside as %s and rebuilt from the database", aside)
        return _rebuild()


def index_check() -> tuple[list[int], list[int], list[int]]:
    """Compare index and database: (missing from the index, stale in it, in it but not public)."""
    indexed = search_index().doc_ids_and_stamps()
    with Session(db.engine) as session:
        expected = {e.id: entry_stamp(e) for e in session.scalars(
            sa.select(Entry).where(Entry.status == EntryStatus.PUBLISHED))}
    missing = sorted(set(expected) - set(indexed))
    stale = sorted(i for i in expected if i in indexed and indexed[i] != expected[i])
    extra = sorted(set(indexed) - set(expected))
    return missing, stale, extra


def _changed(session: Session, obj: Unit | Topic | AwardTitle) -> bool:
    """Whether a row of the session's dirty list really changes (a value set to what it was does not)."""
    return obj in session.dirty and session.is_modified(obj)


def _entry_ids_touched(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Entry):
            if obj.id is not None:
                ids.add(obj.id)
            else:
                session.info.setdefault("index_new_entries", []).append(obj)
        elif isinstance(obj, (Award, Photo, Replication)):
            entry = obj.entry
            if entry is not None and entry.id is not None:
                ids.add(entry.id)
            elif getattr(obj, "entry_id", None):
                ids.add(obj.entry_id)
        # Entries are found by their units', topics' and titles' names: a renamed one reindexes its entries.
        # Only a real change counts: `flask init` sets catalogue fields to the values they already hold, which
        # marks the rows dirty, and reindexing every awarded entry then took minutes at 100,000 entries.
        elif isinstance(obj, Unit) and obj.id is not None and _changed(session, obj):
            session.info.setdefault("index_units", set()).add(obj.id)
        elif isinstance(obj, Topic) and obj.id is not None and _changed(session, obj):
            session.info.setdefault("index_topics", set()).add(obj.id)
        elif isinstance(obj, AwardTitle) and obj.id is not None and _changed(session, obj):
            session.info.setdefault("index_titles", set()).add(obj.id)
    return ids


def _before_flush(session: Session, _context, _instances) -> None:
    ids = _entry_ids_touched(session)
    if _uses_postgres():
        session.info.setdefault("search_touched", set()).update(ids)
        return
    for entry_id in ids:
        session.add(IndexOutbox(entry_id=entry_id))
    if ids:
        session.info["index_dirty"] = True


def _after_flush(session: Session, _context) -> None:
    # New entries only have an id after the flush; queue them here.
    new_entries = session.info.pop("index_new_entries", [])
    unit_ids = session.info.pop("index_units", set())
    topic_ids = session.info.pop("index_topics", set())
    title_ids = session.info.pop("index_titles", set())
    ids = {e.id for e in new_entries if e.id is not None}
    if topic_ids:
        ids.update(session.scalars(sa.select(entry_topic.c.entry_id).where(entry_topic.c.topic_id.in_(topic_ids))))
    if title_ids:
        ids.update(session.scalars(sa.select(Award.entry_id).where(Award.title_id.in_(title_ids))))
    if unit_ids:
        from registry.catalog.selectors import unit_descendant_ids

        subtree: set[int] = set()
        for unit_id in unit_ids:
            subtree.update(unit_descendant_ids(unit_id))
        ids.update(session.scalars(sa.select(Entry.id).where(Entry.unit_id.in_(subtree))))
    if not ids:
        return
    if _uses_postgres():
        session.info.setdefault("search_touched", set()).update(ids)
        return
    session.execute(sa.insert(IndexOutbox), [{"entry_id": i} for i in sorted(ids)])
    session.info["index_dirty"] = True


def write_search_documents(session: Session, entry_ids: Iterable[int]) -> None:
    """Write the search rows of these entries in the session's transaction (PostgreSQL backend)."""
    entry_ids = set(entry_ids)
    index = search_index()
    assert isinstance(index, PostgresSearchIndex)
    docs, live = [], set()
    for entry in _load_entries(session, entry_ids):
        if entry.status == EntryStatus.PUBLISHED:
            docs.append(entry_document(entry))
            live.add(entry.id)
    connection = session.connection()
    index.upsert(docs, connection=connection)
    index.delete(entry_ids - live, connection=connection)


def _before_commit(session: Session) -> None:
    if not _uses_postgres() or not (session.info.get("search_touched") or session.new or session.dirty
                                    or session.deleted):
        return
    # The last flush first, so every change of the transaction is known and readable here.
    session.flush()
    ids = session.info.pop("search_touched", set())
    if ids:
        write_search_documents(session, ids)


def _after_commit(session: Session) -> None:
    if not session.info.pop("index_dirty", False):
        return
    if not has_app_context() or not current_app.config.get("SEARCH_SYNC", True):
        return
    try:
        apply_pending()
    except Exception:
        # The outbox keeps the work; the next write or `reindex --pending` applies it.
        log.exception("search index update failed; changes stay in the outbox")


def _after_rollback(session: Session) -> None:
    for key in ("index_dirty", "index_new_entries", "index_units", "index_topics", "index_titles", "search_touched"):
        session.info.pop(key, None)


def _create_search_tables(_metadata, connection: sa.Connection, **_kw) -> None:
    # Databases made with create_all (tests, scripts) get the tables the migrations would add.
    if connection.dialect.name == "postgresql":
        search_postgres.create_schema(connection)


def _drop_search_tables(_metadata, connection: sa.Connection, **_kw) -> None:
    if connection.dialect.name == "postgresql":
        search_postgres.drop_schema(connection)


# Keep the index in step with every commit of the app's session (installed by platform.database).
SESSION_HOOKS = (("before_flush", _before_flush), ("after_flush", _after_flush), ("before_commit", _before_commit),
                 ("after_commit", _after_commit), ("after_rollback", _after_rollback))


def init_app(app: Flask) -> None:
    """Choose the search backend, and create or drop PostgreSQL's search tables with the schema."""
    app.extensions["search_backend"] = resolve_backend(app.config.get("SEARCH_BACKEND"),
                                                       app.config["SQLALCHEMY_DATABASE_URI"])
    for name, fn in (("after_create", _create_search_tables), ("after_drop", _drop_search_tables)):
        if not event.contains(db.metadata, name, fn):
            event.listen(db.metadata, name, fn)
