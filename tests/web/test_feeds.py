"""Atom feeds of new entries and awards, overall and per unit, topic and search."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text and root.find(f"{ATOM}updated").text
    return root


def titles(root: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


def test_entries_feed_lists_newest_first_with_links(dataset, client):
    root = feed(client, "/feeds/entries.atom")
    assert titles(root) == ["Tuyến đường bích họa", "Nguyễn Thị Hoa", "Cây ATM gạo", "Shipper xanh"]
    first = root.find(f"{ATOM}entry")
    assert re.fullmatch(r"http://localhost/entries/\d+", first.find(f"{ATOM}id").text)
    assert first.find(f"{ATOM}link").get("href").endswith("/tuyen-duong-bich-hoa")
    assert first.find(f"{ATOM}published").text and first.find(f"{ATOM}author/{ATOM}name").text == "Xã Tân Hội"
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["van-hoa"]
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"][0]
    assert self_link.get("href") == "http://localhost/feeds/entries.atom"


def test_awards_feed_marks_revocations(dataset, client):
    root = feed(client, "/feeds/awards.atom?lang=en")
    summaries = [e.find(f"{ATOM}summary").text for e in root.findall(f"{ATOM}entry")]
    assert len(summaries) == 4
    revoked = [s for s in summaries if "88/QĐ-UBND" in s]
    assert len(revoked) == 1 and "Revoked on" in revoked[0] and "Kê khai không trung thực" in revoked[0]
    assert not any("Revoked" in s for s in summaries if "88/QĐ-UBND" not in s)


def test_unit_topic_and_search_feeds(dataset, client):
    units = client.get("/api/v1/units").get_json()["results"]
    hcm = next(u for u in units if u["name"] == "Thành phố Hồ Chí Minh")
    assert titles(feed(client, f"/feeds/units/{hcm['id']}.atom")) == ["Nguyễn Thị Hoa"]
    assert titles(feed(client, "/feeds/topics/an-sinh-xa-hoi.atom")) == ["Cây ATM gạo", "Shipper xanh"]
    assert titles(feed(client, "/feeds/search.atom?q=bích họa")) == ["Tuyến đường bích họa"]
    assert titles(feed(client, "/feeds/search.atom?kind=collective")) == ["Tuyến đường bích họa"]


@pytest.mark.parametrize("path", ["/feeds/units/999999.atom", "/feeds/topics/khong-co.atom"])
def test_unknown_feed_is_404(dataset, client, path):
    assert client.get(path).status_code == 404


def test_feed_is_conditional(dataset, client):
    first = client.get("/feeds/entries.atom")
    assert client.get("/feeds/entries.atom", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_pages_announce_their_feeds(dataset, client, app):
    def alternates(path):
        html = client.get(path).get_data(as_text=True)
        return re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"', html)

    assert {"/feeds/entries.atom", "/feeds/awards.atom"} <= set(alternates("/"))
    assert "/feeds/topics/van-hoa.atom" in alternates("/topics/van-hoa")
    assert "/feeds/search.atom?q=shipper" in alternates("/search?q=shipper")
    assert "/feeds/search.atom?kind=individual" in alternates("/entries?kind=individual")
    units = client.get("/api/v1/units").get_json()["results"]
    hcm = next(u for u in units if u["name"] == "Thành phố Hồ Chí Minh")
    assert f"/feeds/units/{hcm['id']}.atom" in alternates(hcm["url"].replace("http://localhost", ""))
