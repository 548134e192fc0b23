"""Downloads cost a worker about a second each: a budget and one at a time per address, kept by canonical query."""
from __future__ import annotations

import threading

import pytest

from registry.web.api import downloads


@pytest.fixture
def limited(dataset):
    """The open-data set with a budget of three downloads a minute per address."""
    dataset.config.update(EXPORT_RATE_LIMIT="3 per minute", EXPORT_CONCURRENCY=1)
    return dataset


def from_(client, path: str, address: str):
    return client.get(path, environ_base={"REMOTE_ADDR": address})


def fetch(client, path: str, address: str) -> int:
    return from_(client, path, address).status_code


def test_the_download_limit_stops_one_address_while_another_still_gets_through(limited):
    client = limited.test_client()
    client.set_cookie("lang", "en")
    codes = [fetch(client, f"/api/v1/search?q=gao{i}&format=csv", "203.0.113.1") for i in range(3)]
    assert codes == [200, 200, 200]
    refused = from_(client, "/api/v1/entries?format=jsonl", "203.0.113.1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    message = refused.get_json()["error"]["message"]
    assert message.startswith("Too many downloads from your address: 3 per 1 minute at most"), message
    # The rest of the API and the other addresses are not held back by that budget.
    assert fetch(client, "/api/v1/search?q=gao", "203.0.113.1") == 200
    assert fetch(client, "/api/v1/search?q=gao9&format=csv", "203.0.113.2") == 200
    # In Vietnamese by default.
    client.delete_cookie("lang")
    again = from_(client, "/api/v1/search?q=gao7&format=csv", "203.0.113.1")
    assert again.status_code == 429 and again.get_json()["error"]["message"].startswith("Quá nhiều lượt tải")


def test_a_download_served_again_from_the_cache_does_not_count(limited):
    client = limited.test_client()
    same = [from_(client, "/api/v1/search?q=gao&format=csv", "198.51.100.7") for _ in range(6)]
    assert [r.status_code for r in same] == [200] * 6
    assert [r.headers["X-Page-Cache"] for r in same] == ["miss"] + ["hit"] * 5
    assert [fetch(client, f"/api/v1/entries?format=csv&year={y}", "198.51.100.7") for y in (2019, 2020, 2021)] \
        == [200, 200, 429]


def test_unknown_parameters_and_their_order_hit_the_same_cache_entry(limited):
    client = limited.test_client()
    first = client.get("/api/v1/search?q=gao&format=csv&z=1")
    assert first.headers["X-Page-Cache"] == "miss"
    for path in ("/api/v1/search?q=gao&format=csv&z=2", "/api/v1/search?format=csv&utm_source=x&q=gao",
                 "/api/v1/search?z=3&q=gao&format=csv&fbclid=abc"):
        again = client.get(path)
        assert again.headers["X-Page-Cache"] == "hit", path
        assert again.data == first.data
    assert client.get("/api/v1/search?q=gao&format=jsonl").headers["X-Page-Cache"] == "miss"
    # JSON answers too: their links keep only the arguments the route reads, so the kept body fits every caller.
    page = client.get("/api/v1/entries?per_page=1&z=1")
    assert "z=1" not in page.get_data(as_text=True) and "per_page=1" in page.get_json()["links"]["next"]
    assert client.get("/api/v1/entries?z=2&per_page=1").headers["X-Page-Cache"] == "hit"


def test_a_second_download_from_one_address_is_refused_while_the_first_runs(limited, monkeypatch):
    limited.config["EXPORT_RATE_LIMIT"] = "100 per minute"
    started, release = threading.Event(), threading.Event()
    render, mimetype, extension = downloads.FORMATS["csv"]

    def slow_render(entries):
        if not started.is_set():
            started.set()
            assert release.wait(30)
        return render(entries)

    monkeypatch.setitem(downloads.FORMATS, "csv", (slow_render, mimetype, extension))
    answers = {}

    def first():
        client = limited.test_client()
        answers["first"] = from_(client, "/api/v1/search?q=gao&format=csv", "192.0.2.5")

    worker = threading.Thread(target=first)
    worker.start()
    try:
        assert started.wait(30)
        client = limited.test_client()
        client.set_cookie("lang", "en")
        second = from_(client, "/api/v1/entries?format=csv", "192.0.2.5")
        assert second.status_code == 429 and int(second.headers["Retry-After"]) >= 5
        assert "still being prepared" in second.get_json()["error"]["message"]
        assert fetch(client, "/api/v1/entries?format=csv", "192.0.2.6") == 200  # another address
        assert fetch(client, "/api/v1/entries?per_page=2", "192.0.2.5") == 200  # not a download
    finally:
        release.set()
        worker.join(30)
    assert answers["first"].status_code == 200 and answers["first"].data.startswith(b"\xef\xbb\xbf")
    assert fetch(limited.test_client(), "/api/v1/entries?format=csv", "192.0.2.5") == 200
