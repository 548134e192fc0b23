"""Tests for the administrative-unit loader (registry/admin_units.py)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import aliased

from registry.catalog.admin_units import AdminUnitsReport, admin_units_load
from registry.catalog.models import AdminLevel, Unit, UnitFormerName, UnitKind
from registry.catalog.operations import unit_resolve_path
from registry.catalog.selectors import unit_descendant_ids
from registry.extensions import db
from registry.platform import database
from tests.support import databases
from tests.support.apps import app_release

REFORM = date(2025, 7, 1)
LAST_DAY = date(2025, 6, 30)


def _build_app(instance: Path, url: str | None = None) -> Flask:
    """An app on an empty database (in memory unless ``url`` is given), from the factory where it imports."""
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url or "sqlite:///:memory:", "WTF_CSRF_ENABLED": False}
    try:
        from registry import create_app
    except ImportError:
        app = Flask(__name__)
        app.config.update(config)
        db.init_app(app)
        database.init_app(app)
    else:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("REGISTRY_INSTANCE_PATH", str(instance))
            app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture(scope="module")
def loaded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, AdminUnitsReport]]:
    # One full load shared by the read-only tests: it takes a few seconds.
    url = databases.create_database(empty=True) if databases.on_postgres() else None
    app = _build_app(tmp_path_factory.mktemp("admin-units"), url)
    with app.app_context():
        report = admin_units_load()
        db.session.commit()
    yield app, report
    app_release(app)
    databases.drop_database(url)


@pytest.fixture
def loaded(loaded_app: tuple[Flask, AdminUnitsReport]) -> Iterator[AdminUnitsReport]:
    app, report = loaded_app
    with app.app_context():
        yield report
        db.session.rollback()


@pytest.fixture
def empty_app(app: Flask) -> Iterator[Flask]:
    """The project's fresh ``app`` fixture, inside its app context."""
    with app.app_context():
        yield app
        db.session.rollback()


def by_code(code: str) -> Unit:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    assert unit is not None, code
    return unit


def count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count(Unit.id)).where(*where))


# ---------------------------------------------------------------- current units


def test_loads_the_34_provinces_and_3321_communes(loaded: AdminUnitsReport) -> None:
    current = Unit.valid_to.is_(None)
    assert count(Unit.level == AdminLevel.PROVINCE, current, Unit.code.like("p:%")) == 34
    assert count(Unit.level == AdminLevel.COMMUNE, current, Unit.code.like("w:%")) == 3321
    assert loaded.created["province"] == 34
    assert loaded.created["commune"] == 3321
    assert loaded.unlinked == []
    # Every current commune hangs directly under its province: there is no district level any more.
    parent = aliased(Unit)
    misplaced = db.session.scalar(
        sa.select(sa.func.count(Unit.id))
        .join(parent, Unit.parent_id == parent.id)
        .where(Unit.code.like("w:%"), parent.level != AdminLevel.PROVINCE)
    )
    assert misplaced == 0


def test_hanoi_and_a_new_ward(loaded: AdminUnitsReport) -> None:
    hanoi = by_code("p:01")
    assert hanoi.name == "Thành phố Hà Nội"
    assert hanoi.parent_id is None
    assert hanoi.kind == UnitKind.ADMINISTRATIVE
    assert hanoi.slug == "thanh-pho-ha-noi"
    assert hanoi.valid_to is None

    ward = unit_resolve_path(["Thành phố Hà Nội", "Phường Ba Đình"], create=False)
    assert ward is not None
    assert ward.code == "w:00004"
    assert ward.level == AdminLevel.COMMUNE
    assert ward.valid_from == REFORM and ward.valid_to is None
    assert ward.slug == "phuong-ba-dinh"

    special_zone = by_code("w:26732")
    assert special_zone.name == "Đặc khu Côn Đảo"
    assert special_zone.parent.name == "Thành phố Hồ Chí Minh"


def test_province_names_as_the_package_spells_them(loaded: AdminUnitsReport) -> None:
    assert by_code("p:08").name == "Tuyên Quang"
    assert by_code("p:08").valid_from == REFORM  # merged with Hà Giang on the reform date
    assert by_code("p:79").name == "Thành phố Hồ Chí Minh"


# ---------------------------------------------------------------- former units


def test_former_district_and_ward_resolve_and_link_forward(loaded: AdminUnitsReport) -> None:
    ward = unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"], create=False)
    assert ward is not None
    assert ward.code.startswith("ow:")
    assert ward.level == AdminLevel.COMMUNE
    assert ward.valid_to == LAST_DAY and ward.is_historical

    district = ward.parent
    assert district.name == "Quận Long Biên"
    assert district.code.startswith("od:")
    assert district.level == AdminLevel.DISTRICT
    assert district.valid_to == LAST_DAY
    assert district.parent.code == "p:01"

    assert ward.successor is not None
    assert ward.successor.name == "Phường Bồ Đề"
    assert ward.successor.code.startswith("w:")
    assert ward.successor.parent.code == "p:01"
    assert ward.id in unit_descendant_ids(ward.successor.id)


def test_merged_province_is_historical_and_links_to_its_successor(loaded: AdminUnitsReport) -> None:
    ha_giang = unit_resolve_path(["Tỉnh Hà Giang"], create=False)
    assert ha_giang is not None
    assert ha_giang.code == "op:02"
    assert ha_giang.level == AdminLevel.PROVINCE
    assert ha_giang.parent_id is None
    assert ha_giang.valid_to == LAST_DAY
    assert ha_giang.successor.code == "p:08"

    ward = unit_resolve_path(["Tỉnh Hà Giang", "Thành phố Hà Giang", "Phường Minh Khai"], create=False)
    assert ward is not None and ward.valid_to == LAST_DAY
    assert ward.parent.level == AdminLevel.DISTRICT
    assert ward.successor.parent.code == "p:08"
    assert ward.id in unit_descendant_ids(by_code("p:08").id)


def test_province_that_carries_on_keeps_its_old_name(loaded: AdminUnitsReport) -> None:
    # The old "Tỉnh Tuyên Quang" is the same unit as today's "Tuyên Quang": its districts hang there.
    district = unit_resolve_path(["Tỉnh Tuyên Quang", "Huyện Yên Sơn"], create=False)
    assert district is not None
    assert district.level == AdminLevel.DISTRICT
    assert district.parent.code == "p:08"
    names = {f.name: f.valid_to for f in by_code("p:08").former_names}
    assert names == {"Tỉnh Tuyên Quang": LAST_DAY}
    assert count(Unit.name == "Tỉnh Tuyên Quang") == 0

    hue = by_code("p:46")
    assert hue.valid_from is None  # territory unchanged by the reform
    assert {f.name for f in hue.former_names} == {"Tỉnh Thừa Thiên Huế"}
    assert unit_resolve_path(["Tỉnh Thừa Thiên Huế", "Quận Thuận Hóa"], create=False).parent_id == hue.id


def test_island_district_links_to_its_special_zone(loaded: AdminUnitsReport) -> None:
    con_dao = unit_resolve_path(["Tỉnh Bà Rịa - Vũng Tàu", "Huyện Côn Đảo"], create=False)
    assert con_dao is not None
    assert con_dao.successor.name == "Đặc khu Côn Đảo"


def test_split_wards_are_counted(loaded: AdminUnitsReport) -> None:
    assert loaded.split_wards > 0
    assert count(Unit.code.like("ow:%"), Unit.successor_id.is_(None)) == 0
    assert loaded.created["former_province"] == count(Unit.code.like("op:%"))
    assert count(Unit.code.like("op:%"), Unit.successor_id.is_(None)) == 0


def test_second_run_creates_and_changes_nothing(loaded: AdminUnitsReport) -> None:
    before = count()
    former_names = db.session.scalar(sa.select(sa.func.count(UnitFormerName.id)))
    again = admin_units_load()
    assert again.total_created == 0
    assert again.total_updated == 0
    assert again.former_names == 0
    db.session.flush()
    assert count() == before
    assert db.session.scalar(sa.select(sa.func.count(UnitFormerName.id))) == former_names
    assert "nothing to change" in str(again)


# ---------------------------------------------------------------- existing units


def test_adopts_units_created_by_imports(empty_app: Flask) -> None:
    ngoc_lam = unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"], create=True)
    group = unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm", "Tổ dân phố 5"], create=True)
    cao_bang = unit_resolve_path(["Tỉnh Cao Bằng"], create=True)
    long_bien = ngoc_lam.parent
    hanoi = long_bien.parent
    db.session.commit()

    current = admin_units_load(include_historical=False)
    db.session.commit()
    assert current.adopted["province"] == 2
    assert current.created["province"] == 32
    assert hanoi.code == "p:01"
    assert long_bien.code is None  # former units are not loaded yet
    assert cao_bang.code == "p:04"
    assert cao_bang.name == "Cao Bằng"  # renamed to the current spelling, old one kept as former name
    assert [f.name for f in cao_bang.former_names] == ["Tỉnh Cao Bằng"]
    assert count(Unit.code.like("ow:%")) == 0

    full = admin_units_load()
    db.session.commit()
    assert full.adopted == {"former_district": 1, "former_commune": 1}
    assert full.created["province"] == 0 and full.created["commune"] == 0
    assert count(Unit.name == "Quận Long Biên") == 1
    assert count(Unit.name == "Phường Ngọc Lâm", Unit.parent_id == long_bien.id) == 1
    assert long_bien.code.startswith("od:") and long_bien.level == AdminLevel.DISTRICT
    assert long_bien.valid_to == LAST_DAY
    assert ngoc_lam.code.startswith("ow:") and ngoc_lam.kind == UnitKind.ADMINISTRATIVE
    assert ngoc_lam.successor.name == "Phường Bồ Đề"
    assert group.parent_id == ngoc_lam.id and group.code is None  # what the loader does not know stays
    assert unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"], create=False) is ngoc_lam
