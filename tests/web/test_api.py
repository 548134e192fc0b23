"""The read-only JSON API: field names, filters, pagination, validators, CORS, errors, rate limits."""
from __future__ import annotations

import re

import pytest

from registry import create_app
from tests.support.apps import app_release
from tests.support.records import entry_id

ENTRY_FIELDS = {"id", "ref", "kind", "title", "year", "summary", "unit", "topics", "awards", "photos",
                "published_at", "updated_at", "url", "api_url"}


def test_entries_list_fields_and_links(dataset, client):
    response = client.get("/api/v1/entries?per_page=2&lang=en")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 4 and body["page"] == 1 and body["per_page"] == 2 and body["pages"] == 2
    assert set(body["results"][0]) == ENTRY_FIELDS
    links = body["links"]
    assert links["prev"] is None and links["next"].endswith("page=2") and "per_page=2" in links["next"]
    assert links["first"].startswith("http://localhost/api/v1/entries?")
    header = response.headers["Link"]
    assert f'<{links["next"]}>; rel="next"' in header and 'rel="last"' in header and 'rel="prev"' not in header
    second = client.get(links["next"]).get_json()
    assert second["page"] == 2 and second["links"]["next"] is None and second["links"]["prev"]
    titles = {e["title"] for e in body["results"] + second["results"]}
    assert titles == {"Shipper xanh", "Cây ATM gạo", "Nguyễn Thị Hoa", "Tuyến đường bích họa"}


@pytest.mark.parametrize("query, titles", [
    ("kind=individual", {"Nguyễn Thị Hoa"}),
    ("year=2020", {"Cây ATM gạo"}),
    ("topic=van-hoa", {"Tuyến đường bích họa"}),
    ("level=province", {"Tuyến đường bích họa"}),
    # The only district award was revoked: it no longer counts.
    ("level=district", {"Shipper xanh"}),
    ("award=giay-khen", {"Nguyễn Thị Hoa"}),
    ("kind=nonsense&year=abc", {"Shipper xanh", "Cây ATM gạo", "Nguyễn Thị Hoa", "Tuyến đường bích họa"}),
])
def test_entries_filters_match_the_browse_page(dataset, client, query, titles):
    body = client.get(f"/api/v1/entries?{query}").get_json()
    assert {e["title"] for e in body["results"]} == titles


def test_unit_filter_includes_sub_units_and_sort_by_name(dataset, client):
    units = client.get("/api/v1/units").get_json()["results"]
    hanoi = next(u for u in units if u["name"] == "Thành phố Hà Nội")
    assert hanoi["entries"] == 3
    body = client.get(f"/api/v1/entries?unit={hanoi['id']}&sort=name").get_json()
    assert [e["title"] for e in body["results"]] == ["Cây ATM gạo", "Shipper xanh", "Tuyến đường bích họa"]


def test_entry_detail_with_unit_path_awards_and_revocation(dataset, client, app):
    body = client.get(f"/api/v1/entries/{entry_id(app, 'bich-hoa')}").get_json()
    assert body["unit"]["path"] == ["Thành phố Hà Nội", "Huyện Đan Phượng", "Xã Tân Hội"]
    assert body["kind"] == "collective" and body["body"] == record_body()
    awards = {a["decision_number"]: a for a in body["awards"]}
    assert awards["4512/QĐ-UBND"]["revoked"] is False and awards["4512/QĐ-UBND"]["revocation"] is None
    assert awards["4512/QĐ-UBND"]["decision_date"] == "2020-09-15" and awards["4512/QĐ-UBND"]["level"] == "province"
    assert awards["88/QĐ-UBND"]["revoked"] is True
    assert awards["88/QĐ-UBND"]["revocation"] == {
        "date": "2024-03-01", "decision_number": "77/QĐ-UBND", "reason": "Kê khai không trung thực"}


def record_body() -> str:
    from tests.support.records import record

    return record("x")["body"]


def test_entry_photos_carry_credit_licence_and_original(dataset, client, app):
    body = client.get(f"/api/v1/entries/{entry_id(app, 'shipper')}").get_json()
    photo = body["photos"][0]
    assert photo["credit"] == "Quận đoàn Long Biên" and photo["licence"] == "CC BY 4.0"
    assert photo["original_url"].startswith("http://localhost/media/photos/") and photo["original_url"].endswith("/original.webp")
    assert client.get(photo["original_url"]).status_code == 200
    assert body["replications"][0]["unit"]["name"] == "Quận đoàn Hoàn Kiếm" and body["replications"][0]["since"] == 2022


def test_unit_detail_tree(dataset, client):
    hanoi = next(u for u in client.get("/api/v1/units").get_json()["results"] if u["name"] == "Thành phố Hà Nội")
    detail = client.get(f"/api/v1/units/{hanoi['id']}").get_json()
    children = {c["name"]: c["entries"] for c in detail["children"]}
    assert children == {"Huyện Đan Phượng": 1, "Quận Hoàn Kiếm": 0, "Quận Long Biên": 2}
    assert detail["path"][0]["name"] == "Thành phố Hà Nội" and detail["successor"] is None
    long_bien = next(c for c in detail["children"] if c["name"] == "Quận Long Biên")
    sub = client.get(long_bien["api_url"]).get_json()
    assert [u["name"] for u in sub["path"]] == ["Thành phố Hà Nội", "Quận Long Biên"]
    assert sub["level"] == "district" and sub["entries"] == 2


def test_topics_titles_and_awards(dataset, client):
    topics = {t["slug"]: t["entries"] for t in client.get("/api/v1/topics").get_json()["results"]}
    assert topics["an-sinh-xa-hoi"] == 2 and topics["van-hoa"] == 1
    titles = client.get("/api/v1/award-titles").get_json()["results"]
    assert any(t["slug"] == "giay-khen" for t in titles)
    awards = client.get("/api/v1/awards?year=2020").get_json()
    assert awards["total"] == 2
    assert {a["entry"]["title"] for a in awards["results"]} == {"Tuyến đường bích họa"}
    district = client.get("/api/v1/awards?level=district").get_json()["results"]
    assert {(a["year"], a["revoked"]) for a in district} == {(2021, False), (2020, True)}
    by_title = client.get("/api/v1/awards?title=giay-khen").get_json()
    assert by_title["total"] == 2


def test_search_keeps_its_field_names_and_gains_links(dataset, client):
    body = client.get("/api/v1/search?q=shipper").get_json()
    assert {"total", "page", "per_page", "results", "facets", "links"} <= set(body)
    assert set(body["results"][0]) == {"id", "ref", "kind", "title", "year", "unit", "url", "snippet"}
    assert body["results"][0]["title"] == "Shipper xanh"


def test_etag_and_last_modified_give_304(dataset, client):
    first = client.get("/api/v1/entries")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200
    again = client.get("/api/v1/entries", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/api/v1/entries", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/api/v1/entries?kind=individual", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/api/v1/entries", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


def test_cors_on_gets_and_preflight(dataset, client):
    response = client.get("/api/v1/topics", headers={"Origin": "https://newsroom.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers.get("Access-Control-Expose-Headers", "")
    preflight = client.options("/api/v1/entries", headers={
        "Origin": "https://newsroom.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    # Pages of the showcase are not opened to other sites.
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://x.example"}).headers


@pytest.mark.parametrize("method, path, code", [
    ("get", "/api/v1/entries/999999", 404),
    ("get", "/api/v1/units/999999", 404),
    ("get", "/api/v1/no-such-thing", 404),
    ("post", "/api/v1/entries", 405),
    ("get", "/api/v1/entries?format=xls", 400),
])
def test_errors_are_json(dataset, client, method, path, code):
    response = getattr(client, method)(path)
    assert response.status_code == code
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_server_error_is_json(dataset, app, client, monkeypatch):
    import registry.web.api.catalogue as catalogue

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(catalogue, "topics_with_counts", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/topics")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == 500
    assert "boom" not in response.get_data(as_text=True)


@pytest.mark.database
def test_rate_limit_answers_429_as_json(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "API_RATE_LIMIT": "3 per minute"})
    with app.app_context():
        from registry.extensions import db

        db.create_all()
    client = app.test_client()
    codes = [client.get("/api/v1/topics").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/topics")
    assert response.get_json()["error"]["code"] == 429 and "Retry-After" in response.headers
    # The showcase is not limited by the API's budget.
    assert client.get("/topics").status_code == 200
    app_release(app)


def test_openapi_document_covers_every_api_route(dataset, app, client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and "GET" in rule.methods:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in paths, path
            assert paths[path]["get"]["summary"]
    params = {p["name"] for p in paths["/api/v1/entries"]["get"]["parameters"]}
    assert {"kind", "year", "unit", "topic", "award", "level", "sort", "page", "per_page", "format"} <= params
    assert paths["/api/v1/entries/{entry_id}"]["get"]["parameters"][0]["in"] == "path"


def test_api_page_lists_endpoints_with_examples(dataset, client):
    html = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "<script" not in html
    for path in ("/api/v1/entries", "/api/v1/entries/{entry_id}", "/api/v1/units/{unit_id}", "/api/v1/awards",
                 "/api/v1/topics", "/api/v1/award-titles", "/api/v1/search", "/api/v1/suggest"):
        assert f"GET {path}</code>" in html
    assert "/api/v1/entries?kind=initiative&amp;year=2021" in html
    assert 'scope="col"' in html and "per_page" in html
    assert client.get("/api/v1/").status_code == 302


@pytest.mark.parametrize("path", ["/api/v1/entries?per_page={n}", "/api/v1/entries?format=jsonl&per_page={n}",
                                  "/api/v1/awards?per_page={n}", "/statistics?n={n}"])
def test_queries_do_not_grow_with_the_page(dataset, app, client, path):
    from sqlalchemy import event

    from registry.extensions import db

    counted = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        sizes = []
        for n in (1, 4):
            counted.clear()
            assert client.get(path.format(n=n)).status_code == 200
            sizes.append(len(counted))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Eager loads of relations that one entry lacks (no replications, say) may skip a query; a query
    # per entry would add at least three.
    assert sizes[1] - sizes[0] <= 1


@pytest.mark.database
def test_rate_limit_counts_each_client_behind_a_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "API_RATE_LIMIT": "2 per minute", "TRUSTED_PROXY_COUNT": 1})
    with app.app_context():
        from registry.extensions import db

        db.create_all()
    client = app.test_client()

    def get(address):
        return client.get("/api/v1/topics", headers={"X-Forwarded-For": address}).status_code

    assert [get("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert get("203.0.113.2") == 200
    app_release(app)
