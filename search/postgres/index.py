"""The PostgreSQL engine's handle on its tables: writes, checks, and the collection statistics
that weigh the ranking."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa

from search.contract import IndexNotReady
from search.postgres.schema import (
    _ADD_FACET_SETS,
    _ADD_WORDS,
    _COLUMNS,
    _INDEXES,
    _UPSERT,
    FACET_SETS,
    TABLE,
    TABLES,
    VOCABULARY,
    FacetSet,
    _facet_rows,
    _index_statements,
    _lexeme,
    _table_statements,
    document_row,
)

log = logging.getLogger(__name__)

# Collection statistics (size, mean field lengths, frequent lexemes) change slowly and only
# weigh the ranking, never what matches: each process keeps them this many seconds.
STATS_TTL = 60.0
# How long a verdict of the owner's ``check`` stands: rows change through any server, so it is taken again
# now and then (sooner while it refuses, so a rebuilt index is seen quickly).
CHECK_TTL = 60.0
CHECK_RETRY = 5.0
STATS_SAMPLE_ROWS = 10_000

# ------------------------------------------------------------------ the index


_DEFAULT_MATCH_SHARE = 0.005  # PostgreSQL's DEFAULT_TS_MATCH_SEL


def _tsquery_share(tsquery: str, share: Any, *, at_most: bool = False) -> float:
    """The share of rows a tsquery written by this module matches, from ``share(lexeme, prefix)`` of each
    lexeme, combined as PostgreSQL's planner does (AND multiplies, OR adds less the overlap, NOT inverts).

    ``at_most`` bounds it from above instead: AND keeps the smallest share (words of one name or phrase
    go together far more often than independent clauses would), NOT leaves every row."""
    pos = 0
    n = len(tsquery)

    def skip() -> None:
        nonlocal pos
        while pos < n and tsquery[pos] == " ":
            pos += 1

    def chain(operator: str, operand: Any, combine: Any) -> float:
        """Operands joined by ``operator``, their shares folded together with ``combine``."""
        nonlocal pos
        s = operand()
        skip()
        while pos < n and tsquery[pos] == operator:
            pos += 1
            s = combine(s, operand())
            skip()
        return s

    def either() -> float:
        return chain("|", both, lambda s, t: s + t - s * t)

    def both() -> float:
        return chain("&", single, min if at_most else lambda s, t: s * t)

    def single() -> float:
        nonlocal pos
        skip()
        if pos >= n:
            return 1.0
        c = tsquery[pos]
        if c == "!":
            pos += 1
            excluded = single()
            return 1.0 if at_most else 1.0 - excluded
        if c == "(":
            pos += 1
            s = either()
            skip()
            pos += 1  # ")"
            return s
        if c != "'":  # not written by this module: no guess
            pos = n
            return _DEFAULT_MATCH_SHARE
        pos += 1
        chars: list[str] = []
        while pos < n:
            c = tsquery[pos]
            if c == "'" and tsquery[pos + 1 : pos + 2] == "'":
                chars.append("'")
                pos += 2
            elif c == "'":
                pos += 1
                break
            elif c == "\\" and pos + 1 < n:
                chars.append(tsquery[pos + 1])
                pos += 2
            else:
                chars.append(c)
                pos += 1
        prefix = tsquery.startswith(":*", pos)
        if prefix:
            pos += 2
        return share("".join(chars), prefix)

    return min(1.0, max(0.0, either()))



@dataclass
class _Statistics:
    """What BM25F needs of the whole collection, and the planner's frequent lexemes."""

    docs: int
    mean_length: dict[str, float]
    common: dict[str, dict[str, float]]  # column -> lexeme -> share of rows
    rarest_common: dict[str, float]  # column -> smallest listed share
    taken: float

    def rows(self, column: str | None, tsquery: str | None, *, at_most: bool = False) -> float:
        """The rows of ``column @@ tsquery`` by the planner's own estimate (``tsmatchsel``: listed lexemes
        at their share, others at half the rarest listed share, clauses taken as independent), with no
        plan to ask for; every row without a query. ``at_most``: a bound from above instead (unlisted
        lexemes at the rarest listed share, clauses as if each held the next)."""
        if column is None or not tsquery:
            return float(self.docs)
        common = self.common.get(column) or {}
        rarest = self.rarest_common.get(column) or 0.0
        if not common:
            return self.docs * (1.0 if at_most else _DEFAULT_MATCH_SHARE)
        unlisted = rarest if at_most else min(_DEFAULT_MATCH_SHARE, rarest / 2)

        def share(lexeme: str, prefix: bool) -> float:
            if prefix:
                return min(1.0, sum(f for lx, f in common.items() if lx.startswith(lexeme)) or unlisted)
            return common.get(lexeme, unlisted)

        return self.docs * _tsquery_share(tsquery, share, at_most=at_most)


class PostgresSearchIndex:
    """The search tables in the database behind ``engine``; one instance per process is enough."""

    def __init__(self, engine: sa.Engine, *, check: Callable[[int], None] | None = None) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(f"the PostgreSQL search backend needs a PostgreSQL database, not {engine.dialect.name}")
        self.engine = engine
        # Called with the number of documents on first use and every CHECK_TTL seconds; may raise IndexNotReady.
        self.check = check
        self._verdict: tuple[float, IndexNotReady | None] | None = None
        self._lock = threading.Lock()
        self._stats: _Statistics | None = None
        self._df: dict[tuple[str, str], tuple[int, float]] = {}
        # Facet keys are content hashes: what a key stands for never changes, so it is kept for good.
        self._facet_sets: dict[int, FacetSet] = {}

    # ------------------------------------------------------------ connections

    @contextmanager
    def reading(self, *, checked: bool = True) -> Iterator[sa.Connection]:
        """A connection in a read-only transaction tuned for search statements (after the owner's check)."""
        with self.engine.connect() as connection:
            # JIT compilation costs more than these short statements ever run; rows are mostly
            # pointers to out-of-line vectors, which the planner's costs do not see, so a
            # sequential scan (detoasting every vector) must never win over the GIN indexes.
            connection.exec_driver_sql("SELECT set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)")
            try:
                if checked:
                    self._judge(connection)
                yield connection
            finally:
                connection.rollback()

    def _judge(self, conn: sa.Connection) -> None:
        if self.check is None:
            return
        with self._lock:
            verdict = self._verdict
        now = time.monotonic()
        if verdict is None or now - verdict[0] >= (CHECK_RETRY if verdict[1] else CHECK_TTL):
            documents = int(conn.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar_one())
            try:
                self.check(documents)
                verdict = (now, None)
            except IndexNotReady as refusal:
                verdict = (now, refusal)
            with self._lock:
                self._verdict = verdict
        if verdict[1] is not None:
            raise verdict[1].with_traceback(None)

    def verify(self) -> None:
        """Raise IndexNotReady unless the search tables can answer; a query only when the last check is old."""
        with self._lock:
            verdict = self._verdict
        if verdict is not None and time.monotonic() - verdict[0] < (CHECK_RETRY if verdict[1] else CHECK_TTL):
            if verdict[1] is not None:
                raise verdict[1].with_traceback(None)
            return
        with self.reading():
            pass

    @contextmanager
    def _writing(self, connection: sa.Connection | None) -> Iterator[sa.Connection]:
        if connection is not None:
            yield connection
        else:
            with self.engine.begin() as own:
                yield own
        self.forget_statistics()

    def forget_statistics(self) -> None:
        """Drop the cached collection statistics (after this process changed the documents)."""
        with self._lock:
            self._stats = None
            self._df.clear()

    def forget_verdict(self) -> None:
        """Take the owner's check again on next use (after a rebuild)."""
        with self._lock:
            self._verdict = None

    # ------------------------------------------------------------ writing

    def upsert(self, docs: Iterable[Mapping[str, Any]], *, connection: sa.Connection | None = None) -> int:
        """Add or replace documents by id, in ``connection``'s transaction if given; returns the count."""
        rows: list[dict[str, Any]] = []
        words: set[str] = set()
        sets: dict[int, FacetSet] = {}
        for doc in docs:
            row, title_words, facet_sets = document_row(doc)
            rows.append(row)
            words |= title_words
            sets.update(facet_sets)
        if not rows:
            return 0
        # One order for every writer, so two transactions never wait on each other's rows in turn.
        rows.sort(key=lambda r: r["entry_id"])
        with self._writing(connection) as conn:
            conn.execute(_UPSERT, rows)
            conn.execute(_ADD_WORDS, {"terms": sorted(words)})
            conn.execute(_ADD_FACET_SETS, _facet_rows(sets))
        return len(rows)

    def delete(self, ids: Iterable[int], *, connection: sa.Connection | None = None) -> None:
        """Remove documents by id (missing ids are ignored)."""
        keys = sorted({int(i) for i in ids})
        if not keys:
            return
        with self._writing(connection) as conn:
            conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE entry_id = ANY(CAST(:ids AS bigint[]))"), {"ids": keys})

    def rebuild(self, docs: Iterable[Mapping[str, Any]], *, batch: int = 500) -> int:
        """Replace every document with ``docs`` in one transaction; returns the count.

        The rows are loaded into a new table and indexed in bulk, then swapped in. Searches go
        on reading the previous rows until the swap, which waits for those running and holds
        new ones for a moment; writers of search rows wait for the commit, so no change made
        meanwhile is lost.
        """
        fresh = f"{TABLE}_rebuild"
        count = 0
        with self._writing(None) as conn:
            conn.exec_driver_sql(f"LOCK TABLE {TABLE}, {VOCABULARY}, {FACET_SETS} IN SHARE ROW EXCLUSIVE MODE")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {fresh}")
            for statement in _table_statements(fresh):
                conn.exec_driver_sql(statement)
            rows: list[dict[str, Any]] = []
            words: set[str] = set()
            sets: dict[int, FacetSet] = {}
            for doc in docs:
                row, title_words, facet_sets = document_row(doc)
                rows.append(row)
                words |= title_words
                sets.update(facet_sets)
                if len(rows) >= batch:
                    count += self._load(conn, fresh, rows)
                    rows = []
            count += self._load(conn, fresh, rows)
            # Building a GIN index at once is many times faster than growing it row by row.
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in _index_statements(fresh):
                conn.exec_driver_sql(statement)
            # Fresh planner statistics: plans, and document frequencies of common words.
            conn.exec_driver_sql(f"ANALYZE {fresh}")
            conn.exec_driver_sql(f"DELETE FROM {VOCABULARY}")
            conn.execute(_ADD_WORDS, {"terms": sorted(words)})
            if sets:
                conn.execute(_ADD_FACET_SETS, _facet_rows(sets))
            conn.exec_driver_sql(f"DROP TABLE {TABLE}")
            conn.exec_driver_sql(f"ALTER TABLE {fresh} RENAME TO {TABLE}")
            conn.exec_driver_sql(f"ALTER TABLE {TABLE} RENAME CONSTRAINT {fresh}_pkey TO {TABLE}_pkey")
            for name in _INDEXES:
                conn.exec_driver_sql(f"ALTER INDEX ix_{fresh}_{name} RENAME TO ix_{TABLE}_{name}")
        self.forget_verdict()
        return count

    @staticmethod
    def _load(conn: sa.Connection, table: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        raw = conn.connection.driver_connection
        if not isinstance(raw, psycopg.Connection):  # another driver: plain inserts
            conn.execute(sa.text(_UPSERT.text.replace(f"INSERT INTO {TABLE} ", f"INSERT INTO {table} ", 1)), rows)
            return len(rows)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in _COLUMNS])
        return len(rows)

    # ------------------------------------------------------------ inspection

    def count(self) -> int:
        """Return the number of documents (also while the check refuses them)."""
        with self.reading(checked=False) as conn:
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar_one())

    def doc_ids_and_stamps(self) -> dict[int, str]:
        """Return ``{id: stamp}`` for every document (also while the check refuses them)."""
        with self.reading(checked=False) as conn:
            return {int(i): s for i, s in conn.exec_driver_sql(f"SELECT entry_id, stamp FROM {TABLE}")}

    def size_bytes(self) -> int:
        """Return the size of the search tables and their indexes."""
        with self.reading(checked=False) as conn:
            return int(conn.execute(sa.text(
                "SELECT sum(pg_total_relation_size(to_regclass(t))) FROM unnest(CAST(:t AS text[])) AS t"),
                {"t": list(TABLES)}).scalar_one() or 0)

    def close(self) -> None:
        """Nothing to release: connections belong to the engine's pool."""
        self.forget_statistics()

    def __enter__(self) -> "PostgresSearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def facet_sets(self, conn: sa.Connection, keys: Iterable[int]) -> dict[int, FacetSet]:
        """What each facet key stands for; read once per process (keys are content hashes)."""
        wanted = set(keys)
        with self._lock:
            missing = sorted(k for k in wanted if k not in self._facet_sets)
        if missing:
            rows = conn.execute(sa.text(
                f"SELECT key, kind, year, names FROM {FACET_SETS} WHERE key = ANY(CAST(:keys AS bigint[]))"),
                {"keys": missing}).all()
            with self._lock:
                for key, kind, year, names in rows:
                    self._facet_sets[int(key)] = FacetSet(kind, year, tuple(names or ()))
        with self._lock:
            return {k: self._facet_sets[k] for k in wanted if k in self._facet_sets}

    # ------------------------------------------------------------ statistics

    def statistics(self, conn: sa.Connection) -> _Statistics:
        """Collection size, mean field lengths and frequent lexemes, cached for ``STATS_TTL`` seconds."""
        with self._lock:
            stats = self._stats
        if stats is not None and time.monotonic() - stats.taken < STATS_TTL:
            return stats
        # A large table is measured on a sample of its pages and counted by the planner's last ANALYZE
        # (autovacuum's, or reindex's); a small or never analysed one is read whole.
        estimate = conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"),
                                {"t": TABLE}).scalar()
        sample = f"TABLESAMPLE SYSTEM ({100 * STATS_SAMPLE_ROWS / estimate:.4f}) REPEATABLE (0)" \
            if estimate and estimate > 2 * STATS_SAMPLE_ROWS else ""
        conn.exec_driver_sql("SET LOCAL enable_seqscan = on")  # the one statement that reads the table through
        row = conn.exec_driver_sql(
            f"SELECT count(*), avg(title_len), avg(title_exact_len), avg(text_len), avg(text_exact_len) "
            f"FROM {TABLE} {sample}"
        ).one()
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        docs = round(estimate) if sample else int(row[0])
        mean = {f: float(v or 0.0) for f, v in zip(("title_folded", "title_exact", "body_folded", "body_exact"), row[1:])}
        common: dict[str, dict[str, float]] = {"terms": {}, "title_terms": {}, "filters": {}}
        rarest: dict[str, float] = {"terms": 0.0, "title_terms": 0.0, "filters": 0.0}
        for column, elems, freqs in conn.execute(sa.text(
            "SELECT attname, CAST(CAST(most_common_elems AS text) AS text[]), most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = :t AND attname IN ('terms', 'title_terms', 'filters')"),
            {"t": TABLE},
        ):
            if elems and freqs:
                # The frequencies end with their minimum, maximum and the share of empty rows.
                common[column] = dict(zip(elems, freqs))
                rarest[column] = float(freqs[len(elems)])
        stats = _Statistics(docs, mean, common, rarest, time.monotonic())
        with self._lock:
            self._stats = stats
            self._df.clear()
        return stats

    def doc_frequencies(self, conn: sa.Connection, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Documents holding each (column, lexeme): the planner's share for frequent lexemes,
        else counted through the GIN index (cheap: such lexemes are rare)."""
        stats = self.statistics(conn)
        now = time.monotonic()
        out: dict[tuple[str, str], int] = {}
        todo: dict[str, list[str]] = {}
        with self._lock:
            for key in dict.fromkeys(wanted):
                column, lexeme = key
                share = stats.common.get(column, {}).get(lexeme)
                if share is not None:
                    out[key] = round(share * stats.docs)
                    continue
                cached = self._df.get(key)
                if cached is not None and now - cached[1] < STATS_TTL:
                    out[key] = cached[0]
                else:
                    todo.setdefault(column, []).append(lexeme)
        for column, lexemes in todo.items():
            rarest = stats.rarest_common.get(column) or 0.0
            # An unlisted lexeme is rarer than every listed one: stop counting well past that.
            cap = max(1000, math.ceil(4 * rarest * stats.docs)) if rarest else stats.docs + 1
            counts = conn.execute(sa.text(
                f"SELECT (SELECT count(*) FROM (SELECT 1 FROM {TABLE} d WHERE d.{column} @@ q.t LIMIT :cap) s) "
                "FROM unnest(CAST(:q AS tsquery[])) WITH ORDINALITY AS q(t, i) ORDER BY q.i"),
                {"q": [_lexeme(x) for x in lexemes], "cap": cap},
            ).scalars().all()
            with self._lock:
                for lexeme, n in zip(lexemes, counts):
                    out[(column, lexeme)] = int(n)
                    self._df[(column, lexeme)] = (int(n), now)
        return out
