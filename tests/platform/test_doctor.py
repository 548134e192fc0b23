"""`flask doctor`: each check says OK, WARN or FAIL with a remedy; the exit code is non-zero on FAIL."""
from __future__ import annotations

import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from registry.extensions import db
from registry.showcase.search_index import close_indexes
from tests.support.commands import doctor


@pytest.fixture
def healthy(app, tmp_path):
    """An instance stamped at the latest migration, with one published entry and its photo."""
    from flask_migrate import stamp

    from registry.entries.records import records_import
    from tests.support.files import jpeg_bytes, write_jsonl
    from tests.support.records import record

    (tmp_path / "p.jpg").write_bytes(jpeg_bytes())
    with app.app_context():
        stamp()
        records_import(write_jsonl(tmp_path / "in.jsonl", [record("one", photos=["p.jpg"])]))
        db.session.commit()
    return app




def test_a_healthy_instance_passes(healthy):
    result, lines = doctor(healthy)
    assert result.exit_code == 0, result.output
    assert set(lines) == {"database", "instance folder", "temporary files", "free disk space", "search index",
                          "photo and document files", "private dossier documents", "secret key", "cookies"}
    assert all(line.startswith(("[OK", "[WARN")) for line in lines.values()), result.output


def test_schema_behind_and_unstamped_database_fail_with_the_remedy(app):
    result, lines = doctor(app)  # created with create_all: no migration version
    assert result.exit_code != 0
    assert lines["database"].startswith("[FAIL]") and "flask --app registry init" in result.output


@pytest.mark.whoosh
def test_a_corrupt_index_fails_and_the_remedy_is_reindex(healthy):
    close_indexes()
    index_dir = Path(healthy.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(index_dir)
    index_dir.write_bytes(b"\x00garbage")
    result, lines = doctor(healthy)
    assert result.exit_code != 0 and lines["search index"].startswith("[FAIL]")
    assert "reindex" in result.output


def test_an_index_lacking_the_only_entry_fails_and_the_remedy_is_a_full_reindex(healthy):
    from registry.showcase.search_index import search_index

    with healthy.app_context():
        search_index().delete([1])
    result, lines = doctor(healthy)
    assert result.exit_code != 0 and lines["search index"].startswith("[FAIL]")
    assert "0 documents for 1 published entries" in lines["search index"]
    assert "flask --app registry reindex`" in result.output and "--pending" not in result.output


def test_missing_photo_files_fail(healthy):
    photos = Path(healthy.config["PHOTO_DIR"])
    next(photos.rglob("thumb.webp")).unlink()
    result, lines = doctor(healthy)
    assert result.exit_code != 0 and lines["photo and document files"].startswith("[FAIL]")
    assert "1 photos and 0 documents are missing" in lines["photo and document files"]


def test_unwritable_folder_fails(healthy):
    photos = Path(healthy.config["PHOTO_DIR"])
    shutil.rmtree(photos)
    photos.write_text("a file where the photos folder should be")
    result, lines = doctor(healthy)
    assert result.exit_code != 0 and lines["instance folder"].startswith("[FAIL]")
    assert "write access" in result.output


def test_little_free_space_warns_then_fails(healthy, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**10, 10**10 - 500 * 2**20, 500 * 2**20))
    assert doctor(healthy)[1]["free disk space"].startswith("[WARN]")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**10, 10**10, 20 * 2**20))
    result, lines = doctor(healthy)
    assert result.exit_code != 0 and lines["free disk space"].startswith("[FAIL]") and "20 MB free" in result.output


def test_weak_secret_key_and_insecure_cookies_behind_tls_fail(healthy):
    healthy.config.update(SECRET_KEY="changeme", PREFERRED_URL_SCHEME="https", SESSION_COOKIE_SECURE=False)
    result, lines = doctor(healthy)
    assert result.exit_code != 0
    assert lines["secret key"].startswith("[FAIL]") and "SECRET_KEY" in result.output
    assert lines["cookies"].startswith("[FAIL]") and "SESSION_COOKIE_SECURE=1" in result.output
