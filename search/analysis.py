"""Vietnamese text analysis for search, in plain Python (no search engine imports).

The same functions serve the Whoosh backend and any later backend (e.g. PostgreSQL):

* ``normalize`` - NFC, Icelandic eth -> Đ, canonical tone-mark placement (case kept).
* ``fold`` - remove every diacritic and map đ -> d.
* ``syllables`` - syllable tokens with positions and character offsets.
* ``synonym_matches`` - abbreviation / spelling-variant groups found in a token list.
* ``index_tokens`` / ``index_pairs`` - what to index: syllables with stacked group
  keys, and folded adjacent pairs for phrase matching.
* ``parse_query`` / ``expand_query`` - user query -> clauses (words, quoted phrases,
  synonym groups) and their alternatives.
* ``HighlightTerms`` - which character spans of a text a query matched.

Canonical tone placement: in an open syllable whose nucleus is the glide pair
oa / oe / uy the tone sits on the first vowel ("hòa", "khỏe", "thủy"), the
placement most common in registry texts; "hoà", "khoẻ", "thuỷ" are rewritten to
it. Every other syllable follows the rules both styles agree on (a marked vowel
carries the tone, then the last vowel of a closed syllable, the middle one of
three), so the rewrite is computed from the syllable structure, with "qu" and
"gi" + vowel treated as consonants, never from a word list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Sequence

__all__ = [
    "Syllable",
    "QueryToken",
    "Clause",
    "ParsedQuery",
    "SynonymMatch",
    "SynonymTable",
    "HighlightTerms",
    "normalize",
    "normalize_syllable",
    "fold",
    "has_marks",
    "syllables",
    "synonym_matches",
    "index_tokens",
    "index_pairs",
    "pair",
    "parse_query",
    "expand_query",
    "synonyms",
    "load_synonyms",
]

DATA_DIR = Path(__file__).with_name("data")

# Combining tone marks: grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS = frozenset("ăâêôơư")
_INITIALS = frozenset(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split()
) | {""}
_FINALS = frozenset("c ch m n ng nh p t".split()) | {""}
_WORD_RE = re.compile(r"[^\W_]+")
# Whoosh-style operators users paste from other search boxes; never treated as words.
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
MAX_QUERY_CHARS = 256
MAX_QUERY_TOKENS = 32


# ---------------------------------------------------------------- normalisation


@lru_cache(maxsize=200_000)
def normalize_syllable(word: str) -> str:
    """Return one NFC word with its tone mark moved to the canonical vowel (case kept)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        # No tone: nothing to move. Several tones: not a Vietnamese syllable.
        return word
    tone = tones[0]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    low = base.lower()
    if len(low) != len(base):
        return word
    start = 0
    while start < len(low) and low[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(low) and low[end] in _VOWELS:
        end += 1
    if start == len(low) or low[:start] not in _INITIALS or low[end:] not in _FINALS:
        # Loan words such as "café" keep their marks where they were typed.
        return word
    nucleus_len = end - start
    if low[:start] == "q" and low[start] == "u" and nucleus_len > 1:
        start += 1  # "qu" is one consonant: quý, quả, quyết
    elif low[:start] == "g" and low[start] == "i" and nucleus_len > 1:
        start += 1  # "gi" + vowel is one consonant: già, giữ, giường (but gì, gìn)
    nucleus_len = end - start
    modified = [i for i in range(start, end) if low[i] in _MODIFIED_VOWELS]
    if modified:
        target = modified[-1]  # ươ carries the tone on ơ, uyê on ê
    elif end < len(low):
        target = end - 1  # closed syllable: hoàn, toán, huỳnh
    elif nucleus_len >= 3:
        target = start + 1  # ngoài, khuỷu, ngoẻo
    else:
        target = start  # hòa, khỏe, thủy, mùa, tài
    marked = unicodedata.normalize("NFC", base[target] + tone)
    return base[:target] + marked + base[target + 1 :]


def _nfc(text: str) -> str:
    """``text`` in NFC, with the Icelandic eth (which looks like đ) read as đ: offsets of tokens refer to this."""
    return unicodedata.normalize("NFC", text).replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")


def normalize(text: str) -> str:
    """Return text in NFC with canonical tone placement on every Vietnamese syllable."""
    if not text:
        return ""
    text = _nfc(text)
    return _WORD_RE.sub(lambda m: normalize_syllable(m.group(0)), text)


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return stripped.replace("\u0111", "d").replace("\u0110", "D")


def fold(text: str) -> str:
    """Return text without diacritics (đ -> d), keeping case and punctuation."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00d0", "D").replace("\u00f0", "d")
    return _WORD_RE.sub(lambda m: _fold_word(m.group(0)), text)


def has_marks(text: str) -> bool:
    """Return True if the text carries any Vietnamese diacritic or đ."""
    return fold(text) != unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- tokens


class Syllable(NamedTuple):
    """One token: canonical lower-case text, folded text, position and offsets.

    A named tuple rather than a frozen dataclass: highlighting tokenises the title, summary and start of
    the story of every hit, and a tuple is made in a third of the time.
    """

    text: str
    folded: str
    pos: int
    start: int
    end: int
    upper: bool = False


@lru_cache(maxsize=200_000)
def _token_forms(surface: str) -> tuple[str, str, bool]:
    canonical = normalize_syllable(surface).lower()
    return canonical, _fold_word(canonical), len(surface) > 1 and surface.isupper()


def syllables(text: str) -> list[Syllable]:
    """Split text into syllable tokens; offsets refer to ``unicodedata.normalize('NFC', text)``."""
    if not text:
        return []
    nfc = _nfc(text)
    out: list[Syllable] = []
    append, forms, make = out.append, _token_forms, tuple.__new__
    for pos, m in enumerate(_WORD_RE.finditer(nfc)):
        canonical, folded, upper = forms(m.group())
        start, end = m.span()
        append(make(Syllable, (canonical, folded, pos, start, end, upper)))
    return out


# ---------------------------------------------------------------- synonym groups


@dataclass(frozen=True, slots=True)
class _Form:
    tokens: tuple[str, ...]  # canonical lower-case with marks
    folded: tuple[str, ...]
    key: str
    upper_only: bool  # abbreviation that is also an ordinary syllable ("CA")


@dataclass(frozen=True, slots=True)
class SynonymMatch:
    """A synonym-group form found at token indices [start, end)."""

    start: int
    end: int
    key: str


def _looks_like_syllable(word: str) -> bool:
    low = word.lower()
    i = 0
    while i < len(low) and low[i] not in _VOWELS:
        i += 1
    j = i
    while j < len(low) and low[j] in _VOWELS:
        j += 1
    return i < len(low) and low[:i] in _INITIALS and low[j:] in _FINALS


class SynonymTable:
    """Abbreviation and spelling-variant groups, each indexed under one key token."""

    def __init__(self, groups: Iterable[tuple[str, Sequence[str], bool]]) -> None:
        self._trie: tuple[dict, list[_Form]] = ({}, [])
        self._firsts: dict[str, set[str]] = {}
        self.expansions: dict[str, list[str]] = {}
        for key, forms, is_abbreviation in groups:
            for form in forms:
                full = tuple(s.text for s in syllables(form))
                # "Giáo dục và Đào tạo" is just as often written without "và".
                short = tuple(t for t in full if t != "và")
                for toks in {full, short} if short and len(full) > 1 else {full}:
                    if toks:
                        self._add(key, form, toks, is_abbreviation)

    def _add(self, key: str, form: str, toks: tuple[str, ...], is_abbreviation: bool) -> None:
        upper_only = is_abbreviation and form.isupper() and len(toks) == 1 and _looks_like_syllable(_fold_word(toks[0]))
        entry = _Form(toks, tuple(_fold_word(t) for t in toks), key, upper_only)
        node = self._trie
        for f in entry.folded:
            node = node[0].setdefault(f, ({}, []))
        node[1].append(entry)
        self._firsts.setdefault(key, set()).add(entry.folded[0])
        known = self.expansions.setdefault(key, [])
        if form not in known:
            known.append(form)

    def matches(self, tokens: Sequence[Syllable], keys: Iterable[str] | None = None) -> list[SynonymMatch]:
        """Return every form occurrence (overlaps included), longest first at each start;
        only of the groups in ``keys`` when given."""
        found: list[SynonymMatch] = []
        root = self._trie[0]
        n = len(tokens)
        wanted: set[str] | None = None
        starts: set[str] | None = None
        if keys is not None:
            wanted = set(keys)
            starts = set().union(*(self._firsts.get(k, set()) for k in wanted)) if wanted else set()
        for i in range(n):
            if starts is not None and tokens[i].folded not in starts:
                continue
            node = root.get(tokens[i].folded)
            if node is None:
                continue
            here: list[SynonymMatch] = []
            seen: set[str] = set()
            j = i
            while True:
                for form in node[1]:
                    if form.key in seen or (form.upper_only and not tokens[i].upper):
                        continue
                    if wanted is not None and form.key not in wanted:
                        continue
                    if all(_token_matches(tokens[i + k], form, k) for k in range(j - i + 1)):
                        seen.add(form.key)
                        here.append(SynonymMatch(i, j + 1, form.key))
                j += 1
                if j >= n:
                    break
                node = node[0].get(tokens[j].folded)
                if node is None:
                    break
            here.sort(key=lambda m: m.start - m.end)
            found.extend(here)
        return found


def _token_matches(tok: Syllable, form: _Form, k: int) -> bool:
    if tok.text == form.tokens[k]:
        return True
    # An unmarked token stands for any marked spelling; a marked one must agree.
    return tok.text == tok.folded and tok.folded == form.folded[k]


def _read_tsv(path: Path) -> Iterator[list[str]]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t") if c.strip()]
        if cols:
            yield cols


def _abbreviation_key(abbr: str) -> str:
    key = "".join(_fold_word(s.text) for s in syllables(abbr))
    # Keys that spell an ordinary syllable would collide with it ("CA" vs "ca").
    return key + "_" if _looks_like_syllable(key) else key


def load_synonyms(data_dir: Path = DATA_DIR) -> SynonymTable:
    """Load abbreviations.tsv (ABBR, expansions...) and variants.tsv (key, forms...)."""
    groups: dict[str, tuple[list[str], bool]] = {}
    abbr_path = data_dir / "abbreviations.tsv"
    if abbr_path.exists():
        for cols in _read_tsv(abbr_path):
            key = _abbreviation_key(cols[0])
            forms, _ = groups.setdefault(key, ([], True))
            forms.extend(c for c in cols if c not in forms)
    var_path = data_dir / "variants.tsv"
    if var_path.exists():
        for cols in _read_tsv(var_path):
            key = _fold_word(cols[0].lower())
            forms, is_abbr = groups.setdefault(key, ([], False))
            forms.extend(c for c in cols[1:] if c not in forms)
    return SynonymTable((k, forms, is_abbr) for k, (forms, is_abbr) in groups.items())


_SYNONYMS: SynonymTable | None = None


def synonyms() -> SynonymTable:
    """Return the process-wide synonym table loaded from ``search/data``."""
    global _SYNONYMS
    if _SYNONYMS is None:
        _SYNONYMS = load_synonyms()
    return _SYNONYMS


def synonym_matches(tokens: Sequence[Syllable], keys: Iterable[str] | None = None) -> list[SynonymMatch]:
    """Return abbreviation / variant groups present in a token list (only ``keys`` if given)."""
    return synonyms().matches(tokens, keys)


@lru_cache(maxsize=64)
def index_tokens(text: str) -> tuple[tuple[str, str, int, int, int], ...]:
    """Return (text, folded, pos, start, end) for every syllable plus group keys stacked
    on the first and last syllable of each abbreviation / variant match."""
    toks = syllables(text)
    stacked: dict[int, list[tuple[str, int, int]]] = {}
    for m in synonym_matches(toks):
        first, last = toks[m.start], toks[m.end - 1]
        span = (m.key, first.start, last.end)
        for p in {m.start, m.end - 1}:
            stacked.setdefault(p, []).append(span)
    if not stacked:
        return tuple((t.text, t.folded, t.pos, t.start, t.end) for t in toks)
    out: list[tuple[str, str, int, int, int]] = []
    for t in toks:
        out.append((t.text, t.folded, t.pos, t.start, t.end))
        for key, start, end in stacked.get(t.pos, ()):
            if key != t.folded:
                out.append((key, key, t.pos, start, end))
    return tuple(out)


def pair(a: str, b: str) -> str:
    """Return the index term for two adjacent folded tokens."""
    return f"{a}_{b}"


@lru_cache(maxsize=64)
def index_pairs(text: str) -> tuple[str, ...]:
    """Return folded adjacent-token pairs (group keys included) for phrase and proximity matching."""
    by_pos: dict[int, list[str]] = {}
    for _text, folded, pos, _start, _end in index_tokens(text):
        by_pos.setdefault(pos, []).append(folded)
    out: list[str] = []
    for pos, here in by_pos.items():
        nxt = by_pos.get(pos + 1)
        if nxt:
            out.extend(pair(a, b) for a in here for b in nxt)
    return tuple(out)


# ---------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class QueryToken:
    """A syllable typed by the user."""

    text: str
    folded: str

    @property
    def marked(self) -> bool:
        """True when the user typed diacritics on this syllable."""
        return self.text != self.folded


@dataclass(frozen=True)
class Clause:
    """One required unit of a query: a word, a quoted phrase or a synonym group."""

    kind: str  # "word" | "phrase" | "group"
    tokens: tuple[QueryToken, ...]
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    """A user query after normalisation: clauses in order, plus the cleaned text."""

    clauses: tuple[Clause, ...] = ()
    text: str = ""

    @property
    def tokens(self) -> list[QueryToken]:
        """All syllables in order."""
        return [t for c in self.clauses for t in c.tokens]

    @property
    def keys(self) -> set[str]:
        """All synonym keys present in the query."""
        return {k for c in self.clauses for k in c.keys}

    def __bool__(self) -> bool:
        return bool(self.clauses)


def _query_syllables(segment: str) -> list[Syllable]:
    return [t for t in syllables(segment) if not (t.upper and t.text.upper() in _OPERATOR_WORDS)]


def _qtok(s: Syllable) -> QueryToken:
    return QueryToken(s.text, s.folded)


def _loose_clauses(toks: list[Syllable]) -> list[Clause]:
    table = synonyms()
    matches = table.matches(toks)
    by_start: dict[int, list[SynonymMatch]] = {}
    for m in matches:
        by_start.setdefault(m.start, []).append(m)
    out: list[Clause] = []
    i = 0
    while i < len(toks):
        here = by_start.get(i)
        if here:
            end = max(m.end for m in here)
            keys = tuple(dict.fromkeys(m.key for m in here if m.end == end))
            out.append(Clause("group", tuple(_qtok(t) for t in toks[i:end]), keys))
            i = end
        else:
            out.append(Clause("word", (_qtok(toks[i]),)))
            i += 1
    return out


def parse_query(q: str) -> ParsedQuery:
    """Parse any user string into clauses; never raises, ignores operator syntax."""
    if not isinstance(q, str) or not q:
        return ParsedQuery()
    q = normalize(q[:MAX_QUERY_CHARS]).translate(_QUOTES)
    parts = q.split('"')
    if len(parts) % 2 == 0:
        # Unbalanced quote: the last one is stray, so its tail is plain words.
        parts[-2] = parts[-2] + " " + parts[-1]
        parts.pop()
    clauses: list[Clause] = []
    for i, part in enumerate(parts):
        toks = _query_syllables(part)
        if not toks:
            continue
        if i % 2 == 1 and len(toks) > 1:
            table_keys = tuple(
                dict.fromkeys(m.key for m in synonyms().matches(toks) if m.start == 0 and m.end == len(toks))
            )
            clauses.append(Clause("phrase", tuple(_qtok(t) for t in toks), table_keys))
        else:
            clauses.extend(_loose_clauses(toks))
    budget = MAX_QUERY_TOKENS
    kept: list[Clause] = []
    for c in clauses:
        if budget - len(c.tokens) < 0:
            break
        budget -= len(c.tokens)
        kept.append(c)
    text = " ".join(
        ('"' + " ".join(t.text for t in c.tokens) + '"') if c.kind == "phrase" else " ".join(t.text for t in c.tokens)
        for c in kept
    )
    return ParsedQuery(tuple(kept), text)


def expand_query(q: str) -> list[list[str]]:
    """Return, per clause, the alternative token sequences a backend should match (for SQL backends)."""
    out: list[list[str]] = []
    for clause in parse_query(q).clauses:
        alts = [" ".join(t.folded for t in clause.tokens)]
        alts.extend(clause.keys)
        out.append(alts)
    return out


def _plain_letter_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "d", ord("\u00f0"): "d", ord("\u00d0"): "d"}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base.lower()
    return table


_PLAIN_LETTERS = _plain_letter_table()


@lru_cache(maxsize=1024)
def _plain_letters(text: str) -> str:
    """``text`` in lower case without any mark, letter for letter (C-speed; for quick tests only).

    Kept for the texts of one page: choosing a hit's marks and then marking its snippet both ask."""
    return unicodedata.normalize("NFC", text).translate(_PLAIN_LETTERS).lower()


@lru_cache(maxsize=256)
def _cached_syllables(text: str) -> list[Syllable]:
    return syllables(text)


@lru_cache(maxsize=512)
def _plain_words_pattern(terms: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


@lru_cache(maxsize=1024)
def _words_folded_as(text: str, terms: frozenset[str]) -> list[Syllable] | None:
    """The syllables of ``text`` whose letters without marks are one of ``terms``, as ``syllables`` gives them
    (``pos`` aside: it counts only these), or None where the text's plain letters do not line up with it."""
    if not terms:
        return []
    nfc = _nfc(text)
    plain = _plain_letters(text)
    if len(plain) != len(nfc):
        return None
    out: list[Syllable] = []
    for pos, m in enumerate(_plain_words_pattern(terms).finditer(plain)):
        start, end = m.span()
        word = _WORD_RE.match(nfc, start)
        if word is None or word.end() != end or (start and _WORD_RE.match(nfc, start - 1)):
            return None
        canonical, folded, upper = _token_forms(word.group())
        if folded != m.group():
            return None
        out.append(Syllable(canonical, folded, pos, start, end, upper))
    return out


@dataclass
class HighlightTerms:
    """What to mark in a text: syllables to match as typed, folded syllables and synonym keys."""

    exact: set[str] = field(default_factory=set)
    folded: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_query(cls, parsed: ParsedQuery) -> "HighlightTerms":
        """Collect highlightable terms from a parsed query (all folded until ``for_texts``)."""
        pairs = tuple(dict.fromkeys((t.text, t.folded) for t in parsed.tokens))
        return cls(set(), {f for _, f in pairs}, parsed.keys, pairs)

    def may_mark(self, text: str) -> bool:
        """Whether ``text`` can hold anything to mark: a quick test on its letters without marks, so that
        a text holding none of the words is never cut into syllables (the costly part of highlighting)."""
        if self.keys:
            return True
        letters = _plain_letters(text)
        return any(f in letters for f in self.folded) or any(f in letters for _, f in self.pairs)

    def for_texts(self, texts: Iterable[str]) -> "HighlightTerms":
        """Specialise to one document: a syllable found as typed there is marked only as typed."""
        present = {t.text for text in texts if self.may_mark(text) for t in self._candidates(text)}
        exact = {text for text, _ in self.pairs if text in present}
        folded = {f for text, f in self.pairs if text not in present}
        return HighlightTerms(exact, folded, self.keys, self.pairs)

    def _candidates(self, text: str) -> list[Syllable]:
        """The syllables of ``text`` that may be marked: without synonym keys, only those whose letters without
        marks are a term's, found by one regular expression over the text's plain letters (cutting a whole story
        into syllables for every hit cost a fifth of a search page); with keys, all of them."""
        if self.keys:
            return _cached_syllables(text)
        words = _words_folded_as(text, self._plain_terms)
        return _cached_syllables(text) if words is None else words

    @cached_property
    def _plain_terms(self) -> frozenset[str]:
        """Every term's letters without marks: what ``_candidates`` looks for."""
        return frozenset(self.folded | {f for _, f in self.pairs} | {_fold_word(e) for e in self.exact})

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return merged (start, end) character spans to mark in NFC ``text``."""
        if not self.may_mark(text):
            return []
        toks = self._candidates(text)
        spans: list[tuple[int, int]] = [
            (t.start, t.end) for t in toks if t.text in self.exact or t.folded in self.folded
        ]
        if self.keys:
            for m in synonym_matches(toks, self.keys):
                if m.key in self.keys:
                    spans.append((toks[m.start].start, toks[m.end - 1].end))
        return merge_spans(spans)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) spans in order, those that overlap or touch made one."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
