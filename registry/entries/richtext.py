"""Stories are written in Markdown: render them to sanitized HTML, or to plain text for search."""
from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in a story is escaped, not passed through; nh3 then enforces the allow-list anyway.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


def render_markdown(source: str | None) -> Markup:
    """Render Markdown to HTML that is safe to show: allow-listed tags, safe links only."""
    if not source:
        return Markup("")
    raw = _md.render(source)
    # Headings in a story sit below the page's own h1.
    raw = re.sub(r"<(/?)h1>", r"<\1h2>", raw)
    clean = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


def markdown_to_text(source: str | None) -> str:
    """Return the plain text of a Markdown story, for search and summaries."""
    if not source:
        return ""
    text = _TAG_RE.sub(" ", _md.render(source))
    return _SPACE_RE.sub(" ", html.unescape(text)).strip()
