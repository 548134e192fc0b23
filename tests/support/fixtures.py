"""The suite's shared fixtures (a pytest plugin loaded by tests/conftest.py): one database per test, one app, its clients, the small world, the golden world of every state, the open-data set, log lines."""
from __future__ import annotations

import logging
import shutil
from datetime import date

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.entries.models import Award, Entry
from registry.entries.records import records_import
from registry.extensions import db
from tests.support import databases, templates, webp
from tests.support.apps import app_release
from tests.support.clients import Session, client_for, session_of
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.logs import _Lines
from tests.support.records import PRIVATE_MARKERS, record
from tests.support.routes import CONFIG, ROLES, build, public_ids
from tests.support.world import World, make_world

# Every app the tests make shares the compiled templates (tests/support/templates.py).
templates.install()
# And the WebP renditions of the same pixels (tests/support/webp.py).
webp.install()


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
    """An app on its own instance folder with the schema created and the catalogues loaded; passwords are
    hashed cheaply (the real setting is tested apart)."""
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SEARCH_SYNC": True})
    with app.app_context():
        db.create_all()
        from registry.catalog.seed import catalogues_load

        catalogues_load()
        db.session.commit()
    yield app
    app_release(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def dataset(app, tmp_path):
    """Four published entries across units, kinds, topics and years; one revoked award; private markers."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.jpg").write_bytes(jpeg_bytes())
    records = [
        record("shipper", photos=[{"path": "p/a.jpg", "alt": "Shipper xanh giao gạo", "credit": "Quận đoàn Long Biên",
                                   "licence": "CC BY 4.0"}],
               replications=[{"unit": ["Thành phố Hà Nội", "Quận Hoàn Kiếm", "Quận đoàn Hoàn Kiếm"], "since": 2022}]),
        record("atm", title="Cây ATM gạo", year=2020, unit=["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"],
               topics=["An sinh xã hội"], awards=[]),
        record("hoa", kind="individual", title="Nguyễn Thị Hoa", year=2023,
               unit=["Thành phố Hồ Chí Minh", "Phường Sài Gòn"], topics=["Cứu người"],
               summary="Chị Hoa cứu một em bé khỏi đuối nước.",
               awards=[{"title": "Giấy khen", "level": "commune", "year": 2023, "kind": "sudden",
                        "decision": "15/QĐ-UBND", "decision_date": "2023-06-02"}]),
        record("bich-hoa", kind="collective", title="Tuyến đường bích họa", year=2019,
               unit=["Thành phố Hà Nội", "Huyện Đan Phượng", "Xã Tân Hội"], topics=["Văn hóa"],
               awards=[{"title": "Bằng khen của Chủ tịch UBND cấp tỉnh", "level": "province", "year": 2020,
                        "decision": "4512/QĐ-UBND", "decision_date": "2020-09-15"},
                       {"title": "Giấy khen", "level": "district", "year": 2020, "decision": "88/QĐ-UBND"}]),
    ]
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", records))
        hoa = db.session.scalar(sa.select(Entry).where(Entry.ref == "hoa"))
        hoa.private_phone, hoa.private_address, hoa.private_id_number = PRIVATE_MARKERS
        revoked = db.session.scalar(sa.select(Award).where(Award.decision_number == "88/QĐ-UBND"))
        revoked.revoked_on, revoked.revocation_decision = date(2024, 3, 1), "77/QĐ-UBND"
        revoked.revocation_reason = "Kê khai không trung thực"
        db.session.commit()
    return app


@pytest.fixture
def log_lines():
    """Every line the app logs while the test runs (request log and everything else), as text."""
    handler = _Lines()
    loggers = [logging.getLogger(), logging.getLogger("registry.requests"), logging.getLogger("registry")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.lines
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def world_app(golden, tmp_path, monkeypatch, request):
    """The golden world on a copy of its own: (app, world, ids of the things in every state)."""
    source, world, ids, url = golden
    shutil.copytree(source, tmp_path / "instance")
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    if url is not None:
        copy = databases.clone_database(url)
        request.addfinalizer(lambda: databases.drop_database(copy))
        monkeypatch.setenv("DATABASE_URL", copy)
    app = create_app(CONFIG)
    yield app, world, public_ids(app, ids)
    app_release(app)


@pytest.fixture
def world(app) -> World:
    """The small world: a province, a commune and a group, a council with its people, an open round."""
    return make_world(app)


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """The world built once; each test gets its own copy of the instance folder, so writes never leak."""
    path = tmp_path_factory.mktemp("golden") / "instance"
    mp = pytest.MonkeyPatch()
    mp.setenv("REGISTRY_INSTANCE_PATH", str(path))
    url = databases.use_new_database(mp, empty=True)
    app = create_app(CONFIG)
    with app.app_context():
        db.create_all()
        from registry.catalog.seed import catalogues_load

        catalogues_load()
        db.session.commit()
    world, ids = build(app)
    app_release(app)
    mp.undo()
    yield path, world, ids, url
    databases.drop_database(url)


@pytest.fixture(scope="module")
def golden_sessions(golden) -> dict[str, Session]:
    """Every role of the golden world signed in once through the sign-in form (a visitor: with a form opened), before
    any test copies it: each copy's server knows these sessions, so a test's clients need not sign in again."""
    source, world, _ids, url = golden
    mp = pytest.MonkeyPatch()
    mp.setenv("REGISTRY_INSTANCE_PATH", str(source))
    if url is not None:
        mp.setenv("DATABASE_URL", url)
    else:
        mp.delenv("DATABASE_URL", raising=False)
    app = create_app(CONFIG)
    try:
        return {role: session_of(client_for(app, world, None if role == "anonymous" else role)) for role in ROLES}
    finally:
        app_release(app)
        mp.undo()
