"""Old home of the Whoosh analyzer classes, kept because indexes built before the split pickled
their schema with this module path (``search.whoosh_analysis.VietnameseText`` and its tokenizers)."""

from search.whoosh.analysis import (
    VietnamesePairTokenizer,
    VietnameseText,
    VietnameseTokenizer,
)

__all__ = ["VietnamesePairTokenizer", "VietnameseText", "VietnameseTokenizer"]
