"""Cached counts follow every committed change: the data version moves with entries, awards and units."""
from __future__ import annotations

import sqlalchemy as sa

from registry.catalog.models import Unit
from registry.entries.models import Award, Entry, EntryStatus
from registry.entries.records import records_import
from registry.extensions import db
from registry.platform.data_version import current_versions
from registry.platform.models import DataVersion
from tests.support.files import write_jsonl
from tests.support.records import record


def versions(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(sa.select(DataVersion.name, DataVersion.value)).all())


def load(app, tmp_path, *records) -> None:
    with app.app_context():
        records_import(write_jsonl(tmp_path / f"{records[0]['ref']}.jsonl", list(records)))
        db.session.commit()


def test_entry_changes_move_entries_only_and_unit_changes_move_both(app, tmp_path):
    load(app, tmp_path, record("a"))
    before = versions(app)
    with app.app_context():
        db.session.scalar(sa.select(Entry)).summary = "Tóm tắt mới"
        db.session.commit()
    after_entry = versions(app)
    assert after_entry["entries"] > before["entries"] and after_entry["units"] == before["units"]
    with app.app_context():
        db.session.scalar(sa.select(Unit).where(Unit.name == "Quận Long Biên")).short_name = "Long Biên"
        db.session.commit()
    after_unit = versions(app)
    assert after_unit["entries"] > after_entry["entries"] and after_unit["units"] > after_entry["units"]


def test_rolled_back_change_moves_nothing(app, tmp_path):
    load(app, tmp_path, record("a"))
    before = versions(app)
    with app.app_context():
        db.session.scalar(sa.select(Entry)).title = "Đổi tên"
        db.session.flush()
        db.session.rollback()
    assert versions(app) == before


def test_a_request_sees_its_own_commit(app, tmp_path):
    load(app, tmp_path, record("a"))
    with app.test_request_context("/"):
        first = current_versions()["entries"]
        db.session.scalar(sa.select(Entry)).title = "Đổi tên"
        db.session.commit()
        assert current_versions()["entries"] > first


def test_cached_pages_follow_new_entries_unpublishing_revocations_and_moves(app, client, tmp_path):
    load(app, tmp_path, record("a"))
    assert "1 mục" in client.get("/entries").get_data(as_text=True)
    assert "1 mục" in client.get("/entries").get_data(as_text=True)  # now from the cache
    load(app, tmp_path, record("b", title="Cây ATM gạo", kind="collective",
                               unit=["Thành phố Hồ Chí Minh", "Phường Sài Gòn"]))
    html = client.get("/entries").get_data(as_text=True)
    assert "2 mục" in html and "Thành phố Hồ Chí Minh" in html

    with app.app_context():
        db.session.scalar(sa.select(Entry).where(Entry.ref == "b")).status = EntryStatus.DRAFT
        db.session.commit()
    assert "1 mục" in client.get("/entries").get_data(as_text=True)
    assert "Thành phố Hồ Chí Minh" not in client.get("/units").get_data(as_text=True)

    assert "Cấp huyện" in client.get("/entries").get_data(as_text=True)  # the award's level facet
    with app.app_context():
        from datetime import date

        award = db.session.scalar(sa.select(Award))
        award.revoked_on, award.revocation_reason = date(2024, 1, 1), "Sai sót"
        db.session.commit()
    assert "Cấp huyện" not in client.get("/entries").get_data(as_text=True)

    # Moving a unit to another parent moves its entries' counts on the units page.
    assert "Thành phố Hà Nội" in client.get("/units").get_data(as_text=True)
    with app.app_context():
        district = db.session.scalar(sa.select(Unit).where(Unit.name == "Quận Long Biên"))
        district.parent = db.session.scalar(sa.select(Unit).where(Unit.name == "Thành phố Hồ Chí Minh"))
        db.session.commit()
    html = client.get("/units").get_data(as_text=True)
    assert "Thành phố Hồ Chí Minh" in html and "Thành phố Hà Nội" not in html


def test_threads_asking_for_one_missing_value_compute_it_once():
    import threading
    import time

    from registry.platform.data_version import VersionedCache

    cache = VersionedCache(8)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "table"

    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("facet-table", 3, slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["table"] * 4 and len(calls) == 1
    # A new version computes again.
    assert cache.get("facet-table", 4, slow) == "table" and len(calls) == 2
