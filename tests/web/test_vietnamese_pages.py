"""Not one English sentence on a Vietnamese page: every page and form error, for every role, read in Vietnamese.

The visible text of each page (text, alt, title, placeholder, aria-label, button values) is compared against
every English text we know: the English catalog's texts and WTForms' and Flask-Login's built-in messages.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po

from tests.support.clients import client_for, csrf
from tests.support.routes import PUBLIC_ROUTES, ROLES, ROUTES

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


def _vietnamese_client(app, world, role):
    client = client_for(app, world, None if role == "anonymous" else role)
    client.set_cookie("lang", "vi")
    return client


def _pages_seen(client, method: str, url: str):
    """The page a request shows, and the page it leads to (where a flash message is read)."""
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf(client)})
    moved = response.status_code in (301, 302, 303, 307, 308)
    if response.mimetype == "text/html" and not moved:  # a browser never shows a redirect's own body
        yield response.get_data(as_text=True)
    if moved and response.headers.get("Location", "").startswith("/"):
        follow = client.get(response.headers["Location"])
        if follow.mimetype == "text/html":
            yield follow.get_data(as_text=True)


def test_the_needles_catch_english_and_spare_vietnamese():
    needles = english_needles()
    assert "This field is required" in needles
    assert english_on("Trường này là bắt buộc. This field is required.", needles)
    assert not english_on("Trường này là bắt buộc. Vui lòng đăng nhập để xem trang này.", needles)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_vietnamese(world_app, role):
    app, world, ids = world_app
    needles = english_needles()
    client = _vietnamese_client(app, world, role)
    routes = [(m, t) for m, t, allowed in ROUTES if role in allowed and t != "/account/logout"]
    if role == "anonymous":
        routes += [(m, t) for m, t, _codes in PUBLIC_ROUTES if not t.startswith(("/api/", "/feeds/", "/media/"))]
    # Pages first, then the forms sent empty (their errors), so a move taken by one post does not hide a page.
    routes.sort(key=lambda mt: mt[0] != "GET")
    problems = []
    for method, template in routes:
        url = template.format(**ids)
        for html in _pages_seen(client, method, url):
            assert '<html lang="vi"' in html, (method, url)
            if found := english_on(visible_text(html), needles):
                problems.append((method, url, found[:3]))
    assert not problems, problems


def test_form_errors_of_wtforms_read_in_vietnamese(world_app):
    app, world, ids = world_app
    client = _vietnamese_client(app, world, "admin")
    html = client.post("/admin/users/new", data={"csrf_token": csrf(client, "/admin/users/new")}).get_data(as_text=True)
    text = visible_text(html)
    assert "This field is required" not in text
    assert "Trường này là bắt buộc" in text


def test_the_sign_in_prompt_reads_in_vietnamese(app):
    client = app.test_client()
    client.set_cookie("lang", "vi")
    response = client.get("/desk/", follow_redirects=True)
    assert "Vui lòng đăng nhập để xem trang này." in visible_text(response.get_data(as_text=True))
