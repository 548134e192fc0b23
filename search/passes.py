"""How a text query falls back when it finds little, and what the result then says about it; the same
for both engines, which only say how to run one pass.

1. Every word, a word typed with marks by its marks ("cước" is not "cuộc"). A word alone typed with
   marks also brings its look-alikes ("cá": cà, ca) while its exact matches are few, the marks weighing
   in the ranking (a slipped mark on one short syllable is common); in a query of several words the
   other words already say what is meant, and look-alikes only come when nothing matches as typed.
2. Nothing matched as typed: every word, marks folded (mode "folded").
3. Title words one edit away stand in for unknown ones (mode "typo", ``did_you_mean`` the query run).
4. Any word (mode "any").

A request with ``exact`` runs the first pass alone. When every word matches only a few entries, the
entries matching all words but one are found apart (``related``), never mixed into the count.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from search.analysis import ParsedQuery
from search.contract import SearchResult, Typos, did_you_mean

# "Few" matches: below this, look-alikes of a lone marked word and entries matching most words are offered.
FEW = 5
# How many entries matching most of the words are shown beside the full matches.
RELATED_MAX = 5
# "All but one" of n clauses is n queries of n - 1 clauses: past this many, not offered.
RELATED_MAX_CLAUSES = 8


class Pass(Protocol):
    """What one pass of an engine returns: a total, and its best (score, published, document) first."""

    total: int
    top: list[tuple[Any, ...]]


# run(mode "all" | "any" | "most", typos, how many of the best, marked words by their marks?)
Run = Callable[[str, "Typos | None", int, bool], Any]


def run_passes(parsed: ParsedQuery, *, exact: bool, want: int, result: SearchResult, run: Run,
               neighbours: Callable[[], dict[str, list[str]]]) -> Any:
    """Run the passes until one matches; note on ``result`` its mode and the query it ran."""
    marked = any(t.marked for t in parsed.tokens)
    result.query_used = parsed.text
    result.mode = "all"
    # At least FEW of the best, so that when the matches are few the top holds every one of them.
    got = run("all", None, max(want, FEW), marked)
    if exact:
        return got
    if marked and 0 < got.total < FEW and len(parsed.clauses) == 1:
        # A short syllable alone is where a mark is most often a slip ("cả" typed for "cá"): its
        # look-alikes join, ranked together with the exact matches, which the marks favour.
        return run("all", None, want, False)
    if got.total:
        return got
    if marked:
        got = run("all", None, want, False)
        if got.total:
            result.mode = "folded"
            return got
    typos = neighbours()
    result.did_you_mean = did_you_mean(parsed, typos)
    if typos:
        got = run("typo", typos, want, False)
        if got.total:
            result.mode = "typo"
            result.query_used = result.did_you_mean or parsed.text
            return got
    if len(parsed.clauses) >= 2:
        got = run("any", None, want, False)
        result.mode = "any"
    return got


def related_pass(parsed: ParsedQuery, main: Any, *, exact: bool, page: int, result: SearchResult,
                 run: Run) -> list[tuple[Any, ...]]:
    """Entries matching all words but one, when every word matched only a few (first page only); their
    count goes to ``result.related_total``; returns their (score, published, document), best first."""
    if (exact or page != 1 or result.mode != "all" or not 0 < main.total < FEW
            or not 3 <= len(parsed.clauses) <= RELATED_MAX_CLAUSES):
        return []
    marked = any(t.marked for t in parsed.tokens)
    most = run("most", None, main.total + RELATED_MAX, marked)
    shown = {t[2] for t in main.top}
    others = [t for t in most.top if t[2] not in shown]
    result.related_total = max(0, most.total - main.total)
    return others[:RELATED_MAX]
