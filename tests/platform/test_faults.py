"""Faults the app must survive: a damaged search index, a missing photo file, a full or read-only disk."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.entries.models import Entry, Photo
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from tests.support.apps import app_release
from tests.support.clients import client_for, post
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.records import record
from tests.support.world import draft_nomination


@pytest.fixture
def published(app, tmp_path):
    """Two published entries, one with a photo; returns (entry id, photo sha)."""
    from registry.entries.records import records_import

    (tmp_path / "a.jpg").write_bytes(jpeg_bytes())
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", [
            record("shipper", photos=[{"path": "a.jpg", "alt": "Giao gạo"}]),
            record("atm", title="Cây ATM gạo", year=2020)]))
        db.session.commit()
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper"))
        return entry.id, entry.photos[0].sha256


def corrupt_index(app) -> None:
    close_indexes()
    for path in Path(app.config["SEARCH_INDEX_DIR"]).rglob("*"):
        if path.is_file() and path.name != "CURRENT":
            path.write_bytes(b"\x00\xffdamaged" * 7)


@pytest.mark.whoosh
def test_a_damaged_index_leaves_the_public_pages_working(app, published):
    entry_id, _sha = published
    corrupt_index(app)
    client = client_for(app, None, None)
    for path in ("/", "/entries", f"/entries/{entry_id}", "/units", "/topics", "/statistics",
                 "/api/v1/entries", f"/api/v1/entries/{entry_id}", "/feeds/entries.atom", "/sitemap.xml"):
        assert client.get(path, follow_redirects=True).status_code == 200, path
    page = client.get("/search?q=shipper")
    assert page.status_code == 503 and "Search temporarily unavailable" in page.get_data(as_text=True)
    assert "Browse all entries" in page.get_data(as_text=True)
    for path in ("/api/v1/search?q=shipper", "/api/v1/suggest?q=ship", "/api/v1/search?q=x&format=csv"):
        answer = client.get(path)
        assert answer.status_code == 503 and answer.get_json()["error"]["code"] == 503, path
        assert "Retry-After" in answer.headers
    assert client.get("/feeds/search.atom?q=shipper").status_code == 503


@pytest.mark.whoosh
def test_reindex_repairs_a_damaged_index(app, published):
    corrupt_index(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["search-check"]).exit_code != 0
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search-check"]).exit_code == 0
    found = app.test_client().get("/api/v1/search?q=cay+atm+gao").get_json()
    assert found["results"][0]["title"] == "Cây ATM gạo"
    # The damaged folder is kept beside the new one for inspection.
    assert list(Path(app.config["SEARCH_INDEX_DIR"]).parent.glob("search-index.damaged-*"))


def test_a_missing_photo_file_is_404_and_its_page_still_renders(app, published):
    entry_id, sha = published
    photo_root = Path(app.config["PHOTO_DIR"])
    (photo_root / sha[:2] / sha / "medium.webp").unlink()
    client = app.test_client()
    assert client.get(f"/media/photos/{sha}/medium.webp").status_code == 404
    assert client.get(f"/media/photos/{sha}/thumb.webp").status_code == 200
    page = client.get(f"/entries/{entry_id}", follow_redirects=True)
    assert page.status_code == 200 and sha in page.get_data(as_text=True)
    assert client.get("/").status_code == 200


def _draft(app, world):
    return draft_nomination(app, world, title="Nguyễn Văn Dũng")


def test_a_full_disk_refuses_the_upload_clearly_and_stores_nothing(app, world, monkeypatch, log_lines):
    nid = _draft(app, world)
    from registry.entries import photos

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(photos, "_write_webp", disk_full)
    officer = client_for(app, world, "officer")
    response = post(officer, f"/nominations/{nid}/photos", {"photo": (__import__("io").BytesIO(jpeg_bytes()), "a.jpg"),
                                                              "alt": "Ảnh"}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "disk is full or read-only" in html and "Nothing was saved" in html
    assert response.headers["X-Request-ID"] in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 0
    assert any("storage unavailable" in line and response.headers["X-Request-ID"] in line for line in log_lines)
    assert officer.get("/").status_code == 200


@pytest.mark.sqlite_only("about a read-only SQLite file; on PostgreSQL the server grants rights")
def test_a_read_only_database_keeps_serving_reads_and_refuses_writes_clearly(app, published, tmp_path, monkeypatch):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    app_release(app)
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", app.instance_path)
    readonly = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{database}?mode=ro&uri=true"})
    client = readonly.test_client()
    client.set_cookie("lang", "en")
    assert client.get("/").status_code == 200
    assert client.get("/entries").status_code == 200
    # A sign-in writes (its audit): refused with 503 and a clear message, not a crash.
    from tests.support.clients import csrf

    response = client.post("/account/login", data={"csrf_token": csrf(client, "/account/login"),
                                                   "email": "a@example.org", "password": "whatever it is"})
    assert response.status_code == 503 and "Nothing was saved" in response.get_data(as_text=True)
    app_release(readonly)
