"""Every list sorted by name is in Vietnamese alphabetical order (CLDR's): users, councils' voters, titles,
topics, facets and exports."""
from __future__ import annotations

import csv
import io

from registry.accounts.operations import user_create
from registry.catalog.operations import award_title_get_or_create, topic_get_or_create
from registry.extensions import db
from registry.platform.collation import sort_key
from tests.support.clients import client_for

# Byte order and a naive casefold put "Đ…" after "Z…" and "Ă…"/"Â…" after "B…"; CLDR does not.
NAMES = ["Zơ Ram Thị Mai", "Đặng Văn Bình", "Dương Thị Lan", "Âu Văn Cường", "Ánh Dương", "Bùi Thị Hoa", "An Khang"]
CLDR_ORDER = ["An Khang", "Ánh Dương", "Âu Văn Cường", "Bùi Thị Hoa", "Dương Thị Lan", "Đặng Văn Bình", "Zơ Ram Thị Mai"]


def _order_on(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_the_expected_order_is_cldrs():
    assert sorted(NAMES, key=sort_key) == CLDR_ORDER


def test_administrators_see_users_titles_in_vietnamese_order(app, world):
    with app.app_context():
        for i, name in enumerate(NAMES):
            user_create(email=f"order{i}@example.org", name=name, password="correct horse battery")
            award_title_get_or_create(f"Danh hiệu {name}")
        db.session.commit()
    admin = client_for(app, world, "admin")
    assert _order_on(admin.get("/admin/users").get_data(as_text=True), NAMES) == CLDR_ORDER
    titles = [f"Danh hiệu {n}" for n in NAMES]
    assert _order_on(admin.get("/admin/titles").get_data(as_text=True), titles) == [f"Danh hiệu {n}" for n in CLDR_ORDER]
    api = [t["name"] for t in admin.get("/api/v1/award-titles").get_json()["results"]]
    assert [t for t in api if t in titles] == [f"Danh hiệu {n}" for n in CLDR_ORDER]


def test_topics_page_lists_topics_in_vietnamese_order(app, client):
    with app.app_context():
        for name in NAMES:
            topic_get_or_create(name)
        db.session.commit()
    page = client.get("/topics?lang=vi").get_data(as_text=True)
    assert _order_on(page, NAMES) == CLDR_ORDER


def test_exports_by_name_are_in_vietnamese_order(dataset, client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/entries?format=csv&sort=name").get_data(as_text=True))))
    titles = [r["title"] for r in rows]
    assert len(titles) > 3
    assert titles == sorted(titles, key=sort_key)
    page = client.get("/entries?sort=name&lang=vi").get_data(as_text=True)
    shown = [t for t in titles if t in page]
    assert _order_on(page, shown) == shown
