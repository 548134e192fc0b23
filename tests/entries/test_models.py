"""Invariants the database itself enforces."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from registry.catalog.models import AdminLevel, AwardLevel, AwardTitle, Unit, UnitFormerName, UnitKind
from registry.catalog.operations import guess_unit_kind, unit_resolve_path
from registry.catalog.selectors import unit_descendant_ids
from registry.entries.models import Award, Entry, EntryKind, EntryStatus, Replication
from registry.extensions import db


def _entry(**kw) -> Entry:
    values = dict(kind=EntryKind.INITIATIVE, title="Cây ATM gạo", slug="cay-atm-gao")
    values.update(kw)
    return Entry(**values)


def _fails(app, *objects, raw_sql: str | None = None) -> None:
    with app.app_context():
        with pytest.raises(IntegrityError):
            if raw_sql:
                db.session.execute(sa.text(raw_sql))
            db.session.add_all(objects)
            db.session.flush()
        db.session.rollback()


def test_entry_constraints(app):
    _fails(app, _entry(year=1800))
    _fails(app, _entry(title=""))
    _fails(app, _entry(status=EntryStatus.PUBLISHED, published_at=None))
    _fails(app, _entry(ref="same"), _entry(ref="same"))
    _fails(app, raw_sql="INSERT INTO entry (kind, title, slug, title_sort, summary, story, status, created_at, updated_at) "
                        "VALUES ('person', 't', 't', 't', '', '', 'draft', '2024-01-01', '2024-01-01')")
    with app.app_context():
        db.session.add(_entry(ref=None))
        db.session.add(_entry(ref=None))  # several entries without ref are fine
        db.session.commit()


def test_award_revocation_needs_a_reason(app):
    with app.app_context():
        title = db.session.scalar(sa.select(AwardTitle).limit(1))
        entry = _entry()
        db.session.add(entry)
        db.session.flush()
        award = Award(entry=entry, title=title, level=AwardLevel.COMMUNE, year=2022, revoked_on=date(2023, 1, 1))
        db.session.add(award)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_unit_constraints_and_tree(app):
    with app.app_context():
        hanoi = Unit(name="Thành phố Hà Nội", slug="ha-noi", kind=UnitKind.ADMINISTRATIVE, level=AdminLevel.PROVINCE)
        db.session.add(hanoi)
        db.session.flush()
        db.session.add_all([Unit(name="Phường Ngọc Lâm", slug="x", parent=hanoi), Unit(name="Phường Ngọc Lâm", slug="x", parent=hanoi)])
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    _fails(app, Unit(name="U", slug="u", valid_from=date(2025, 7, 1), valid_to=date(2020, 1, 1)))


def test_replication_unique_per_unit(app):
    with app.app_context():
        unit = Unit(name="Quận đoàn Hoàn Kiếm", slug="qd")
        entry = _entry()
        db.session.add_all([unit, entry])
        db.session.flush()
        db.session.add_all([Replication(entry=entry, unit=unit, since_year=2022), Replication(entry=entry, unit=unit)])
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_deleting_an_entry_removes_its_photos_awards_and_links(app):
    import pathlib
    import tempfile

    from tests.support.files import write_jsonl
    from tests.support.records import record
    with app.app_context():
        from registry.entries.records import records_import
        with tempfile.TemporaryDirectory() as tmp:
            records_import(write_jsonl(pathlib.Path(tmp) / "x.jsonl", [record("a")]))
        db.session.commit()
        db.session.delete(db.session.scalar(sa.select(Entry)))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0
        assert db.session.execute(sa.text("SELECT count(*) FROM entry_topic")).scalar() == 0


@pytest.mark.parametrize("name, kind, level", [
    ("Công an quận Long Biên", UnitKind.POLICE, None),
    ("Quận đoàn Long Biên", UnitKind.YOUTH_UNION, None),
    ("Hội Liên hiệp Phụ nữ phường Ngọc Lâm", UnitKind.WOMENS_UNION, None),
    ("Trường THCS Ngọc Lâm", UnitKind.SCHOOL, None),
    ("Tổ dân phố số 5", UnitKind.RESIDENTIAL_GROUP, AdminLevel.VILLAGE),
    ("Quận Long Biên", UnitKind.ADMINISTRATIVE, AdminLevel.DISTRICT),
    ("Phường Ngọc Lâm", UnitKind.ADMINISTRATIVE, AdminLevel.COMMUNE),
    ("Đảng ủy phường Bồ Đề", UnitKind.PARTY, None),
    ("Ủy ban nhân dân xã Tân Hội", UnitKind.PEOPLES_COMMITTEE, None),
    ("Câu lạc bộ Tuổi cao gương sáng", UnitKind.OTHER, None),
    ("Nhóm bạn trẻ", UnitKind.OTHER, None),
])
def test_unit_kind_is_guessed_from_its_name(name, kind, level):
    assert guess_unit_kind(name) == (kind, level)


def test_unit_paths_resolve_former_names_and_subtrees(app):
    with app.app_context():
        leaf = unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"], create=True)
        district = leaf.parent
        db.session.add(UnitFormerName(unit=district, name="Huyện Gia Lâm cũ"))
        db.session.flush()
        assert unit_resolve_path(["thành phố hà nội", "Huyện Gia Lâm cũ", "Phường Ngọc Lâm"], create=False) is leaf
        assert unit_resolve_path(["Thành phố Hà Nội", "Không có"], create=False) is None
        new_ward = unit_resolve_path(["Thành phố Hà Nội", "Phường Long Biên"], create=True)
        leaf.successor = new_ward
        db.session.flush()
        # A merged-in former ward belongs to its successor's subtree.
        assert leaf.id in unit_descendant_ids(new_ward.id)
        assert set(unit_descendant_ids(district.id)) == {district.id, leaf.id}
