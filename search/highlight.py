"""Highlighted titles and snippets, escaped for HTML, the same for every engine."""

from __future__ import annotations

import html
from typing import Sequence

from search.analysis import HighlightTerms

SNIPPET_CHARS = 220
# How much of the stored story a snippet may come from; tokenising more costs time per hit.
SNIPPET_SOURCE_CHARS = 1200


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

