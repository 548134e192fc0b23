"""Private personal data never leaves through open data: API, downloads, feeds, sitemap, statistics."""
from __future__ import annotations

import json

from tests.support.records import PRIVATE_MARKERS, entry_id


def test_private_fields_never_leave(dataset, client, app):
    hoa = entry_id(app, "hoa")
    hcm = next(u["id"] for u in client.get("/api/v1/units").get_json()["results"] if u["name"] == "Thành phố Hồ Chí Minh")
    paths = [
        "/api/v1/entries", f"/api/v1/entries/{hoa}", "/api/v1/entries?format=csv", "/api/v1/entries?format=jsonl",
        "/api/v1/search?q=Hoa", "/api/v1/search?q=Hoa&format=csv", "/api/v1/search?q=Hoa&format=jsonl",
        "/api/v1/suggest?q=Ngu", "/api/v1/awards", "/api/v1/units", f"/api/v1/units/{hcm}", "/api/v1/topics",
        "/api/v1/award-titles", "/api/v1/openapi.json", "/api/v1/docs",
        "/feeds/entries.atom", "/feeds/awards.atom", f"/feeds/units/{hcm}.atom", "/feeds/topics/cuu-nguoi.atom",
        "/feeds/search.atom?q=Hoa", "/sitemap.xml", "/robots.txt",
        "/statistics", "/statistics/by-unit.csv", "/statistics/report?year=2023", "/statistics/report.csv?year=2023",
        f"/entries/{hoa}",
    ]
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for marker in PRIVATE_MARKERS:
            # Also as JSON writes it with escapes, so an escaped copy cannot slip through.
            assert marker not in body and json.dumps(marker)[1:-1] not in body, (path, marker)
    # The markers are really there, so the test can fail.
    assert "Nguyễn Thị Hoa" in client.get(f"/api/v1/entries/{hoa}").get_data(as_text=True)
    with app.app_context():
        from registry.entries.models import Entry
        from registry.extensions import db

        assert db.session.get(Entry, hoa).private_phone == PRIVATE_MARKERS[0]


def test_unpublished_entries_stay_out(dataset, client, app):
    from registry.entries.models import Entry, EntryStatus
    from registry.extensions import db

    atm = entry_id(app, "atm")
    with app.app_context():
        db.session.get(Entry, atm).status = EntryStatus.DRAFT
        db.session.commit()
    assert client.get(f"/api/v1/entries/{atm}").status_code == 404
    assert "Cây ATM gạo" not in client.get("/api/v1/entries?format=csv").get_data(as_text=True)
    assert "Cây ATM gạo" not in client.get("/feeds/entries.atom").get_data(as_text=True)
    assert f"/entries/{atm}/" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert client.get("/api/v1/entries").get_json()["total"] == 3
