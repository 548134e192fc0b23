"""Statistics: counts on known data, charts that read without sight or script, CSV files, the yearly report."""
from __future__ import annotations

import csv
import io
import re

from registry.showcase.statistics import by_topic, by_unit, entries_by_year, year_report


def table(client, name: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/statistics/{name}.csv?lang=en{query}")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def hanoi_id(client) -> int:
    return next(u["id"] for u in client.get("/api/v1/units").get_json()["results"] if u["name"] == "Thành phố Hà Nội")


def test_entries_by_year_and_kind(dataset, client):
    assert table(client, "entries-by-year") == [
        ["Year", "Individuals", "Collectives", "Model initiatives", "Total"],
        ["2023", "1", "0", "0", "1"],
        ["2021", "0", "0", "1", "1"],
        ["2020", "0", "0", "1", "1"],
        ["2019", "0", "1", "0", "1"],
    ]


def test_awards_by_year_count_revoked_apart(dataset, client):
    assert table(client, "awards-by-year") == [
        ["Year", "By achievement", "By campaign or theme", "Sudden", "Long service", "Revoked (not counted)", "Total"],
        ["2023", "0", "0", "1", "0", "0", "1"],
        ["2021", "1", "0", "0", "0", "0", "1"],
        ["2020", "1", "0", "0", "0", "1", "1"],
    ]


def test_by_unit_with_drill_down(dataset, client):
    assert table(client, "by-unit") == [
        ["Unit", "Entries", "Awards"], ["Thành phố Hà Nội", "3", "2"], ["Thành phố Hồ Chí Minh", "1", "1"]]
    assert table(client, "by-unit", f"&unit={hanoi_id(client)}") == [
        ["Unit", "Entries", "Awards"], ["Quận Long Biên", "2", "1"], ["Huyện Đan Phượng", "1", "1"]]
    html = client.get("/statistics?lang=en").get_data(as_text=True)
    assert f'<a href="/statistics?unit={hanoi_id(client)}">Thành phố Hà Nội</a>' in html
    assert client.get("/statistics?unit=999999").status_code == 404


def test_by_topic_and_by_title(dataset, client):
    assert table(client, "by-topic") == [
        ["Topic", "Entries"], ["Social welfare", "2"], ["Covid-19 prevention and control", "1"], ["Culture", "1"],
        ["Saving lives", "1"]]
    assert table(client, "by-title") == [
        ["Title", "Provincial level", "District level", "Commune level", "Total"],
        ["Certificate of Merit", "0", "0", "1", "1"],
        ["Certificate of Merit of the Provincial People's Committee Chair", "1", "0", "0", "1"],
        ["Good People, Good Deeds", "0", "1", "0", "1"],
    ]


def test_selectors_run_without_a_request(dataset, app):
    with app.test_request_context("/?lang=en"):
        assert [(r.key, r.values) for r in entries_by_year(None).rows] == [
            (2023, [1, 0, 0]), (2021, [0, 0, 1]), (2020, [0, 0, 1]), (2019, [0, 1, 0])]
        assert [(r.label, r.values) for r in by_unit(None).rows] == [("Thành phố Hà Nội", [3, 2]), ("Thành phố Hồ Chí Minh", [1, 1])]
        assert dict((r.key, r.values[0]) for r in by_topic(None, "en").rows)["an-sinh-xa-hoi"] == 2


def test_yearly_report_counts_by_level_title_and_unit(dataset, app, client):
    with app.test_request_context("/?lang=en"):
        report = year_report(2020, None, "en")
        assert report.total == 1 and report.revoked == 1
        assert report.by_title.columns == ["Provincial level", "Revoked (not counted)"]
        assert {r.key: r.values for r in report.by_title.rows} == {
            "bang-khen-cua-chu-tich-ubnd-cap-tinh": [1, 0], "giay-khen": [0, 1]}
        assert [(r.label, r.values) for r in report.by_unit.rows] == [("Thành phố Hà Nội", [1, 1])]
    rows = list(csv.reader(io.StringIO(client.get("/statistics/report.csv?year=2020&lang=en").data.decode("utf-8-sig"))))
    assert rows == [
        ["Year", "Unit", "Title", "Level", "Awards", "Revoked (not counted)"],
        ["2020", "Thành phố Hà Nội", "Certificate of Merit", "District level", "0", "1"],
        ["2020", "Thành phố Hà Nội", "Certificate of Merit of the Provincial People's Committee Chair", "Provincial level", "1", "0"],
    ]
    html = client.get("/statistics/report?year=2020&lang=en").get_data(as_text=True)
    assert "1 award counted" in html and "1 revoked award not counted" in html


def test_charts_are_accessible_svg_with_tables(dataset, client):
    html = client.get("/statistics?lang=en").get_data(as_text=True)
    assert "<script" not in html
    svgs = re.findall(r'<svg role="img" aria-labelledby="([\w-]+)-title ([\w-]+)-desc"', html)
    assert len(svgs) == 5
    for ident, _desc in svgs:
        assert f'<title id="{ident}-title">' in html and f'<desc id="{ident}-desc">' in html
    assert html.count("<caption>") == 5 and 'scope="col"' in html and 'scope="row"' in html
    # Bars carry their numbers as text, not only as lengths.
    assert re.search(r'<text x="[\d.]+" y="[\d.]+" class="chart-value">3 / 2</text>', html)
    assert re.search(r'<text x="[\d.]+" y="[\d.]+" class="chart-value">1</text>', html)
    assert html.count('href="/statistics/') >= 5
