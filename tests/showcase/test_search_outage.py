"""A search index that is missing or far behind the database is reported, never replaced by an empty one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.entries.models import Entry
from registry.extensions import db
from registry.showcase.models import IndexOutbox
from registry.showcase.search_index import close_indexes, search_index
from tests.support.files import write_jsonl
from tests.support.records import record

SEARCH = "/search?q=shipper"
API = ("/api/v1/search?q=shipper", "/api/v1/suggest?q=ship", "/api/v1/search?q=shipper&format=csv")


def publish(app, tmp_path, count: int) -> list[int]:
    """Import and publish ``count`` entries; returns their ids."""
    from registry.entries.records import records_import

    records = [record(f"r{i}", title=f"Shipper xanh số {i}") for i in range(count)]
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", records))
        db.session.commit()
        return list(db.session.scalars(sa.select(Entry.id).order_by(Entry.id)))


def english(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def doctor(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    result = app.test_cli_runner().invoke(args=["doctor"])
    line = next(line for line in result.output.splitlines() if "] search index:" in line)
    return result, line


def assert_search_unavailable(client) -> None:
    """Every way into search says it is unavailable, with Retry-After, and the probe is not ready."""
    for _ in range(2):  # the second time too: a 503 is never kept by the page cache
        page = client.get(SEARCH)
        assert page.status_code == 503 and "Search temporarily unavailable" in page.get_data(as_text=True)
        assert page.headers["Retry-After"] and page.headers.get("X-Page-Cache") != "hit"
    for path in API:
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert answer.get_json()["error"]["message"].startswith("Search is temporarily unavailable"), path
        assert answer.headers["Retry-After"], path
    ready = client.get("/readyz")
    assert ready.status_code == 503 and not ready.get_json()["checks"]["search_index"]["ok"]
    assert ready.get_json()["checks"]["database"]["ok"]
    # The rest of the site does not depend on the index.
    assert client.get("/entries").status_code == 200


def assert_search_works(client, count: int) -> None:
    found = client.get("/api/v1/search?q=shipper").get_json()
    assert found["total"] == count
    assert client.get(SEARCH).status_code == 200
    assert client.get("/readyz").get_json()["checks"]["search_index"]["documents"] == count


@pytest.mark.whoosh
def test_a_removed_index_answers_503_also_after_a_restart_until_reindex(app, tmp_path, monkeypatch):
    publish(app, tmp_path, 3)
    client = english(app)
    assert client.get(SEARCH).status_code == 200
    assert client.get(SEARCH).headers["X-Page-Cache"] == "hit"
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])

    shutil.rmtree(index_dir)  # while serving: this process still holds the old searcher
    assert_search_unavailable(client)
    assert not (index_dir / "CURRENT").exists(), "an empty index was made in place of the removed one"

    close_indexes()
    restarted = create_app({"TESTING": True})
    assert_search_unavailable(english(restarted))
    assert not (index_dir / "CURRENT").exists()

    result, line = doctor(restarted)
    assert result.exit_code != 0 and line.startswith("[FAIL]") and "missing" in line
    assert "flask --app registry reindex`" in result.output and "--pending" not in result.output
    pending = restarted.test_cli_runner().invoke(args=["reindex", "--pending"])
    assert pending.exit_code != 0 and "flask --app registry reindex`" in pending.output

    assert restarted.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    assert_search_works(english(restarted), 3)
    with restarted.app_context():
        db.engine.dispose()


def test_an_emptied_index_is_far_behind_on_either_backend(app, tmp_path, monkeypatch):
    ids = publish(app, tmp_path, 3)
    client = english(app)
    assert client.get(SEARCH).status_code == 200
    # PostgreSQL's verdict is taken again after CHECK_TTL seconds: here at once.
    monkeypatch.setattr("search.postgres.index.CHECK_TTL", 0.0)
    with app.app_context():
        search_index().delete(ids)

    assert_search_unavailable(client)
    check = client.get("/readyz").get_json()["checks"]["search_index"]
    assert check["error"] == "SearchIndexBehind" and (check["documents"], check["published"]) == (0, 3)
    result, line = doctor(app)
    assert result.exit_code != 0 and line.startswith("[FAIL]") and "far behind" in line
    assert "0 documents for 3 published entries" in line and "flask --app registry reindex`" in result.output

    close_indexes()  # a restart does not forget it
    assert client.get(SEARCH).status_code == 503
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    assert_search_works(client, 3)


def test_an_index_a_little_behind_still_answers_and_doctor_names_the_remedy_that_helps(app, tmp_path):
    ids = publish(app, tmp_path, 12)
    with app.app_context():
        search_index().delete(ids[:1])  # lost from the index, not waiting anywhere
    client = english(app)
    assert client.get("/api/v1/search?q=shipper").get_json()["total"] == 11
    assert client.get("/readyz").status_code == 200
    result, line = doctor(app)
    assert line.startswith("[WARN]") and "1 missing" in line
    assert "flask --app registry reindex`" in result.output and "--pending" not in result.output


@pytest.mark.whoosh
def test_changes_waiting_in_the_outbox_are_behind_but_not_lost_and_doctor_says_pending(app, tmp_path):
    app.config["SEARCH_SYNC"] = False  # committed, not yet applied to the index: as if the process died
    publish(app, tmp_path, 3)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(IndexOutbox.entry_id)))) == 3
    client = english(app)
    assert client.get("/readyz").status_code == 200  # the outbox will bring them: not an outage
    result, line = doctor(app)
    assert line.startswith("[WARN]") and "3 missing" in line and "reindex --pending" in result.output
    assert app.test_cli_runner().invoke(args=["reindex", "--pending"]).exit_code == 0
    assert_search_works(client, 3)


def test_a_new_instance_gets_its_empty_index_and_fills_it(app, tmp_path):
    client = english(app)
    assert client.get("/api/v1/search?q=shipper").get_json()["total"] == 0
    assert client.get("/readyz").get_json()["checks"]["search_index"] == {
        "ok": True, "backend": app.extensions["search_backend"], "documents": 0}
    publish(app, tmp_path, 2)
    assert_search_works(client, 2)
    result, line = doctor(app)
    assert line.startswith("[OK"), result.output


@pytest.mark.whoosh
def test_a_first_import_on_a_new_instance_creates_the_index_it_fills(app, tmp_path):
    # No search before the import: the index is first opened by the import's own update.
    assert not (Path(app.config["SEARCH_INDEX_DIR"]) / "CURRENT").exists()
    publish(app, tmp_path, 2)
    assert (Path(app.config["SEARCH_INDEX_DIR"]) / "CURRENT").exists()
    assert_search_works(english(app), 2)
