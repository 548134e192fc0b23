"""Downloads of browse and search results: CSV for Excel, JSON Lines in the import format."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from registry.entries.models import Entry
from registry.entries.records import entry_to_record, records_import
from registry.extensions import db
from tests.support.records import entry_id


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_opens_in_excel_with_vietnamese_intact(dataset, client):
    response = client.get("/api/v1/entries?format=csv&sort=name")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="registry-entries-\d{8}\.csv"', response.headers["Content-Disposition"])
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 5 and b"\n" not in data.replace(b"\r\n", b"")
    rows = read_csv(data)
    assert list(rows[0]) == ["id", "ref", "kind", "title", "unit", "year", "topics", "awards", "url"]
    assert [r["title"] for r in rows] == ["Cây ATM gạo", "Nguyễn Thị Hoa", "Shipper xanh", "Tuyến đường bích họa"]
    shipper = rows[2]
    assert shipper["unit"] == "Thành phố Hà Nội › Quận Long Biên › Quận đoàn Long Biên"
    assert shipper["topics"] == "An sinh xã hội; Phòng, chống dịch Covid-19"
    assert shipper["awards"] == "Người tốt, việc tốt (district, 2021, 1234/QĐ-UBND)"
    assert shipper["year"] == "2021" and shipper["kind"] == "initiative"
    assert re.fullmatch(r"http://localhost/entries/\d+/shipper-xanh", shipper["url"])
    bich_hoa = rows[3]
    assert bich_hoa["awards"] == ("Bằng khen của Chủ tịch UBND cấp tỉnh (province, 2020, 4512/QĐ-UBND); "
                                  "Giấy khen (district, 2020, 88/QĐ-UBND, revoked 2024-03-01)")


def test_csv_follows_the_filters(dataset, client):
    rows = read_csv(client.get("/api/v1/entries?format=csv&kind=individual").data)
    assert [r["title"] for r in rows] == ["Nguyễn Thị Hoa"]


def test_a_formula_is_not_run_by_the_spreadsheet(dataset, client, app):
    with app.app_context():
        db.session.get(Entry, entry_id(app, "atm")).title = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    rows = read_csv(client.get("/api/v1/entries?format=csv&kind=initiative").data)
    assert "'=HYPERLINK(\"http://x\")" in [r["title"] for r in rows]


# Cells a spreadsheet would run (OWASP's examples), planted in every kind of text a CSV of the registry shows.
FORMULAS = {
    "entry": "-2+3+cmd|' /C calc'!A0",
    "entry_tab": "\t=1+1",
    "entry_cr": "\r=1+1",
    "unit": "@SUM(1+1)*cmd|' /C calc'!A0",
    "topic": "+1+1",
    "title": "=HYPERLINK(\"http://x\")",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_no_cell_of_any_csv_download_is_run_as_a_formula(dataset, client, app):
    from registry.catalog.models import AwardTitle, Topic, Unit
    from registry.showcase.statistics import award_years, statistics_tables

    with app.test_request_context("/?lang=en"):
        db.session.get(Entry, entry_id(app, "hoa")).title = FORMULAS["entry"]
        db.session.get(Entry, entry_id(app, "atm")).title = FORMULAS["entry_tab"]
        db.session.get(Entry, entry_id(app, "bich-hoa")).title = FORMULAS["entry_cr"]
        db.session.scalar(sa.select(Unit).where(Unit.name == "Thành phố Hồ Chí Minh")).name = FORMULAS["unit"]
        db.session.scalar(sa.select(Topic).where(Topic.name == "Cứu người")).name = FORMULAS["topic"]
        for title in db.session.scalars(sa.select(AwardTitle).where(AwardTitle.name == "Giấy khen")):
            title.name = title.name_en = FORMULAS["title"]
        db.session.commit()
        paths = ["/api/v1/entries?format=csv", "/api/v1/search?format=csv", "/api/v1/search?q=Hoa&format=csv",
                 *(f"/statistics/{t.name}.csv" for t in statistics_tables(None, "en")),
                 *(f"/statistics/report.csv?year={year}" for year in award_years())]
    cells = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/csv", path
        cells += [(path, cell) for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""))
                  for cell in row]
    assert [(path, cell) for path, cell in cells if cell.startswith(FORMULA_STARTS)] == []
    shown = {cell for _path, cell in cells}
    # Each planted formula reached a file, neutralised by a quote in front and otherwise intact.
    for formula in FORMULAS.values():
        assert any(cell.startswith("'" + formula) for cell in shown), formula
    assert {"'+1+1", "'=HYPERLINK(\"http://x\")", "'" + FORMULAS["unit"]} <= shown  # statistics and report rows
    assert "1" in shown  # counts stay numbers


def test_plain_numbers_are_not_quoted():
    from registry.showcase.exports import spreadsheet_safe

    assert spreadsheet_safe("-5") == "-5" and spreadsheet_safe("+0,5") == "+0,5" and spreadsheet_safe(-5) == -5
    assert spreadsheet_safe("-5+1") == "'-5+1" and spreadsheet_safe("-") == "'-"


def test_jsonl_is_the_import_format_and_imports_back(dataset, client, app, tmp_path):
    response = client.get("/api/v1/entries?format=jsonl")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"].endswith('.jsonl"')
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    with app.app_context():
        entries = {e.ref: e for e in db.session.scalars(sa.select(Entry))}
        for line in lines:
            assert line == entry_to_record(entries[line["ref"]])
    assert {line["ref"] for line in lines} == {"shipper", "atm", "hoa", "bich-hoa"}
    path = tmp_path / "again.jsonl"
    path.write_bytes(response.data)
    with app.app_context():
        report = records_import(path)
        db.session.rollback()
    assert report.created == 0 and report.unchanged == 4


def test_search_downloads_give_the_same_files(dataset, client):
    rows = read_csv(client.get("/api/v1/search?q=bích họa&format=csv").data)
    assert [r["title"] for r in rows] == ["Tuyến đường bích họa"]
    response = client.get("/api/v1/search?q=bich hoa&format=jsonl")
    assert re.fullmatch(r'attachment; filename="registry-search-bich-hoa-\d{8}\.jsonl"', response.headers["Content-Disposition"])
    assert [json.loads(line)["ref"] for line in response.get_data(as_text=True).splitlines()] == ["bich-hoa"]
    everything = read_csv(client.get("/api/v1/search?format=csv&topic=an-sinh-xa-hoi").data)
    assert {r["title"] for r in everything} == {"Shipper xanh", "Cây ATM gạo"}


@pytest.mark.parametrize("path", ["/api/v1/entries?format=csv", "/api/v1/search?format=csv"])
def test_downloads_are_capped_and_say_so(dataset, client, app, path):
    app.config["EXPORT_MAX_ROWS"] = 2
    response = client.get(path)
    assert len(read_csv(response.data)) == 2
    assert response.headers["X-Total-Count"] == "4" and response.headers["X-Export-Limit"] == "2"


def test_browse_search_topic_and_unit_pages_link_their_downloads(dataset, client, app):
    html = client.get("/entries?kind=initiative&year=2021&lang=en").get_data(as_text=True)
    assert 'href="/api/v1/entries?format=csv&amp;kind=initiative&amp;year=2021"' in html
    assert 'href="/api/v1/entries?format=jsonl&amp;kind=initiative&amp;year=2021"' in html
    assert "at most 10,000 entries" in html
    html = client.get("/search?q=shipper&lang=en").get_data(as_text=True)
    assert 'href="/api/v1/search?q=shipper&amp;sort=relevance&amp;format=csv"' in html
    assert "/api/v1/search?q=shipper&amp;sort=relevance&amp;format=jsonl" in html
    assert 'href="/api/v1/entries?format=csv&amp;topic=van-hoa"' in client.get("/topics/van-hoa").get_data(as_text=True)
    hanoi = next(u for u in client.get("/api/v1/units").get_json()["results"] if u["name"] == "Thành phố Hà Nội")
    html = client.get(hanoi["url"].replace("http://localhost", "")).get_data(as_text=True)
    assert f'href="/api/v1/entries?unit={hanoi["id"]}&amp;format=csv"' in html
    assert f'href="/statistics?unit={hanoi["id"]}"' in html
