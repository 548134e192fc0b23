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
    """One segment of the live index with cached posting sets."""

    def __init__(self, idx: SearchIndex, sub: Any, offset: int) -> None:
        self.idx = idx
        self.sub = sub
        self.reader = sub.reader()
        self.offset = offset

    def term(self, fieldname: str, text: str) -> frozenset[int]:
        return self.idx.posting_ids(self.reader, fieldname, text)

    def any_of(self, terms: Iterable[tuple[str, str]]) -> set[int] | frozenset[int]:
        sets = [self.term(f, t) for f, t in terms]
        sets = [s for s in sets if s]
        if not sets:
            return frozenset()
        if len(sets) == 1:
            return sets[0]
        return set().union(*sets)


def _intersect(sets: list[Any]) -> set[int] | frozenset[int]:
    if not sets:
        return frozenset()
    sets = sorted(sets, key=len)
    out = sets[0]
    for s in sets[1:]:
        if not out:
            break
        out = out & s
    return out


def _token_set(seg: _Segment, tok: QueryToken, typos: Typos | None, as_typed: bool) -> set[int] | frozenset[int]:
    if as_typed and tok.marked:
        return seg.any_of((f, tok.text) for f in EXACT_FIELDS)
    return seg.any_of((f, w) for w in [tok.folded] + typo_alternatives(tok, typos) for f in TEXT_FIELDS)


def _clause_set(seg: _Segment, clause: Clause, typos: Typos | None, as_typed: bool = False) -> set[int] | frozenset[int]:
    keys = seg.any_of((f, k) for k in clause.keys for f in TEXT_FIELDS)
    if clause.kind == "phrase":
        folded = [t.folded for t in clause.tokens]
        pairs = [pair(a, b) for a, b in zip(folded, folded[1:])]
        together = _intersect([seg.any_of((f, p) for f in ("title_pairs", "body_pairs")) for p in pairs]
                              + [_token_set(seg, t, None, True) for t in clause.tokens if as_typed and t.marked])
    else:
        together = _intersect([_token_set(seg, t, typos, as_typed) for t in clause.tokens])
    return together | keys if keys else together


def _matching(sets: list[Any], mode: str) -> set[int] | frozenset[int]:
    """Documents in every set ("all"), in any ("any"), or in all but at most one ("most")."""
    if mode == "any":
        return set().union(*sets)
    if mode == "most" and len(sets) > 1:
        return set().union(*(_intersect(sets[:i] + sets[i + 1:]) for i in range(len(sets))))
    return _intersect(sets)


def _filter_set(seg: _Segment, req: SearchRequest) -> set[int] | frozenset[int]:
    """Docs of the segment allowed by the request's filters and visibilities."""
    sets: list[Any] = []
    for fieldname, value in (
        ("kind", req.kind),
        ("year", req.year),
        ("unit", req.unit),
        ("topic", req.topic),
        ("award", req.award),
        ("level", req.level),
    ):
        if value is not None and str(value).strip() != "":
            sets.append(seg.term(fieldname, str(value).strip()))
    allowed = [str(v) for v in (req.visibility or ()) if v]
    sets.append(seg.any_of(("visibility", v) for v in allowed))
    return _intersect(sets)


@dataclass
class _Collected:
    total: int
    top: list[tuple[float, int, int]]  # (score, published, global docnum)
    matched: list[tuple[SegmentColumns, Any]]  # (segment columns, segment docnums)


def _segments(idx: SearchIndex) -> list[_Segment]:
    return [_Segment(idx, sub, offset) for sub, offset in idx.searcher().leaf_searchers()]


def _run_browse(idx: SearchIndex, req: SearchRequest, want: int) -> _Collected:
    total = 0
    top: list[tuple[float, int, int]] = []
    matched: list[tuple[SegmentColumns, Any]] = []
    for seg in _segments(idx):
        docs = _filter_set(seg, req)
        if not docs:
            continue
        cols = idx.segment_columns(seg.reader)
        published, off = cols.published, seg.offset
        total += len(docs)
        matched.append((cols, docs))
        top = heapq.nlargest(want, chain(top, ((0.0, published[d], -(off + d)) for d in docs)))
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
    matched: list[tuple[SegmentColumns, Any]] = []
    candidates: list[tuple[float, int, int, int]] = []  # (score, published, -global docnum, segment index)
    segments = _segments(idx)
    bonus_by_doc: dict[int, float] = {}
    for si, seg in enumerate(segments):
        sets = [_clause_set(seg, c, typos, as_typed) for c in parsed.clauses]
        hits = _matching(sets, mode)
        if not hits:
            continue
        docs = hits & _filter_set(seg, req)
        if not docs:
            continue
        cols = idx.segment_columns(seg.reader)
        published, off = cols.published, seg.offset
        total += len(docs)
        matched.append((cols, docs))
        if newest:
            found: Iterable[tuple[float, int, int, int]] = ((0.0, published[d], -(off + d), si) for d in docs)
        else:
            scores = dict.fromkeys(docs, 0.0)
            bonus: dict[int, float] = {}
            base = bonus_base = 0.0
            for f, t, w in chain(weighted, bonus_terms):
                posting = seg.term(f, t)
                if not posting:
                    continue
                w *= idf[(f, t)]
                is_bonus = f.endswith("_pairs")
                inter = posting & docs if len(posting) < len(docs) else docs & posting
                if len(inter) * 2 > len(docs):
                    # Cheaper to credit everyone and take it back from the few without the term.
                    base += w
                    if is_bonus:
                        bonus_base += w
                    rest, w = docs - inter, -w
                else:
                    rest = inter
                for d in rest:
                    scores[d] += w
                    if is_bonus:
                        bonus[d] = bonus.get(d, 0.0) + w
            for d in docs if bonus_base else bonus:
                bonus_by_doc[off + d] = bonus_base + bonus.get(d, 0.0)
            found = ((scores[d] + base, published[d], -(off + d), si) for d in _best(scores, published, window))
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


def _best(scores: dict[int, float], published: list[int], n: int) -> Iterable[int]:
    """Docnums of the ``n`` best scores, newest first among ties, without a tuple per entry."""
    if len(scores) <= n:
        return scores
    threshold = heapq.nlargest(n, scores.values())[-1]
    above = [d for d, s in scores.items() if s > threshold]
    tied = [d for d, s in scores.items() if s == threshold]
    return above + heapq.nlargest(n - len(above), tied, key=published.__getitem__)


def _count_facets(matched: list[tuple[SegmentColumns, Any]]) -> dict[str, list[tuple[Any, int]]]:
    counters: dict[str, Counter[str]] = {k: Counter() for k in FACET_KEYS}
    for cols, docs in matched:
        if not docs:
            continue
        counters["unit"].update(map(cols.unit.__getitem__, docs))
        for basic, n in Counter(map(cols.basic_id.__getitem__, docs)).items():
            kind, year, levels = cols.basics[basic]
            counters["kind"][kind] += n
            counters["year"][year] += n
            for v in levels:
                counters["level"][v] += n
        for key, ids, sets in (("topic", cols.topic_id, cols.topic_sets), ("award", cols.award_id, cols.award_sets)):
            counter = counters[key]
            for set_id, n in Counter(map(ids.__getitem__, docs)).items():
                for v in sets[set_id]:
                    counter[v] += n
    out: dict[str, list[tuple[Any, int]]] = {}
    for key, counter in counters.items():
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
        items.sort(key=lambda kv: (-kv[1], str(kv[0])))
        out[key] = items
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
            sets = [seg.term("title_folded", t.folded) for t in whole]
            if partial:
                last = toks[-1].folded
                words = list(seg.reader.expand_prefix("title_folded", last))[:200]
                sets.append(seg.any_of(("title_folded", w.decode("utf-8") if isinstance(w, bytes) else w) for w in words))
            docs = _intersect(sets) & _filter_set(seg, req)
            if not docs:
                continue
            published = idx.segment_columns(seg.reader).published
            best = heapq.nlargest(want, chain(best, ((published[d], seg.offset + d) for d in docs)))
        for _, docnum in best:
            stored = searcher.stored_fields(docnum)
            title = stored.get("title") or ""
            starts = fold(title).lower().startswith(exact_prefix)
            rows.append((not starts, 0.0, len(title), title, int(stored["id"])))
    rows.sort()
    return [{"id": doc_id, "title": title} for _, _, _, title, doc_id in rows[:limit]]
