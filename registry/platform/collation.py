"""Vietnamese alphabetical order (a ă â b c d đ e ê …) for sorting names in any database."""
from __future__ import annotations

import unicodedata

# Letters with a shape mark are letters of their own, sorted after their base letter;
# ASCII characters after "z" keep that order in a plain byte comparison.
_LETTERS = {"ă": "a{", "â": "a|", "đ": "d{", "ê": "e{", "ô": "o{", "ơ": "o|", "ư": "u{"}
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def sort_key(text: str) -> str:
    """Return a key that sorts Vietnamese text alphabetically, tones breaking ties."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold())
    primary: list[str] = []
    tones: list[str] = []
    for ch in decomposed:
        if ch in _TONES:
            tones.append(_TONES[ch])
            continue
        if unicodedata.combining(ch):
            # A shape mark (breve, circumflex, horn) joins the letter before it.
            if primary:
                composed = unicodedata.normalize("NFC", primary[-1] + ch)
                primary[-1] = _LETTERS.get(composed, primary[-1])
            continue
        primary.append(_LETTERS.get(ch, ch))
    key = "".join(primary)
    return (key + "\x01" + "".join(tones))[:300]
