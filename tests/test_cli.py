"""CLI commands and the schema migrations."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.catalog.models import AwardTitle, Topic
from registry.entries.models import Entry
from registry.extensions import db
from tests.support import databases


@pytest.mark.empty_database
def test_init_migrates_fresh_database_and_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app({"TESTING": True})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "inst" / "registry.sqlite3").is_file() != databases.on_postgres()
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Topic.id))) >= 15
        assert db.session.scalar(sa.select(sa.func.count(AwardTitle.id))) >= 15
        if not databases.on_postgres():
            assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        # The migrated schema matches the models: nothing left for autogenerate to add.
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext
        with db.engine.connect() as conn:
            from registry.platform.database import include_object

            context = MigrationContext.configure(conn, opts={"include_object": include_object})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        db.engine.dispose()


def test_instance_path_moves_database_index_and_photos(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "elsewhere")
    if not databases.on_postgres():  # a server's database does not move with the folder
        assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(str(tmp_path / "elsewhere" / "registry.sqlite3"))
    assert app.config["SEARCH_INDEX_DIR"].startswith(str(tmp_path / "elsewhere"))
    assert app.config["PHOTO_DIR"].startswith(str(tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere" / "secret_key").is_file()


def test_database_url_and_secret_key_from_environment(tmp_path, monkeypatch):
    from registry.config import build_config
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@localhost/reg")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    config = build_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/reg"
    assert config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_export_command_writes_file(app, runner, tmp_path):
    from tests.support.files import write_jsonl
    from tests.support.records import record
    src = write_jsonl(tmp_path / "in.jsonl", [record("a")])
    assert runner.invoke(args=["import-records", str(src)]).exit_code == 0
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["export-records", str(out)])
    assert result.exit_code == 0, result.output
    assert '"ref": "a"' in out.read_text(encoding="utf-8")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 1
