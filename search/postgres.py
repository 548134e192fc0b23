"""Search in PostgreSQL: the analysis and ranking of the Whoosh backend, stored in ``tsvector`` columns.

One row of ``search_document`` per document. ``search.analysis`` turns its text into
lexemes and this module writes them as ``tsvector`` literals, so PostgreSQL's parsers,
dictionaries and stemmers never touch Vietnamese:

* ``terms`` (title and text): every syllable folded ("nha"), each syllable typed with
  marks as written ("nhà"), abbreviation and variant keys ("ubnd") and folded adjacent
  pairs ("nha_van"). Title positions carry weight A and text positions weight D, so
  the term frequency of each field can be read back from the one vector. Every query
  is matched here through a GIN index.
* ``title_terms``: the same for the title alone; its GIN index answers title tiers and
  suggestions.

A marked lexeme changes when folded and a folded one does not, so the two kinds never
collide in one vector. Phrases and adjacency are pair lexemes, as in the Whoosh pair
fields, so GIN answers every query without rechecking positions in the rows.

Filters are lexemes of both vectors too ("=kind:individual", "=topic:y-te"), and of a small
``filters`` vector for browsing without text; facet values are counted through keys of the
sets they form, interned in ``search_facet_set``. So is the sample bucket of the document
("=sample:17"), which broad queries are counted on.

Execution of one search, in one read-only transaction:

1. total and facet counts: one grouped aggregate over the GIN bitmap of the matches, or, when
   the planner's statistics promise more than ``EXACT_COUNT_LIMIT`` matches, over the matches in
   a few sample buckets (every row carries the lexeme of its bucket, so the GIN index finds them
   itself), scaled up and flagged ``approximate`` on the result;
2. a window of candidates taken tier by tier through the indexes, newest first within
   a tier: all words in the title as typed, all in the title, the whole query standing
   together as typed, standing together, every word as typed, the rest (each tier either
   walks the publication index or collects its matches and sorts them, whichever its
   estimated size makes cheaper: chosen here, as the planner does not see that a walk
   reads the vector of every row it tests);
3. BM25F over the window in Python with the Whoosh backend's query tree, boosts and
   adjacency bonus, from term frequencies read out of the window's vectors, with
   document frequencies from the GIN indexes (the planner's lexeme statistics for the
   most common ones);
4. highlights and snippets from the stored text.

Fallbacks are those of the Whoosh backend: every clause must match; then title words
one edit away stand in for each syllable (from ``search_title_term``, the title
vocabulary); then any clause may match.

Writes take a connection: pass the application's own to update the search rows in the
same transaction as the data they come from.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlalchemy as sa
from whoosh import query as Q

from search.analysis import Clause, HighlightTerms, ParsedQuery, QueryToken, fold, index_tokens, normalize, pair
from search.analysis import parse_query, syllables
from search.query import (
    DENSE_SHARE,
    FACET_KEYS,
    FUZZY_MIN_LEN,
    MAX_PER_PAGE,
    MAX_TYPO_ALTERNATIVES,
    RESCORE_WINDOW,
    SNIPPET_SOURCE_CHARS,
    Hit,
    SearchRequest,
    SearchResult,
    Typos,
    adjacency_slots,
    adjacency_terms,
    build_text_query,
    did_you_mean,
    highlight,
    snippet,
    to_int,
    typo_alternatives,
)
from search.index import IndexNotReady
from search.schema import STORED_BODY_CHARS, prepare

log = logging.getLogger(__name__)

TABLE = "search_document"
VOCABULARY = "search_title_term"
FACET_SETS = "search_facet_set"
TABLES = (TABLE, VOCABULARY, FACET_SETS)

# tsvector limits: positions 1..16383, 256 positions per lexeme, 2046 bytes per lexeme,
# 1 MiB of lexeme text per vector. Text past the budget is stored but not searchable.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_BYTES = 2046
MAX_VECTOR_BYTES = 1_000_000
# BM25F parameters of Whoosh's default weighting.
BM25_B = 0.75
BM25_K1 = 1.2
# Candidates scored with BM25F, as in the Whoosh backend: at least this many, more for later pages.
WINDOW = RESCORE_WINDOW
# Collection statistics (size, mean field lengths, frequent lexemes) change slowly and only
# weigh the ranking, never what matches: each process keeps them this many seconds.
STATS_TTL = 60.0
# How long a verdict of the owner's ``check`` stands: rows change through any server, so it is taken again
# now and then (sooner while it refuses, so a rebuilt index is seen quickly).
CHECK_TTL = 60.0
CHECK_RETRY = 5.0
STATS_SAMPLE_ROWS = 10_000
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"
INT_MAX = 2**31 - 1
# Counting every match of a broad query costs about a microsecond a row (the GIN bitmap, the rows,
# the facet hash tables), so past this many matches by the planner's estimate the total and the
# facet counts are estimated from a sample of the matches and the result says so (``approximate``).
EXACT_COUNT_LIMIT = 6_000
# Every document carries one of SAMPLE_BUCKETS sample lexemes ("=sample:17", see ``sample_bucket``);
# a sample is the matches in the first k buckets, with k chosen to read about SAMPLE_ROWS rows. The
# GIN index finds them itself: "query & (=sample:0 | =sample:1)" walks the short bucket lists and
# skips through the long ones of common words, so a sample costs what the rows it keeps cost.
SAMPLE_ROWS = 3_000
SAMPLE_BUCKETS = 64
# Rows a newest-first walk of the publication index may be expected to test (see ``_newest_first``).
WALK_ROWS = 200

# The schema, also written out in the application's migration. Filters are lexemes
# ("=kind:individual", "=unit:12", "=topic:y-te"…) of both text vectors, so one GIN scan answers
# text and filters together and the planner has no other index to prefer (it cannot see what
# reading a vector from its out-of-line storage costs); browsing without text reads them from
# ``filters``, small and kept in the row. Counting the facets of a
# broad query reads every matching row, so rows are narrow and what the count reads comes
# first, at fixed offsets: the unit, and the kind-year-levels, topics and awards of the entry as
# keys of the sets interned in ``search_facet_set``. Texts and vectors are stored out of line;
# searches read vectors through the GIN indexes only, and the window's alone. GIN indexes
# without a pending list: searches never walk unmerged entries.
def _table_statements(table: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS {table} (
        entry_id bigint PRIMARY KEY,
        published bigint NOT NULL DEFAULT 0,
        unit_id integer NOT NULL DEFAULT 0,
        year integer NOT NULL DEFAULT 0,
        basics_key bigint NOT NULL DEFAULT 0,
        topics_key bigint NOT NULL DEFAULT 0,
        awards_key bigint NOT NULL DEFAULT 0,
        public boolean NOT NULL DEFAULT true,
        title_len integer NOT NULL DEFAULT 0,
        title_exact_len integer NOT NULL DEFAULT 0,
        text_len integer NOT NULL DEFAULT 0,
        text_exact_len integer NOT NULL DEFAULT 0,
        kind text NOT NULL DEFAULT '',
        stamp text NOT NULL DEFAULT '',
        filters tsvector NOT NULL DEFAULT '',
        ref text,
        title text NOT NULL DEFAULT '',
        summary text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        title_terms tsvector NOT NULL DEFAULT '',
        terms tsvector NOT NULL DEFAULT ''
    ) WITH (toast_tuple_target = 128)""",
        f"ALTER TABLE {table} ALTER COLUMN filters SET STORAGE MAIN",
        # The planner's lexeme statistics double as document frequencies for common words.
        f"ALTER TABLE {table} ALTER COLUMN terms SET STATISTICS 1000, ALTER COLUMN title_terms SET STATISTICS 1000",
        # lz4 keeps the large vectors a fifth smaller and is quick to read back, where the server has it.
        f"""DO $$ BEGIN
        IF 'lz4' IN (SELECT unnest(enumvals) FROM pg_settings WHERE name = 'default_toast_compression') THEN
            EXECUTE 'ALTER TABLE {table} ALTER COLUMN terms SET COMPRESSION lz4';
        END IF;
    END $$""",
    ]


_INDEXES = {
    "terms": "USING gin (terms) WITH (fastupdate = off)",
    "title_terms": "USING gin (title_terms) WITH (fastupdate = off)",
    "filters": "USING gin (filters) WITH (fastupdate = off)",
    "published": "(published DESC, entry_id)",
}


def _index_statements(table: str) -> list[str]:
    return [f"CREATE INDEX IF NOT EXISTS ix_{table}_{name} ON {table} {how}" for name, how in _INDEXES.items()]


SCHEMA: tuple[str, ...] = (
    *_table_statements(TABLE),
    *_index_statements(TABLE),
    f"CREATE TABLE IF NOT EXISTS {VOCABULARY} (term text COLLATE \"C\" PRIMARY KEY)",
    f"CREATE TABLE IF NOT EXISTS {FACET_SETS} (key bigint PRIMARY KEY, kind text, year integer, "
    "names text[] NOT NULL DEFAULT '{}')",
)

_COLUMNS = (
    "entry_id", "published", "unit_id", "year", "basics_key", "topics_key", "awards_key", "public", "title_len",
    "title_exact_len", "text_len", "text_exact_len", "kind", "stamp", "filters", "ref", "title", "summary", "body",
    "title_terms", "terms",
)
_CASTS = {"filters": "tsvector", "title_terms": "tsvector", "terms": "tsvector"}
_UPSERT = sa.text(
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ("
    + ", ".join(f"CAST(:{c} AS {_CASTS[c]})" if c in _CASTS else f":{c}" for c in _COLUMNS)
    + ") ON CONFLICT (entry_id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS[1:])
)
_ADD_WORDS = sa.text(
    f"INSERT INTO {VOCABULARY} (term) SELECT unnest(CAST(:terms AS text[])) ORDER BY 1 ON CONFLICT DO NOTHING"
)
_ADD_FACET_SETS = sa.text(
    f"INSERT INTO {FACET_SETS} (key, kind, year, names) VALUES (:key, :kind, :year, CAST(:names AS text[])) "
    "ON CONFLICT DO NOTHING"
)
# Which field of the Whoosh schema a query term reads, and where it lives here.
_FIELD_COLUMN = {"title_exact": "title_terms", "title_folded": "title_terms", "title_pairs": "title_terms",
                 "body_exact": "terms", "body_folded": "terms", "body_pairs": "terms"}
# What a hit shows, read with the candidates' term frequencies or on its own.
_STORED = f"d.ref, d.kind, d.year, d.title, d.summary, left(d.body, {SNIPPET_SOURCE_CHARS})"
_FIELD_LENGTH = {"title_exact": "title_exact_len", "title_folded": "title_len",
                 "body_exact": "text_exact_len", "body_folded": "text_len"}


def create_schema(connection: sa.Connection) -> None:
    """Create the search tables and indexes if they do not exist."""
    for statement in SCHEMA:
        connection.exec_driver_sql(statement)


def drop_schema(connection: sa.Connection) -> None:
    """Drop the search tables."""
    for table in TABLES:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


# ------------------------------------------------------------------ documents


def _lexeme(text: str) -> str:
    """Quote one lexeme for a tsvector or tsquery literal."""
    if "'" in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace("'", "''")
    return "'" + text + "'"


@dataclass
class _Field:
    """Lexemes of one field with their positions, and its lengths as Whoosh counts them."""

    positions: dict[str, list[int]] = field(default_factory=dict)
    length: int = 0
    exact_length: int = 0
    folded: set[str] = field(default_factory=set)
    budget: int = 0


def _analyse(text: str, offset: int, budget: int) -> _Field:
    """Lexemes of one field within ``budget`` bytes of the vector (what is left is in ``out.budget``)."""
    out = _Field()
    positions = out.positions
    by_pos: dict[int, list[str]] = {}
    exact_length = 0
    tokens = index_tokens(text)
    for text_form, folded, pos, _start, _end in tokens:
        at = offset + pos + 1
        if at > MAX_POSITION:
            at = MAX_POSITION
        for lexeme in (folded, text_form) if text_form != folded else (folded,):
            got = positions.get(lexeme)
            if got is None:
                # Lexeme bytes, a word of header, two bytes of count and two per position.
                size = (len(lexeme) if lexeme.isascii() else len(lexeme.encode("utf-8"))) + 8
                if size > budget or size > MAX_LEXEME_BYTES:
                    continue
                budget -= size
                positions[lexeme] = [at]
            elif got[-1] != at and len(got) < MAX_POSITIONS_PER_LEXEME and budget > 2:
                budget -= 2
                got.append(at)
        if text_form != folded:
            exact_length += 1
        here = by_pos.get(pos)
        if here is None:
            by_pos[pos] = [folded]
        else:
            here.append(folded)
    out.length = len(tokens)
    out.exact_length = exact_length
    out.folded = {t[1] for t in tokens}
    # Pairs as in search.analysis.index_pairs; one position each, enough to tell the field.
    for pos, here in by_pos.items():
        nxt = by_pos.get(pos + 1)
        if nxt:
            at = min(MAX_POSITION, offset + pos + 1)
            for a in here:
                for b in nxt:
                    key = pair(a, b)
                    size = (len(key) if key.isascii() else len(key.encode("utf-8"))) + 8
                    if key not in positions and budget > size:
                        budget -= size
                        positions[key] = [at]
    out.budget = budget
    return out


def filter_lexeme(key: str, value: object) -> str:
    """The lexeme that marks a document with a filter value ("=kind:individual"); no word starts with "="."""
    return f"={key}:{value}"


def sample_bucket(entry_id: int) -> int:
    """The sample bucket of a document, 0 to SAMPLE_BUCKETS - 1: a multiplicative hash of the low 16 bits
    of its id, so any run of consecutive ids spreads evenly over the buckets (each 65,536 ids put exactly
    1,024 in each) whatever else the ids go with. ``SAMPLE_BUCKET_SQL`` computes the same in SQL."""
    return (((entry_id & 0xFFFF) * 40503) & 0xFFFF) >> 10


SAMPLE_BUCKET_SQL = "((((entry_id & 65535) * 40503) & 65535) >> 10)"


def _sample_query(buckets: int) -> str:
    """A tsquery true for documents of the first ``buckets`` sample buckets."""
    return _any([_lexeme(filter_lexeme("sample", b)) for b in range(buckets)])


def _vector(title: _Field | None, text: _Field | None, filters: Sequence[str]) -> str:
    """A tsvector literal of the fields' lexemes (title positions weighted A, text positions D) and the
    filter lexemes (no position)."""
    parts: list[str] = [_lexeme(f) for f in filters]
    titled = title.positions if title is not None else {}
    for lexeme, ps in titled.items():
        more = text.positions.get(lexeme) if text is not None else None
        label = "A," if text is not None else ","
        listed = label.join(map(str, ps)) + ("A" if text is not None else "")
        if more:
            listed += "," + ",".join(map(str, more[: MAX_POSITIONS_PER_LEXEME - len(ps)]))
        parts.append(f"{_lexeme(lexeme)}:{listed}")
    if text is not None:
        for lexeme, ps in text.positions.items():
            if lexeme not in titled:
                parts.append(f"{_lexeme(lexeme)}:{','.join(map(str, ps))}")
    return " ".join(parts)


def _int_or_none(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -INT_MAX <= number <= INT_MAX else None


@dataclass(frozen=True)
class FacetSet:
    """What one facet key of a document stands for: its kind, year and level names (``basics``),
    or its topic or award names."""

    kind: str | None
    year: int | None
    names: tuple[str, ...]


def _facet_key(facet: str, value: FacetSet) -> int:
    # 64 bits of a content hash: a collision among the few thousand sets of a registry is beyond
    # reach, and the same set gets the same key in every process.
    text = "\x1f".join([facet, value.kind or "", str(value.year or ""), "\x1e".join(value.names)])
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def document_row(doc: Mapping[str, Any]) -> tuple[dict[str, Any], set[str], dict[int, FacetSet]]:
    """Return the ``search_document`` row of an application document, its title vocabulary and
    its facet sets by key."""
    p = prepare(doc)
    title = _analyse(p.title, 0, MAX_VECTOR_BYTES // 10)
    # A gap keeps title and text positions apart; the text gets what the title left of the vector.
    offset = max((ps[-1] for ps in title.positions.values()), default=0) + 1
    text = _analyse(p.text, offset, MAX_VECTOR_BYTES - (MAX_VECTOR_BYTES // 10 - title.budget))
    unit_ids = [n for n in (_int_or_none(u) for u in p.unit_ids) if n is not None]
    year = _int_or_none(p.year) or 0
    filters = [filter_lexeme(key, v) for key, values in (
        ("kind", [p.kind] if p.kind else []), ("year", [year] if year else []), ("unit", unit_ids),
        ("topic", p.topics), ("award", p.awards), ("level", p.levels), ("visibility", p.visibility),
        ("sample", [sample_bucket(p.id)]),
    ) for v in dict.fromkeys(values)]
    sets = {
        "basics": FacetSet(p.kind, year, tuple(p.levels)),
        "topics": FacetSet(None, None, tuple(p.topics)),
        "awards": FacetSet(None, None, tuple(p.awards)),
    }
    keys = {facet: _facet_key(facet, value) for facet, value in sets.items()}
    row = {
        "entry_id": p.id,
        "published": p.published,
        "unit_id": _int_or_none(p.unit_id) or 0,
        "year": year,
        "basics_key": keys["basics"],
        "topics_key": keys["topics"],
        "awards_key": keys["awards"],
        "public": "public" in p.visibility,
        "title_len": title.length,
        "title_exact_len": title.exact_length,
        "text_len": text.length,
        "text_exact_len": text.exact_length,
        "kind": p.kind,
        "stamp": p.stamp,
        "filters": " ".join(_lexeme(f) for f in filters),
        "ref": None if p.ref is None else str(p.ref),
        "title": p.title,
        "summary": p.summary,
        "body": p.body[:STORED_BODY_CHARS],
        "title_terms": _vector(title, None, filters),
        "terms": _vector(title, text, filters),
    }
    return row, title.folded, {keys[f]: value for f, value in sets.items()}


def _facet_rows(sets: Mapping[int, FacetSet]) -> list[dict[str, Any]]:
    return [{"key": k, "kind": v.kind, "year": v.year, "names": list(v.names)} for k, v in sorted(sets.items())]


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


# ------------------------------------------------------------------ queries


def _any(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _all(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def _token_q(tok: QueryToken, typos: Typos | None, exact: bool) -> str:
    first = tok.text if exact and tok.marked else tok.folded
    return _any([_lexeme(w) for w in [first] + typo_alternatives(tok, typos)])


def _clause_q(clause: Clause, typos: Typos | None, exact: bool) -> str:
    if clause.kind == "phrase":
        folded = [t.folded for t in clause.tokens]
        parts = [_lexeme(pair(a, b)) for a, b in zip(folded, folded[1:])]
        if exact:
            parts += [_lexeme(t.text) for t in clause.tokens if t.marked]
    else:
        parts = [_token_q(t, typos, exact) for t in clause.tokens]
    together = _all(list(dict.fromkeys(parts)))
    return _any(list(dict.fromkeys([together] + [_lexeme(k) for k in clause.keys])))


def match_query(parsed: ParsedQuery, mode: str, typos: Typos | None = None, *, exact: bool = False) -> str:
    """The tsquery of parsed text: every clause (``mode`` "all") or any; marked syllables as typed if ``exact``."""
    clauses = [_clause_q(c, typos if c.kind != "phrase" else None, exact) for c in parsed.clauses]
    return (_any if mode == "any" else _all)(clauses)


def _adjacency_q(parsed: ParsedQuery, typos: Typos | None) -> str | None:
    """A tsquery true when the query's syllables stand together: each junction as a pair, and each
    group's syllables as pairs or as the group's key."""
    slots, cut, keyed = adjacency_slots(parsed, typos)

    def junction(i: int) -> str:
        before = list(slots[i]) + [k for _first, last, k in keyed if last == i]
        after = list(slots[i + 1]) + [k for first, _last, k in keyed if first == i + 1]
        return _any(list(dict.fromkeys(_lexeme(pair(a, b)) for a in before for b in after)))

    groups: dict[tuple[int, int], list[str]] = {}
    for first, last, key in keyed:
        groups.setdefault((first, last), []).append(_lexeme(key))
    inside = {i for first, last in groups for i in range(first, last)}
    parts = [junction(i) for i in range(len(slots) - 1) if i + 1 not in cut and i not in inside]
    for (first, last), keys in groups.items():
        if last > first:
            within = _all([junction(i) for i in range(first, last)])
            parts.append(_any(list(dict.fromkeys([within] + keys))))
    return _all(parts) if parts else None


def _has_marks(parsed: ParsedQuery) -> bool:
    return any(t.marked for t in parsed.tokens)


def _tiers(parsed: ParsedQuery, mode: str, typos: Typos | None) -> list[tuple[str, str]]:
    """(column, tsquery) of each candidate tier, best first; rows of a tier also match the query."""
    match = match_query(parsed, mode, typos)
    marked = _has_marks(parsed)
    exact = match_query(parsed, mode, typos, exact=True) if marked else None
    tiers: list[tuple[str, str]] = []
    if exact:
        tiers.append(("title_terms", exact))
    tiers.append(("title_terms", match))
    adjacent = _adjacency_q(parsed, typos) if mode != "any" else None
    if adjacent and exact:
        tiers.append(("terms", f"{exact} & {adjacent}"))
    if adjacent:
        tiers.append(("terms", f"{match} & {adjacent}"))
    if exact:
        tiers.append(("terms", exact))
    tiers.append(("terms", match))
    return tiers


@dataclass
class _Filter:
    """A request's filters: the public flag alone (the common case, read from the row), or filter lexemes
    that every query adds to its tsquery; ``never`` when nothing can match."""

    lexemes: str | None = None
    public_only: bool = False
    never: bool = False

    def where(self, column: str = "terms", tsquery: str | None = None, sample: int = 0,
              name: str = "q") -> tuple[str, dict[str, Any]]:
        """A WHERE clause over ``search_document d``: ``tsquery`` on ``column`` and the filters in one
        GIN condition (parameter ``name``), or the filters alone on ``filters``; only the first ``sample``
        sample buckets if given."""
        parts = ["d.public"] if self.public_only else []
        conditions = [c for c in (tsquery, self.lexemes, _sample_query(sample) if sample else None) if c]
        if tsquery:
            parts.append(f"d.{column} @@ CAST(:{name} AS tsquery)")
        elif conditions:
            parts.append(f"d.filters @@ CAST(:{name} AS tsquery)")
        else:
            return " AND ".join(parts) or "TRUE", {}
        return " AND ".join(parts), {name: " & ".join(conditions)}

    @property
    def dated(self) -> bool:
        """True when a year filter applies."""
        return bool(self.lexemes) and "'=year:" in self.lexemes

    @property
    def reads_everything(self) -> bool:
        """True when only the public flag filters: the whole table is read, sequentially at best."""
        return not self.lexemes


def _filters(req: SearchRequest) -> _Filter:
    allowed = list(dict.fromkeys(str(v) for v in (req.visibility or ()) if v))
    if not allowed:
        return _Filter(never=True)
    out = _Filter(public_only=allowed == ["public"])
    parts = [] if out.public_only else [_any([_lexeme(filter_lexeme("visibility", v)) for v in allowed])]
    for key, numeric in (("kind", False), ("year", True), ("unit", True), ("topic", False), ("award", False),
                         ("level", False)):
        value = getattr(req, key)
        if value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        if numeric:
            number = _int_or_none(text) if text.lstrip("-").isdigit() else None
            if not number:  # not a number, out of range, or 0 (which stands for "none" in the rows)
                return _Filter(never=True)
            text = str(number)
        parts.append(_lexeme(filter_lexeme(key, text)))
    out.lexemes = _all(parts) if parts else None
    return out


@dataclass
class _Found:
    total: int = 0
    top: list[tuple[float, int, int]] = field(default_factory=list)  # (score, published, entry id)
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    approximate: bool = False
    stored: dict[int, tuple] = field(default_factory=dict)  # entry id -> the ``_STORED`` columns, when read


def _sample_buckets(estimate: float) -> int:
    """How many sample buckets to count for a query estimated to match ``estimate`` rows; 0 to count all."""
    if estimate <= EXACT_COUNT_LIMIT:
        return 0
    buckets = math.ceil(SAMPLE_BUCKETS * SAMPLE_ROWS / estimate)
    return buckets if buckets <= SAMPLE_BUCKETS // 2 else 0


@dataclass
class _Counts:
    total: int = 0
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    approximate: bool = False
    stored: dict[int, tuple] = field(default_factory=dict)  # entry id -> the ``_STORED`` columns, when read


def _count(
    conn: sa.Connection, idx: PostgresSearchIndex, filt: _Filter, tsquery: str | None, facets: bool,
    exact: bool = False,
) -> _Counts:
    """Total and, if asked, facet counts of the rows matching ``tsquery`` and the filters, in one pass.

    Unless ``exact``, a query the planner expects to match more than EXACT_COUNT_LIMIT rows is counted
    on a sample of about SAMPLE_ROWS of its matches and the counts are scaled up (``approximate``).
    """
    if filt.never:
        return _Counts(0, {k: [] for k in FACET_KEYS} if facets else {})
    where, params = filt.where("terms", tsquery)
    column = "terms" if tsquery else "filters" if filt.lexemes else None
    buckets = 0 if exact else _sample_buckets(idx.statistics(conn).rows(column, params.get("q")))
    if buckets:
        sampled = _aggregate(conn, idx, *filt.where("terms", tsquery, buckets), facets)
        scale = SAMPLE_BUCKETS / buckets
        # Far fewer matches than the planner thought: a sample that small says little, count them all.
        if sampled.total * scale >= EXACT_COUNT_LIMIT / 2:
            return _Counts(
                round(sampled.total * scale),
                {key: [(v, max(1, round(n * scale))) for v, n in items] for key, items in sampled.facets.items()},
                approximate=True,
            )
    if filt.reads_everything and not tsquery:
        # Every (public) row is read: sequentially, not through the publication index.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = on")
    try:
        return _aggregate(conn, idx, where, params, facets)
    finally:
        if filt.reads_everything and not tsquery:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")


def _aggregate(
    conn: sa.Connection, idx: PostgresSearchIndex, where: str, params: dict[str, Any], facets: bool
) -> _Counts:
    """Count the rows matching ``where`` and, if asked, their facet values."""
    if not facets:
        return _Counts(int(conn.execute(sa.text(f"SELECT count(*) FROM {TABLE} d WHERE {where}"), params).scalar_one()))
    # One hash table per grouping set, keyed by integers; each set key is spread into its values here.
    # Kind-year-levels and awards go together (they make few pairs), which saves a hash table a row.
    rows = conn.execute(sa.text(
        "SELECT GROUPING(d.unit_id, d.basics_key, d.topics_key), d.unit_id, d.basics_key, d.topics_key, "
        f"d.awards_key, count(*) FROM {TABLE} d WHERE {where} "
        "GROUP BY GROUPING SETS ((d.unit_id), (d.basics_key, d.awards_key), (d.topics_key))"),
        params,
    ).all()
    sets = idx.facet_sets(conn, (k for r in rows for k in r[2:5] if k is not None))
    counters: dict[str, Counter[Any]] = {k: Counter() for k in FACET_KEYS}
    total = 0
    for grouping, unit_id, basics_key, topics_key, awards_key, n in rows:
        if grouping == 0b011:
            counters["unit"][unit_id] += n
        elif grouping == 0b101:
            total += n
            basics = sets.get(basics_key)
            if basics is not None:
                counters["kind"][basics.kind] += n
                counters["year"][basics.year] += n
                for v in basics.names:
                    counters["level"][v] += n
            for v in sets[awards_key].names if awards_key in sets else ():
                counters["award"][v] += n
        else:
            for v in sets[topics_key].names if topics_key in sets else ():
                counters["topic"][v] += n
    out: dict[str, list[tuple[Any, int]]] = {}
    for key, counter in counters.items():
        for none in ("", None, 0):  # no kind, year or unit
            counter.pop(none, None)
        items = list(counter.items())
        items.sort(key=lambda kv: (-kv[1], str(kv[0])))
        out[key] = items
    return _Counts(total, out)


def _newest_first(filt: _Filter, matches: float, want: int, docs: int) -> str:
    """ORDER BY of the ``want`` newest of about ``matches`` rows: walking the publication index, testing
    each row, pays off when the matches are so many that a few rows in turn hold enough of them; the
    test reads the row's vector from out-of-line storage (tens of µs, which the planner's costs do not
    see), so past WALK_ROWS rows collecting the matches through the GIN index and sorting them (under a
    µs a row) is cheaper. A filter on the year never walks: the newest rows are of the latest years."""
    walk = not filt.dated and want * docs <= WALK_ROWS * matches
    # The index orders by ``published`` alone; "published + 0" leaves the planner nothing to walk.
    return "d.published DESC, d.entry_id" if walk else "d.published + 0 DESC, d.entry_id"


def _newest(conn: sa.Connection, idx: PostgresSearchIndex, filt: _Filter, tsquery: str | None, want: int,
            matches: int) -> list[tuple[float, int, int]]:
    where, params = filt.where("terms", tsquery)
    order = _newest_first(filt, matches, want, idx.statistics(conn).docs)
    rows = conn.execute(sa.text(
        f"SELECT d.entry_id, d.published FROM {TABLE} d WHERE {where} ORDER BY {order} LIMIT :want"),
        {**params, "want": want},
    ).all()
    return [(0.0, int(p), int(i)) for i, p in rows]


def _window(conn: sa.Connection, idx: PostgresSearchIndex, filt: _Filter, tiers: list[tuple[str, str]], size: int,
            matches: int) -> list[int]:
    """Up to ``size`` candidate ids, tier after tier, newest first within each tier; every tier is part
    of the ``matches`` rows of the query.

    Tiers go to the server a few at a time, as many as their sizes may take to fill the window (twice
    over: tiers overlap), each for its ``size`` newest rows: the first unseen rows of each, taken in turn,
    are then those a statement per tier excluding the rows already taken would return, for no more than
    ``size`` rows of a tier can come before them. A batch is sized by each tier's bound from above: the
    words of a query are seldom independent ("cây ATM gạo"), and a tier sent needlessly reads thousands
    of rows, where one sent too few costs a round trip."""
    stats = idx.statistics(conn)
    seen: list[int] = []
    taken: set[int] = set()
    todo = list(tiers)
    while todo and len(seen) < size:
        batch: list[tuple[str, float]] = []  # (WHERE clause, estimated rows) of each tier
        params: dict[str, Any] = {"k": size}
        expected = 0.0
        while todo and (not batch or expected < 2 * size):
            column, tsquery = todo.pop(0)
            name = f"q{len(batch)}"
            where, got = filt.where(column, tsquery, name=name)
            params.update(got)
            batch.append((where, min(matches, stats.rows(column, got[name]))))
            expected += min(matches, stats.rows(column, got[name], at_most=True))
        parts: list[str] = []
        for n, (where, rows) in enumerate(batch):
            parts.append(f"(SELECT {n} AS tier, d.entry_id, d.published FROM {TABLE} d WHERE {where} "
                         f"ORDER BY {_newest_first(filt, rows, size, stats.docs)} LIMIT :k)")
        found: list[list[tuple[int, int]]] = [[] for _ in batch]
        for tier, entry_id, published in conn.execute(sa.text(" UNION ALL ".join(parts)), params):
            found[tier].append((-int(published), int(entry_id)))
        for rows_of_tier in found:
            rows_of_tier.sort()
            for _published, entry_id in rows_of_tier:
                if len(seen) >= size:
                    break
                if entry_id not in taken:
                    taken.add(entry_id)
                    seen.append(entry_id)
    return seen


def _leaves(node: Q.Query) -> Iterator[Q.Term]:
    if isinstance(node, Q.Term):
        yield node
    elif isinstance(node, (Q.And, Q.Or)):
        for sub in node.subqueries:
            yield from _leaves(sub)


def _bm25(idf: float, tf: float, length: float, mean: float) -> float:
    return idf * ((tf * (BM25_K1 + 1)) / (tf + BM25_K1 * ((1 - BM25_B) + BM25_B * length / mean)))


def _tree_score(node: Q.Query, score_leaf: Any) -> float | None:
    """Score of a document under a Whoosh query tree: sums of matching leaves; None if it does not match."""
    if isinstance(node, Q.Term):
        return score_leaf(node)
    if isinstance(node, Q.And):
        total = 0.0
        for sub in node.subqueries:
            got = _tree_score(sub, score_leaf)
            if got is None:
                return None
            total += got
        return total
    if isinstance(node, Q.Or):
        scores = [s for s in (_tree_score(sub, score_leaf) for sub in node.subqueries) if s is not None]
        return sum(scores) if scores else None
    return None


def _rescore(
    conn: sa.Connection, idx: PostgresSearchIndex, parsed: ParsedQuery, mode: str, typos: Typos | None, ids: list[int],
    stored: dict[int, tuple] | None = None,
) -> list[tuple[float, int, int]]:
    """BM25F of the Whoosh backend's query tree plus its adjacency bonus, for the candidates ``ids``; their
    shown columns (``_STORED``) into ``stored`` if given."""
    if not ids:
        return []
    stats = idx.statistics(conn)
    full = build_text_query(parsed, "any" if mode == "any" else "all", typos)
    assert full is not None
    weighted = [(t.fieldname, t.text) for t in _leaves(full)]
    bonus_terms = adjacency_terms(parsed, typos)
    keys = list(dict.fromkeys(weighted + [(f, t) for f, t, _ in bonus_terms]))
    dfs = idx.doc_frequencies(conn, ((_FIELD_COLUMN[f], t) for f, t in keys))
    n_docs = max(1, stats.docs)
    df = {(f, t): dfs[(_FIELD_COLUMN[f], t)] for f, t in keys}
    idf = {k: 1.0 + math.log(n_docs / (1 + n)) for k, n in df.items()}
    # As the Whoosh backend does: terms in most entries are left out of the scoring query.
    limit = DENSE_SHARE * n_docs
    dense = frozenset(k for k in keys if k[0].startswith("body") and df[k] > limit)
    main = build_text_query(parsed, "any" if mode == "any" else "all", typos, dense) if dense else full
    assert main is not None
    lexemes = sorted({t for _, t in keys})
    # One row a candidate: its lengths, the frequencies of the query's lexemes and, read in the same
    # pass, what a hit shows.
    rows = conn.execute(sa.text(
        "SELECT d.entry_id, d.published, d.title_len, d.title_exact_len, d.text_len, d.text_exact_len, u.lexemes, "
        f"u.in_title, u.in_text, {_STORED} FROM {TABLE} d LEFT JOIN LATERAL ("
        "SELECT array_agg(x.lexeme) AS lexemes, array_agg(cardinality(array_positions(x.weights, 'A'))) AS in_title, "
        "array_agg(cardinality(array_positions(x.weights, 'D'))) AS in_text "
        # Deleting every other lexeme first (twice ts_delete) is far cheaper than unnesting whole vectors.
        "FROM unnest(ts_delete(d.terms, tsvector_to_array(ts_delete(d.terms, CAST(:lexemes AS text[]))))) AS x"
        ") AS u ON TRUE WHERE d.entry_id = ANY(CAST(:ids AS bigint[]))"),
        {"lexemes": lexemes, "ids": ids},
    ).all()
    docs: dict[int, dict[str, Any]] = {}
    for entry_id, published, tl, tel, bl, bel, found, in_title, in_text, *shown in rows:
        tf: dict[tuple[str, str], int] = {}
        for lexeme, a, b in zip(found or (), in_title or (), in_text or ()):
            tf[("title", lexeme)] = a or 0
            tf[("body", lexeme)] = b or 0
        docs[int(entry_id)] = {
            "published": int(published),
            "length": {"title_folded": tl, "title_exact": tel, "body_folded": bl, "body_exact": bel},
            "tf": tf,
        }
        if stored is not None:
            stored[int(entry_id)] = tuple(shown)
    out: list[tuple[float, int, int]] = []
    for entry_id, d in docs.items():
        tf, length = d["tf"], d["length"]

        def leaf(term: Q.Term, tf: dict = tf, length: dict = length) -> float | None:
            f = term.fieldname
            freq = tf.get((f.split("_")[0], term.text), 0)
            if not freq:
                return None
            return term.boost * _bm25(idf[(f, term.text)], freq, length[f], stats.mean_length[f] or 1.0)

        score = _tree_score(main, leaf) or 0.0
        for f, t, w in bonus_terms:
            if tf.get((f.split("_")[0], t), 0):
                score += w * idf[(f, t)]
        out.append((score, d["published"], entry_id))
    out.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return out


def _run_text(
    conn: sa.Connection, idx: PostgresSearchIndex, parsed: ParsedQuery, req: SearchRequest, mode: str,
    typos: Typos | None, want: int, exact: bool,
) -> _Found:
    filt = _filters(req)
    match = match_query(parsed, mode, typos)
    counts = _count(conn, idx, filt, match, req.facets, exact)
    found = _Found(counts.total, [], counts.facets, counts.approximate)
    if not counts.total:
        return found
    if req.sort == "newest":
        found.top = _newest(conn, idx, filt, match, want, counts.total)
    else:
        ids = _window(conn, idx, filt, _tiers(parsed, mode, typos), max(want, WINDOW), counts.total)
        found.top = _rescore(conn, idx, parsed, mode, typos, ids, found.stored)[:want]
    return found


# ------------------------------------------------------------------ typos


def _edits(word: str) -> set[str]:
    """Words one insertion, deletion, substitution or swap away, keeping the first letter."""
    letters = set(ALPHABET) | set(word)
    out: set[str] = set()
    for i in range(1, len(word) + 1):
        head, tail = word[:i], word[i:]
        out.update(head + c + tail for c in letters)  # insertion
        if tail:
            out.add(head + tail[1:])  # deletion
            out.update(head + c + tail[1:] for c in letters)  # substitution
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])  # swap
    out.discard(word)
    return out


def title_neighbours(conn: sa.Connection, idx: PostgresSearchIndex, parsed: ParsedQuery) -> dict[str, list[str]]:
    """Map each query syllable to title words one edit (or one swap) away, most frequent first.

    A syllable that exists in the index comes first in its own list, as in the Whoosh backend.
    """
    words = list(dict.fromkeys(t.folded for t in parsed.tokens if len(t.folded) >= FUZZY_MIN_LEN))
    if not words:
        return {}
    edits = {w: _edits(w) for w in words}
    found = set(conn.execute(
        sa.text(f"SELECT term FROM {VOCABULARY} WHERE term = ANY(CAST(:c AS text[]))"),
        {"c": sorted(set().union(*edits.values()))},
    ).scalars())
    wanted = [("title_terms", w) for w in words] + [("terms", w) for w in words]
    wanted += [("title_terms", c) for w in words for c in edits[w] & found]
    df = idx.doc_frequencies(conn, wanted)
    out: dict[str, list[str]] = {}
    for word in words:
        # The vocabulary keeps words of deleted titles; only those still in a title count.
        near = [c for c in edits[word] & found if df[("title_terms", c)]]
        if not near:
            continue
        ranked = sorted(near, key=lambda t: (-df[("title_terms", t)], t))[:MAX_TYPO_ALTERNATIVES]
        known = df[("title_terms", word)] or df[("terms", word)]
        out[word] = ([word] if known else []) + ranked
    return out


# ------------------------------------------------------------------ public API


def _browse(conn: sa.Connection, idx: PostgresSearchIndex, req: SearchRequest, want: int, exact: bool) -> _Found:
    filt = _filters(req)
    counts = _count(conn, idx, filt, None, req.facets, exact)
    top = _newest(conn, idx, filt, None, want, counts.total) if counts.total else []
    return _Found(counts.total, top, counts.facets, counts.approximate)


def _match(conn: sa.Connection, idx: PostgresSearchIndex, req: SearchRequest, parsed: ParsedQuery, want: int,
           result: SearchResult, exact: bool = False) -> _Found:
    """Run the query with its fallbacks, noting the mode and any suggestion on ``result``; totals and
    facets of broad queries are estimates unless ``exact``."""
    if not parsed:
        result.mode = "browse"
        return _browse(conn, idx, req, want, exact)
    got = _Found()
    typos: dict[str, list[str]] | None = None
    for mode in ("all", "typo", "any"):
        if mode == "typo":
            typos = title_neighbours(conn, idx, parsed)
            result.did_you_mean = did_you_mean(parsed, typos)
            if not typos:
                continue
        if mode == "any" and len(parsed.clauses) < 2:
            break
        got = _run_text(conn, idx, parsed, req, mode, typos, want, exact)
        result.mode = mode
        if got.total:
            break
    result.query_used = parsed.text
    return got


def search_ids(idx: PostgresSearchIndex, req: SearchRequest, *, limit: int) -> tuple[int, list[int]]:
    """Return how many documents match and the ids of the first ``limit`` in result order (for downloads)."""
    parsed = parse_query(req.q if isinstance(req.q, str) else "")
    bare = SearchRequest(**{**req.__dict__, "facets": False})
    with idx.reading() as conn:
        got = _match(conn, idx, bare, parsed, max(1, limit), SearchResult(), exact=True)
    return got.total, [entry_id for _score, _published, entry_id in got.top]


def search(idx: PostgresSearchIndex, req: SearchRequest) -> SearchResult:
    """Run a search; never raises on user input (bad input degrades to a plain search)."""
    page = max(1, to_int(req.page, 1))
    per_page = min(MAX_PER_PAGE, max(1, to_int(req.per_page, 20)))
    parsed = parse_query(req.q if isinstance(req.q, str) else "")
    want = page * per_page
    result = SearchResult(page=page, per_page=per_page)
    with idx.reading() as conn:
        got = _match(conn, idx, req, parsed, want, result)
        result.total = got.total
        result.approximate = got.approximate
        if req.facets:
            result.facets = got.facets or {k: [] for k in FACET_KEYS}
        shown = got.top[(page - 1) * per_page : want]
        stored = got.stored
        missing = [i for _, _, i in shown if i not in stored]
        if missing:
            stored.update((int(r[0]), tuple(r[1:])) for r in conn.execute(sa.text(
                f"SELECT d.entry_id, {_STORED} FROM {TABLE} d WHERE d.entry_id = ANY(CAST(:ids AS bigint[]))"),
                {"ids": missing}))
    terms = HighlightTerms.from_query(parsed)
    for score, _published, entry_id in shown:
        row = stored.get(entry_id)
        if row is None:
            continue
        ref, kind, year, title, summary, body = row
        texts = [title or "", summary or "", body or ""]
        doc_terms = terms.for_texts(texts)
        result.hits.append(Hit(
            id=entry_id, score=float(score), title_html=highlight(texts[0], doc_terms),
            snippet_html=snippet(texts[1:], doc_terms), title=texts[0], ref=ref, kind=kind or "",
            year=int(year) if year else None,
        ))
    return result


def suggest(
    idx: PostgresSearchIndex, prefix: str, limit: int = 8, visibility: Sequence[str] = ("public",)
) -> list[dict[str, Any]]:
    """Return up to ``limit`` titles matching what is typed so far, ignoring diacritics."""
    if not isinstance(prefix, str) or limit <= 0:
        return []
    text = normalize(prefix[:200])
    toks = syllables(text)[:12]
    if not toks:
        return []
    partial = text[-1:].isalnum()
    whole = toks[:-1] if partial else toks
    parts = [_lexeme(t.folded) for t in whole]
    if partial:
        parts.append(_lexeme(toks[-1].folded) + ":*")
    filt = _filters(SearchRequest(visibility=visibility))
    if filt.never:
        return []
    where, params = filt.where("title_terms", _all(parts))
    exact_prefix = fold(text).lower().strip()
    with idx.reading() as conn:
        found = conn.execute(sa.text(
            f"SELECT d.entry_id, d.title FROM {TABLE} d WHERE {where} "
            "ORDER BY d.published DESC, d.entry_id LIMIT :want"), {**params, "want": max(limit * 5, 40)},
        ).all()
    rows = [(not fold(title).lower().startswith(exact_prefix), len(title), title, int(entry_id))
            for entry_id, title in found]
    rows.sort()
    return [{"id": entry_id, "title": title} for _, _, title, entry_id in rows[:limit]]
