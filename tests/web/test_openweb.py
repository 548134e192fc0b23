"""The sitemap and robots.txt."""
from __future__ import annotations

import xml.etree.ElementTree as ET

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locs(data: bytes) -> dict[str, str | None]:
    root = ET.fromstring(data)
    return {u.find(f"{SM}loc").text: (u.find(f"{SM}lastmod").text if u.find(f"{SM}lastmod") is not None else None)
            for u in root}


def test_sitemap_lists_entries_units_and_topics_with_lastmod(dataset, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    urls = locs(response.data)
    entries = client.get("/api/v1/entries?per_page=100").get_json()["results"]
    for entry in entries:
        assert entry["url"] in urls and urls[entry["url"]]
    assert "http://localhost/topics/van-hoa" in urls
    units = [u for u in urls if "/units/" in u]
    # Units above the entries: 2 roots, their districts and communes; Quận Hoàn Kiếm only replicated, so absent.
    assert any(u.endswith("/thanh-pho-ha-noi") for u in units) and any(u.endswith("/xa-tan-hoi") for u in units)
    assert not any("hoan-kiem" in u for u in units)
    assert "http://localhost/" in urls and "http://localhost/statistics" in urls
    assert not any("/api/" in u for u in urls)


def test_large_sitemap_becomes_an_index_of_parts(dataset, client, app):
    app.config["SITEMAP_MAX_URLS"] = 5
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SM}sitemapindex"
    parts = [s.find(f"{SM}loc").text for s in root]
    everything = {}
    for part in parts:
        chunk = locs(client.get(part.replace("http://localhost", "")).data)
        assert 0 < len(chunk) <= 5
        everything.update(chunk)
    app.config["SITEMAP_MAX_URLS"] = 50_000
    assert everything == locs(client.get("/sitemap.xml").data)
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


def test_robots_txt(dataset, client):
    text = client.get("/robots.txt").get_data(as_text=True)
    lines = text.splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for area in ("/api/", "/nominations", "/council", "/admin", "/account"):
        assert f"Disallow: {area}" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
