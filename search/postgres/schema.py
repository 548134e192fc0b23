"""The rows of the PostgreSQL engine: its tables, and what a document becomes in them.

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

Writes take a connection: pass the application's own to update the search rows in the
same transaction as the data they come from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from search.analysis import index_tokens, pair
from search.document import STORED_BODY_CHARS, prepare
from search.highlight import SNIPPET_SOURCE_CHARS

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
INT_MAX = 2**31 - 1
SAMPLE_BUCKETS = 64

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


# ------------------------------------------------------------------ tsquery text


def _any(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _all(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"
