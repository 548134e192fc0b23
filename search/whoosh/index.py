"""The search index: a directory of Whoosh generations behind an atomically replaced pointer.

Layout of the directory given by the caller::

    CURRENT               name of the live generation (replaced with os.replace)
    ix-<ns>-<pid>/        one Whoosh index per generation
    ix-<ns>-<pid>.journal writes made while that generation is being rebuilt

Whoosh allows one writer at a time per index and is not crash-safe, so every
write goes through ``_write`` (process-wide thread lock + Whoosh file lock with a
timeout, retried), and the index is treated as derived data that ``rebuild``
can recreate while searches keep using the previous generation. Readers keep one
long-lived searcher, reopened when a commit or a swap happened, and pin it for
the length of one search (``reading``).

An index that disappears (its pointer gone) is never silently recreated empty:
reads raise ``IndexMissing`` until ``create`` or ``rebuild`` makes a new one. The
owner may also pass a ``check`` that judges each newly opened searcher (for
example against the number of documents the source holds); an ``IndexNotReady``
it raises is kept until the index changes again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import shutil
import struct
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from search.contract import IndexMissing, IndexNotReady
from search.whoosh.schema import build_schema, decode_facets, to_fields

log = logging.getLogger(__name__)

POINTER = "CURRENT"
# Cached posting lists, counted in document ids (4 bytes each): 64 MB.
POSTINGS_CACHE_IDS = 16_000_000
_PROCESS_LOCKS: dict[str, threading.RLock] = {}


_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(root: Path) -> threading.RLock:
    # flock on the Whoosh lock file is per open file, but one lock per directory
    # in this process keeps threads from even contending for it.
    key = str(root.resolve())
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.RLock())


@dataclass
class SegmentColumns:
    """Per-segment values decoded once: dates for sorting, facet ids, ids and stamps.

    Facet values are interned as small integer codes per segment (numpy arrays, one value per document),
    so counting the facets of any set of documents is a ``bincount`` followed by a short expansion of
    the distinct codes.
    """

    published: np.ndarray  # int64 per document
    ids: list[str]
    stamps: list[str]
    unit_code: np.ndarray  # index into units
    units: list[str]
    unit_ints: np.ndarray  # each of units as an integer (-1 when it is not one)
    basic_code: np.ndarray  # index into basics: (kind, year, levels)
    basics: list[tuple[str, str, tuple[str, ...]]]
    topic_code: np.ndarray
    topic_sets: list[tuple[str, ...]]
    award_code: np.ndarray
    award_sets: list[tuple[str, ...]]


def _codes(values: Iterable[Any]) -> tuple[np.ndarray, list[Any]]:
    """Intern ``values``: (one code per value, the distinct values in code order)."""
    seen: dict[Any, int] = {}
    codes = [seen.setdefault(v, len(seen)) for v in values]
    return np.array(codes, dtype=np.int32), list(seen)


def read_posting(reader: Any, fieldname: str, text: str) -> np.ndarray:
    """The live docnums of a term in one segment, ascending, as an int32 array.

    Whoosh decodes a posting list one document at a time in Python; its own block reader holds each
    block's ids already decoded, so they are taken a block at a time. Any other matcher (or a change in
    Whoosh's internals) goes the slow, generic way.
    """
    try:
        matcher = reader.postings(fieldname, text)
    except Exception:  # noqa: BLE001 - TermNotFound: the term is not in this segment
        return _EMPTY
    leaf = getattr(matcher, "child", matcher) if isinstance(matcher, FilterMatcher) else matcher
    ids: np.ndarray | None = None
    if isinstance(leaf, W3LeafMatcher):
        try:
            chunks = []
            while leaf.is_active():
                if leaf._ids is None:
                    leaf._read_ids()
                chunks.append(np.fromiter(leaf._ids[leaf._i:leaf._blocklength], dtype=np.int32))
                leaf._next_block()
            ids = np.concatenate(chunks) if chunks else _EMPTY
            if reader.has_deletions():
                deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int32)
                ids = ids[~np.isin(ids, deleted)]
        except Exception:  # noqa: BLE001 - Whoosh's internals changed: fall back to its public reader
            log.debug("block read of a posting list failed", exc_info=True)
            ids = None
            matcher = reader.postings(fieldname, text)
    if ids is None:
        ids = np.fromiter(matcher.all_ids(), dtype=np.int32)
    return ids


_EMPTY = np.empty(0, dtype=np.int32)


def _as_int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


class SearchIndex:
    """Open the index in ``path`` (created empty when missing, unless ``create`` is false); one per process."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 30.0, create: bool = True,
                 check: Callable[[int], None] | None = None) -> None:
        self.root = Path(path)
        self.lock_timeout = lock_timeout
        # Called with the document count of every searcher opened; may raise IndexNotReady.
        self.check = check
        self.schema = build_schema()
        self._write_lock = _process_lock(self.root)
        self._read_lock = threading.RLock()
        self._generation: str | None = None
        self._ix: whoosh_index.Index | None = None
        self._searcher: Searcher | None = None
        self._pinned: Searcher | None = None
        self._columns: dict[tuple[str, str], SegmentColumns] = {}
        self._postings: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self._postings_lock = threading.Lock()
        self._postings_size = 0
        self._refusal: IndexNotReady | None = None
        if create:
            self.create()

    # ------------------------------------------------------------ generations

    def _pointer_path(self) -> Path:
        return self.root / POINTER

    def _read_pointer(self) -> str | None:
        try:
            name = self._pointer_path().read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _write_pointer(self, name: str) -> None:
        tmp = self.root / f"{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._pointer_path())
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _new_generation(self) -> tuple[str, whoosh_index.Index]:
        name = f"ix-{time.time_ns()}-{os.getpid()}"
        gen_dir = self.root / name
        gen_dir.mkdir(parents=True)
        return name, whoosh_index.create_in(str(gen_dir), self.schema)

    def exists(self) -> bool:
        """Whether the index has a live generation."""
        return self._read_pointer() is not None

    def create(self) -> None:
        """Make an empty index unless one exists (several processes may call this at once)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self._read_pointer() is not None:
            return
        # Two processes starting on an empty directory must agree on one generation.
        with open(self.root / ".init.lock", "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                if self._read_pointer() is None:
                    name, ix = self._new_generation()
                    ix.close()
                    self._write_pointer(name)
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _current_ix(self) -> whoosh_index.Index:
        name = self._read_pointer()
        if name is None:
            # Recreating it empty here would answer "no results" for everything the source holds.
            raise IndexMissing(f"no search index in {self.root}")
        if name != self._generation or self._ix is None:
            ix = whoosh_index.open_dir(str(self.root / name))
            old_searcher = self._searcher
            self._ix, self._generation, self._searcher, self._refusal = ix, name, None, None
            self._columns.clear()
            self._postings.clear()
            self._postings_size = 0
            if old_searcher is not None:
                old_searcher.close()
        return self._ix

    def searcher(self) -> Searcher:
        """Return the long-lived searcher, reopened if any writer committed since.

        Raises IndexMissing when the index is gone, and the ``check``'s IndexNotReady while the
        index stays as it was when the check refused it.
        """
        with self._read_lock:
            if self._pinned is not None:
                return self._pinned
            searcher = self._latest_searcher()
            if self._refusal is not None:
                raise self._refusal.with_traceback(None)
            return searcher

    def _latest_searcher(self) -> Searcher:
        ix = self._current_ix()
        if self._searcher is None or not self._searcher.up_to_date():
            # Not Searcher.refresh(): Whoosh 2.7.5 reuses a segment reader whose
            # deletions changed (deleted entries keep matching) and fails on an
            # index that was empty. Segment columns stay cached across reopenings.
            if self._searcher is not None:
                self._searcher.close()
            self._searcher, self._refusal = ix.searcher(), None
            self._judge(self._searcher)
        return self._searcher

    def _judge(self, searcher: Searcher) -> None:
        # Once per opened searcher, so the check's cost stays off the path of each search.
        if self.check is None:
            return
        try:
            self.check(searcher.doc_count())
        except IndexNotReady as refusal:
            self._refusal = refusal  # a verdict on this state of the index: kept until it changes
        except BaseException:
            # The check itself failed (its source unreachable): judge again next time.
            searcher.close()
            self._searcher = None
            raise

    def verify(self) -> None:
        """Raise IndexNotReady unless the index can answer.

        Reads only the pointer and the generation's table of contents while the index is as it was when
        judged, so it never waits for a search holding the read lock; otherwise opens (and judges) a
        searcher.
        """
        name = self._read_pointer()
        if name is None:
            raise IndexMissing(f"no search index in {self.root}")
        searcher, refusal = self._searcher, self._refusal
        try:
            unchanged = name == self._generation and searcher is not None and searcher.up_to_date()
        except Exception:  # noqa: BLE001 - closed meanwhile by a thread reopening it: look again below
            unchanged = False
        if unchanged:
            if refusal is not None:
                raise refusal.with_traceback(None)
            return
        with self._read_lock:
            self.searcher()

    @contextmanager
    def reading(self) -> Iterator[Searcher]:
        """Hold one searcher for a whole operation, so a concurrent swap cannot close it midway."""
        with self._read_lock:
            if self._pinned is not None:
                yield self._pinned
                return
            self._pinned = self.searcher()
            try:
                yield self._pinned
            finally:
                self._pinned = None

    @property
    def read_lock(self) -> threading.RLock:
        """Lock held while a searcher is in use (Whoosh searchers are not thread-safe)."""
        return self._read_lock

    def segment_columns(self, reader: Any) -> SegmentColumns:
        """Return the decoded columns of one segment reader, cached per segment."""
        seg = reader.segment()
        key = (self._generation or "", seg.segment_id() if seg is not None else str(id(reader)))
        cached = self._columns.get(key)
        if cached is not None:
            return cached
        published = list(reader.column_reader("published")) if reader.has_column("published") else []
        facets = [decode_facets(b) for b in reader.column_reader("facets")] if reader.has_column("facets") else []
        n = reader.doc_count_all()
        if len(published) < n:
            published += [0] * (n - len(published))
        if len(facets) < n:
            facets += [decode_facets(b"")] * (n - len(facets))
        unit_code, units = _codes(f[2] for f in facets)
        basic_code, basics = _codes((f[0], f[1], f[5]) for f in facets)
        topic_code, topic_sets = _codes(f[3] for f in facets)
        award_code, award_sets = _codes(f[4] for f in facets)
        cols = SegmentColumns(
            published=np.array([int(p or 0) for p in published], dtype=np.int64),
            ids=[f[8] for f in facets],
            stamps=[f[9] for f in facets],
            unit_code=unit_code, units=units, unit_ints=np.array([_as_int(u) for u in units], dtype=np.int64),
            basic_code=basic_code, basics=basics,
            topic_code=topic_code, topic_sets=topic_sets,
            award_code=award_code, award_sets=award_sets,
        )
        if len(self._columns) > 256:
            self._columns.clear()
        self._columns[key] = cols
        return cols

    def posting_ids(self, reader: Any, fieldname: str, text: str) -> np.ndarray:
        """Return the live docnums of one segment containing a term (ascending int32), with an LRU cache."""
        seg = reader.segment()
        # A segment's deletions only grow, so their count versions the cached list.
        deleted = len(reader.deleted_docs_set) if reader.has_deletions() else 0
        key = (self._generation, seg.segment_id() if seg is not None else id(reader), deleted, fieldname, text)
        with self._postings_lock:
            got = self._postings.get(key)
            if got is not None:
                self._postings.move_to_end(key)
                return got
        got = read_posting(reader, fieldname, text)
        got.flags.writeable = False
        with self._postings_lock:
            if key not in self._postings:
                self._postings[key] = got
                self._postings_size += len(got) + 1
            while self._postings_size > POSTINGS_CACHE_IDS and len(self._postings) > 1:
                _, old = self._postings.popitem(last=False)
                self._postings_size -= len(old) + 1
        return got

    # ------------------------------------------------------------ writing

    def _open_writer(self, ix: whoosh_index.Index, deadline: float) -> SegmentWriter:
        while True:
            remaining = deadline - time.monotonic()
            try:
                return ix.writer(timeout=max(0.05, min(1.0, remaining)), delay=0.05)
            except LockError:
                if time.monotonic() >= deadline:
                    raise

    def _write(self, apply: Callable[[SegmentWriter], None], journal_op: tuple[str, Any]) -> None:
        deadline = time.monotonic() + self.lock_timeout
        with self._write_lock:
            while True:
                with self._read_lock:
                    ix = self._current_ix()
                    generation = self._generation
                writer = self._open_writer(ix, deadline)
                if self._read_pointer() != generation:
                    # A rebuild swapped generations while we waited for the lock.
                    writer.cancel()
                    continue
                try:
                    apply(writer)
                    self._journal_append(journal_op)
                    writer.commit(merge=True)
                except BaseException:
                    writer.cancel()
                    raise
                return

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Add or replace documents by ``id``; returns how many were written."""
        rows = [to_fields(d) for d in docs]
        if not rows:
            return 0

        def apply(writer: SegmentWriter) -> None:
            for row in rows:
                writer.update_document(**row)

        self._write(apply, ("upsert", rows))
        return len(rows)

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id (missing ids are ignored)."""
        keys = [str(int(i)) for i in ids]
        if not keys:
            return

        def apply(writer: SegmentWriter) -> None:
            for key in keys:
                writer.delete_by_term("id", key)

        self._write(apply, ("delete", keys))

    # ------------------------------------------------------------ rebuild

    def _journal_paths(self) -> list[Path]:
        return sorted(self.root.glob("ix-*.journal"))

    def _journal_append(self, op: tuple[str, Any]) -> None:
        """Record a write for every rebuild in progress so its result does not miss it."""
        for path in self._journal_paths():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    payload = pickle.dumps(op, protocol=pickle.HIGHEST_PROTOCOL)
                    os.write(fd, struct.pack("<I", len(payload)) + payload)
                else:
                    # Nobody holds the journal: its rebuild died. Forget it.
                    log.warning("removing journal of an abandoned rebuild: %s", path.name)
                    path.unlink(missing_ok=True)
            finally:
                os.close(fd)

    @staticmethod
    def _journal_read(path: Path) -> Iterator[tuple[str, Any]]:
        data = path.read_bytes()
        pos = 0
        while pos + 4 <= len(data):
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if pos + size > len(data):
                break
            yield pickle.loads(data[pos : pos + size])
            pos += size

    def rebuild(self, docs: Iterable[Mapping[str, Any]], *, limitmb: int = 256) -> int:
        """Index ``docs`` into a new generation and swap it in atomically; returns the count."""
        name, new_ix = self._new_generation()
        journal = self.root / f"{name}.journal"
        jfd = os.open(journal, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(jfd, fcntl.LOCK_EX)
        count = 0
        try:
            writer = new_ix.writer(procs=1, limitmb=limitmb)
            try:
                for doc in docs:
                    writer.add_document(**to_fields(doc))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            deadline = time.monotonic() + self.lock_timeout
            with self._write_lock:
                with self._read_lock:
                    try:
                        old_ix: whoosh_index.Index | None = self._current_ix()
                    except IndexMissing:
                        old_ix = None
                # Hold the live generation's write lock so no write lands between
                # replaying the journal and swapping the pointer. Without a live
                # generation no write can land: each fails on the missing index.
                old_writer = self._open_writer(old_ix, deadline) if old_ix is not None else None
                try:
                    self._replay(journal, new_ix)
                    self._write_pointer(name)
                finally:
                    if old_writer is not None:
                        old_writer.cancel()
        except BaseException:
            log.warning("rebuild of %s failed; the live index is unchanged", self.root, exc_info=True)
            new_ix.close()
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        finally:
            journal.unlink(missing_ok=True)
            os.close(jfd)
        new_ix.close()
        self._cleanup(keep={name, self._generation})
        with self._read_lock:
            self._current_ix()
        return count

    def _replay(self, journal: Path, ix: whoosh_index.Index) -> None:
        ops = list(self._journal_read(journal))
        if not ops:
            return
        writer = ix.writer()
        for kind, payload in ops:
            for item in payload:
                if kind == "upsert":
                    writer.update_document(**item)
                else:
                    writer.delete_by_term("id", item)
        writer.commit()

    def _cleanup(self, keep: set[str | None]) -> None:
        # Keep the previous generation: another process may still be reading it.
        live = {p.name[: -len(".journal")] for p in self._journal_paths()}
        for path in self.root.glob("ix-*"):
            if path.is_dir() and path.name not in keep and path.name not in live:
                shutil.rmtree(path, ignore_errors=True)

    # ------------------------------------------------------------ inspection

    def doc_ids_and_stamps(self) -> dict[int, str]:
        """Return ``{id: stamp}`` for every indexed document (also while the check refuses the index)."""
        out: dict[int, str] = {}
        with self._read_lock:
            for reader, _offset in self._latest_searcher().reader().leaf_readers():
                cols = self.segment_columns(reader)
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                for d in range(reader.doc_count_all()):
                    if d not in deleted and cols.ids[d]:
                        out[int(cols.ids[d])] = cols.stamps[d]
        return out

    def count(self) -> int:
        """Return the number of live documents (also while the check refuses the index)."""
        with self._read_lock:
            return self._latest_searcher().doc_count()

    def size_bytes(self) -> int:
        """Return the on-disk size of the live generation."""
        with self._read_lock:
            self._current_ix()
            gen_dir = self.root / (self._generation or "")
        return sum(p.stat().st_size for p in gen_dir.iterdir() if p.is_file())

    def close(self) -> None:
        """Release the searcher and index handles."""
        with self._read_lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._ix is not None:
                self._ix.close()
            self._searcher = self._ix = None
            self._generation = self._refusal = None
            self._columns.clear()
            self._postings.clear()
            self._postings_size = 0

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
