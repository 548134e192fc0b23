"""No duplicates by accident: similar names nearby are offered before a new entry is made; administrators merge
two entries, and the merged one's address redirects for good."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from registry.accounts.models import User
from registry.catalog.models import AwardLevel, AwardTitle, Unit, UnitKind
from registry.entries.models import Entry, EntryStatus
from registry.entries.operations import (
    award_record,
    entry_create,
    entry_publish,
    photo_attach,
)
from registry.entries.selectors import name_key, similar_entries
from registry.extensions import db
from registry.workflow.models import Nomination
from tests.support.clients import client_for, post
from tests.support.files import jpeg_bytes
from tests.support.world import draft_nomination


def make(title, unit_id, *, published=True, actor=None) -> int:
    entry = entry_create(actor=actor, fields={"kind": "individual", "title": title,
                                              "unit": db.session.get(Unit, unit_id)})
    if published:
        entry_publish(entry)
    db.session.commit()
    return entry.id


def test_names_compare_without_marks_case_or_honorifics():
    assert name_key("Ông  NGUYỄN Văn Ánh.") == name_key("nguyen van anh") == "nguyen van anh"
    assert name_key("Đặng Thị Đào") == "dang thi dao"


def test_similar_names_in_the_same_neighbouring_or_former_unit(app, world):
    with app.app_context():
        old_district = Unit(name="Quận Ba Đình (cũ)", slug="quan-ba-dinh", kind=UnitKind.ADMINISTRATIVE,
                            successor_id=world.commune, valid_to=date(2025, 6, 30))
        far = Unit(name="Tỉnh Cà Mau", slug="ca-mau", kind=UnitKind.ADMINISTRATIVE)
        db.session.add_all([old_district, far])
        db.session.flush()
        same = make("Ông Nguyễn Văn An", world.group)
        sibling = make("NGUYEN VAN AN", world.other_commune)
        former = make("Nguyễn Văn  Ân", old_district.id)
        make("Nguyễn Văn Bình", world.group)
        make("Nguyễn Văn An", far.id)  # the same name far away is someone else
        found = [s.entry.id for s in similar_entries("nguyễn văn an", db.session.get(Unit, world.group))]
        assert set(found) == {same, sibling, former}


def test_another_units_draft_is_not_offered(app, world):
    with app.app_context():
        draft = make("Phạm Thị Hoa", world.other_commune, published=False)
        officer = db.session.get(User, world.users["officer"])
        other = db.session.get(User, world.users["other_officer"])
        unit = db.session.get(Unit, world.commune)
        assert similar_entries("Pham Thi Hoa", unit, viewer=officer) == []
        assert [s.entry.id for s in similar_entries("Pham Thi Hoa", unit, viewer=other)] == [draft]


def test_the_new_entry_form_asks_is_it_one_of_these(app, world):
    with app.app_context():
        existing = make("Trần Văn Lực", world.group)
    client = client_for(app, world, "officer")
    data = {"kind": "individual", "title": "Tran Van Luc", "unit": f"#{world.group}"}
    r = post(client, "/desk/entries/new", data, token_from="/desk/entries/new")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Is it one of these?" in html and f"#{existing}" in html
    assert 'value="Tran Van Luc"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.query(Entry).count() == 1
    r = post(client, "/desk/entries/new", {**data, "confirm_new": "1"}, token_from="/desk/entries/new")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.query(Entry).count() == 2


def test_the_nomination_form_asks_too(app, world):
    with app.app_context():
        existing = make("Lê Thị Thu", world.group)
    client = client_for(app, world, "officer")
    data = {"round_id": world.round, "unit": f"#{world.group}", "subject": "new", "kind": "individual",
            "title": "Le Thi Thu"}
    r = post(client, "/nominations/new", data, token_from="/nominations/new")
    assert r.status_code == 200 and f'name="same_as" value="{existing}"' in r.get_data(as_text=True)
    r = post(client, "/nominations/new", {**data, "confirm_new": "y"}, token_from="/nominations/new")
    assert r.status_code == 302


def test_an_administrator_merges_two_entries(app, world):
    with app.app_context():
        admin = db.session.get(User, world.users["admin"])
        keep = make("Nguyễn Thị Lan", world.group, actor=admin)
        dup = make("Nguyen Thi Lan", world.group, actor=admin)
        entry = db.session.get(Entry, dup)
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Chiến sĩ thi đua cơ sở"))
        award_record(entry, actor=admin, title=title, level=AwardLevel.COMMUNE, year=2022)
        photo_attach(entry, jpeg_bytes(), alt="Chị Lan tại buổi sinh hoạt tổ")
        db.session.commit()
    nid = draft_nomination(app, world, title="Hồ sơ khác")
    with app.app_context():
        db.session.get(Nomination, nid).entry_id = dup
        db.session.commit()
    officer = client_for(app, world, "officer")
    assert officer.get("/desk/entries/merge").status_code == 403
    admin_client = client_for(app, world, "admin")
    r = post(admin_client, "/desk/entries/merge", {"source": dup, "target": keep}, token_from="/desk/entries/merge")
    assert r.status_code == 200 and "will be merged into" in r.get_data(as_text=True)
    r = post(admin_client, "/desk/entries/merge", {"source": dup, "target": keep, "confirm": "1"},
             token_from="/desk/entries/merge")
    assert r.status_code == 302
    with app.app_context():
        kept, merged = db.session.get(Entry, keep), db.session.get(Entry, dup)
        assert [a.year for a in kept.awards] == [2022]
        assert [p.alt for p in kept.photos] == ["Chị Lan tại buổi sinh hoạt tổ"]
        assert db.session.get(Nomination, nid).entry_id == keep
        assert merged.status == EntryStatus.ARCHIVED and merged.merged_into_id == keep
        assert merged.revisions == [] and any(r.note.startswith(f"#{dup}:") for r in kept.revisions)
    citizen = client_for(app, world, None)
    r = citizen.get(f"/entries/{dup}/nguyen-thi-lan")
    assert r.status_code == 301 and re.search(rf"/entries/{keep}/", r.headers["Location"])
    # The merged entry is closed to editing.
    assert admin_client.get(f"/desk/entries/{dup}/edit").status_code == 404
