"""BM25F scoring shared by the engines: field boosts, the query tree a text query scores with,
the flat weighted terms a first ranking adds up, and the adjacency bonus.

The tree is plain data (``Term``, ``AllOf``, ``AnyOf``): the Whoosh engine turns it into Whoosh
queries, the PostgreSQL engine scores it itself from term frequencies (``tree_score``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Union

from search.analysis import Clause, ParsedQuery, QueryToken, pair
from search.contract import Typos, typo_alternatives

# Field boosts: marked matches outrank folded ones, titles outrank stories.
BOOSTS = {"title_exact": 6.0, "title_folded": 3.0, "body_exact": 2.0, "body_folded": 1.0}
TEXT_FIELDS = ("title_folded", "body_folded")
# Adjacent syllables of an unquoted query count extra: "tổ dân phố" is one word.
PAIR_BOOST_TITLE = 4.0
PAIR_BOOST_BODY = 2.0
FUZZY_BOOST = 0.5
# Candidates (by a first, cheaper ranking) that get full BM25F scoring.
RESCORE_WINDOW = 24
# Terms in more than this share of entries carry almost no BM25 weight but are the
# most expensive posting lists to walk, so the rescoring query leaves them out.
DENSE_SHARE = 0.25
# BM25F parameters of Whoosh's default weighting.
BM25_B = 0.75
BM25_K1 = 1.2

WeightedTerm = tuple[str, str, float]  # (field, term, weight)


@dataclass(frozen=True)
class Term:
    """One term of one field, with its boost."""

    fieldname: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    """Matches when every part matches; scores their sum."""

    subqueries: tuple["Node", ...]


@dataclass(frozen=True)
class AnyOf:
    """Matches when any part matches; scores the sum of those that do."""

    subqueries: tuple["Node", ...]


Node = Union[Term, AllOf, AnyOf]


def _fields_query(exact: str | None, folded: str, boost: float = 1.0, dense: frozenset = frozenset()) -> Node:
    parts: list[Term] = []
    if exact is not None:
        parts.append(Term("title_exact", exact, BOOSTS["title_exact"] * boost))
        parts.append(Term("body_exact", exact, BOOSTS["body_exact"] * boost))
    parts.append(Term("title_folded", folded, BOOSTS["title_folded"] * boost))
    parts.append(Term("body_folded", folded, BOOSTS["body_folded"] * boost))
    return AnyOf(tuple(p for p in parts if (p.fieldname, p.text) not in dense))


def _token_query(tok: QueryToken, typos: Typos | None, dense: frozenset = frozenset()) -> Node:
    # Marks typed by the user add the exact-mark fields on top of the folded ones,
    # so "cá" scores cá > cà/ca while still finding all three.
    base = _fields_query(tok.text if tok.marked else None, tok.folded, 1.0, dense)
    near = typo_alternatives(tok, typos)
    if near:
        return AnyOf((base, *(_fields_query(None, c, FUZZY_BOOST, dense) for c in near)))
    return base


def _clause_query(clause: Clause, typos: Typos | None, dense: frozenset = frozenset()) -> Node:
    words = [_token_query(t, typos if clause.kind != "phrase" else None, dense) for t in clause.tokens]
    together = words[0] if len(words) == 1 else AllOf(tuple(words))
    if not clause.keys:
        return together
    # The group key stands for all its syllables, so it weighs as much as they do.
    # Keys are indexed in the folded fields only; x3 matches an exact+folded hit.
    weight = 3.0 * len(clause.tokens)
    return AnyOf((*(_fields_query(None, k, weight, dense) for k in clause.keys), together))


def build_text_query(
    parsed: ParsedQuery, mode: str = "all", typos: Typos | None = None, dense: frozenset = frozenset()
) -> Node | None:
    """Return the BM25F query tree for parsed text (``mode`` "all" or "any"), leaving out
    the body terms listed in ``dense`` as (field, term)."""
    if not parsed:
        return None
    clauses = [_clause_query(c, typos, dense) for c in parsed.clauses]
    if len(clauses) == 1:
        return clauses[0]
    return AnyOf(tuple(clauses)) if mode == "any" else AllOf(tuple(clauses))


def leaves(node: Node) -> Iterator[Term]:
    """The terms of a query tree, in order."""
    if isinstance(node, Term):
        yield node
    else:
        for sub in node.subqueries:
            yield from leaves(sub)


def tree_score(node: Node, score_leaf: Callable[[Term], float | None]) -> float | None:
    """Score of a document under a query tree: sums of matching leaves; None if it does not match."""
    if isinstance(node, Term):
        return score_leaf(node)
    if isinstance(node, AllOf):
        total = 0.0
        for sub in node.subqueries:
            got = tree_score(sub, score_leaf)
            if got is None:
                return None
            total += got
        return total
    scores = [s for s in (tree_score(sub, score_leaf) for sub in node.subqueries) if s is not None]
    return sum(scores) if scores else None


def bm25(idf: float, tf: float, length: float, mean: float) -> float:
    """BM25 of one term in one field."""
    return idf * ((tf * (BM25_K1 + 1)) / (tf + BM25_K1 * ((1 - BM25_B) + BM25_B * length / mean)))


def _token_terms(tok: QueryToken, typos: Typos | None) -> list[WeightedTerm]:
    out: list[WeightedTerm] = []
    if tok.marked:
        out += [("title_exact", tok.text, BOOSTS["title_exact"]), ("body_exact", tok.text, BOOSTS["body_exact"])]
    out += [("title_folded", tok.folded, BOOSTS["title_folded"]), ("body_folded", tok.folded, BOOSTS["body_folded"])]
    for c in typo_alternatives(tok, typos):
        out += [("title_folded", c, BOOSTS["title_folded"] * FUZZY_BOOST), ("body_folded", c, BOOSTS["body_folded"] * FUZZY_BOOST)]
    return out


def weighted_terms(parsed: ParsedQuery, typos: Typos | None) -> list[WeightedTerm]:
    """Every term of the query with its field boost, for a first ranking by sums."""
    out: list[WeightedTerm] = []
    for clause in parsed.clauses:
        for t in clause.tokens:
            out += _token_terms(t, typos if clause.kind != "phrase" else None)
        for k in clause.keys:
            out += [(f, k, 3.0 * BOOSTS[f] * len(clause.tokens)) for f in TEXT_FIELDS]
    return out


def adjacency_slots(parsed: ParsedQuery, typos: Typos | None) -> tuple[list[list[str]], set[int], list[tuple[int, int, str]]]:
    """The query's syllables as slots of folded forms, the slots that start a new run (phrases
    stand apart), and the (first slot, last slot, key) of each synonym group."""
    slots: list[list[str]] = []  # per query syllable: the folded forms it may take
    cut: set[int] = set()  # slot indices that start a new run (after a phrase)
    keyed: list[tuple[int, int, str]] = []  # (first slot, last slot, key) of group clauses
    for clause in parsed.clauses:
        if clause.kind == "phrase":
            cut.add(len(slots) + len(clause.tokens))
            cut.add(len(slots))
        start = len(slots)
        for t in clause.tokens:
            near = typo_alternatives(t, typos)
            # An unknown syllable is represented by its likeliest correction.
            known = not typos or not typos.get(t.folded) or typos[t.folded][0] == t.folded
            slots.append([t.folded] if known or not near else [near[0]])
        keyed += [(start, len(slots) - 1, k) for k in clause.keys]
    return slots, cut, keyed


def adjacency_terms(parsed: ParsedQuery, typos: Typos | None) -> list[WeightedTerm]:
    """Pair terms rewarding entries where the query's syllables stand together."""
    slots, cut, keyed = adjacency_slots(parsed, typos)
    pairs: list[str] = []
    for i in range(len(slots) - 1):
        if i + 1 in cut:
            continue
        pairs += [pair(a, b) for a in slots[i] for b in slots[i + 1]]
    for first, last, key in keyed:
        if first > 0 and first not in cut:
            pairs += [pair(a, key) for a in slots[first - 1]]
        if last + 1 < len(slots) and last + 1 not in cut:
            pairs += [pair(key, b) for b in slots[last + 1]]
    pairs = list(dict.fromkeys(pairs))
    return [("title_pairs", p, PAIR_BOOST_TITLE) for p in pairs] + [("body_pairs", p, PAIR_BOOST_BODY) for p in pairs]

