"""The permission matrix: every working route, for every role; the server answers 403 (or sends to sign-in)."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from registry import create_app
from registry.catalog.models import Unit
from registry.entries.models import EntryKind
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from registry.workflow import ballots
from registry.workflow.actions import nomination_transition
from registry.workflow.decisions import decision_record, nomination_publish
from registry.workflow.documents import store_document
from registry.workflow.dossiers import attachment_add, nomination_create
from registry.workflow.models import AttachmentKind, Holiday, NumberingStyle, Round, VoteChoice
from tests import databases
from tests.workflow.conftest import client_for, csrf, make_world
from tests.workflow.helpers import PDF, complete_nomination, nomination_in_vote, users

ROLES = ["anonymous", "admin", "officer", "other_officer", "secretary", "chair", "member1", "outsider"]
SIGNED_IN = set(ROLES) - {"anonymous"}
COUNCIL = {"secretary", "chair", "member1"}
PUBLIC = set(ROLES)

# (method, url template, roles allowed). Placeholders are filled from the world built below.
ROUTES = [
    ("GET", "/desk/", SIGNED_IN),
    ("GET", "/account/notices", SIGNED_IN),
    ("POST", "/account/notices/read", SIGNED_IN),
    ("GET", "/account/password", SIGNED_IN),
    ("POST", "/account/password", SIGNED_IN),
    ("GET", "/account/sign-ins", SIGNED_IN),
    ("POST", "/account/sign-ins/end-others", SIGNED_IN),
    ("GET", "/account/login", PUBLIC),
    ("POST", "/account/logout", PUBLIC),
    ("GET", "/admin/", {"admin"}),
    ("GET", "/admin/users", {"admin"}),
    ("GET", "/admin/users/new", {"admin"}),
    ("POST", "/admin/users/new", {"admin"}),
    ("GET", "/admin/users/{officer_id}", {"admin"}),
    ("POST", "/admin/users/{officer_id}", {"admin"}),
    ("GET", "/admin/councils", {"admin"}),
    ("GET", "/admin/councils/new", {"admin"}),
    ("POST", "/admin/councils/new", {"admin"}),
    ("GET", "/admin/councils/{council}", {"admin"}),
    ("POST", "/admin/councils/{council}", {"admin"}),
    ("GET", "/admin/rounds", {"admin"}),
    ("GET", "/admin/rounds/new", {"admin"}),
    ("POST", "/admin/rounds/new", {"admin"}),
    ("GET", "/admin/rounds/{round}", {"admin"}),
    ("POST", "/admin/rounds/{round}", {"admin"}),
    ("GET", "/admin/units", {"admin"}),
    ("GET", "/admin/units/new", {"admin"}),
    ("POST", "/admin/units/new", {"admin"}),
    ("GET", "/admin/units/{commune}", {"admin"}),
    ("POST", "/admin/units/{commune}", {"admin"}),
    ("GET", "/admin/titles", {"admin"}),
    ("GET", "/admin/titles/new", {"admin"}),
    ("POST", "/admin/titles/new", {"admin"}),
    ("GET", "/admin/titles/{title}", {"admin"}),
    ("POST", "/admin/titles/{title}", {"admin"}),
    ("GET", "/admin/holidays", {"admin"}),
    ("POST", "/admin/holidays", {"admin"}),
    ("POST", "/admin/holidays/{holiday}/delete", {"admin"}),
    ("GET", "/nominations/", {"officer", "other_officer"}),
    ("GET", "/nominations/new", {"officer", "other_officer"}),
    ("POST", "/nominations/new", {"officer", "other_officer"}),
    ("GET", "/nominations/{draft}", {"officer"}),
    ("GET", "/nominations/{submitted}", {"officer", "admin"} | COUNCIL),
    ("GET", "/nominations/{draft}/edit", {"officer"}),
    ("POST", "/nominations/{draft}/edit", {"officer"}),
    ("GET", "/nominations/{submitted}/edit", set()),
    ("POST", "/nominations/{draft}/attachments", {"officer"}),
    ("GET", "/nominations/{draft}/attachments/{draft_attachment}", {"officer"}),
    ("GET", "/nominations/{draft}/attachments/{draft_picture}", {"officer"}),
    ("GET", "/nominations/{submitted}/attachments/{submitted_attachment}", {"officer", "admin"} | COUNCIL),
    ("POST", "/nominations/{draft}/attachments/{draft_attachment}/delete", {"officer"}),
    ("POST", "/nominations/{draft}/photos", {"officer"}),
    ("POST", "/nominations/{draft}/photos/{photo}/delete", {"officer"}),
    ("POST", "/nominations/{draft}/do/submit", {"officer"}),
    ("POST", "/nominations/{draft}/do/withdraw", {"officer"}),
    ("POST", "/council/nominations/{submitted}/do/accept", {"secretary"}),
    ("POST", "/council/nominations/{submitted}/do/return", {"secretary"}),
    ("POST", "/council/nominations/{accepted}/do/open_vote", {"secretary"}),
    ("POST", "/nominations/{accepted}/do/submit", set()),
    ("POST", "/council/nominations/{passed}/do/back_to_review", {"secretary"}),
    ("POST", "/council/nominations/{passed}/do/open_consultation", {"secretary"}),
    ("GET", "/council/rounds/{round}", {"admin"} | COUNCIL),
    ("POST", "/council/rounds/{round}/sessions", {"secretary"}),
    ("GET", "/council/sessions/{session}", {"admin"} | COUNCIL),
    ("POST", "/council/sessions/{session}/attendance", {"secretary"}),
    ("POST", "/council/sessions/{session}/agenda", {"secretary"}),
    ("POST", "/council/sessions/{session}/open-votes", {"secretary"}),
    ("GET", "/council/sessions/{session}/minutes", {"admin"} | COUNCIL),
    ("POST", "/council/nominations/{accepted}/notes", COUNCIL),
    ("POST", "/council/nominations/{accepted}/conflict", {"chair", "member1"}),
    ("POST", "/council/nominations/{in_vote}/vote", {"chair", "member1"}),
    ("POST", "/council/nominations/{in_vote}/written-vote", {"secretary"}),
    ("POST", "/council/nominations/{in_vote}/do/close_vote", {"secretary"}),
    ("GET", "/council/rounds/{round}/decisions/new", {"secretary"}),
    ("POST", "/council/rounds/{round}/decisions/new", {"secretary"}),
    ("GET", "/council/rounds/{round}/decisions/next-number", {"secretary"}),
    ("GET", "/council/decisions/{decision}/scan", {"admin"} | COUNCIL),
    ("POST", "/council/nominations/{decided}/do/publish", {"secretary"}),
    ("GET", "/council/nominations/{published}/revoke", {"secretary"}),
    ("POST", "/council/nominations/{published}/revoke", {"secretary"}),
    ("GET", "/consultation/", PUBLIC),
]


def build(app):
    """A world with a nomination in each interesting state, a session, a decision with its scan."""
    world = make_world(app, written=True)
    with app.test_request_context("/?lang=en"):
        officer, secretary = users(world, "officer", "secretary")
        draft = nomination_create(round_=db.session.get(Round, world.round), unit=db.session.get(Unit, world.group),
                                  actor=officer, kind=EntryKind.INDIVIDUAL, title="Bản nháp")
        draft_attachment = attachment_add(draft, kind=AttachmentKind.MINUTES, data=PDF, filename="m.pdf", actor=officer)
        from registry.workflow.dossiers import nomination_photo_add
        from tests.conftest import jpeg_bytes
        nomination_photo_add(draft, data=jpeg_bytes(), alt="ảnh", caption=None, credit=None)
        draft_picture = attachment_add(draft, kind=AttachmentKind.OTHER, data=jpeg_bytes(color=(20, 80, 140)),
                                       filename="anh.jpg", actor=officer)
        submitted = complete_nomination(world, title="Đã nộp")
        accepted = complete_nomination(world, title="Đã tiếp nhận")
        nomination_transition(accepted, "accept", actor=secretary)
        in_vote = nomination_in_vote(world, title="Đang bỏ phiếu")
        passed = nomination_in_vote(world, title="Đã thông qua")
        for key in ("chair", "member1", "member2", "member3"):
            ballots.vote_cast(passed, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_close(passed, actor=secretary)
        decided = nomination_in_vote(world, title="Đã quyết định")
        for key in ("chair", "member1", "member2", "member3"):
            ballots.vote_cast(decided, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_close(decided, actor=secretary)
        published = nomination_in_vote(world, title="Đã công bố")
        for key in ("chair", "member1", "member2", "member3"):
            ballots.vote_cast(published, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_close(published, actor=secretary)
        sha = store_document(PDF, "qd.pdf")[1]
        decision = decision_record(round_=decided.round, issuer=db.session.get(Unit, world.commune),
                                   style=NumberingStyle.STATE, number=1, symbol="QĐ-UBND", signed_on=date.today(),
                                   signer="A", signer_position="B", legal_basis="", term=None, actor=secretary,
                                   nominations=[decided, published], scan=(sha, "qd.pdf", "pdf"))
        nomination_publish(published, actor=secretary)
        holiday = Holiday(day=date(2026, 9, 2), name="Quốc khánh")
        db.session.add(holiday)
        db.session.commit()
        ids = {
            "draft": draft.id, "submitted": submitted.id, "accepted": accepted.id, "in_vote": in_vote.id,
            "passed": passed.id, "decided": decided.id, "published": published.id, "session": in_vote.session_id,
            "decision": decision.id, "holiday": holiday.id, "round": world.round, "council": world.council, "commune": world.commune, "title": 1,
            "officer_id": world.users["officer"], "draft_attachment": draft_attachment.id,
            "submitted_attachment": submitted.attachments[0].id, "photo": draft.entry.photos[0].id,
            "draft_picture": draft_picture.id, "document_sha": draft_picture.sha256,
        }
    return world, ids


CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """The world built once; each test gets its own copy of the instance folder, so writes never leak."""
    path = tmp_path_factory.mktemp("golden") / "instance"
    mp = pytest.MonkeyPatch()
    mp.setenv("REGISTRY_INSTANCE_PATH", str(path))
    url = databases.use_new_database(mp, empty=True)
    app = create_app(CONFIG)
    with app.app_context():
        db.create_all()
        from registry.catalog.seed import catalogues_load

        catalogues_load()
        db.session.commit()
    world, ids = build(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_indexes()
    mp.undo()
    yield path, world, ids, url
    databases.drop_database(url)


@pytest.fixture
def matrix(golden, tmp_path, monkeypatch, request):
    source, world, ids, url = golden
    shutil.copytree(source, tmp_path / "instance")
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    if url is not None:
        copy = databases.clone_database(url)
        request.addfinalizer(lambda: databases.drop_database(copy))
        monkeypatch.setenv("DATABASE_URL", copy)
    app = create_app(CONFIG)
    yield app, world, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_indexes()


@pytest.mark.parametrize("method, template, allowed", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_route_answers_each_role_as_it_should(matrix, method, template, allowed):
    app, world, ids = matrix
    url = template.format(**ids)
    # Refused roles first: a refused request must change nothing for the roles allowed after it.
    for role in sorted(ROLES, key=lambda r: (r in allowed, r)):
        client = client_for(app, world, None if role == "anonymous" else role)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf(client)})
        code = response.status_code
        if role in allowed:
            assert code not in (401, 403, 404, 405, 500), (role, method, url, code)
            if role == "anonymous" or template.startswith(("/account/logout",)):
                continue
            assert not (code == 302 and "/account/login" in response.headers.get("Location", "")), (role, url)
        elif role == "anonymous" and template.endswith("/edit") and method == "POST":
            # Typing sent without a session is not kept: a page says so and links to the sign-in.
            assert code == 401 and "/account/login" in response.get_data(as_text=True), (role, url, code)
        elif role == "anonymous":
            assert code == 302 and "/account/login" in response.headers["Location"], (role, method, url, code)
        else:
            assert code == 403, (role, method, url, code)


def test_the_matrix_covers_every_working_route(app):
    working = ("auth.", "desk.", "nominations.", "council.", "admin.", "consultation.")
    rules = {(m, r.rule) for r in app.url_map.iter_rules() if r.endpoint.startswith(working)
             for m in r.methods - {"HEAD", "OPTIONS"}}
    import re
    covered = {(m, re.sub(r"/do/[a-z_]+", "/do/X", re.sub(r"\{[a-z_]+\}", "X", t))) for m, t, _ in ROUTES}
    normal = {(m, re.sub(r"<[^>]+>", "X", rule)) for m, rule in rules}
    public_consultation = {("GET", "/consultation/X"), ("POST", "/consultation/X")}  # tested in their own file
    missing = normal - covered - public_consultation - {("POST", "/account/login")}
    assert not missing, sorted(missing)


def test_posts_without_a_csrf_token_are_refused(matrix):
    app, world, ids = matrix
    secretary = client_for(app, world, "secretary")
    assert secretary.post(f"/council/nominations/{ids['submitted']}/do/accept").status_code == 400
    assert secretary.post(f"/council/nominations/{ids['in_vote']}/do/close_vote").status_code == 400
