"""Request ids, one JSON line per request with timing, errors logged with the id shown on the 500 page."""
from __future__ import annotations

import json

from tests.support.clients import client_for
from tests.support.logs import request_records


def test_each_request_is_one_json_line_without_its_query_string(app, world, log_lines):
    client = client_for(app, world, "officer")
    log_lines.clear()
    response = client.get("/entries?kind=individual&note=PRIVATE-WORDS-1234")
    assert response.status_code == 200
    records = request_records(log_lines)
    assert len(records) == 1
    line = records[0]
    assert {k: line[k] for k in ("method", "path", "status")} == {"method": "GET", "path": "/entries", "status": 200}
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user_id"] == world.users["officer"]
    assert not any("PRIVATE-WORDS-1234" in text for text in log_lines)


def test_a_sane_request_id_is_kept_and_an_odd_one_replaced(client):
    given = "abc123-proxy-id.42"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    for odd in ("short", "x" * 300, "bad id with spaces", "inject\"}{", "ünïcode-id-123"):
        answered = client.get("/healthz", headers={"X-Request-ID": odd}).headers["X-Request-ID"]
        assert answered != odd and len(answered) == 32


def test_an_error_is_logged_with_the_request_id_shown_to_the_user(app, log_lines):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/__boom")
    def boom():
        raise RuntimeError("kaboom")

    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.get("/__boom")
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and rid in html
    errors = [json.loads(line) for line in log_lines if '"level": "error"' in line]
    assert any(e.get("request_id") == rid and "RuntimeError" in e["traceback"] for e in errors), log_lines
    # Flask's own plain-text copy of the same traceback is not printed a second time.
    assert not any(line.startswith("Exception on") or '"msg": "Exception on' in line for line in log_lines)
    assert [r["status"] for r in request_records(log_lines)] == [500]
