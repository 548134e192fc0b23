"""The frame of every public page: the header search, the folding menu, the filter panel, the about page, the icon."""
from __future__ import annotations

import re
import unicodedata

import pytest
import sqlalchemy as sa

from registry.entries.models import Entry
from registry.entries.records import records_import
from registry.extensions import db
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.records import record

PUBLIC_PAGES = ["/", "/entries", "/units", "/topics", "/about", "/search?q=atm", "/statistics/", "/no-such-page"]


@pytest.fixture
def showcase(app, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.jpg").write_bytes(jpeg_bytes())
    records = [
        record("atm", title="Cây ATM gạo", summary="Máy phát gạo miễn phí cho người lao động mất việc.", photos=[{"path": "p/a.jpg", "alt": "Người dân nhận gạo",
                                                     "caption": "Nhận gạo", "illustration": True}]),
        record("hoa", kind="individual", title="Nguyễn Thị Hoa", year=2023, topics=["Cứu người"]),
    ]
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", records))
        db.session.commit()
    return app


def header_of(html: str) -> str:
    return html[html.index('<header class="site-header">'):html.index("</header>")]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_labelled_search_box_in_its_header(showcase, client, path):
    header = header_of(client.get(path).get_data(as_text=True))
    form = re.search(r'<form class="header-search" action="([^"]+)" method="get" role="search"[^>]*>(.*?)</form>',
                     header, re.S)
    assert form and form.group(1) == "/search"
    assert '<label for="header-q"' in form.group(2) and 'id="header-q" name="q" type="search"' in form.group(2)
    assert '<button type="submit">' in form.group(2)


def test_the_header_search_submits_to_the_search_page(showcase, client):
    html = client.get("/search?q=cay+atm").get_data(as_text=True)
    titles = re.findall(r'<h2 class="hit-title"><a href="[^"]+">(.*?)</a>', html)
    assert [re.sub(r"</?mark>", "", t) for t in titles] == ["Cây ATM gạo"]


@pytest.mark.parametrize("lang, summary", [("vi", "Danh mục"), ("en", "Menu")])
def test_the_menu_folds_into_a_details_element(showcase, client, lang, summary):
    header = header_of(client.get(f"/entries?lang={lang}").get_data(as_text=True))
    menu = re.search(r'<details class="site-menu">\s*<summary>(.*?)</summary>\s*<nav aria-label="[^"]+">(.*?)</nav>',
                     header, re.S)
    assert menu and summary in menu.group(1)
    assert 'href="/entries"' in menu.group(2) and 'href="/about"' in menu.group(2)
    assert "<script" not in client.get("/entries").get_data(as_text=True)  # folding needs no script


@pytest.mark.parametrize("path", ["/entries", "/search?q=atm", "/topics/cuu-nguoi"])
def test_filters_sit_in_a_folded_lọc_panel_before_nothing_but_one_line(showcase, client, path):
    html = client.get(path).get_data(as_text=True)
    panel = re.search(r'<details class="filters-panel" id="filters">\s*<summary><h2 id="filters-heading">Lọc</h2>'
                      r'</summary>(.*?)</details>', html, re.S)
    assert panel and 'class="facet"' in panel.group(1)
    # Folded when the page opens: the results are what a phone shows first.
    assert '<details class="filters-panel" id="filters" open' not in html


def test_the_filter_panel_says_how_many_filters_are_chosen(showcase, client):
    html = client.get("/entries?kind=individual&year=2023").get_data(as_text=True)
    assert '<span class="filter-count">(đã chọn 2)</span>' in html
    assert "filter-count" not in client.get("/entries").get_data(as_text=True)


@pytest.mark.parametrize("lang, headings", [
    ("vi", ["Giới thiệu", "Cơ quan quản lý", "Liên hệ", "Giấy phép dữ liệu", "Quyền riêng tư"]),
    ("en", ["About this registry", "Who keeps this registry", "Contact", "Data licence", "Privacy"]),
])
def test_the_about_page_in_both_languages(client, lang, headings):
    response = client.get(f"/about?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<html lang="{lang}">' in html
    for heading in headings:
        assert f">{heading}</h" in html
    assert ("CC BY 4.0" in html) and ("13/2023" in html)
    assert ("Ủy ban nhân dân phường" in html) == (lang == "vi")


def test_the_about_page_shows_the_configured_texts_escaped(app, client):
    app.config["ABOUT_CONTACT"] = "Văn phòng UBND phường Hồng Bàng <b>số 1</b>\n\nGiờ hành chính các ngày làm việc."
    app.config["ABOUT_DATA_LICENCE"] = {"vi": "Giấy phép CC0 1.0", "en": "CC0 1.0 licence"}
    app.config["ABOUT_PRIVACY"] = ""
    vi = client.get("/about?lang=vi").get_data(as_text=True)
    assert '<p lang="vi">Văn phòng UBND phường Hồng Bàng &lt;b&gt;số 1&lt;/b&gt;</p>' in vi
    assert '<p lang="vi">Giờ hành chính các ngày làm việc.</p>' in vi
    assert "Giấy phép CC0 1.0" in vi and 'id="privacy"' not in vi
    en = client.get("/about?lang=en").get_data(as_text=True)
    assert '<p lang="en">CC0 1.0 licence</p>' in en
    # One text for every language is the agency's own, marked as Vietnamese on the English page.
    assert '<p lang="vi">Văn phòng UBND phường Hồng Bàng' in en


def test_the_about_texts_come_from_the_environment(monkeypatch):
    from registry.config import about_config

    monkeypatch.setenv("ABOUT_AGENCY", "UBND phường Phúc Lợi")
    monkeypatch.delenv("ABOUT_CONTACT", raising=False)
    config = about_config()
    assert config["ABOUT_AGENCY"] == "UBND phường Phúc Lợi"
    assert set(config["ABOUT_CONTACT"]) == {"vi", "en"}


def test_the_footer_links_the_about_page_and_the_page_names_its_icons(client):
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">'):]
    assert 'href="/about"' in footer and 'href="/about#privacy"' in footer and 'href="/about#licence"' in footer
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert 'href="/static/favicon-32.png" type="image/png"' in html


def test_the_icons_are_served(client):
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    png = client.get("/static/favicon-32.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.data[:4] == b"\x00\x00\x01\x00" and ico.mimetype == "image/vnd.microsoft.icon"


def mentions_illustration(text: str) -> bool:
    folded = unicodedata.normalize("NFC", text).casefold()
    return "minh họa" in folded or "minh hoạ" in folded


def test_the_illustration_note_is_on_the_pages_and_nowhere_in_the_data(showcase, client):
    with showcase.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "atm"))
        url, entry_id = f"/entries/{entry.id}/{entry.slug}", entry.id
    assert '<span class="badge photo-note">Ảnh minh họa</span>' in client.get("/entries?lang=vi").get_data(as_text=True)
    assert ">Ảnh minh họa</span>" in client.get(url + "?lang=vi").get_data(as_text=True)
    assert ">Illustration</span>" in client.get(url + "?lang=en").get_data(as_text=True)
    # The entry whose photo is not drawn carries no note.
    assert client.get("/entries?kind=individual").get_data(as_text=True).count("photo-note") == 0
    api_entry = client.get(f"/api/v1/entries/{entry_id}").get_json()
    assert api_entry["photos"][0]["illustration"] is True
    for path in [f"/api/v1/entries/{entry_id}", "/api/v1/entries", "/api/v1/search?q=atm", "/api/v1/search?q=gao",
                 "/api/v1/entries?format=csv", "/api/v1/search?q=atm&format=jsonl",
                 "/feeds/entries.atom", "/feeds/search.atom?q=atm"]:
        response = client.get(path)
        assert response.status_code == 200 and not mentions_illustration(response.get_data(as_text=True)), path
    search_page = client.get("/search?q=atm&lang=vi").get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', search_page, re.S)
    assert snippets and not any(mentions_illustration(s) for s in snippets)
