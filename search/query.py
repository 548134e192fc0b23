"""Search, suggestions and highlighting over a ``SearchIndex``.

Queries are built directly as Whoosh query objects from ``search.analysis.parse_query``;
no query-language parser sees user input, so no input can raise a syntax error.
Fallbacks, in order: all clauses must match; then one-letter typos on titles;
then any clause may match.
"""

from __future__ import annotations

import heapq
import html
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any, Iterable, Mapping, Sequence

from whoosh import query as Q

from search.analysis import Clause, HighlightTerms, ParsedQuery, QueryToken, fold, normalize, parse_query, syllables
from search.index import SearchIndex
from search.schema import BOOSTS

log = logging.getLogger(__name__)

FACET_KEYS = ("kind", "year", "unit", "topic", "award", "level")
SNIPPET_CHARS = 220
MAX_PER_PAGE = 100
# Adjacent syllables of an unquoted query count extra: "tổ dân phố" is one word.
PHRASE_BOOST_TITLE = 4.0
PHRASE_BOOST_BODY = 2.0
FUZZY_BOOST = 0.5
FUZZY_MIN_LEN = 3
MAX_TYPO_ALTERNATIVES = 8
RESCORE_WINDOW = 100


@dataclass
class SearchRequest:
    """What the user asked for: text, filters, sort and page."""

    q: str = ""
    kind: str | None = None
    year: int | str | None = None
    unit: int | str | None = None
    topic: str | None = None
    award: str | None = None
    level: str | None = None
    visibility: Sequence[str] = ("public",)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True


@dataclass
class Hit:
    """One result row."""

    id: int
    score: float
    title_html: str
    snippet_html: str
    title: str = ""
    ref: str | None = None
    kind: str = ""
    year: int | None = None


@dataclass
class SearchResult:
    """A page of results with facet counts and the query actually run."""

    total: int = 0
    page: int = 1
    per_page: int = 20
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    did_you_mean: str | None = None
    query_used: str = ""
    mode: str = "all"  # "all" | "typo" | "any" | "browse"


# ------------------------------------------------------------------ query building


def _fields_query(exact: str | None, folded: str, boost: float = 1.0) -> Q.Query:
    parts: list[Q.Query] = []
    if exact is not None:
        parts.append(Q.Term("title_exact", exact, boost=BOOSTS["title_exact"] * boost))
        parts.append(Q.Term("body_exact", exact, boost=BOOSTS["body_exact"] * boost))
    parts.append(Q.Term("title_folded", folded, boost=BOOSTS["title_folded"] * boost))
    parts.append(Q.Term("body_folded", folded, boost=BOOSTS["body_folded"] * boost))
    return Q.Or(parts)


def _token_query(tok: QueryToken, typos: Mapping[str, Sequence[str]] | None = None) -> Q.Query:
    # Marks typed by the user add the exact-mark fields on top of the folded ones,
    # so "cá" scores cá > cà/ca while still finding all three.
    base = _fields_query(tok.text if tok.marked else None, tok.folded)
    near = [c for c in (typos or {}).get(tok.folded, ()) if c != tok.folded]
    if near:
        return Q.Or([base] + [_fields_query(None, c, FUZZY_BOOST) for c in near])
    return base


def _key_query(keys: Iterable[str], boost: float = 1.0) -> list[Q.Query]:
    return [_fields_query(k, k, boost) for k in keys]


def _phrase_query(tokens: Sequence[QueryToken], boost_title: float, boost_body: float, exact: bool) -> Q.Query:
    folded = [t.folded for t in tokens]
    parts: list[Q.Query] = [
        Q.Phrase("title_folded", folded, boost=boost_title),
        Q.Phrase("body_folded", folded, boost=boost_body),
    ]
    if exact and any(t.marked for t in tokens):
        texts = [t.text for t in tokens]
        parts.append(Q.Phrase("title_exact", texts, boost=boost_title * 2))
        parts.append(Q.Phrase("body_exact", texts, boost=boost_body * 2))
    return Q.Or(parts)


def _clause_query(clause: Clause, typos: Mapping[str, Sequence[str]] | None) -> Q.Query:
    if clause.kind == "phrase":
        alts = [_phrase_query(clause.tokens, BOOSTS["title_folded"], BOOSTS["body_folded"], exact=True)]
        return Q.Or(alts + _key_query(clause.keys, len(clause.tokens))) if clause.keys else alts[0]
    if clause.kind == "group":
        words = [_token_query(t, typos) for t in clause.tokens]
        together = words[0] if len(words) == 1 else Q.And(words)
        # The group key stands for all its syllables, so it weighs as much as they do.
        return Q.Or(_key_query(clause.keys, len(clause.tokens)) + [together])
    return _token_query(clause.tokens[0], typos)


def _proximity_boost(parsed: ParsedQuery, typos: Mapping[str, Sequence[str]] | None) -> Q.Query | None:
    runs: list[list[QueryToken]] = [[]]
    for clause in parsed.clauses:
        if clause.kind == "phrase":
            runs.append([])
            continue
        for tok in clause.tokens:
            near = (typos or {}).get(tok.folded)
            if near and near[0] != tok.folded:
                tok = QueryToken(near[0], near[0])
            runs[-1].append(tok)
    boosts = [
        _phrase_query(run, PHRASE_BOOST_TITLE, PHRASE_BOOST_BODY, exact=False) for run in runs if len(run) >= 2
    ]
    if not boosts:
        return None
    return boosts[0] if len(boosts) == 1 else Q.Or(boosts)


def build_text_query(
    parsed: ParsedQuery, mode: str = "all", typos: Mapping[str, Sequence[str]] | None = None
) -> tuple[Q.Query, Q.Query | None] | None:
    """Return (matching query, optional proximity bonus query) for parsed text.

    ``mode`` is "all" or "any"; ``typos`` maps a folded syllable to title words one
    edit away (best first) to accept in its place.
    """
    if not parsed:
        return None
    clauses = [_clause_query(c, typos) for c in parsed.clauses]
    if len(clauses) == 1:
        main = clauses[0]
    elif mode == "any":
        main = Q.Or(clauses)
    else:
        main = Q.And(clauses)
    return main, _proximity_boost(parsed, typos)


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


def build_filter(req: SearchRequest) -> Q.Query | None:
    """Return the query for the request's filters and allowed visibilities."""
    terms: list[Q.Query] = []
    for fieldname, value in (
        ("kind", req.kind),
        ("year", req.year),
        ("unit", req.unit),
        ("topic", req.topic),
        ("award", req.award),
        ("level", req.level),
    ):
        if value is not None and str(value).strip() != "":
            terms.append(Q.Term(fieldname, str(value).strip()))
    vis = [str(v) for v in (req.visibility or ()) if v]
    if vis:
        terms.append(Q.Or([Q.Term("visibility", v) for v in vis]) if len(vis) > 1 else Q.Term("visibility", vis[0]))
    else:
        terms.append(Q.NullQuery)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Q.And(terms)


# ------------------------------------------------------------------ execution


@dataclass
class _Collected:
    total: int
    top: list[tuple[float, int, int]]  # (score, published, global docnum)
    matched: list[tuple[Any, list[int]]]  # (segment columns, segment docnums)


def _run(
    idx: SearchIndex, q: Q.Query, sort: str, want: int, with_docs: bool, bonus: Q.Query | None = None
) -> _Collected:
    searcher = idx.searcher()
    scored = sort != "newest"
    ctx = searcher.context(needs_current=scored, weighting=searcher.weighting)
    total = 0
    heap: list[tuple[float, int, int]] = []
    matched: list[tuple[Any, list[int]]] = []
    leaves = searcher.leaf_searchers()
    window = max(want, RESCORE_WINDOW) if bonus is not None else want
    for sub, offset in leaves:
        cols = idx.segment_columns(sub.reader())
        published = cols.published
        m = q.matcher(sub, ctx)
        if not m.is_active():
            continue
        if scored:
            docs: list[int] = []
            append = docs.append
            found: list[tuple[float, int, int]] = []
            push = found.append
            while m.is_active():
                d = m.id()
                append(d)
                push((m.score(), published[d], -(offset + d)))
                m.next()
            heap = heapq.nlargest(window, chain(heap, found))
        else:
            docs = list(m.all_ids())
            heap = heapq.nlargest(want, chain(heap, ((0.0, published[d], -(offset + d)) for d in docs)))
        total += len(docs)
        if with_docs:
            matched.append((cols, docs))
    if scored and bonus is not None and heap:
        heap = _rescore(searcher, leaves, ctx, bonus, heap)[:want]
    top = [(s, p, -d) for s, p, d in heap]
    return _Collected(total, top, matched)


def _rescore(searcher: Any, leaves: Any, ctx: Any, bonus: Q.Query, heap: list[tuple[float, int, int]]) -> list:
    # Phrase matching reads positions, which is costly; only the best-scoring
    # window of candidates gets the adjacency bonus.
    extra: dict[int, float] = {}
    wanted = sorted(-d for _, _, d in heap)
    bounds = [off for _, off in leaves] + [searcher.doc_count_all()]
    for i, (sub, offset) in enumerate(leaves):
        mine = [d - offset for d in wanted if offset <= d < bounds[i + 1]]
        if not mine:
            continue
        m = bonus.matcher(sub, ctx)
        for d in mine:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                extra[d + offset] = m.score()
    rescored = [(s + extra.get(-nd, 0.0), p, nd) for s, p, nd in heap]
    rescored.sort(reverse=True)
    return rescored


def _count_facets(matched: list[tuple[Any, list[int]]]) -> dict[str, list[tuple[Any, int]]]:
    counters = {k: Counter() for k in FACET_KEYS}
    for cols, docs in matched:
        if not docs:
            continue
        counters["kind"].update(map(cols.kind.__getitem__, docs))
        counters["year"].update(map(cols.year.__getitem__, docs))
        counters["unit"].update(map(cols.unit.__getitem__, docs))
        counters["topic"].update(chain.from_iterable(map(cols.topics.__getitem__, docs)))
        counters["award"].update(chain.from_iterable(map(cols.awards.__getitem__, docs)))
        counters["level"].update(chain.from_iterable(map(cols.levels.__getitem__, docs)))
    out: dict[str, list[tuple[Any, int]]] = {}
    for key, counter in counters.items():
        counter.pop("", None)
        items: list[tuple[Any, int]] = []
        for value, n in counter.items():
            if key in ("year", "unit"):
                try:
                    value = int(value)
                except ValueError:
                    continue
            items.append((value, n))
        items.sort(key=lambda kv: (-kv[1], str(kv[0])))
        out[key] = items
    return out


# ------------------------------------------------------------------ highlighting


def highlight(text: str, terms: HighlightTerms) -> str:
    """Return ``text`` HTML-escaped with matched syllables wrapped in <mark>."""
    return _mark(text, terms.spans(text) if text else [])


def _mark(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for s, e in spans:
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _trim_window(text: str, start: int, end: int) -> tuple[int, int]:
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    if end < len(text):
        space = text.find(" ", end)
        end = space if space >= 0 and space - end < 30 else end
    return start, end


def snippet(texts: Sequence[str], terms: HighlightTerms, width: int = SNIPPET_CHARS) -> str:
    """Return the densest ~``width``-character window of ``texts`` with highlights, escaped."""
    best: tuple[int, int, str, int, list[tuple[int, int]]] | None = None
    for order, text in enumerate(t for t in texts if t):
        spans = terms.spans(text)
        if not spans:
            continue
        j = 0
        for i, (s, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= s + width:
                j += 1
            score = len({text[a:b].lower() for a, b in spans[i:j]}) * 10 + (j - i)
            if best is None or (score, -order) > (best[0], -best[1]):
                best = (score, order, text, s, spans[i:j])
    if best is None:
        text = next((t for t in texts if t), "")
        start, end = _trim_window(text, 0, min(len(text), width))
        return html.escape(text[start:end]) + ("…" if end < len(text) else "")
    _, _, text, first, spans = best
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    start, end = _trim_window(text, start, end)
    local = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    body = _mark(text[start:end], local)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


# ------------------------------------------------------------------ public API


def _did_you_mean(idx: SearchIndex, parsed: ParsedQuery, typos: Mapping[str, Sequence[str]]) -> str | None:
    reader = idx.searcher().reader()
    changed = False
    words: list[str] = []
    for tok in parsed.tokens:
        known = reader.doc_frequency("title_folded", tok.folded) or reader.doc_frequency("body_folded", tok.folded)
        near = typos.get(tok.folded)
        if known or not near or near[0] == tok.folded:
            words.append(tok.text)
        else:
            words.append(near[0])
            changed = True
    return " ".join(words) if changed else None


def _match(
    idx: SearchIndex, req: SearchRequest, parsed: ParsedQuery, flt: Q.Query | None, want: int, result: SearchResult
) -> _Collected:
    """Run the query with its fallbacks, noting the mode and any suggestion on ``result``; hold the read lock."""
    if not parsed:
        q: Q.Query = flt if flt is not None else Q.Every()
        result.mode = "browse"
        return _run(idx, q, "newest", want, req.facets)
    got = None
    typos: dict[str, list[str]] | None = None
    for mode in ("all", "typo", "any"):
        if mode == "typo":
            typos = title_neighbours(idx, parsed)
            result.did_you_mean = _did_you_mean(idx, parsed, typos)
            if not typos:
                continue
        if mode == "any" and len(parsed.clauses) < 2:
            break
        built = build_text_query(parsed, "any" if mode == "any" else "all", typos)
        if built is None:
            break
        text_q, bonus = built
        q = Q.Require(text_q, flt) if flt is not None else text_q
        got = _run(idx, q, req.sort, want, req.facets, bonus)
        result.mode = mode
        if got.total:
            break
    result.query_used = parsed.text
    return got if got is not None else _Collected(0, [], [])


def search_ids(idx: SearchIndex, req: SearchRequest, *, limit: int) -> tuple[int, list[int]]:
    """Return how many documents match and the ids of the first ``limit`` in result order (for downloads)."""
    parsed = parse_query(req.q if isinstance(req.q, str) else "")
    flt = build_filter(req)
    bare = replace(req, facets=False)
    with idx.read_lock:
        got = _match(idx, bare, parsed, flt, max(1, limit), SearchResult())
        searcher = idx.searcher()
        ids = [int(searcher.stored_fields(docnum)["id"]) for _score, _published, docnum in got.top]
    return got.total, ids


def search(idx: SearchIndex, req: SearchRequest) -> SearchResult:
    """Run a search; never raises on user input (bad input degrades to a plain search)."""
    page = max(1, _int(req.page, 1))
    per_page = min(MAX_PER_PAGE, max(1, _int(req.per_page, 20)))
    parsed = parse_query(req.q if isinstance(req.q, str) else "")
    flt = build_filter(req)
    want = page * per_page
    result = SearchResult(page=page, per_page=per_page)
    with idx.read_lock:
        got = _match(idx, req, parsed, flt, want, result)
        result.total = got.total
        if req.facets:
            result.facets = _count_facets(got.matched)
        terms = HighlightTerms.from_query(parsed)
        searcher = idx.searcher()
        for score, _published, docnum in got.top[(page - 1) * per_page : want]:
            stored = searcher.stored_fields(docnum)
            title = stored.get("title") or ""
            year = stored.get("year")
            texts = [title, stored.get("summary") or "", stored.get("body") or ""]
            doc_terms = terms.for_texts(texts)
            result.hits.append(
                Hit(
                    id=int(stored["id"]),
                    score=float(score),
                    title_html=highlight(title, doc_terms),
                    snippet_html=snippet(texts[1:], doc_terms),
                    title=title,
                    ref=stored.get("ref"),
                    kind=stored.get("kind") or "",
                    year=int(year) if year else None,
                )
            )
    return result


def suggest(idx: SearchIndex, prefix: str, limit: int = 8, visibility: Sequence[str] = ("public",)) -> list[dict[str, Any]]:
    """Return up to ``limit`` titles matching what is typed so far, ignoring diacritics."""
    if not isinstance(prefix, str):
        return []
    text = normalize(prefix[:200])
    toks = syllables(text)[:12]
    if not toks or limit <= 0:
        return []
    partial = text[-1:].isalnum()
    parts: list[Q.Query] = [Q.Term("title_folded", t.folded) for t in (toks[:-1] if partial else toks)]
    if partial:
        parts.append(Q.Prefix("title_folded", toks[-1].folded))
    q: Q.Query = parts[0] if len(parts) == 1 else Q.And(parts)
    vis = [str(v) for v in visibility if v]
    if not vis:
        return []
    q = Q.Require(q, Q.Or([Q.Term("visibility", v) for v in vis]))
    exact_prefix = fold(text).lower().strip()
    with idx.read_lock:
        got = _run(idx, q, "relevance", max(limit * 5, 40), with_docs=False)
        searcher = idx.searcher()
        rows = []
        for score, published, docnum in got.top:
            stored = searcher.stored_fields(docnum)
            title = stored.get("title") or ""
            starts = fold(title).lower().startswith(exact_prefix)
            rows.append((not starts, -score, len(title), title, int(stored["id"])))
    rows.sort()
    return [{"id": doc_id, "title": title} for _, _, _, title, doc_id in rows[:limit]]


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
