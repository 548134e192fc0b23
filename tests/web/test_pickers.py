"""Pickers on the forms: suggestions as JSON for the signed-in, a list to choose from without JavaScript, no numbers."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.workflow.models import Nomination
from tests.support.clients import client_for, post
from tests.support.world import draft_nomination, picker_units


@pytest.fixture
def units(app, world):
    return picker_units(app, world)


def test_unit_suggestions_need_a_sign_in_and_show_paths(app, world, units):
    anonymous = client_for(app, world, None)
    assert anonymous.get("/pickers/units?q=long+bien").status_code == 302  # to the sign-in page
    officer = client_for(app, world, "officer")
    data = officer.get("/pickers/units?q=long+bien").get_json()
    labels = [s["label"] for s in data["suggestions"]]
    assert labels == ["Phường Long Biên — Thành phố Hà Nội"]  # the district abolished into it is the same choice
    former = officer.get("/pickers/units?q=quan+long+bien").get_json()["suggestions"]
    assert former[0] == {"id": units["ward"], "label": "Quận Long Biên (former) → Phường Long Biên — Thành phố Hà Nội",
                         "note": "Abolished; its successor is chosen.", "value": "Phường Long Biên — Thành phố Hà Nội"}
    namesakes = officer.get("/pickers/units?q=tan+lap").get_json()["suggestions"]
    assert {s["label"] for s in namesakes} == {"Xã Tân Lập — Thành phố Hà Nội", "Xã Tân Lập — Tỉnh Phú Thọ"}


def test_entry_suggestions_never_show_another_units_drafts(app, world):
    draft_nomination(app, world, title="Nguyễn Văn Thành")
    officer = client_for(app, world, "officer")
    assert [s["label"] for s in officer.get("/pickers/entries?q=nguyen+van+thanh").get_json()["suggestions"]] == [
        "Nguyễn Văn Thành — Tổ dân phố số 5 (%s)" % _round_year(app, world)]
    other = client_for(app, world, "other_officer")
    assert other.get("/pickers/entries?q=nguyen+van+thanh").get_json()["suggestions"] == []
    assert client_for(app, world, "outsider").get("/pickers/entries?q=nguyen").status_code == 403
    assert client_for(app, world, None).get("/pickers/entries?q=nguyen").status_code == 302


def _round_year(app, world) -> int:
    from registry.workflow.models import Round
    with app.app_context():
        return db.session.get(Round, world.round).year


FORM_PAGES = [
    ("admin", "/admin/users/new"), ("admin", "/admin/councils/new"), ("admin", "/admin/units/new"),
    ("admin", "/admin/units/{commune}"), ("admin", "/admin/units/{commune}/merge"), ("officer", "/nominations/new"),
]


def _hints_and_errors(html: str) -> list[str]:
    return re.findall(r'<p class="(?:hint|error)"[^>]*>(.*?)</p>', html, re.S)


@pytest.mark.parametrize("who, url", FORM_PAGES)
def test_no_form_asks_for_a_number(app, world, who, url):
    client = client_for(app, world, who)
    html = client.get(url.format(commune=world.commune)).get_data(as_text=True)
    texts = _hints_and_errors(html)
    assert texts and not [t for t in texts if "#" in t or "number" in t.lower() and "unit" in t.lower()]
    assert "data-picker=" in html and 'src="/static/js/picker.js"' in html


def test_errors_of_the_pickers_ask_for_no_number(app, world, units):
    officer = client_for(app, world, "officer")
    for unit in ("Phường Không Có", "to tu quan"):
        r = post(officer, "/nominations/new", {"round_id": world.round, "unit": unit, "subject": "existing",
                                               "entry_ref": "Người Không Có"})
        texts = _hints_and_errors(r.get_data(as_text=True))
        assert any("No unit" in t or "Several units" in t for t in texts)
        assert any("No entry fits" in t for t in texts)
        assert not [t for t in texts if "#" in t]


def test_without_javascript_an_unclear_unit_is_chosen_from_a_list(app, world, units):
    officer = client_for(app, world, "officer")
    form = {"round_id": world.round, "unit": "to tu quan", "subject": "new", "kind": "individual",
            "title": "Lê Thị Mai"}
    r = post(officer, "/nominations/new", form)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Several units fit “to tu quan”" in html
    # Both namesakes listed with their paths, everything typed kept.
    assert "Tổ tự quản — Tổ dân phố số 5 — Phường Ba Đình — Thành phố Hà Nội" in html
    assert "Tổ tự quản — Chi hội Cựu chiến binh — Tổ dân phố số 5 — Phường Ba Đình — Thành phố Hà Nội" in html
    assert 'value="Lê Thị Mai"' in html and 'value="to tu quan"' in html
    choices = dict((label, value) for value, label in re.findall(
        r'name="unit-choice" value="(\d+)"> <label for="[^"]+">([^<]+)</label>', html))
    chosen = choices["Tổ tự quản — Chi hội Cựu chiến binh — Tổ dân phố số 5 — Phường Ba Đình — Thành phố Hà Nội"]
    asked = re.search(r'name="unit-asked" value="([^"]*)"', html).group(1)
    r = post(officer, "/nominations/new", {**form, "unit-choice": chosen, "unit-asked": asked})
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        nomination = db.session.scalars(sa.select(Nomination).order_by(Nomination.id.desc())).first()
        assert nomination.unit_id == units["team_branch"] == int(chosen)
        assert nomination.entry.title == "Lê Thị Mai"


def test_a_stale_choice_does_not_override_a_new_name(app, world, units):
    officer = client_for(app, world, "officer")
    r = post(officer, "/nominations/new", {"round_id": world.round, "unit": "Tổ dân phố số 5", "unit-choice":
                                           str(units["team_branch"]), "subject": "new", "title": "Lê Văn Bình"})
    assert r.status_code == 302
    with app.app_context():
        nomination = db.session.scalars(sa.select(Nomination).order_by(Nomination.id.desc())).first()
        assert nomination.unit_id == world.group


def test_an_existing_entry_is_named_by_its_name(app, world):
    nid = draft_nomination(app, world, title="Trần Minh Đức")
    with app.app_context():
        entry_id = db.session.get(Nomination, nid).entry_id
    officer = client_for(app, world, "officer")
    r = post(officer, "/nominations/new", {"round_id": world.round, "unit": "Tổ dân phố số 5", "subject": "existing",
                                           "entry_ref": "tran minh duc"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        nomination = db.session.scalars(sa.select(Nomination).order_by(Nomination.id.desc())).first()
        assert nomination.entry_id == entry_id and nomination.id != nid


def test_a_new_subject_with_a_known_name_asks_is_it_one_of_these(app, world):
    nid = draft_nomination(app, world, title="Phạm Thị Lan")
    with app.app_context():
        entry_id = db.session.get(Nomination, nid).entry_id
        count = db.session.scalar(sa.select(sa.func.count(Nomination.id)))
    officer = client_for(app, world, "officer")
    form = {"round_id": world.round, "unit": "Tổ dân phố số 5", "subject": "new", "kind": "individual",
            "title": "Pham Thi Lan"}
    html = post(officer, "/nominations/new", form).get_data(as_text=True)
    assert "Is it one of these?" in html and f'name="same_as" value="{entry_id}"' in html
    assert "Phạm Thị Lan — Tổ dân phố số 5" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == count  # nothing created yet
    # The officer picks the existing entry: the nomination names it, no duplicate is drafted.
    assert post(officer, "/nominations/new", {**form, "same_as": str(entry_id)}).status_code == 302
    # Or says it is none of them: a new entry is drafted.
    assert post(officer, "/nominations/new", {**form, "confirm_new": "y"}).status_code == 302
    with app.app_context():
        newest = db.session.scalars(sa.select(Nomination).order_by(Nomination.id.desc()).limit(2)).all()
        assert newest[1].entry_id == entry_id
        assert newest[0].entry_id != entry_id and newest[0].entry.title == "Pham Thi Lan"
    # Another unit's officer is never shown the draft.
    other = client_for(app, world, "other_officer")
    html = post(other, "/nominations/new", {**form, "unit": "Phường Hoàn Kiếm"}).get_data(as_text=True)
    assert "Is it one of these?" not in html
