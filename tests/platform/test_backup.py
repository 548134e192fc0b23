"""`flask backup` while the app runs, `flask restore` into a fresh instance: the same data, files and search."""
from __future__ import annotations

import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.entries.models import Entry, Photo
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from registry.workflow.models import Attachment, Ballot, VoteChoice
from tests.support import databases
from tests.support.apps import app_release
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.records import record
from tests.support.world import nomination_in_vote, users

FRESH_CONFIG = {"TESTING": True, "BABEL_DEFAULT_LOCALE": "en", "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


@pytest.fixture
def filled(app, world, tmp_path):
    """Published entries with photos, a dossier with documents and a secret vote in progress; schema stamped."""
    from flask_migrate import stamp

    from registry.entries.records import records_import

    (tmp_path / "a.jpg").write_bytes(jpeg_bytes(color=(10, 120, 30)))
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # commands speak the default language
    with app.test_request_context("/?lang=en"):
        stamp()
        records_import(write_jsonl(tmp_path / "in.jsonl", [
            record("shipper", photos=["a.jpg"]), record("atm", title="Cây ATM gạo", year=2020)]))
        nomination = nomination_in_vote(world)
        from registry.workflow import ballots
        from registry.workflow.dossiers import attachment_add
        from registry.workflow.models import AttachmentKind

        attachment_add(nomination, kind=AttachmentKind.OTHER, data=jpeg_bytes(color=(90, 10, 10)),
                       filename="anh.jpg", actor=users(world, "officer")[0])

        ballots.vote_cast(nomination, voter=users(world, "member1")[0], choice=VoteChoice.AGREE)
        db.session.commit()
    return app


def request_database(monkeypatch) -> None:
    """A fresh instance's database: its own empty one on PostgreSQL, dropped after the test."""
    url = databases.use_new_database(monkeypatch, empty=True)
    if url is not None:
        _FRESH_DATABASES.append(url)


_FRESH_DATABASES: list[str] = []


@pytest.fixture(autouse=True)
def _drop_fresh_databases():
    yield
    while _FRESH_DATABASES:
        databases.drop_database(_FRESH_DATABASES.pop())


def snapshot(app) -> dict:
    with app.app_context():
        return {
            "entries": sorted((ref or "", title, status.value) for ref, title, status in
                              db.session.execute(sa.select(Entry.ref, Entry.title, Entry.status))),
            "photos": sorted(db.session.scalars(sa.select(Photo.sha256))),
            "attachments": sorted(db.session.scalars(sa.select(Attachment.sha256))),
            "ballots": db.session.scalar(sa.select(sa.func.count(Ballot.id))),
        }


def restored_app(tmp_path, monkeypatch, source: Path):
    close_indexes()
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "fresh"))
    request_database(monkeypatch)
    fresh = create_app(FRESH_CONFIG)
    result = fresh.test_cli_runner().invoke(args=["restore", str(source)])
    assert result.exit_code == 0, result.output
    assert "search index has been rebuilt" in result.output
    return fresh


@pytest.mark.parametrize("name", ["backup-dir", "backup.tar.gz"])
def test_backup_then_restore_into_a_fresh_instance(filled, tmp_path, monkeypatch, name):
    before = snapshot(filled)
    old_key = Path(filled.instance_path, "secret_key").read_text()
    dest = tmp_path / "backups" / name
    result = filled.test_cli_runner().invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output

    folder = dest
    if name.endswith(".tar.gz"):
        folder = tmp_path / "unpacked"
        with tarfile.open(dest) as tar:
            tar.extractall(folder, filter="data")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_revision"] and manifest["created_at"]
    assert manifest["counts"]["entry"] == 3 and manifest["counts"]["ballot"] == 1
    database = "registry.pgdump" if databases.on_postgres() else "registry.sqlite3"
    assert database in manifest["files"] and "config/secret_key" in manifest["files"]
    assert any(f.startswith("photos/") for f in manifest["files"])
    assert any(f.startswith("attachments/") for f in manifest["files"])
    assert not any("search-index" in f for f in manifest["files"])

    fresh = restored_app(tmp_path, monkeypatch, dest)
    assert snapshot(fresh) == before
    assert Path(fresh.instance_path, "secret_key").read_text() == old_key
    photo_root = Path(fresh.config["PHOTO_DIR"])
    for sha in before["photos"]:
        assert (photo_root / sha[:2] / sha / "medium.webp").is_file()
    with fresh.app_context():
        from registry.workflow.documents import document_path

        kept = list(db.session.execute(sa.select(Attachment.sha256, Attachment.file_type)))
        assert {t for _sha, t in kept} == {"pdf", "image"}
        for sha, file_type in kept:
            assert document_path(sha, file_type).is_file() and not (photo_root / sha[:2] / sha).exists()
    client = fresh.test_client()
    found = client.get("/api/v1/search?q=cay+atm+gao").get_json()
    assert [hit["title"] for hit in found["results"]][:1] == ["Cây ATM gạo"]
    assert fresh.test_cli_runner().invoke(args=["search-check"]).exit_code == 0
    with fresh.app_context():
        shipper = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper"))
        sha = shipper.photos[0].sha256
    assert client.get(f"/media/photos/{sha}/thumb.webp").status_code == 200
    app_release(fresh)


def test_restoring_an_earlier_releases_backup_makes_its_dossier_pictures_private(filled, world, tmp_path, monkeypatch):
    from tests.support.world import earlier_release_layout

    old = earlier_release_layout(filled, world)
    dest = tmp_path / "earlier"
    assert filled.test_cli_runner().invoke(args=["backup", str(dest)]).exit_code == 0
    assert any(name.startswith(f"photos/{old['only'][:2]}/{old['only']}/") for name in
               json.loads((dest / "manifest.json").read_text())["files"])
    fresh = restored_app(tmp_path, monkeypatch, dest)
    photo_root, only = Path(fresh.config["PHOTO_DIR"]), old["only"]
    with fresh.app_context():
        from registry.workflow.documents import document_path

        assert document_path(only, "image").read_bytes() == old["original"]
        assert document_path(old["shared"], "image").is_file()
    assert not (photo_root / only[:2] / only).exists()
    assert (photo_root / old["shared"][:2] / old["shared"] / "thumb.webp").is_file()
    app_release(fresh)


def test_restore_refuses_a_damaged_backup_and_a_database_with_data(filled, tmp_path, monkeypatch):
    dest = tmp_path / "b"
    assert filled.test_cli_runner().invoke(args=["backup", str(dest)]).exit_code == 0
    # Into the same, non-empty instance: refused without --force.
    again = filled.test_cli_runner().invoke(args=["restore", str(dest)])
    assert again.exit_code != 0 and "--force" in again.output
    # A damaged file is named.
    photo = next((dest / "photos").rglob("thumb.webp"))
    photo.write_bytes(b"not the same")
    close_indexes()
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "fresh"))
    request_database(monkeypatch)
    fresh = create_app(FRESH_CONFIG)
    result = fresh.test_cli_runner().invoke(args=["restore", str(dest)])
    assert result.exit_code != 0 and "thumb.webp" in result.output and "damaged" in result.output
    with fresh.app_context():
        assert "entry" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


@pytest.mark.sqlite_only("pg_dump reads one snapshot by design; test_postgresql_backup_and_restore covers it")
def test_backup_is_consistent_while_writes_go_on(filled, tmp_path):
    """A writer keeps committing during the backup; the copy is a clean database at one point in time."""
    database = filled.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    stop = threading.Event()
    setup = sqlite3.connect(database, timeout=30)
    setup.execute("CREATE TABLE scratch (n INTEGER, pad TEXT)")
    setup.commit()
    setup.close()

    def writer():
        connection = sqlite3.connect(database, timeout=30)
        n = 0
        while not stop.is_set():
            connection.execute("INSERT INTO scratch VALUES (?, ?)", (n, "x" * 2000))
            connection.commit()
            n += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = filled.test_cli_runner().invoke(args=["backup", str(tmp_path / "live")])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "live" / "registry.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = copy.execute("SELECT count(*), coalesce(max(n), -1) FROM scratch").fetchone()
    assert rows[0] == rows[1] + 1  # no gap, no half-written row
    copy.close()


@pytest.mark.empty_database
@pytest.mark.skipif(not databases.on_postgres(), reason="runs when the suite runs on PostgreSQL")
def test_postgresql_backup_and_restore(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "pg"))
    app = create_app(FRESH_CONFIG)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    with app.app_context():
        from registry.entries.records import records_import

        records_import(write_jsonl(tmp_path / "in.jsonl", [record("pg-one")]))
        db.session.commit()
    result = runner.invoke(args=["backup", str(tmp_path / "pg-backup")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pg-backup" / "registry.pgdump").is_file()
    result = runner.invoke(args=["restore", "--force", str(tmp_path / "pg-backup")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Entry.title).where(Entry.ref == "pg-one")) == "Shipper xanh"
