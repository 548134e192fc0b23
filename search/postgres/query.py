"""Search and suggestions in PostgreSQL: the ranking of the Whoosh engine over ``tsvector`` columns.

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
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from search.analysis import (
    Clause,
    HighlightTerms,
    ParsedQuery,
    QueryToken,
    fold,
    normalize,
    pair,
    parse_query,
    syllables,
)
from search.contract import (
    FACET_KEYS,
    FUZZY_MIN_LEN,
    MAX_PER_PAGE,
    MAX_TYPO_ALTERNATIVES,
    Hit,
    SearchRequest,
    SearchResult,
    Typos,
    by_count,
    to_int,
    typo_alternatives,
)
from search.highlight import highlight, snippet
from search.passes import related_pass, run_passes
from search.postgres.index import PostgresSearchIndex
from search.postgres.schema import (
    _FIELD_COLUMN,
    _STORED,
    SAMPLE_BUCKETS,
    TABLE,
    VOCABULARY,
    _all,
    _any,
    _int_or_none,
    _lexeme,
    _sample_query,
    filter_lexeme,
)
from search.scoring import (
    DENSE_SHARE,
    RESCORE_WINDOW,
    Term,
    adjacency_slots,
    adjacency_terms,
    bm25,
    build_text_query,
    leaves,
    tree_score,
)

log = logging.getLogger(__name__)

# BM25F parameters of Whoosh's default weighting.
BM25_B = 0.75
BM25_K1 = 1.2
# Candidates scored with BM25F, as in the Whoosh backend: at least this many, more for later pages.
WINDOW = RESCORE_WINDOW
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"
# Counting every match of a broad query costs about a microsecond a row (the GIN bitmap, the rows,
# the facet hash tables), so past this many matches by the planner's estimate the total and the
# facet counts are estimated from a sample of the matches and the result says so (``approximate``).
EXACT_COUNT_LIMIT = 6_000
# Every document carries one of SAMPLE_BUCKETS sample lexemes ("=sample:17", see ``sample_bucket``);
# a sample is the matches in the first k buckets, with k chosen to read about SAMPLE_ROWS rows. The
# GIN index finds them itself: "query & (=sample:0 | =sample:1)" walks the short bucket lists and
# skips through the long ones of common words, so a sample costs what the rows it keeps cost.
SAMPLE_ROWS = 3_000
# Rows a newest-first walk of the publication index may be expected to test (see ``_newest_first``).
WALK_ROWS = 200

# ------------------------------------------------------------------ queries


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
    """The tsquery of parsed text: every clause (``mode`` "all"), any, or all but one ("most"); marked
    syllables as typed if ``exact``."""
    clauses = [_clause_q(c, typos if c.kind != "phrase" else None, exact) for c in parsed.clauses]
    if mode == "most" and len(clauses) > 1:
        # All clauses but at most one.
        return _any([_all(clauses[:i] + clauses[i + 1:]) for i in range(len(clauses))])
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


def _tiers(parsed: ParsedQuery, mode: str, typos: Typos | None, as_typed: bool = False) -> list[tuple[str, str]]:
    """(column, tsquery) of each candidate tier, best first; rows of a tier also match the query (marked
    syllables as typed if ``as_typed``)."""
    marked = _has_marks(parsed)
    exact = match_query(parsed, mode, typos, exact=True) if marked else None
    match = exact if as_typed and exact else match_query(parsed, mode, typos)
    tiers: list[tuple[str, str]] = []
    if exact and exact != match:
        tiers.append(("title_terms", exact))
    tiers.append(("title_terms", match))
    adjacent = _adjacency_q(parsed, typos) if mode not in ("any", "most") else None
    if adjacent and exact and exact != match:
        tiers.append(("terms", f"{exact} & {adjacent}"))
    if adjacent:
        tiers.append(("terms", f"{match} & {adjacent}"))
    if exact and exact != match:
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
        out[key] = by_count(list(counter.items()))
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


def _rescore(
    conn: sa.Connection, idx: PostgresSearchIndex, parsed: ParsedQuery, mode: str, typos: Typos | None, ids: list[int],
    stored: dict[int, tuple] | None = None,
) -> list[tuple[float, int, int]]:
    """BM25F of the Whoosh backend's query tree plus its adjacency bonus, for the candidates ``ids``; their
    shown columns (``_STORED``) into ``stored`` if given."""
    if not ids:
        return []
    stats = idx.statistics(conn)
    tree_mode = "any" if mode in ("any", "most") else "all"
    full = build_text_query(parsed, tree_mode, typos)
    assert full is not None
    weighted = [(t.fieldname, t.text) for t in leaves(full)]
    bonus_terms = adjacency_terms(parsed, typos)
    keys = list(dict.fromkeys(weighted + [(f, t) for f, t, _ in bonus_terms]))
    dfs = idx.doc_frequencies(conn, ((_FIELD_COLUMN[f], t) for f, t in keys))
    n_docs = max(1, stats.docs)
    df = {(f, t): dfs[(_FIELD_COLUMN[f], t)] for f, t in keys}
    idf = {k: 1.0 + math.log(n_docs / (1 + n)) for k, n in df.items()}
    # As the Whoosh backend does: terms in most entries are left out of the scoring query.
    limit = DENSE_SHARE * n_docs
    dense = frozenset(k for k in keys if k[0].startswith("body") and df[k] > limit)
    main = build_text_query(parsed, tree_mode, typos, dense) if dense else full
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

        def leaf(term: Term, tf: dict = tf, length: dict = length) -> float | None:
            f = term.fieldname
            freq = tf.get((f.split("_")[0], term.text), 0)
            if not freq:
                return None
            return term.boost * bm25(idf[(f, term.text)], freq, length[f], stats.mean_length[f] or 1.0)

        score = tree_score(main, leaf) or 0.0
        for f, t, w in bonus_terms:
            if tf.get((f.split("_")[0], t), 0):
                score += w * idf[(f, t)]
        out.append((score, d["published"], entry_id))
    out.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return out


def _run_text(
    conn: sa.Connection, idx: PostgresSearchIndex, parsed: ParsedQuery, req: SearchRequest, mode: str,
    typos: Typos | None, want: int, exact: bool, as_typed: bool = False,
) -> _Found:
    filt = _filters(req)
    match = match_query(parsed, mode, typos, exact=as_typed)
    counts = _count(conn, idx, filt, match, req.facets, exact)
    found = _Found(counts.total, [], counts.facets, counts.approximate)
    if not counts.total:
        return found
    if req.sort == "newest":
        found.top = _newest(conn, idx, filt, match, want, counts.total)
    else:
        ids = _window(conn, idx, filt, _tiers(parsed, mode, typos, as_typed), max(want, WINDOW), counts.total)
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
    return run_passes(
        parsed, exact=bool(req.exact), want=want, result=result,
        run=lambda mode, typos, n, as_typed: _run_text(conn, idx, parsed, req, mode, typos, n, exact, as_typed),
        neighbours=lambda: title_neighbours(conn, idx, parsed),
    )


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
    bare = SearchRequest(**{**req.__dict__, "facets": False})
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
            stored.update(_stored_rows(conn, missing))
        related = related_pass(
            parsed, got, exact=bool(req.exact), page=page, result=result,
            run=lambda mode, typos, n, as_typed: _run_text(conn, idx, parsed, bare, mode, typos, n, False, as_typed))
        missing = [i for _, _, i in related if i not in stored]
        if missing:
            stored.update(_stored_rows(conn, missing))
    terms = HighlightTerms.from_query(parsed)
    result.hits = [h for h in (_hit(stored.get(entry_id), entry_id, score, terms) for score, _, entry_id in shown) if h]
    result.related = [h for h in (_hit(stored.get(entry_id), entry_id, score, terms) for score, _, entry_id in related)
                      if h]
    return result


def _stored_rows(conn: sa.Connection, ids: list[int]) -> dict[int, tuple]:
    return {int(r[0]): tuple(r[1:]) for r in conn.execute(sa.text(
        f"SELECT d.entry_id, {_STORED} FROM {TABLE} d WHERE d.entry_id = ANY(CAST(:ids AS bigint[]))"),
        {"ids": ids})}


def _hit(row: tuple | None, entry_id: int, score: float, terms: HighlightTerms) -> Hit | None:
    if row is None:
        return None
    ref, kind, year, title, summary, body = row
    texts = [title or "", summary or "", body or ""]
    doc_terms = terms.for_texts(texts)
    return Hit(
        id=entry_id, score=float(score), title_html=highlight(texts[0], doc_terms),
        snippet_html=snippet(texts[1:], doc_terms), title=texts[0], ref=ref, kind=kind or "",
        year=int(year) if year else None,
    )


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
