"""English a Vietnamese page must not show: the pieces of every English text we know (our English catalog,
WTForms' and Flask-Login's built-in messages), and the visible text of a page to look for them in."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import wtforms
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "registry" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}
# Flask-Login's own default, in case a message is ever left unset.
LIBRARY_TEXTS = ["Please log in to access this page.", "Please reauthenticate to access this page."]


def _messages(lang: str) -> dict:
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def _texts(value) -> list[str]:
    return list(value) if isinstance(value, tuple) else [value]


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


def english_needles() -> set[str]:
    """Pieces of English (between placeholders, three words or more) that no Vietnamese page may show."""
    english, vietnamese = _messages("en"), _messages("vi")
    with open(Path(wtforms.__file__).parent / "locale" / "wtforms.pot", "rb") as fh:
        library = [m.id for m in read_po(fh) if m.id]
    found: set[str] = set()
    for msgid, string in list(english.items()) + [(m, m) for m in library + LIBRARY_TEXTS]:
        vi_texts = " ".join(_texts(vietnamese.get(msgid, "")))
        for text in _texts(msgid) + _texts(string):
            for piece in PLACEHOLDER.split(text):
                piece = " ".join(piece.split()).strip(" .,:;()")
                # Three English words at least: names, acronyms and shared words ("API", "CSV") are not sentences.
                if _words(piece) >= 3 and piece not in vi_texts:
                    found.add(piece)
    return found


class VisibleText(HTMLParser):
    """What a person sees or hears from a page: text outside scripts and styles, and the visible attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        attrs = dict(attrs)
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_on(text: str, needles: set[str]) -> list[str]:
    return sorted(n for n in needles if n in text)
