"""Fixtures: a fresh instance folder (database, index, photos) per test."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from registry import create_app
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from tests import databases


def pytest_configure(config):
    config.addinivalue_line("markers", "empty_database: on PostgreSQL, start from an empty database "
                            "(the test builds the schema itself), as a new instance folder does on SQLite")
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite itself")
    config.addinivalue_line("markers", "database: on PostgreSQL, give this test a database of its own although "
                            "it uses no app fixture (it makes its app itself)")
    config.addinivalue_line("markers", "whoosh: the test is about the embedded Whoosh index, so it keeps that "
                            "backend on PostgreSQL too (SEARCH_BACKEND=whoosh)")


def pytest_report_header(config):
    if databases.on_postgres():
        return f"database: PostgreSQL at {databases.SERVER_URL.render_as_string(hide_password=True)}"
    return "database: SQLite in each test's instance folder"


def pytest_collection_modifyitems(config, items):
    if not databases.on_postgres():
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=marker.args[0] if marker.args else "about SQLite"))


def pytest_sessionfinish(session, exitstatus):
    if databases.on_postgres():
        databases.drop_template()


@pytest.fixture(autouse=True)
def database_url(request, monkeypatch):
    """The database of this test: its own PostgreSQL database, or SQLite in the instance folder."""
    if request.node.get_closest_marker("whoosh") is not None:
        monkeypatch.setenv("SEARCH_BACKEND", "whoosh")
    else:
        monkeypatch.delenv("SEARCH_BACKEND", raising=False)
    if not databases.on_postgres():
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield None
        return
    if "app" not in request.fixturenames and request.node.get_closest_marker("database") is None \
            and request.node.get_closest_marker("empty_database") is None:
        # Copying a database takes half a second: tests without an app (or with one per module,
        # which makes its own) get none, and an address that fails loudly if they reach for one.
        monkeypatch.setenv("DATABASE_URL", databases.NO_DATABASE_URL)
        yield None
        return
    url = databases.create_database(empty=request.node.get_closest_marker("empty_database") is not None)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    databases.drop_database(url)


@pytest.fixture
def app(tmp_path, monkeypatch):
    """An app on its own instance folder with the schema created and the catalogues loaded."""
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
        from registry.catalog.seed import catalogues_load

        catalogues_load()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_indexes()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def jpeg_bytes(size=(640, 400), color=(200, 40, 40)) -> bytes:
    """A small JPEG made on the fly."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as JSON Lines."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def record(ref: str, **overrides) -> dict:
    """A valid import record, with overrides."""
    base = {
        "ref": ref,
        "kind": "initiative",
        "title": "Shipper xanh",
        "unit": ["Thành phố Hà Nội", "Quận Long Biên", "Quận đoàn Long Biên"],
        "year": 2021,
        "summary": "Đoàn viên chở hàng thiết yếu miễn phí cho người dân trong thời gian giãn cách.",
        "body": "Trong đợt giãn cách năm 2021, **Quận đoàn Long Biên** lập đội *Shipper xanh*.",
        "topics": ["Phòng, chống dịch Covid-19", "An sinh xã hội"],
        "awards": [{"title": "Người tốt, việc tốt", "level": "district", "year": 2021, "decision": "1234/QĐ-UBND"}],
    }
    base.update(overrides)
    return base
