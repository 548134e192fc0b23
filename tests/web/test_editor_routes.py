"""Every route of the entry editor, for every kind of visitor: its keepers get it, anyone else signed in gets
404 (as for an entry that does not exist), a visitor is sent to sign in; the pages that are not about one entry
go to those who keep entries."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from registry.catalog.models import AwardLevel, AwardTitle
from registry.entries.models import Award, Entry, EntryRevision, PhotoConsent, Replication
from registry.extensions import db
from tests.support.clients import client_for, csrf, post
from tests.support.files import PDF, jpeg_bytes
from tests.support.routes import EDITOR_PAGES, EDITOR_ROUTES

OTHERS = ("other_officer", "secretary", "member1")


def _entry_with_everything(app, world) -> dict:
    officer = client_for(app, world, "officer")
    r = post(officer, "/desk/entries/new", {"kind": "individual", "title": "Lê Văn Tám", "unit": f"#{world.group}",
                                            "story": "Chuyện."}, token_from="/desk/entries/new")
    entry_id = int(re.search(r"/desk/entries/(\d+)/edit", r.headers["Location"]).group(1))
    post(officer, f"/desk/entries/{entry_id}/photos",
         {"photos": [(io.BytesIO(jpeg_bytes(color=(5, 80, 160))), "anh.jpg")], "shows_people": "y"},
         token_from=f"/desk/entries/{entry_id}/photos", content_type="multipart/form-data")
    with app.app_context():
        photo_id = db.session.get(Entry, entry_id).all_photos[0].id
    post(officer, f"/desk/entries/{entry_id}/photos/{photo_id}/consents",
         {f"c{photo_id}-given_by": "Lê Văn Tám", f"c{photo_id}-given_on": "2026-11-30",
          f"c{photo_id}-document": (io.BytesIO(PDF), "dong-y.pdf")},
         token_from=f"/desk/entries/{entry_id}/photos", content_type="multipart/form-data")
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        photo = entry.all_photos[0]
        title = db.session.scalar(sa.select(AwardTitle).limit(1))
        award = Award(entry_id=entry.id, title_id=title.id, level=AwardLevel.COMMUNE, year=2024)
        replication = Replication(entry_id=entry.id, unit_id=world.group, since_year=2024)
        db.session.add_all([award, replication])
        consent = db.session.scalar(sa.select(PhotoConsent).where(PhotoConsent.photo_id == photo.id))
        db.session.commit()
        revision = db.session.scalar(sa.select(EntryRevision.number).where(EntryRevision.entry_id == entry_id)
                                     .order_by(EntryRevision.number.desc()).limit(1))
        return {"entry": entry_id, "photo": photo.id, "award": award.id, "replication": replication.id,
                "consent": consent.id, "revision": revision}


@pytest.mark.parametrize("method, template", EDITOR_ROUTES, ids=[f"{m} {t}" for m, t in EDITOR_ROUTES])
def test_an_entry_s_editor_routes_answer_each_role_as_they_should(app, world, method, template):
    ids = _entry_with_everything(app, world)
    url = template.format(**ids)

    def ask(role):
        client = client_for(app, world, None if role == "anonymous" else role)
        return client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf(client)})

    for role in OTHERS:
        assert ask(role).status_code == 404, (role, method, url)
    anonymous = ask("anonymous")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    # A POST acts (a removal cannot be asked twice): the administrator is asked first, on a GET both.
    for role in ("admin", "officer") if method == "GET" else ("admin",):
        assert ask(role).status_code not in (401, 403, 404, 405, 500), (role, method, url)


@pytest.mark.parametrize("method, template, allowed", EDITOR_PAGES, ids=[f"{m} {t}" for m, t, _ in EDITOR_PAGES])
def test_the_editor_s_own_pages_go_to_those_who_keep_entries(app, world, method, template, allowed):
    for role in ("anonymous", "officer", "other_officer", "secretary", "member1", "admin"):
        client = client_for(app, world, None if role == "anonymous" else role)
        response = client.get(template) if method == "GET" else client.post(template, data={"csrf_token": csrf(client)})
        if role in allowed:
            assert response.status_code not in (401, 403, 404, 405, 500), (role, method, template)
        elif role == "anonymous":
            assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        else:
            assert response.status_code in (403, 404), (role, method, template, response.status_code)
