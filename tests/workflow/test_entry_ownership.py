"""Whose entry a nomination may name, and when a nomination may change an entry's public page."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from registry.accounts.models import Role
from registry.accounts.operations import user_add_role, user_create
from registry.catalog.models import AwardLevel, AwardTitle, Unit
from registry.entries.models import Entry, EntryKind, EntryStatus
from registry.entries.operations import entry_publish
from registry.extensions import db
from registry.workflow.actions import WorkflowError
from registry.workflow.dossiers import nomination_create, nomination_photo_add
from registry.workflow.models import Council, Nomination, Round
from tests.support.clients import PASSWORD, client_for, csrf, login, post
from tests.support.files import jpeg_bytes
from tests.support.world import carry_to_publication, submit_complete, users


def open_round_for_other_commune(app, world) -> int:
    """Hoàn Kiếm gets its own council and an open round, so its officer can start nominations."""
    with app.app_context():
        council = Council(name="Hội đồng TĐKT phường Hoàn Kiếm", unit_id=world.other_commune)
        db.session.add(council)
        db.session.flush()
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Chiến sĩ thi đua cơ sở"))
        today = date.today()
        round_ = Round(name="Đợt xét Hoàn Kiếm", title_id=title.id, level=AwardLevel.COMMUNE, council_id=council.id,
                       year=today.year, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=10),
                       threshold_percent=Decimal(50), quorum_percent=Decimal(50))
        db.session.add(round_)
        db.session.commit()
        return round_.id


def commune_officer(app, world):
    """An officer of Ba Đình, the commune above the officer's residential group."""
    with app.app_context():
        user = user_create(email="commune@example.org", name="Commune Officer", password=PASSWORD)
        user_add_role(user, Role.UNIT_OFFICER, unit_id=world.commune)
        db.session.commit()
        return user.id


def start(client, round_id: int, unit_id: int, **subject):
    """Post the new-nomination form: the answer, and the new dossier's id when one was created."""
    r = post(client, "/nominations/new", {"round_id": round_id, "unit": f"#{unit_id}", **subject})
    created = re.search(r"/nominations/(\d+)/edit", r.headers.get("Location", ""))
    return r, int(created.group(1)) if created else None


def draft_of_the_group(app, world, client, title="Trần Thị Hạnh") -> tuple[int, int]:
    """The residential group's officer starts a dossier: (nomination id, its draft entry's id)."""
    r, nid = start(client, world.round, world.group, subject="new", kind="individual", title=title)
    assert nid, r.get_data(as_text=True)
    with app.app_context():
        return nid, db.session.get(Nomination, nid).entry_id


def nominations_naming(app, entry_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Nomination.id)).where(Nomination.entry_id == entry_id))


def test_an_officer_cannot_name_another_units_unpublished_entry(app, world):
    other_round = open_round_for_other_commune(app, world)
    nid, entry_id = draft_of_the_group(app, world, client_for(app, world, "officer"), title="Trần Thị Hạnh")
    other = client_for(app, world, "other_officer")
    for ref in (str(entry_id), f"http://localhost/entries/{entry_id}/tran-thi-hanh"):
        r, _nid = start(other, other_round, world.other_commune, subject="existing", entry_ref=ref)
        html = r.get_data(as_text=True)
        # Refused as if nothing fitted: the draft's name is not even shown.
        assert r.status_code == 200 and "No entry fits “" in html, ref
        assert "Trần Thị Hạnh" not in html
    assert nominations_naming(app, entry_id) == 1
    with app.test_request_context("/?lang=en"):
        actor, = users(world, "other_officer")
        with pytest.raises(WorkflowError):
            nomination_create(round_=db.session.get(Round, other_round), unit=db.session.get(Unit, world.other_commune),
                              actor=actor, entry=db.session.get(Entry, entry_id))
        db.session.rollback()
        # Once published, the entry is anyone's to nominate.
        entry_publish(db.session.get(Entry, entry_id))
        db.session.commit()
    r, nid = start(other, other_round, world.other_commune, subject="existing", entry_ref=str(entry_id))
    assert nid, r.get_data(as_text=True)
    assert nominations_naming(app, entry_id) == 2


def test_a_unit_above_may_name_the_drafts_of_the_units_below_it(app, world):
    _nid, entry_id = draft_of_the_group(app, world, client_for(app, world, "officer"))
    commune = app.test_client()
    commune.set_cookie("lang", "en")
    login(commune, commune_officer(app, world))
    r, nid = start(commune, world.round, world.commune, subject="existing", entry_ref=str(entry_id))
    assert nid, r.get_data(as_text=True)
    assert nominations_naming(app, entry_id) == 2


def edit(client, app, nid, **fields):
    with app.app_context():
        version = db.session.get(Nomination, nid).version
    return post(client, f"/nominations/{nid}/edit", {"version": version, "save": "1", **fields})


def public_text(app, entry_id) -> tuple[str, str, str]:
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        return entry.title, entry.summary, entry.story


def test_a_nomination_changes_a_published_entry_only_when_its_own_award_is_published(app, world):
    """The unit's own dossier drafted the entry; a unit above carried it to publication first."""
    officer = client_for(app, world, "officer")
    nid, entry_id = draft_of_the_group(app, world, officer, title="Trần Thị Hạnh")
    assert edit(officer, app, nid, kind="individual", title="Trần Thị Hạnh", summary="Bản tóm tắt đầu tiên.",
                story="Câu chuyện đầu tiên.").status_code == 302
    commune_id = commune_officer(app, world)
    with app.test_request_context("/?lang=en"):
        from registry.accounts.models import User

        commune = db.session.get(User, commune_id)
        theirs = nomination_create(round_=db.session.get(Round, world.round), unit=db.session.get(Unit, world.commune),
                                   actor=commune, entry=db.session.get(Entry, entry_id))
        submit_complete(theirs, actor=commune)
        carry_to_publication(world, theirs, number=1)
        db.session.commit()
    assert public_text(app, entry_id) == ("Trần Thị Hạnh", "Bản tóm tắt đầu tiên.", "Câu chuyện đầu tiên.")
    api = app.test_client()
    assert api.get(f"/api/v1/entries/{entry_id}").get_json()["title"] == "Trần Thị Hạnh"

    # The group's dossier is still a draft: saving it no longer touches the published page…
    r = edit(officer, app, nid, kind="collective", title="Tên đã sửa", year="1999", summary="Tóm tắt đã sửa.",
             story="", private_phone="0900000000")
    assert r.status_code == 302, r.get_data(as_text=True)
    assert public_text(app, entry_id) == ("Trần Thị Hạnh", "Bản tóm tắt đầu tiên.", "Câu chuyện đầu tiên.")
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert (entry.kind, entry.private_phone) == (EntryKind.INDIVIDUAL, None)
    assert api.get(f"/api/v1/entries/{entry_id}").get_json()["title"] == "Trần Thị Hạnh"
    # …and its photos cannot change either.
    r = officer.post(f"/nominations/{nid}/photos", data={
        "csrf_token": csrf(officer), "alt": "Ảnh", "photo": (io.BytesIO(jpeg_bytes()), "a.jpg")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "not yet published" in r.get_data(as_text=True)
    with app.test_request_context("/?lang=en"):
        assert db.session.get(Entry, entry_id).photos == []
        with pytest.raises(WorkflowError):
            nomination_photo_add(db.session.get(Nomination, nid), data=jpeg_bytes(), alt="x", caption=None, credit=None)
        db.session.rollback()
    # The form shows what the dossier proposes, the dossier page shows it against the public text.
    form = officer.get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert "Proposed changes to the public page" in form and "Tên đã sửa" in form
    assert "private_phone" not in form
    with app.test_request_context("/?lang=en"):
        mine = db.session.get(Nomination, nid)
        assert (mine.proposed_title, mine.proposed_summary, mine.proposed_story) == (
            "Tên đã sửa", "Tóm tắt đã sửa.", "")
        officer_user, = users(world, "officer")
        submit_complete(mine, actor=officer_user)
        db.session.commit()
    page = client_for(app, world, "secretary").get(f"/nominations/{nid}").get_data(as_text=True)
    changes = page[page.index('id="proposed-changes"'):]
    assert "Tên đã sửa" in changes and "Trần Thị Hạnh" in changes and "Tóm tắt đã sửa." in changes
    assert public_text(app, entry_id)[0] == "Trần Thị Hạnh"

    # The council publishes this dossier's award: now its text reaches the public page.
    with app.test_request_context("/?lang=en"):
        carry_to_publication(world, db.session.get(Nomination, nid), number=2)
        db.session.commit()
    assert public_text(app, entry_id) == ("Tên đã sửa", "Tóm tắt đã sửa.", "")
    assert api.get(f"/api/v1/entries/{entry_id}").get_json()["title"] == "Tên đã sửa"
    assert api.get("/api/v1/search?q=ten+da+sua").get_json()["results"][0]["id"] == entry_id
    assert 'id="proposed-changes"' not in officer.get(f"/nominations/{nid}").get_data(as_text=True)


def test_a_nomination_of_a_published_entry_proposes_its_text(app, world):
    with app.app_context():
        entry = Entry(kind=EntryKind.INDIVIDUAL, title="Đỗ Văn Toàn", slug="do-van-toan", unit_id=world.other_commune,
                      status=EntryStatus.DRAFT, summary="Tóm tắt công khai.")
        db.session.add(entry)
        entry_publish(entry)
        db.session.commit()
        entry_id = entry.id
    officer = client_for(app, world, "officer")
    _r, nid = start(officer, world.round, world.group, subject="existing",
                    entry_ref=f"http://localhost/entries/{entry_id}/do-van-toan")
    form = officer.get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert "Proposed changes to the public page" in form and "Tóm tắt công khai." in form
    # Unchanged fields propose nothing; a field left out of the form is not emptied.
    assert edit(officer, app, nid, title="Đỗ Văn Toàn", summary="Tóm tắt công khai.").status_code == 302
    assert edit(officer, app, nid, story="Câu chuyện mới.", report="Báo cáo.").status_code == 302
    with app.app_context():
        mine = db.session.get(Nomination, nid)
        assert (mine.proposed_title, mine.proposed_summary, mine.proposed_story) == (None, None, "Câu chuyện mới.")
    assert public_text(app, entry_id) == ("Đỗ Văn Toàn", "Tóm tắt công khai.", "")
    with app.test_request_context("/?lang=en"):
        officer_user, = users(world, "officer")
        mine = db.session.get(Nomination, nid)
        submit_complete(mine, actor=officer_user)
        carry_to_publication(world, mine, number=3)
        db.session.commit()
    assert public_text(app, entry_id) == ("Đỗ Văn Toàn", "Tóm tắt công khai.", "Câu chuyện mới.")
