"""Not one English sentence on a Vietnamese page: every page and form error, for every role, read in Vietnamese.

The visible text of each page (text, alt, title, placeholder, aria-label, button values) is compared against
every English text we know: the English catalog's texts and WTForms' and Flask-Login's built-in messages.
"""
from __future__ import annotations

import pytest

from tests.support.clients import client_for, csrf
from tests.support.english import english_needles, english_on, visible_text
from tests.support.routes import PUBLIC_ROUTES, ROLES, ROUTES


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
