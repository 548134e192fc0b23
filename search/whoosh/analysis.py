"""Whoosh analyzer and field classes.

Whoosh pickles these into the index by module path. Indexes built before the engines had their
own folders name ``search.whoosh_analysis``, kept as an alias; never rename the classes."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT
from whoosh.system import pack_uint

from search.analysis import index_pairs, index_tokens


class VietnameseTokenizer(Tokenizer):
    """Syllable tokenizer: marked syllables only (``folded=False``) or all folded syllables plus synonym keys."""

    def __init__(self, folded: bool = False) -> None:
        self.folded = folded

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.folded == self.folded  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.folded))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield Whoosh tokens for ``value``."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        which = 1 if self.folded else 0
        t.boost = 1.0
        t.stopped = False
        exact_only = not self.folded
        for it in index_tokens(value):
            if exact_only and it[0] == it[1]:
                # Unmarked syllables and group keys live in the folded field only:
                # only syllables typed with marks are ever looked up here.
                continue
            t.text = it[which]
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + it[2]
            if chars:
                t.startchar = start_char + it[3]
                t.endchar = start_char + it[4]
            yield t


class VietnamesePairTokenizer(Tokenizer):
    """Emits folded adjacent-syllable pairs ("to_dan", "dan_pho") for phrase matching by set algebra."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield one Whoosh token per adjacent pair in ``value``."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        for i, text in enumerate(index_pairs(value)):
            t.text = text
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + i
            if chars:
                t.startchar = t.endchar = start_char
            yield t


class VietnameseText(TEXT):
    """TEXT field ("exact", "folded" or "pairs") that counts terms straight from the cached
    analysis instead of streaming Token objects through Whoosh's generic formats."""

    def __init__(self, kind: str) -> None:
        if kind not in ("exact", "folded", "pairs"):
            raise ValueError(kind)
        analyzer = VietnamesePairTokenizer() if kind == "pairs" else VietnameseTokenizer(folded=kind == "folded")
        super().__init__(analyzer=analyzer, phrase=False)
        self.kind = kind

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """Yield (term bytes, frequency, weight, encoded frequency) per distinct term."""
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        if self.kind == "pairs":
            words: Any = index_pairs(value)
        elif self.kind == "folded":
            words = [t[1] for t in index_tokens(value)]
        else:
            words = [t[0] for t in index_tokens(value) if t[0] != t[1]]
        boost = self.format.field_boost
        for word, freq in Counter(words).items():
            yield word.encode("utf-8"), freq, freq * boost, pack_uint(freq)
