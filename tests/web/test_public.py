"""The public showcase, in both languages."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.catalog.models import Unit
from registry.entries.models import Award, Entry, EntryStatus
from registry.entries.records import records_import
from registry.extensions import db
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.records import record


@pytest.fixture
def showcase(app, tmp_path):
    """A few published entries across units, topics, kinds and awards."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.jpg").write_bytes(jpeg_bytes())
    records = [
        record("shipper", photos=[{"path": "p/a.jpg", "alt": "Shipper xanh giao gạo", "credit": "Ảnh minh họa"}],
               replications=[{"unit": ["Thành phố Hà Nội", "Quận Hoàn Kiếm", "Quận đoàn Hoàn Kiếm"], "since": 2022}]),
        record("atm", title="Cây ATM gạo", year=2020, unit=["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"],
               topics=["An sinh xã hội"], awards=[]),
        record("hoa", kind="individual", title="Nguyễn Thị Hoa", year=2023,
               unit=["Thành phố Hồ Chí Minh", "Phường Sài Gòn"], topics=["Cứu người"],
               body="Chị Hoa cứu một em bé <script>alert('x')</script> khỏi đuối nước.",
               awards=[{"title": "Giấy khen", "level": "commune", "year": 2023, "kind": "sudden"}]),
        record("bich-hoa", kind="collective", title="Tuyến đường bích họa", year=2019,
               unit=["Thành phố Hà Nội", "Huyện Đan Phượng", "Xã Tân Hội"], topics=["Văn hóa"],
               awards=[{"title": "Bằng khen của Chủ tịch UBND cấp tỉnh", "level": "province", "year": 2020,
                        "decision": "4512/QĐ-UBND", "decision_date": "2020-09-15"}]),
    ]
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", records))
        db.session.commit()
    return app


def entry_id(app, ref: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Entry.id).where(Entry.ref == ref))


@pytest.mark.parametrize("lang, html_lang, phrase", [("vi", "vi", "Khám phá"), ("en", "en", "Browse")])
def test_home_in_both_languages(showcase, client, lang, html_lang, phrase):
    response = client.get(f"/?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{html_lang}">' in html
    assert phrase in html
    assert "Cây ATM gạo" in html and "Tuyến đường bích họa" in html
    # Recent awards, the title in the page's language.
    assert ("Bằng khen của Chủ tịch UBND cấp tỉnh" if lang == "vi" else "Certificate of Merit") in html


def test_vietnamese_is_default_and_language_choice_persists(showcase, client):
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)
    client.get("/entries?lang=en")
    assert '<html lang="en">' in client.get("/topics").get_data(as_text=True)
    client.get("/?lang=vi")
    assert '<html lang="vi">' in client.get("/topics").get_data(as_text=True)


def test_language_switch_link_keeps_filters(showcase, client):
    html = client.get("/entries?kind=initiative&year=2021").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" hreflang="en"', html).group(1).replace("&amp;", "&")
    assert "kind=initiative" in link and "year=2021" in link and "lang=en" in link


def test_browse_filters_and_counts(showcase, client):
    html = client.get("/entries").get_data(as_text=True)
    assert "4 mục" in html
    html = client.get("/entries?kind=individual").get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in html and "Cây ATM gạo" not in html
    html = client.get("/entries?year=2020").get_data(as_text=True)
    assert "Cây ATM gạo" in html and "Shipper xanh" not in html
    html = client.get("/entries?topic=van-hoa").get_data(as_text=True)
    assert "Tuyến đường bích họa" in html and "Shipper xanh" not in html
    html = client.get("/entries?level=province").get_data(as_text=True)
    assert "Tuyến đường bích họa" in html and "Cây ATM gạo" not in html
    html = client.get("/entries?award=giay-khen").get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in html and "Shipper xanh" not in html
    # Counts beside filter values: the kind facet ignores the kind filter itself.
    html = client.get("/entries?kind=individual").get_data(as_text=True)
    assert re.search(r"Sáng kiến mô hình\s*<span class=\"count\">2</span>|Mô hình[^<]*<span class=\"count\">2</span>", html)


def test_unit_filter_includes_sub_units(showcase, client, app):
    with app.app_context():
        hanoi = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Thành phố Hà Nội", Unit.parent_id.is_(None)))
        long_bien = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Quận Long Biên"))
    html = client.get(f"/entries?unit={hanoi}").get_data(as_text=True)
    assert "Shipper xanh" in html and "Cây ATM gạo" in html and "Tuyến đường bích họa" in html
    assert "Nguyễn Thị Hoa" not in html
    html = client.get(f"/entries?unit={long_bien}").get_data(as_text=True)
    assert "Shipper xanh" in html and "Cây ATM gạo" in html and "Tuyến đường bích họa" not in html
    assert "Huyện Đan Phượng" not in html


def test_bad_filter_values_are_ignored_not_errors(showcase, client):
    for query in ("kind=robot", "year=abc", "unit=x", "page=-4", "sort=evil", "page=99999", "level=<script>"):
        response = client.get(f"/entries?{query}")
        assert response.status_code == 200, query


def test_sort_by_name_uses_vietnamese_order(showcase, client):
    html = client.get("/entries?sort=name").get_data(as_text=True)
    titles = re.findall(r'class="card-title"><a [^>]+>([^<]+)</a>', html)
    assert titles == ["Cây ATM gạo", "Nguyễn Thị Hoa", "Shipper xanh", "Tuyến đường bích họa"]


def test_pagination(showcase, client, app):
    app.config["PER_PAGE"] = 3
    html = client.get("/entries").get_data(as_text=True)
    assert 'rel="next"' in html and html.count('class="card"') == 3
    html = client.get("/entries?page=2").get_data(as_text=True)
    assert html.count('class="card"') == 1 and 'rel="prev"' in html


def test_entry_page_permalink_and_content(showcase, client, app):
    eid = entry_id(app, "shipper")
    response = client.get(f"/entries/{eid}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/entries/{eid}/shipper-xanh")
    assert client.get(f"/entries/{eid}/old-title").status_code == 301
    html = client.get(f"/entries/{eid}/shipper-xanh").get_data(as_text=True)
    assert "<strong>Quận đoàn Long Biên</strong>" in html  # Markdown rendered
    assert "Người tốt, việc tốt" in html and "1234/QĐ-UBND" in html
    assert "Quận đoàn Hoàn Kiếm" in html and "từ năm 2022" in html  # replication
    assert 'srcset="' in html and 'loading="eager"' in html and 'alt="Shipper xanh giao gạo"' in html
    assert re.search(r'<img [^>]*width="\d+" height="\d+"', html)
    assert "Ảnh minh họa" in html
    # Title change keeps the permalink working.
    with app.app_context():
        db.session.get(Entry, eid).title = "Shipper áo xanh"
        from registry.entries.operations import entry_set_title
        entry_set_title(db.session.get(Entry, eid), "Shipper áo xanh")
        db.session.commit()
    response = client.get(f"/entries/{eid}/shipper-xanh")
    assert response.status_code == 301 and response.headers["Location"].endswith("/shipper-ao-xanh")


def test_entry_page_escapes_and_sanitizes(showcase, client, app):
    eid = entry_id(app, "hoa")
    html = client.get(f"/entries/{eid}/nguyen-thi-hoa").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_related_entries_share_topics(showcase, client, app):
    eid = entry_id(app, "shipper")
    html = client.get(f"/entries/{eid}/shipper-xanh").get_data(as_text=True)
    related = html.split('id="related-heading"')[1]
    assert "Cây ATM gạo" in related


def test_private_fields_never_on_public_pages(showcase, client, app):
    eid = entry_id(app, "hoa")
    with app.app_context():
        entry = db.session.get(Entry, eid)
        entry.private_phone, entry.private_address, entry.private_id_number = "0987654321", "Hẻm Riêng Tư 9", "079111222333"
        db.session.commit()
    pages = [f"/entries/{eid}/nguyen-thi-hoa", "/", "/entries", "/entries?kind=individual", "/topics/cuu-nguoi"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        for secret in ("0987654321", "Hẻm Riêng Tư", "079111222333"):
            assert secret not in html, url


def test_unpublished_entry_is_not_public(showcase, client, app):
    eid = entry_id(app, "atm")
    with app.app_context():
        db.session.get(Entry, eid).status = EntryStatus.DRAFT
        db.session.commit()
    assert client.get(f"/entries/{eid}/cay-atm-gao").status_code == 404
    assert "Cây ATM gạo" not in client.get("/entries").get_data(as_text=True)


def test_revoked_award_is_shown_as_revoked(showcase, client, app):
    eid = entry_id(app, "bich-hoa")
    from datetime import date
    with app.app_context():
        award = db.session.scalar(sa.select(Award).where(Award.entry_id == eid))
        award.revoked_on, award.revocation_reason, award.revocation_decision = date(2024, 3, 1), "Kê khai không trung thực", "77/QĐ-UBND"
        db.session.commit()
    html = client.get(f"/entries/{eid}/tuyen-duong-bich-hoa").get_data(as_text=True)
    assert "Kê khai không trung thực" in html and "77/QĐ-UBND" in html and "Thu hồi" in html
    # A revoked award no longer counts in the level filter.
    assert "Tuyến đường bích họa" not in client.get("/entries?level=province").get_data(as_text=True)


def test_unit_page_groups_by_year_and_links_path(showcase, client, app):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Quận Long Biên"))
        uid, slug = unit.id, unit.slug
    assert client.get(f"/units/{uid}").status_code == 301
    html = client.get(f"/units/{uid}/{slug}").get_data(as_text=True)
    assert "Shipper xanh" in html and "Cây ATM gạo" in html
    assert html.index('id="year-2021"') < html.index('id="year-2020"')
    assert "Thành phố Hà Nội" in html  # breadcrumb
    assert "Quận đoàn Long Biên" in html  # child unit with count


def test_units_and_topics_index(showcase, client):
    html = client.get("/units").get_data(as_text=True)
    assert "Thành phố Hà Nội" in html and "Thành phố Hồ Chí Minh" in html
    html = client.get("/topics?lang=en").get_data(as_text=True)
    assert "Culture" in html or "culture" in html.lower()
    html = client.get("/topics/van-hoa").get_data(as_text=True)
    assert "Tuyến đường bích họa" in html and "Cây ATM gạo" not in html


@pytest.mark.parametrize("lang, text", [("vi", "Không tìm thấy trang"), ("en", "Page not found")])
def test_friendly_404(client, lang, text):
    response = client.get(f"/entries/999999?lang={lang}")
    assert response.status_code == 404 and text in response.get_data(as_text=True)
    assert client.get("/no/such/page").status_code == 404


def test_friendly_500(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = client.get("/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret internals" not in html and "RuntimeError" not in html


def test_photo_served_with_cache_headers(showcase, client, app):
    with app.app_context():
        photo = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper")).photos[0]
        sha = photo.sha256
    response = client.get(f"/media/photos/{sha}/medium.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get(f"/media/photos/{sha}/../../secret.webp").status_code == 404
    assert client.get("/media/photos/nothex/medium.webp").status_code == 404
    assert client.get(f"/media/photos/{sha}/huge.webp").status_code == 404


def test_dates_and_numbers_follow_locale(showcase, client, app):
    eid = entry_id(app, "bich-hoa")
    vi = client.get(f"/entries/{eid}/tuyen-duong-bich-hoa?lang=vi").get_data(as_text=True)
    en = client.get(f"/entries/{eid}/tuyen-duong-bich-hoa?lang=en").get_data(as_text=True)
    assert "15/09/2020" in vi  # tables write day/month/year
    assert "Sep 15, 2020" in en


PAGES = [
    ("/", {"vi": "Mới được tôn vinh", "en": "Recently recognised"}),
    ("/entries", {"vi": ">Lọc<", "en": ">Filter<"}),
    ("/about", {"vi": "Giới thiệu", "en": "About this registry"}),
    ("/units", {"vi": "Đơn vị", "en": "Units"}),
    ("/topics", {"vi": "Chủ đề", "en": "Topics"}),
    ("/topics/van-hoa", {"vi": "Tuyến đường bích họa", "en": "Tuyến đường bích họa"}),
    ("/search?q=atm", {"vi": "Tìm kiếm", "en": "Search"}),
    ("ENTRY", {"vi": "Khen thưởng", "en": "Awards"}),
    ("UNIT", {"vi": "Đơn vị trực thuộc", "en": "Units below"}),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path, expected", PAGES)
def test_every_public_page_in_both_languages(showcase, client, app, path, expected, lang):
    with app.app_context():
        if path == "ENTRY":
            entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper"))
            path = f"/entries/{entry.id}/{entry.slug}"
        elif path == "UNIT":
            unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Quận Long Biên"))
            path = f"/units/{unit.id}/{unit.slug}"
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert expected[lang] in html


def test_titles_with_markup_are_escaped_everywhere(app, client, tmp_path):
    nasty = 'Tổ <img src=x onerror=alert(1)> "an toàn"'
    with app.app_context():
        records_import(write_jsonl(tmp_path / "x.jsonl", [record("x", title=nasty, summary="<b>đậm</b>")]))
        db.session.commit()
        entry = db.session.scalar(sa.select(Entry))
        url = f"/entries/{entry.id}/{entry.slug}"
    for page in ("/", "/entries", url, "/search?q=an+toan", "/topics/an-sinh-xa-hoi"):
        html = client.get(page).get_data(as_text=True)
        assert "<img src=x" not in html, page
        assert "<b>đậm</b>" not in html, page
