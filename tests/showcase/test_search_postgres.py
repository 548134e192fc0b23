"""Search in the app on PostgreSQL: the search rows ride in the data's own transaction.

Runs when REGISTRY_TEST_POSTGRES_URL names a server: one scratch database for the module,
migrated once, emptied before each test.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.catalog.models import Unit
from registry.entries.models import Entry, EntryStatus
from registry.extensions import db
from registry.showcase.models import IndexOutbox
from registry.showcase.search_index import close_indexes, index_check, search_index
from search import postgres
from search.contract import SearchRequest
from search.postgres import PostgresSearchIndex
from search.postgres import query as pg_query
from tests.support.apps import app_release
from tests.support.pg_scratch import SKIP_REASON, scratch_database, server_url
from tests.support.records import load_search_entries

pytestmark = pytest.mark.skipif(server_url() is None, reason=SKIP_REASON)


@pytest.fixture(scope="module")
def database_url():
    with scratch_database("app") as url:
        yield url


@pytest.fixture
def pg_app(database_url, tmp_path, monkeypatch):
    """An app on the scratch database, schema at the latest migration, catalogues loaded, no entries."""
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SEARCH_BACKEND", raising=False)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "BABEL_DEFAULT_LOCALE": "en"})
    with app.app_context():
        from registry.catalog.seed import catalogues_load
        from registry.platform.database import upgrade_schema

        upgrade_schema()
        tables = [t for t in sa.inspect(db.engine).get_table_names() if t != "alembic_version"]
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()
        catalogues_load()
        db.session.commit()
    yield app
    app_release(app)


@pytest.fixture
def client(pg_app):
    return pg_app.test_client()


@pytest.fixture
def indexed(pg_app, tmp_path):
    return load_search_entries(pg_app, tmp_path)


def other_process_search(url: str, q: str) -> list[int]:
    """Search as another app server would: its own engine and connections."""
    engine = sa.create_engine(url)
    try:
        return [h.id for h in postgres.search(PostgresSearchIndex(engine), SearchRequest(q=q)).hits]
    finally:
        engine.dispose()


def test_migrations_add_the_search_tables_and_leave_the_models_in_step(pg_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from registry.platform.database import include_object

    with pg_app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(postgres.TABLES) <= tables
        indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes(postgres.TABLE)}
        assert {"ix_search_document_terms", "ix_search_document_title_terms"} <= indexes
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": include_object})
            assert compare_metadata(context, db.metadata) == []


def _search_schema(engine: sa.Engine) -> dict:
    inspector = sa.inspect(engine)
    return {t: ([(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(t)],
                sorted(i["name"] for i in inspector.get_indexes(t)))
            for t in postgres.TABLES}


def test_the_migration_makes_the_schema_the_search_package_defines(pg_app):
    with pg_app.app_context():
        migrated = _search_schema(db.engine)
    with scratch_database("schema") as url:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as connection:
                postgres.create_schema(connection)
            assert _search_schema(engine) == migrated
        finally:
            engine.dispose()


def test_auto_chooses_postgres_and_entries_are_searchable_at_once(indexed):
    with indexed.app_context():
        assert isinstance(search_index(), PostgresSearchIndex)
        assert search_index().count() == 4
        # Nothing waits in the outbox: the rows were written with the entries.
        assert db.session.scalar(sa.select(sa.func.count(IndexOutbox.id))) == 0
        assert index_check() == ([], [], [])


def test_search_page_and_api(indexed, client):
    html = client.get("/search?q=cay+atm+gao").get_data(as_text=True)
    assert "/cay-atm-gao" in html and "<mark>Cây</mark>" in html
    assert "/nha-van-hoa-to-dan-pho-so-5" in client.get("/search?q=UBND").get_data(as_text=True)
    assert "/nguyen-thi-hoa" in client.get("/search?q=Hòa").get_data(as_text=True)
    data = client.get("/api/v1/search?q=&kind=individual").get_json()
    assert data["total"] == 1 and data["results"][0]["title"] == "Nguyễn Thị Hoà"
    with indexed.app_context():
        hanoi = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Thành phố Hà Nội"))
    data = client.get(f"/api/v1/search?unit={hanoi}").get_json()
    assert data["total"] == 3
    assert {f["value"]: f["count"] for f in data["facets"]["kind"]} == {"initiative": 2, "collective": 1}
    assert [s["title"] for s in client.get("/api/v1/suggest?q=cay a").get_json()["suggestions"]][:1] == ["Cây ATM gạo"]
    assert "/shipper-xanh" in client.get("/search?q=shiper+xanh").get_data(as_text=True)
    csv = client.get("/api/v1/search?q=gao&format=csv").get_data(as_text=True)
    assert "Cây ATM gạo" in csv


@pytest.mark.parametrize("q", ['"', "((", "AND", "*", "a:b", '"nhà văn', "%", "'", "\\", "!&|<->"])
def test_user_syntax_never_errors(indexed, client, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert client.get("/api/v1/search", query_string={"q": q}).status_code == 200


def test_a_commit_is_searchable_from_another_server_and_a_rollback_never(indexed, database_url):
    with indexed.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper"))
        entry.summary = "Đội xe điện giao rau củ"
        db.session.flush()
        assert other_process_search(database_url, "xe dien") == []  # not committed yet
        db.session.rollback()
    assert other_process_search(database_url, "xe dien") == []
    with indexed.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper"))
        entry.summary = "Đội xe điện giao rau củ"
        db.session.commit()
        entry_id = entry.id
    assert other_process_search(database_url, "xe dien") == [entry_id]


def test_a_failed_search_write_fails_the_commit_too(indexed, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("search rows could not be written")

    with indexed.app_context():
        monkeypatch.setattr(PostgresSearchIndex, "upsert", broken)
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "atm"))
        entry.title = "Cây ATM gạo nghĩa tình"
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()
        monkeypatch.undo()
        assert db.session.scalar(sa.select(Entry.title).where(Entry.ref == "atm")) == "Cây ATM gạo"
        assert index_check() == ([], [], [])


def test_unpublishing_and_unit_renames_reach_the_search_rows(indexed, client):
    with indexed.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "atm"))
        entry.status = EntryStatus.ARCHIVED
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Quận Nam Từ Liêm"))
        unit.name = "Quận Tây Hồ Mới"
        db.session.commit()
    assert client.get("/api/v1/search?q=atm").get_json()["total"] == 0
    found = client.get("/api/v1/search?q=tay+ho+moi").get_json()
    assert [r["title"] for r in found["results"]] == ["Nhà văn hóa tổ dân phố số 5"]


def test_reindex_search_check_and_pending(indexed, pg_app):
    runner = pg_app.test_cli_runner()
    with pg_app.app_context():
        search_index().delete([db.session.scalar(sa.select(Entry.id).where(Entry.ref == "atm"))])
        assert index_check()[0]
    result = runner.invoke(args=["search-check"])
    assert result.exit_code != 0 and "missing: 1" in result.output
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "4 entries" in result.output, result.output
    assert runner.invoke(args=["search-check"]).exit_code == 0
    result = runner.invoke(args=["reindex", "--pending"])
    assert result.exit_code == 0 and result.output.startswith("0 "), result.output


def test_readyz_and_doctor_name_the_backend(indexed, client, pg_app):
    check = client.get("/readyz").get_json()["checks"]["search_index"]
    assert check == {"ok": True, "backend": "postgres", "documents": 4}
    from registry.platform.doctor import check_search_index

    with pg_app.app_context():
        result = check_search_index()
        assert result.status == "OK" and result.detail.startswith("PostgreSQL,")
        db.session.execute(sa.text("ALTER TABLE search_document RENAME TO search_document_gone"))
        db.session.commit()
        try:
            result = check_search_index()
            assert result.status == "FAIL" and "flask --app registry init" in result.remedy
            assert client.get("/readyz").status_code == 503
            assert client.get("/api/v1/search?q=gao").status_code == 503
            assert client.get("/").status_code == 200
        finally:
            db.session.execute(sa.text("ALTER TABLE search_document_gone RENAME TO search_document"))
            db.session.commit()


def test_whoosh_can_still_be_chosen_on_postgresql(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"TESTING": True, "SEARCH_BACKEND": "whoosh"})
    with app.app_context():
        assert not isinstance(search_index(), PostgresSearchIndex)
        db.engine.dispose()
    close_indexes()


def test_estimated_counts_say_about_on_the_page_and_in_the_api(indexed, client, monkeypatch):
    exact = client.get("/api/v1/search?q=").get_json()
    assert exact["total"] == 4 and exact["total_is_estimate"] is False
    # As if the query matched most of 100,000 entries: counted on half the sample buckets, scaled up.
    monkeypatch.setattr(pg_query, "EXACT_COUNT_LIMIT", 0)
    monkeypatch.setattr(pg_query, "_sample_buckets", lambda estimate: postgres.SAMPLE_BUCKETS // 2)
    indexed.extensions["page_cache"].clear()
    estimated = client.get("/api/v1/search?q=").get_json()
    assert estimated["total_is_estimate"] is True and estimated["total"] % 2 == 0
    html = client.get("/search?lang=vi").get_data(as_text=True)
    assert "Khoảng" in html and "ước tính" in html
    assert "About" in client.get("/search?lang=en").get_data(as_text=True)
