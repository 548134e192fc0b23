"""Administrators add units under any unit, rename them with the old name kept, merge them, and read their history;
the public unit page lists current sub-units first and former units apart."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.accounts.models import Role, User
from registry.catalog.models import Unit, UnitEvent, UnitEventKind
from registry.catalog.operations import CatalogError
from registry.entries.models import Entry
from registry.extensions import db
from registry.workflow.models import Nomination
from tests.support.clients import client_for, post
from tests.support.world import draft_nomination


def _unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Unit.id).where(Unit.name == name))


def test_a_unit_is_added_under_any_unit(app, world):
    admin = client_for(app, world, "admin")
    html = admin.get(f"/admin/units/new?parent={world.group}").get_data(as_text=True)
    assert 'value="Tổ dân phố số 5 — Phường Ba Đình — Thành phố Hà Nội"' in html  # the parent is filled in
    r = post(admin, "/admin/units/new", {"name": "Trường Mầm non Hoa Sen", "parent": "Tổ dân phố số 5",
                                         "kind": "school", "level": ""})
    assert r.status_code == 302
    school = _unit_id(app, "Trường Mầm non Hoa Sen")
    with app.app_context():
        unit = db.session.get(Unit, school)
        assert unit.parent_id == world.group
        assert [e.kind for e in db.session.scalars(sa.select(UnitEvent).where(UnitEvent.unit_id == school))] == [
            UnitEventKind.CREATED]
    assert "Trường Mầm non Hoa Sen — Tổ dân phố số 5" in admin.get("/admin/units?q=hoa sen").get_data(as_text=True)


def test_a_renamed_unit_keeps_its_old_name_and_the_history_says_so(app, world):
    admin = client_for(app, world, "admin")
    r = post(admin, f"/admin/units/{world.group}", {"name": "Tổ dân phố Hòa Bình", "parent": "Phường Ba Đình",
                                                     "kind": "residential_group", "level": "village"})
    assert r.status_code == 302
    history = admin.get(f"/admin/units/{world.group}/history").get_data(as_text=True)
    assert "“Tổ dân phố số 5” became “Tổ dân phố Hòa Bình”" in history
    assert "Former names" in history and "Tổ dân phố số 5" in history
    # The old name still finds it, saying what it is called now.
    assert "Tổ dân phố số 5 (former) → Tổ dân phố Hòa Bình" in admin.get("/admin/units?q=to dan pho so 5").get_data(
        as_text=True)


def test_merging_moves_entries_users_nominations_and_sub_units(app, world):
    nid = draft_nomination(app, world, title="Đỗ Văn Nam")
    admin = client_for(app, world, "admin")
    post(admin, "/admin/units/new", {"name": "Chi hội Phụ nữ", "parent": "Tổ dân phố số 5", "kind": "womens_union",
                                     "level": ""})
    with app.app_context():
        officer = db.session.get(User, world.users["officer"])
        officer.unit_id = world.group
        db.session.commit()
    r = post(admin, f"/admin/units/{world.group}/merge", {"into": "Phường Hoàn Kiếm", "on": "2026-06-30"})
    assert r.status_code == 200 and "This field is required." in r.get_data(as_text=True)  # not confirmed: nothing moves
    r = post(admin, f"/admin/units/{world.group}/merge", {"into": "Phường Hoàn Kiếm", "on": "2026-06-30",
                                                           "confirm": "y"})
    assert r.status_code == 302
    with app.app_context():
        group = db.session.get(Unit, world.group)
        other = db.session.get(Unit, world.other_commune)
        nomination = db.session.get(Nomination, nid)
        assert group.successor_id == other.id and str(group.valid_to) == "2026-06-30"
        assert nomination.unit_id == other.id and nomination.entry.unit_id == other.id
        assert db.session.get(User, world.users["officer"]).unit_id == other.id
        assert {(r.role, r.unit_id) for r in db.session.get(User, world.users["officer"]).roles} == {
            (Role.UNIT_OFFICER, other.id)}
        assert db.session.scalar(sa.select(Unit.parent_id).where(Unit.name == "Chi hội Phụ nữ")) == other.id
        assert "Tổ dân phố số 5" in [f.name for f in other.former_names]
        assert db.session.scalar(sa.select(sa.func.count(Entry.id)).where(Entry.unit_id == group.id)) == 0
    history = admin.get(f"/admin/units/{world.other_commune}/history").get_data(as_text=True)
    assert "Took over another unit" in history and "Units merged into it" in history
    assert "Moved: 1 entries, 1 users, 1 nominations, 1 sub-units" in history
    old = admin.get(f"/admin/units/{world.group}/history").get_data(as_text=True)
    assert "Merged into another unit" in old and "Merge into another unit" not in old  # merged once only
    r = post(admin, f"/admin/units/{world.group}/merge", {"into": "Phường Ba Đình", "on": "2026-07-01",
                                                           "confirm": "y"})
    assert "This unit was already merged into another one." in r.get_data(as_text=True)


def test_a_unit_cannot_be_merged_into_itself_or_below_itself(app, world):
    admin = client_for(app, world, "admin")
    for target in ("Phường Ba Đình", "Tổ dân phố số 5"):
        r = post(admin, f"/admin/units/{world.commune}/merge", {"into": target, "on": "2026-06-30", "confirm": "y"})
        assert r.status_code == 200 and 'class="error"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, world.commune).successor_id is None


def test_merging_pages_are_for_administrators_only(app, world):
    for who in ("officer", "secretary", "outsider"):
        client = client_for(app, world, who)
        assert client.get(f"/admin/units/{world.group}/merge").status_code == 403
        assert client.get(f"/admin/units/{world.group}/history").status_code == 403


def test_the_public_unit_page_lists_current_sub_units_then_former_ones(app, world):
    from datetime import date

    from registry.entries.models import EntryKind
    from registry.entries.operations import entry_publish, entry_set_title

    with app.test_request_context("/?lang=en"):
        hanoi = db.session.get(Unit, world.province)
        district = Unit(name="Quận Ba Đình", slug="quan-ba-dinh", parent=hanoi, successor_id=world.commune,
                        valid_to=date(2025, 6, 30))
        db.session.add(district)
        db.session.flush()
        for unit_id, title in ((world.group, "Ngô Thị Huệ"), (district.id, "Vũ Văn Long")):
            entry = Entry(kind=EntryKind.INDIVIDUAL, unit_id=unit_id, year=2024)
            entry_set_title(entry, title)
            entry_publish(entry)
            db.session.add(entry)
        db.session.commit()
    citizen = client_for(app, world, None)
    html = citizen.get(f"/units/{world.province}/ha-noi").get_data(as_text=True)
    current = html.index('id="sub-heading"')
    former = html.index('id="former-heading"')
    assert current < former
    assert current < html.index("Phường Ba Đình", current) < former
    assert "Quận Ba Đình" in html[former:] and "Quận Ba Đình" not in html[current:former]
    commune = citizen.get(f"/units/{world.commune}/ba-dinh").get_data(as_text=True)
    section = commune[commune.index('id="former-heading"'):]
    assert re.search(r'Quận Ba Đình</a> <span class="count">merged into this unit', section)


def test_merging_moves_councils_award_issuers_decisions_and_registers(app, world):
    """Whatever names the merged-away unit follows the merger: its council, the awards and decisions it issued,
    its decision register, the initiatives replicated there; the history counts them."""
    from datetime import date

    from registry.catalog.merging import unit_merge
    from registry.catalog.models import AwardLevel, AwardTitle
    from registry.entries.models import Award, EntryKind, Replication
    from registry.workflow.models import Council, Decision, DecisionRegister, NumberingStyle

    with app.app_context():
        group = db.session.get(Unit, world.group)
        title = db.session.scalars(sa.select(AwardTitle)).first() or AwardTitle(name="Giấy khen", slug="giay-khen")
        entry = Entry(kind=EntryKind.INITIATIVE, title="Mô hình Phố sạch", slug="mo-hinh-pho-sach",
                      unit_id=world.commune)
        db.session.add_all([title, entry])
        db.session.flush()
        council = Council(name="Hội đồng TĐKT tổ dân phố số 5", unit_id=group.id)
        award = Award(entry=entry, title_id=title.id, level=AwardLevel.COMMUNE, year=2025, issuer_id=group.id)
        db.session.add_all([council, award, Replication(entry_id=entry.id, unit_id=group.id)])
        signed = {"symbol": "QĐ-UBND", "signer": "Nguyễn Văn A", "signer_position": "Chủ tịch"}
        db.session.add_all([Decision(issuer_id=group.id, style=NumberingStyle.STATE, series="2025", number=n,
                                     signed_on=date(2025, 5, n), **signed) for n in (1, 2)])
        # The unit it merges into issued its own decision 1 of 2025: that one of the old unit stays with it.
        db.session.add(Decision(issuer_id=world.other_commune, style=NumberingStyle.STATE, series="2025", number=1,
                                signed_on=date(2025, 4, 1), **signed))
        db.session.add(DecisionRegister(issuer_id=group.id, style=NumberingStyle.STATE, series="2025",
                                        last_number=7))
        db.session.commit()
        ids = council.id, award.id
    admin = client_for(app, world, "admin")
    r = post(admin, f"/admin/units/{world.group}/merge", {"into": "Phường Hoàn Kiếm", "on": "2026-06-30",
                                                           "confirm": "y"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Council, ids[0]).unit_id == world.other_commune
        assert db.session.get(Award, ids[1]).issuer_id == world.other_commune
        assert db.session.scalar(sa.select(Replication.unit_id)) == world.other_commune
        issuers = {number: issuer for number, issuer in db.session.execute(
            sa.select(Decision.number, Decision.issuer_id).where(Decision.signed_on >= date(2025, 5, 1)))}
        assert issuers == {1: world.group, 2: world.other_commune}
        register = db.session.scalar(sa.select(DecisionRegister))
        assert (register.issuer_id, register.last_number) == (world.other_commune, 7)
        for unit_id in (world.group, world.other_commune):
            event = db.session.scalar(sa.select(UnitEvent).where(UnitEvent.unit_id == unit_id))
            assert {k: event.moved[k] for k in ("councils", "awards", "decisions", "decision_registers",
                                                "replications")} == {
                "councils": 1, "awards": 1, "decisions": 1, "decision_registers": 1, "replications": 1}
        # Nothing is left naming the old unit but its own history.
        group = db.session.get(Unit, world.group)
        assert db.session.scalar(sa.select(sa.func.count(Council.id)).where(Council.unit_id == group.id)) == 0
        with pytest.raises(CatalogError):  # merged once only
            unit_merge(group, into=db.session.get(Unit, world.commune), on=date(2026, 7, 1))
        db.session.rollback()
    history = admin.get(f"/admin/units/{world.other_commune}/history").get_data(as_text=True)
    assert "1 councils, 1 replications, 1 awards it issued, 1 decisions, 1 decision registers" in history
