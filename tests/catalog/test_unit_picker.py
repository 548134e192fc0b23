"""Finding a unit the way people say it: without diacritics, by the end of its name, by a former name, by path."""
from __future__ import annotations

from datetime import date

import pytest

from registry.catalog.models import AdminLevel, Unit, UnitKind
from registry.catalog.operations import unit_save
from registry.catalog.unit_picker import unit_candidates, unit_lookup
from registry.extensions import db
from tests.support.world import picker_units


@pytest.fixture
def units(app, world):
    return picker_units(app, world)


@pytest.mark.parametrize("typed", ["long bien", "Long Biên", "LONG BIEN", "Phường Long Biên", "phuong long bien",
                                   "Quận Long Biên", "Phường Long Biên — Thành phố Hà Nội",
                                   "Thành phố Hà Nội › Phường Long Biên", "Long Biên — Hà Nội"])
def test_the_ward_is_found_however_it_is_typed(app, units, typed):
    with app.test_request_context("/?lang=en"):
        unit, candidates, problem = unit_lookup(typed)
        assert problem is None and candidates == []
        assert unit.id == units["ward"]


def test_an_abolished_unit_leads_to_its_successor_and_says_so(app, units):
    with app.test_request_context("/?lang=vi"):
        [(rank, candidate)] = [(r, c) for r, c in unit_candidates("quan long bien") if "Quận" in c.label]
        assert candidate.id == units["ward"]
        assert candidate.label == "Quận Long Biên (cũ) → Phường Long Biên — Thành phố Hà Nội"
        assert candidate.as_json()["value"] == "Phường Long Biên — Thành phố Hà Nội"
    with app.test_request_context("/?lang=en"):
        # Where former units may be chosen (the administrators' pages), the district is itself, marked as former.
        labels = [c.label for _r, c in unit_candidates("quan long bien", allow_former=True)]
        assert "Quận Long Biên — Thành phố Hà Nội (former)" in labels


def test_namesakes_are_told_apart_by_their_path(app, units):
    with app.test_request_context("/?lang=en"):
        unit, candidates, problem = unit_lookup("tan lap")
        assert unit is None and "choose one below" in problem
        assert {c.label for c in candidates} == {"Xã Tân Lập — Thành phố Hà Nội", "Xã Tân Lập — Tỉnh Phú Thọ"}
        assert "#" not in problem and not any("#" in c.label for c in candidates)
        unit, _c, problem = unit_lookup("Xã Tân Lập — Phú Thọ")
        assert unit.id == units["tan_lap_pt"] and problem is None


def test_a_renamed_unit_is_found_by_its_former_name(app, world, units):
    with app.test_request_context("/?lang=en"):
        group = db.session.get(Unit, world.group)
        unit_save(group, name="Tổ dân phố Hòa Bình", short_name=None, parent=group.parent, successor=None,
                  kind=UnitKind.RESIDENTIAL_GROUP, level=AdminLevel.VILLAGE, valid_from=None, valid_to=None,
                  today=date(2026, 1, 1))
        db.session.commit()
        unit, _c, problem = unit_lookup("to dan pho so 5")
        assert unit.id == world.group and problem is None
        [candidate] = [c for _r, c in unit_candidates("tổ dân phố số 5")]
        assert candidate.label == "Tổ dân phố số 5 (former) → Tổ dân phố Hòa Bình — Phường Ba Đình — Thành phố Hà Nội"


def test_nothing_found_says_so_without_asking_for_a_number(app, units):
    with app.test_request_context("/?lang=en"):
        unit, candidates, problem = unit_lookup("Phường Không Có")
        assert unit is None and candidates == [] and "No unit is called" in problem and "#" not in problem
