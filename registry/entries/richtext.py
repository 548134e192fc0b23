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


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def render_plain_text(source: str | None) -> Markup:
    """Render a story typed in a plain text box: blank lines part paragraphs, a single line break stays one."""
    if not source:
        return Markup("")
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(source.replace("\r\n", "\n")) if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(line.strip() for line in p.split("\n")))
        for p in paragraphs
    )


def render_story(source: str | None, story_format: str = "markdown") -> Markup:
    """An entry's story as safe HTML, read as it was written (plain text from the editor, or Markdown)."""
    return render_plain_text(source) if story_format == "text" else render_markdown(source)


def story_to_text(source: str | None, story_format: str = "markdown") -> str:
    """The plain text of a story, for search and summaries."""
    if story_format == "text":
        return _SPACE_RE.sub(" ", source or "").strip()
    return markdown_to_text(source)
