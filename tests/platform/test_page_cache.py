"""Whole public answers are kept per process and served again, never past a change and never to the wrong visitor."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.accounts.operations import user_create
from registry.entries.models import Entry, EntryStatus
from registry.entries.records import records_import
from registry.extensions import db
from registry.showcase.models import IndexOutbox
from registry.showcase.search_index import apply_pending
from tests.support.files import write_jsonl
from tests.support.records import record
from tests.support.statements import counting_statements

PASSWORD = "mật khẩu đủ dài 2024"


def load(app, tmp_path, *records) -> None:
    with app.app_context():
        records_import(write_jsonl(tmp_path / f"{records[0]['ref']}.jsonl", list(records)))
        db.session.commit()


def entry_path(app, ref: str) -> str:
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == ref))
        return f"/entries/{entry.id}/{entry.slug}"


def test_a_second_visit_is_served_whole_with_fresh_headers(app, client, tmp_path):
    load(app, tmp_path, record("a"))
    first = client.get("/entries")
    assert first.headers["X-Page-Cache"] == "miss"
    with counting_statements(app) as statements:
        second = client.get("/entries")
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    assert len(statements) <= 2, statements  # the data version, nothing else
    # Headers that belong to one answer are made afresh for each.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


@pytest.mark.parametrize("change", ["title", "unpublish", "unit"])
def test_any_change_to_public_data_shows_on_the_next_visit(app, client, tmp_path, change):
    load(app, tmp_path, record("a"), record("b", title="Cây ATM gạo"))
    path = entry_path(app, "a")
    for url in ("/", "/entries", path):
        client.get(url)
        assert client.get(url).headers["X-Page-Cache"] == "hit"
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "a"))
        if change == "title":
            entry.summary = "Một tóm tắt hoàn toàn mới"
        elif change == "unpublish":
            entry.status = EntryStatus.DRAFT
        else:
            entry.unit.name = "Quận đoàn Long Biên mới"
        db.session.commit()
    home, browse, page = (client.get(url) for url in ("/", "/entries", path))
    assert home.headers["X-Page-Cache"] == browse.headers["X-Page-Cache"] == "miss"
    if change == "title":
        assert "Một tóm tắt hoàn toàn mới" in page.get_data(as_text=True)
    elif change == "unpublish":
        assert page.status_code == 404 and "Shipper xanh" not in browse.get_data(as_text=True)
    else:
        assert "Quận đoàn Long Biên mới" in page.get_data(as_text=True)


def test_signed_in_users_and_waiting_messages_never_meet_a_kept_page(app, client, tmp_path):
    load(app, tmp_path, record("a"))
    with app.app_context():
        user_create(email="can.bo@example.vn", name="Cán bộ", password=PASSWORD)
        db.session.commit()
    client.get("/")
    assert client.get("/").headers["X-Page-Cache"] == "hit"

    html = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert client.post("/account/login", data={"csrf_token": token, "email": "can.bo@example.vn",
                                               "password": PASSWORD}).status_code == 302
    signed_in = client.get("/")
    assert "X-Page-Cache" not in signed_in.headers
    html = signed_in.get_data(as_text=True)
    assert "auth/logout" in html or "/account/logout" in html  # the sign-out button, with its own token
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    # Signing out leaves a message for the next page: that page is rendered for this visitor alone.
    client.post("/account/logout", data={"csrf_token": token})
    after = client.get("/")
    assert "X-Page-Cache" not in after.headers
    assert "signed out" in after.get_data(as_text=True) or "đã đăng xuất" in after.get_data(as_text=True)
    # A stranger still gets the page without anyone's token or message.
    stranger = app.test_client().get("/")
    assert stranger.headers["X-Page-Cache"] == "hit"
    assert "csrf_token" not in stranger.get_data(as_text=True)


def test_languages_hosts_and_addresses_are_kept_apart(app, client, tmp_path):
    load(app, tmp_path, record("a"))
    path = entry_path(app, "a")
    vi = client.get(path).get_data(as_text=True)
    en_client = app.test_client()
    en_client.set_cookie("lang", "en")
    en = en_client.get(path)
    assert en.headers["X-Page-Cache"] == "miss" and 'lang="en"' in en.get_data(as_text=True)
    assert 'lang="vi"' in client.get(path).get_data(as_text=True) and vi.startswith("<!doctype html>")
    other_host = client.get(path, base_url="https://registry.example.vn")
    assert other_host.headers["X-Page-Cache"] == "miss"
    assert "https://registry.example.vn/entries/" in other_host.get_data(as_text=True)
    assert client.get("/entries?kind=initiative").headers["X-Page-Cache"] == "miss"


def test_api_answers_keep_their_paging_headers_and_validators(app, client, tmp_path):
    load(app, tmp_path, record("a"), record("b", title="Cây ATM gạo"))
    first = client.get("/api/v1/entries?per_page=1")
    with counting_statements(app) as statements:
        second = client.get("/api/v1/entries?per_page=1")
    assert second.headers["X-Page-Cache"] == "hit" and second.json == first.json
    # Last-Modified comes from the version the cache already read: no second read, no transaction.
    assert len(statements) == 1, statements
    for header in ("X-Total-Count", "Link", "ETag", "Access-Control-Allow-Origin", "X-RateLimit-Limit"):
        assert second.headers.get(header) == first.headers.get(header), header
    assert client.get("/api/v1/entries?per_page=1",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.whoosh
def test_search_is_kept_only_once_the_index_has_caught_up(app, client, tmp_path):
    load(app, tmp_path, record("a"))
    app.config["SEARCH_SYNC"] = False  # index updates wait in the outbox, as if the writer were slow
    load(app, tmp_path, record("b", title="Cây ATM gạo nghĩa tình"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndexOutbox)) > 0
    for _ in range(2):
        behind = client.get("/search?q=atm+gao")
        assert behind.headers["X-Page-Cache"] == "miss"  # not kept under the newer data version
    with app.app_context():
        apply_pending()
    caught_up = client.get("/search?q=atm+gao")
    assert "nghĩa tình" in caught_up.get_data(as_text=True)
    assert client.get("/search?q=atm+gao").headers["X-Page-Cache"] == "hit"


def test_the_cache_is_bounded_and_can_be_turned_off(app, client, tmp_path):
    load(app, tmp_path, record("a"))
    cache = app.extensions["page_cache"]
    cache.max_bytes = 3 * len(client.get("/entries").get_data())
    for page in range(2, 12):
        client.get(f"/entries?page={page}")
    assert cache._bytes <= cache.max_bytes and 0 < len(cache) <= 3
    del app.extensions["page_cache"]
    client.get("/entries")
    assert "X-Page-Cache" not in client.get("/entries").headers
