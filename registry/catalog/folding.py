"""Names as people type them: without diacritics, lower case, words apart ("Phường Long Biên" → "phuong long bien")."""
from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold_name(text: str) -> str:
    """Return ``text`` without diacritics (đ as d), lower case, its words separated by single spaces."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare).strip()
