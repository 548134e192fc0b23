"""Search and suggestions over a ``SearchIndex`` (the Whoosh engine).

No query-language parser ever sees user input: ``search.analysis.parse_query`` turns
any string into clauses, so no input can raise a syntax error.

Execution. Whoosh evaluates a query tree in Python at ~30 µs per matching entry
for a three-syllable query, which is seconds for a common query over 100k
entries. So matching, filtering, facet counting and a first ranking are done
with set algebra on cached posting lists (C-speed set operations); only a
window of the best candidates is scored with the full BM25F query. Phrases and
the adjacency bonus use the pair fields ("to_dan", "dan_pho") the same way.

Fallbacks, in order: every clause must match; then title words one edit away
stand in for each syllable; then any clause may match.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterable, Sequence

import numpy as np
from whoosh import query as Q

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
from search.highlight import SNIPPET_SOURCE_CHARS, highlight, snippet
from search.passes import related_pass, run_passes
from search.scoring import (
    DENSE_SHARE,
    RESCORE_WINDOW,
    TEXT_FIELDS,
    AllOf,
    Node,
    Term,
    adjacency_terms,
    build_text_query,
    weighted_terms,
)
from search.whoosh.index import SearchIndex, SegmentColumns

log = logging.getLogger(__name__)

EXACT_FIELDS = ("title_exact", "body_exact")


def whoosh_query(node: Node) -> Q.Query:
    """The Whoosh query of a scoring tree."""
    if isinstance(node, Term):
        return Q.Term(node.fieldname, node.text, boost=node.boost)
    parts = [whoosh_query(sub) for sub in node.subqueries]
    return Q.And(parts) if isinstance(node, AllOf) else Q.Or(parts)


# ------------------------------------------------------------------ set algebra


class _Segment:
    """One segment of the live index: cached posting lists, and sets of its documents as boolean masks."""

    def __init__(self, idx: SearchIndex, sub: Any, offset: int) -> None:
        self.idx = idx
        self.sub = sub
        self.reader = sub.reader()
        self.offset = offset
        self.size = self.reader.doc_count_all()

    def term(self, fieldname: str, text: str) -> np.ndarray:
        """Docnums holding the term, ascending."""
        return self.idx.posting_ids(self.reader, fieldname, text)

    def none(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def any_of(self, terms: Iterable[tuple[str, str]]) -> np.ndarray:
        """The documents holding at least one of the terms."""
        mask = self.none()
        for f, t in terms:
            posting = self.term(f, t)
            if len(posting):
                mask[posting] = True
        return mask


def _intersect(masks: list[np.ndarray], size: int) -> np.ndarray:
    if not masks:
        return np.zeros(size, dtype=bool)
    out = masks[0].copy()
    for m in masks[1:]:
        out &= m
    return out


def _token_set(seg: _Segment, tok: QueryToken, typos: Typos | None, as_typed: bool) -> np.ndarray:
    if as_typed and tok.marked:
        return seg.any_of((f, tok.text) for f in EXACT_FIELDS)
    return seg.any_of((f, w) for w in [tok.folded] + typo_alternatives(tok, typos) for f in TEXT_FIELDS)


def _clause_set(seg: _Segment, clause: Clause, typos: Typos | None, as_typed: bool = False) -> np.ndarray:
    if clause.kind == "phrase":
        folded = [t.folded for t in clause.tokens]
        pairs = [pair(a, b) for a, b in zip(folded, folded[1:])]
        together = _intersect([seg.any_of((f, p) for f in ("title_pairs", "body_pairs")) for p in pairs]
                              + [_token_set(seg, t, None, True) for t in clause.tokens if as_typed and t.marked],
                              seg.size)
    else:
        together = _intersect([_token_set(seg, t, typos, as_typed) for t in clause.tokens], seg.size)
    if clause.keys:
        together |= seg.any_of((f, k) for k in clause.keys for f in TEXT_FIELDS)
    return together


def _matching(masks: list[np.ndarray], mode: str, size: int) -> np.ndarray:
    """Documents in every set ("all"), in any ("any"), or in all but at most one ("most")."""
    if mode == "any":
        out = np.zeros(size, dtype=bool)
        for m in masks:
            out |= m
        return out
    if mode == "most" and len(masks) > 1:
        return np.sum(masks, axis=0, dtype=np.int32) >= len(masks) - 1
    return _intersect(masks, size)


def _filter_set(seg: _Segment, req: SearchRequest) -> np.ndarray:
    """Docs of the segment allowed by the request's filters and visibilities."""
    allowed = [str(v) for v in (req.visibility or ()) if v]
    mask = seg.any_of(("visibility", v) for v in allowed)
    for fieldname, value in (
        ("kind", req.kind),
        ("year", req.year),
        ("unit", req.unit),
        ("topic", req.topic),
        ("award", req.award),
        ("level", req.level),
    ):
        if value is not None and str(value).strip() != "":
            mask &= seg.any_of([(fieldname, str(value).strip())])
    return mask


@dataclass
class _Collected:
    total: int
    top: list[tuple[float, int, int]]  # (score, published, global docnum)
    matched: list[tuple[SegmentColumns, np.ndarray]]  # (segment columns, segment docnums)


def _segments(idx: SearchIndex) -> list[_Segment]:
    return [_Segment(idx, sub, offset) for sub, offset in idx.searcher().leaf_searchers()]


def _ranked(docs: np.ndarray, published: np.ndarray, n: int, scores: np.ndarray | None = None) -> np.ndarray:
    """Positions in ``docs`` (ascending docnums) of the ``n`` best, best first: highest score (when given),
    then newest, then lowest docnum."""
    keys = [docs, -published[docs]] + ([-scores] if scores is not None else [])
    where = None
    if len(docs) > 4 * n:
        # Only what can reach the top n needs sorting: everything at or above the n-th best first key.
        first = keys[-1]
        keep = first <= np.partition(first, n - 1)[n - 1]
        where = np.flatnonzero(keep)
        keys = [k[where] for k in keys]
    order = np.lexsort(keys)[:n]
    return order if where is None else where[order]


def _run_browse(idx: SearchIndex, req: SearchRequest, want: int) -> _Collected:
    total = 0
    top: list[tuple[float, int, int]] = []
    matched: list[tuple[SegmentColumns, np.ndarray]] = []
    for seg in _segments(idx):
        docs = np.flatnonzero(_filter_set(seg, req))
        if not len(docs):
            continue
        cols = idx.segment_columns(seg.reader)
        published, off = cols.published, seg.offset
        total += len(docs)
        matched.append((cols, docs))
        best = docs[_ranked(docs, published, want)]
        top = heapq.nlargest(want, chain(top, ((0.0, int(published[d]), -(off + int(d))) for d in best)))
    return _Collected(total, [(s, p, -nd) for s, p, nd in top], matched)


def _run_text(
    idx: SearchIndex, parsed: ParsedQuery, req: SearchRequest, mode: str, typos: Typos | None, want: int,
    as_typed: bool = False,
) -> _Collected:
    searcher = idx.searcher()
    weighted = weighted_terms(parsed, typos)
    bonus_terms = adjacency_terms(parsed, typos)
    n_docs = max(1, searcher.doc_count_all())
    idf: dict[tuple[str, str], float] = {}
    for f, t, _ in chain(weighted, bonus_terms):
        if (f, t) not in idf:
            idf[(f, t)] = 1.0 + math.log(n_docs / (1 + searcher.doc_frequency(f, t)))
    newest = req.sort == "newest"
    window = want if newest else max(want, RESCORE_WINDOW)
    total = 0
    matched: list[tuple[SegmentColumns, np.ndarray]] = []
    candidates: list[tuple[float, int, int, int]] = []  # (score, published, -global docnum, segment index)
    segments = _segments(idx)
    bonus_by_doc: dict[int, float] = {}
    for si, seg in enumerate(segments):
        masks = [_clause_set(seg, c, typos, as_typed) for c in parsed.clauses]
        docs = np.flatnonzero(_matching(masks, mode, seg.size) & _filter_set(seg, req))
        if not len(docs):
            continue
        cols = idx.segment_columns(seg.reader)
        published, off = cols.published, seg.offset
        total += len(docs)
        matched.append((cols, docs))
        if newest:
            best = docs[_ranked(docs, published, window)]
            found: Iterable[tuple[float, int, int, int]] = (
                (0.0, int(published[d]), -(off + int(d)), si) for d in best)
        else:
            # A first ranking: the weighted, idf-scaled terms each entry holds, summed.
            scores = np.zeros(seg.size, dtype=np.float64)
            bonus = np.zeros(seg.size, dtype=np.float64)
            for f, t, w in chain(weighted, bonus_terms):
                posting = seg.term(f, t)
                if not len(posting):
                    continue
                w *= idf[(f, t)]
                scores[posting] += w
                if f.endswith("_pairs"):
                    bonus[posting] += w
            picked = _ranked(docs, published, window, scores[docs])
            best = docs[picked]
            for d in best:
                if bonus[d]:
                    bonus_by_doc[off + int(d)] = float(bonus[d])
            found = ((float(scores[d]), int(published[d]), -(off + int(d)), si) for d in best)
        candidates = heapq.nlargest(window, chain(candidates, found))
    if newest or not candidates:
        return _Collected(total, [(s, p, -nd) for s, p, nd, _ in candidates[:want]], matched)
    # Full BM25F on the candidate window; the adjacency bonus is added back on top.
    limit = DENSE_SHARE * n_docs
    dense = frozenset(k for k in idf if k[0].startswith("body") and searcher.doc_frequency(*k) > limit)
    tree = build_text_query(parsed, "any" if mode in ("any", "most") else "all", typos, dense)
    assert tree is not None
    main = whoosh_query(tree)
    ctx = searcher.context(needs_current=True, weighting=searcher.weighting)
    by_segment: dict[int, list[tuple[int, int]]] = {}
    for _, p, nd, si in candidates:
        by_segment.setdefault(si, []).append((-nd - segments[si].offset, p))
    rescored: list[tuple[float, int, int]] = []
    for si, items in by_segment.items():
        seg = segments[si]
        items.sort()
        m = main.matcher(seg.sub, ctx)
        for d, p in items:
            score = 0.0
            if m.is_active() and m.id() < d:
                m.skip_to(d)
            if m.is_active() and m.id() == d:
                score = m.score()
            rescored.append((score + bonus_by_doc.get(seg.offset + d, 0.0), p, -(seg.offset + d)))
    rescored.sort(reverse=True)
    return _Collected(total, [(s, p, -nd) for s, p, nd in rescored[:want]], matched)


def _code_counts(codes: np.ndarray, docs: np.ndarray) -> Iterable[tuple[int, int]]:
    """(code, how many of ``docs`` carry it) for every code carried at least once."""
    counts = np.bincount(codes[docs])
    return ((int(c), int(counts[c])) for c in np.flatnonzero(counts))


def _unit_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, int]]:
    """(unit id, count) over the segments, most first, then by the id's text as the other facets sort."""
    if not parts:
        return []
    values = np.concatenate([v for v, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    if len(parts) > 1:
        values, where = np.unique(values, return_inverse=True)
        counts = np.bincount(where, weights=counts).astype(np.int64)
    # by_count's order (ties by id, as numbers), taken on the arrays: thousands of units, no step per unit.
    order = np.lexsort((values, -counts))
    return list(zip(values[order].tolist(), counts[order].tolist()))


def _count_facets(matched: list[tuple[SegmentColumns, np.ndarray]]) -> dict[str, list[tuple[Any, int]]]:
    counters: dict[str, Counter[str]] = {k: Counter() for k in FACET_KEYS}
    units: list[tuple[np.ndarray, np.ndarray]] = []
    for cols, docs in matched:
        if not len(docs):
            continue
        # Thousands of units per broad query: counted and paired up without a Python step per unit.
        per_code = np.bincount(cols.unit_code[docs], minlength=len(cols.units))
        known = (per_code > 0) & (cols.unit_ints >= 0)
        units.append((cols.unit_ints[known], per_code[known]))
        for code, n in _code_counts(cols.basic_code, docs):
            kind, year, levels = cols.basics[code]
            counters["kind"][kind] += n
            counters["year"][year] += n
            for v in levels:
                counters["level"][v] += n
        for key, codes, sets in (("topic", cols.topic_code, cols.topic_sets),
                                 ("award", cols.award_code, cols.award_sets)):
            counter = counters[key]
            for code, n in _code_counts(codes, docs):
                for v in sets[code]:
                    counter[v] += n
    out: dict[str, list[tuple[Any, int]]] = {}
    for key, counter in counters.items():
        if key == "unit":
            out[key] = _unit_counts(units)
            continue
        counter.pop("", None)
        items: list[tuple[Any, int]] = []
        for value, n in counter.items():
            if key in ("year", "unit"):
                try:
                    items.append((int(value), n))
                except ValueError:
                    continue
            else:
                items.append((value, n))
        out[key] = by_count(items)
    return out


# ------------------------------------------------------------------ typos


def title_neighbours(idx: SearchIndex, parsed: ParsedQuery) -> dict[str, list[str]]:
    """Map each query syllable to title words one edit (or one swap) away, most frequent first.

    A syllable that exists in the index comes first in its own list, so callers can
    tell a known word with look-alikes from an unknown one.
    """
    reader = idx.searcher().reader()
    out: dict[str, list[str]] = {}
    for tok in parsed.tokens:
        word = tok.folded
        if len(word) < FUZZY_MIN_LEN or word in out:
            continue
        try:
            near = set(reader.terms_within("title_folded", word, 1, prefix=1))
        except Exception:  # noqa: BLE001 - a failed typo lookup must not break search
            log.debug("terms_within failed", exc_info=True)
            near = set()
        # The automaton counts a swap of two letters as two edits; typists make it as one.
        for i in range(1, len(word) - 1):
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped != word and reader.doc_frequency("title_folded", swapped):
                near.add(swapped)
        near.discard(word)
        if not near:
            continue
        ranked = sorted(near, key=lambda t: (-reader.doc_frequency("title_folded", t), t))[:MAX_TYPO_ALTERNATIVES]
        known = reader.doc_frequency("title_folded", word) or reader.doc_frequency("body_folded", word)
        out[word] = ([word] if known else []) + ranked
    return out


# ------------------------------------------------------------------ public API


def _match(idx: SearchIndex, req: SearchRequest, parsed: ParsedQuery, want: int, result: SearchResult) -> _Collected:
    """Run the query with its fallbacks, noting the mode and any suggestion on ``result``; call while reading."""
    if not parsed:
        result.mode = "browse"
        return _run_browse(idx, req, want)
    return run_passes(
        parsed, exact=bool(req.exact), want=want, result=result,
        run=lambda mode, typos, n, as_typed: _run_text(idx, parsed, req, mode, typos, n, as_typed),
        neighbours=lambda: title_neighbours(idx, parsed),
    )


def search_ids(idx: SearchIndex, req: SearchRequest, *, limit: int) -> tuple[int, list[int]]:
    """Return how many documents match and the ids of the first ``limit`` in result order (for downloads)."""
    parsed = parse_query(req.q if isinstance(req.q, str) else "")
    bare = SearchRequest(**{**req.__dict__, "facets": False})
    with idx.reading():
        got = _match(idx, bare, parsed, max(1, limit), SearchResult())
        searcher = idx.searcher()
        ids = [int(searcher.stored_fields(docnum)["id"]) for _score, _published, docnum in got.top]
    return got.total, ids


def search(idx: SearchIndex, req: SearchRequest) -> SearchResult:
    """Run a search; never raises on user input (bad input degrades to a plain search)."""
    page = max(1, to_int(req.page, 1))
    per_page = min(MAX_PER_PAGE, max(1, to_int(req.per_page, 20)))
    parsed = parse_query(req.q if isinstance(req.q, str) else "")
    want = page * per_page
    result = SearchResult(page=page, per_page=per_page)
    bare = SearchRequest(**{**req.__dict__, "facets": False})
    with idx.reading():
        got = _match(idx, req, parsed, want, result)
        result.total = got.total
        if req.facets:
            result.facets = _count_facets(got.matched)
        terms = HighlightTerms.from_query(parsed)
        searcher = idx.searcher()
        result.hits = [_hit(searcher, score, docnum, terms) for score, _published, docnum in
                       got.top[(page - 1) * per_page : want]]
        related = related_pass(
            parsed, got, exact=bool(req.exact), page=page, result=result,
            run=lambda mode, typos, n, as_typed: _run_text(idx, parsed, bare, mode, typos, n, as_typed))
        result.related = [_hit(searcher, score, docnum, terms) for score, _published, docnum in related]
    return result


def _hit(searcher: Any, score: float, docnum: int, terms: HighlightTerms) -> Hit:
    stored = searcher.stored_fields(docnum)
    title = stored.get("title") or ""
    year = stored.get("year")
    texts = [title, stored.get("summary") or "", (stored.get("body") or "")[:SNIPPET_SOURCE_CHARS]]
    doc_terms = terms.for_texts(texts)
    return Hit(
        id=int(stored["id"]),
        score=float(score),
        title_html=highlight(title, doc_terms),
        snippet_html=snippet(texts[1:], doc_terms),
        title=title,
        ref=stored.get("ref"),
        kind=stored.get("kind") or "",
        year=int(year) if year else None,
    )


def suggest(idx: SearchIndex, prefix: str, limit: int = 8, visibility: Sequence[str] = ("public",)) -> list[dict[str, Any]]:
    """Return up to ``limit`` titles matching what is typed so far, ignoring diacritics."""
    if not isinstance(prefix, str) or limit <= 0:
        return []
    text = normalize(prefix[:200])
    toks = syllables(text)[:12]
    if not toks:
        return []
    partial = text[-1:].isalnum()
    whole = toks[:-1] if partial else toks
    want = max(limit * 5, 40)
    req = SearchRequest(visibility=visibility)
    rows: list[tuple[bool, float, int, str, int]] = []
    exact_prefix = fold(text).lower().strip()
    with idx.reading():
        searcher = idx.searcher()
        best: list[tuple[float, int]] = []
        for seg in _segments(idx):
            sets = [seg.any_of([("title_folded", t.folded)]) for t in whole]
            if partial:
                last = toks[-1].folded
                words = list(seg.reader.expand_prefix("title_folded", last))[:200]
                sets.append(seg.any_of(("title_folded", w.decode("utf-8") if isinstance(w, bytes) else w) for w in words))
            docs = np.flatnonzero(_intersect(sets, seg.size) & _filter_set(seg, req))
            if not len(docs):
                continue
            published = idx.segment_columns(seg.reader).published
            picked = docs[_ranked(docs, published, want)]
            best = heapq.nlargest(want, chain(best, ((int(published[d]), seg.offset + int(d)) for d in picked)))
        for _, docnum in best:
            stored = searcher.stored_fields(docnum)
            title = stored.get("title") or ""
            starts = fold(title).lower().startswith(exact_prefix)
            rows.append((not starts, 0.0, len(title), title, int(stored["id"])))
    rows.sort()
    return [{"id": doc_id, "title": title} for _, _, _, title, doc_id in rows[:limit]]
