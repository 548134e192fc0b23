"""Vietnamese alphabetical order, as CLDR's Vietnamese collation gives it (ICU): a ă â b c d đ e ê … with
the tones after the base letters (a à ả ã á ạ), for every list sorted by name and for stored sort keys."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

import icu

T = TypeVar("T")
# Stored keys fit Entry.title_sort (320 characters); titles sharing a longer beginning keep their id order.
STORED_KEY_LENGTH = 300


@cache
def _collator() -> icu.Collator:
    # ICU's collators are safe to share between threads for comparing and making keys.
    return icu.Collator.createInstance(icu.Locale("vi"))


def collation_key(text: str | None) -> bytes:
    """ICU's sort key of ``text`` under the Vietnamese collation: compare keys to compare texts."""
    return _collator().getSortKey(unicodedata.normalize("NFC", text or ""))


def sort_key(text: str | None) -> str:
    """A sort key to store in a column: plain hexadecimal, so any database orders it byte by byte."""
    return collation_key(text).hex()[:STORED_KEY_LENGTH]


def sorted_by_name(items: Iterable[T], name: Callable[[T], str | None]) -> list[T]:
    """``items`` in Vietnamese alphabetical order of ``name(item)``."""
    return sorted(items, key=lambda item: collation_key(name(item)))
