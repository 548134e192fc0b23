"""Every route of the entry editor, for every kind of visitor: its keepers get it, anyone else signed in gets
404 (as for an entry that does not exist), a visitor is sent to sign in; the pages that are not about one entry
go to those who keep entries."""
from __future__ import annotations

import io
import re
import shutil

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.catalog.models import AwardLevel, AwardTitle
from registry.catalog.seed import catalogues_load
from registry.entries.models import Award, Entry, EntryRevision, PhotoConsent, Replication
from registry.extensions import db
from tests.support import databases
from tests.support.apps import app_release
from tests.support.clients import client_for, client_in, post, session_of
from tests.support.files import PDF, jpeg_bytes
from tests.support.routes import EDITOR_PAGES, EDITOR_ROUTES
from tests.support.world import make_world

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


APP_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SEARCH_SYNC": True}
ROLES = ("anonymous", "officer", "other_officer", "secretary", "member1", "admin")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The small world with an entry that has everything, each role signed in: built once, copied for each test."""
    path = tmp_path_factory.mktemp("editor") / "instance"
    mp = pytest.MonkeyPatch()
    mp.setenv("REGISTRY_INSTANCE_PATH", str(path))
    mp.delenv("SECRET_KEY", raising=False)
    url = databases.use_new_database(mp, empty=True)
    app = create_app(APP_CONFIG)
    with app.app_context():
        db.create_all()
        catalogues_load()
        db.session.commit()
    world = make_world(app)
    ids = _entry_with_everything(app, world)
    sessions = {role: session_of(client_for(app, world, None if role == "anonymous" else role)) for role in ROLES}
    app_release(app)
    mp.undo()
    yield path, url, ids, sessions
    databases.drop_database(url)


@pytest.fixture
def copy(built, tmp_path, monkeypatch, request):
    """A copy of its own of the built instance: (app, ids, sessions)."""
    source, url, ids, sessions = built
    shutil.copytree(source, tmp_path / "instance")
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    if url is not None:
        clone = databases.clone_database(url)
        request.addfinalizer(lambda: databases.drop_database(clone))
        monkeypatch.setenv("DATABASE_URL", clone)
    app = create_app(APP_CONFIG)
    yield app, ids, sessions
    app_release(app)


def _ask(app, session, method, url):
    """Ask ``url`` in a browser of its own carrying ``session``."""
    client = client_in(app, session)
    return client.get(url) if method == "GET" else client.post(url, data={"csrf_token": session.token})


def _wrong_answers(app, ids, sessions, method, template) -> list[str]:
    url = template.format(**ids)
    wrong = []
    for role in OTHERS:
        if (code := _ask(app, sessions[role], method, url).status_code) != 404:
            wrong.append(f"{role}: {method} {url} answered {code}, not 404")
    anonymous = _ask(app, sessions["anonymous"], method, url)
    if not (anonymous.status_code == 302 and "/account/login" in anonymous.headers.get("Location", "")):
        wrong.append(f"anonymous: {method} {url} answered {anonymous.status_code}, not a redirect to sign in")
    # A POST acts (a removal cannot be asked twice): the administrator is asked first, on a GET both.
    for role in ("admin", "officer") if method == "GET" else ("admin",):
        if (code := _ask(app, sessions[role], method, url).status_code) in (401, 403, 404, 405, 500):
            wrong.append(f"{role}: {method} {url} answered {code}, but the role keeps this entry")
    return wrong


GET_ROUTES = [(m, t) for m, t in EDITOR_ROUTES if m == "GET"]
POST_ROUTES = [(m, t) for m, t in EDITOR_ROUTES if m == "POST"]


def test_an_entry_s_editor_pages_answer_each_role_as_they_should(copy):
    # Reading a page changes nothing another page's answer depends on: every GET route is asked in one copy.
    app, ids, sessions = copy
    wrong = [line for method, template in GET_ROUTES for line in _wrong_answers(app, ids, sessions, method, template)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("method, template", POST_ROUTES, ids=[f"{m} {t}" for m, t in POST_ROUTES])
def test_an_entry_s_editor_routes_answer_each_role_as_they_should(copy, method, template):
    # A POST acts: each gets a copy of its own.
    app, ids, sessions = copy
    wrong = _wrong_answers(app, ids, sessions, method, template)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("method, template, allowed", EDITOR_PAGES, ids=[f"{m} {t}" for m, t, _ in EDITOR_PAGES])
def test_the_editor_s_own_pages_go_to_those_who_keep_entries(copy, method, template, allowed):
    app, _ids, sessions = copy
    for role in ROLES:
        response = _ask(app, sessions[role], method, template)
        if role in allowed:
            assert response.status_code not in (401, 403, 404, 405, 500), (role, method, template)
        elif role == "anonymous":
            assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        else:
            assert response.status_code in (403, 404), (role, method, template, response.status_code)
