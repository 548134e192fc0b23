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


# What Markdown written by hand looks like: emphasis, headings, list items, quotes, links.
_MARKDOWN_SIGNS = re.compile(
    r"\*\*\S|\S\*\*|__\S|^ {0,3}#{1,6}\s|^ {0,3}[-*+]\s+\S|^ {0,3}\d{1,3}[.)]\s+\S|^ {0,3}>|\[[^\]\n]+\]\([^)\s]+\)",
    re.MULTILINE,
)


def looks_like_markdown(source: str | None) -> bool:
    """Whether a text typed by hand carries Markdown markup (``**``, ``#``, ``- ``, links)."""
    return bool(source and _MARKDOWN_SIGNS.search(source))


def _inline_text(children) -> str:
    parts: list[str] = []
    href = None
    for child in children or ():
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "link_open":
            href, start = child.attrGet("href"), len(parts)
        elif child.type == "link_close" and href:
            label = "".join(parts[start:])
            if href.rstrip("/") not in (label.rstrip("/"), f"mailto:{label}"):
                parts.append(f" ({href})")
            href = None
    return "".join(parts).strip()


def markdown_to_paragraphs(source: str | None) -> str:
    """A Markdown text as plain text that reads the same: paragraphs and headings stay paragraphs, list items
    become lines ("• item", "1. item"), emphasis marks go, a link keeps its address in brackets."""
    if not source:
        return source or ""
    blocks: list[str] = []
    lines: list[str] = []  # the lines of the list or table being read
    lists: list[list] = []  # [ordered, next number] of each open list, innermost last
    marker: str | None = None
    cells: list[str] | None = None
    for token in _md.parse(source):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                blocks.append("\n".join(lines))
                lines = []
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            marker = f"{number}." if ordered else "•"
            lists[-1][1] += 1
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close":
            lines.append(" | ".join(cells or []))
            cells = None
        elif kind == "table_close":
            blocks.append("\n".join(lines))
            lines = []
        elif kind == "inline":
            text = _inline_text(token.children)
            if cells is not None:
                cells.append(text)
            elif lists:
                indent = "  " * (len(lists) - 1)
                lead = f"{marker} " if marker else "  "
                lines.append(indent + lead + text.replace("\n", "\n" + indent + "  "))
                marker = None
            elif text:
                blocks.append(text)
        elif kind in ("fence", "code_block"):
            text = token.content.rstrip("\n")
            (lines if lists else blocks).append(text)
    return "\n\n".join(block for block in blocks if block.strip())
