"""Upgrading a database that already holds a registry keeps every row."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from registry import create_app
from registry.extensions import db
from tests.support import databases

# The last revision before the entry table was rebuilt (SQLite alters a table by copying it).
BEFORE_COPY = "5bb8c585674b"
CHILD_TABLES = ("award", "photo", "entry_topic")


def _fill(connection) -> None:
    """One unit, entry, award, photo and topic link, written as the schema stood at BEFORE_COPY."""
    run = connection.execute
    at = "2024-01-01 00:00:00"
    run(sa.text("INSERT INTO unit (id, name, slug, kind, created_at, name_key) "
                "VALUES (1, 'Phường Long Biên', 'phuong-long-bien', 'administrative', :at, 'phuong long bien')"),
        {"at": at})
    run(sa.text("INSERT INTO award_title (id, slug, name, category, applies_to) "
                "VALUES (1, 'giay-khen', 'Giấy khen', 'commendation', :none)"), {"none": json.dumps([])})
    run(sa.text("INSERT INTO topic (id, slug, name) VALUES (1, 'hien-mau', 'Hiến máu')"))
    run(sa.text("INSERT INTO entry (id, kind, title, slug, title_sort, summary, story, unit_id, status, created_at, "
                "updated_at, published_at) VALUES (1, 'individual', 'Bà Nguyễn Thị Hoa', 'ba-nguyen-thi-hoa', "
                "'ba nguyen thi hoa', 'Hiến máu 30 lần', 'Câu chuyện', 1, 'published', :at, :at, :at)"), {"at": at})
    run(sa.text("INSERT INTO award (id, entry_id, title_id, level, year, award_kind, decision_number, created_at) "
                "VALUES (1, 1, 1, 'commune', 2024, 'achievement', '12/QĐ-UBND', :at)"), {"at": at})
    run(sa.text("INSERT INTO photo (id, entry_id, sha256, position, alt, is_illustration, width, height, "
                "source_format, renditions, created_at) VALUES (1, 1, :sha, 0, 'Bà Hoa tại điểm hiến máu', :no, "
                "640, 480, 'jpeg', :renditions, :at)"),
        {"sha": "a" * 64, "no": False, "renditions": json.dumps({}), "at": at})
    run(sa.text("INSERT INTO entry_topic (entry_id, topic_id) VALUES (1, 1)"))


@pytest.mark.empty_database
def test_upgrading_a_filled_database_keeps_awards_photos_and_topics(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE_COPY)
        with db.engine.begin() as connection:
            _fill(connection)
        upgrade()
        with db.engine.connect() as connection:
            counts = {t: connection.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in ("entry", *CHILD_TABLES)}
            assert counts == {"entry": 1, "award": 1, "photo": 1, "entry_topic": 1}
            assert connection.scalar(sa.text("SELECT decision_number FROM award WHERE entry_id = 1")) == "12/QĐ-UBND"
            if not databases.on_postgres():
                # Foreign keys are enforced again once the migration is over.
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
