"""Whoosh analyzer classes. Whoosh pickles these into the index: never rename or move them."""

from __future__ import annotations

from typing import Any, Iterator

from whoosh.analysis import Token, Tokenizer

from search.analysis import index_tokens


class VietnameseTokenizer(Tokenizer):
    """Syllable tokenizer emitting marked (``folded=False``) or folded tokens plus synonym keys."""

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
        for it in index_tokens(value):
            t.text = it[which]
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + it[2]
            if chars:
                t.startchar = start_char + it[3]
                t.endchar = start_char + it[4]
            yield t
