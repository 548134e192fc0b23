"""The route tables: every route of the app with what each role may get, and the golden world they are checked on."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.catalog.models import Unit
from registry.entries.models import EntryKind
from registry.extensions import db
from registry.workflow import ballots
from registry.workflow.actions import nomination_transition
from registry.workflow.decisions import decision_record, nomination_publish
from registry.workflow.documents import store_document
from registry.workflow.dossiers import attachment_add, nomination_create
from registry.workflow.models import AttachmentKind, Holiday, NumberingStyle, Round, VoteChoice
from tests.support.files import PDF
from tests.support.world import complete_nomination, make_world, nomination_in_vote, users

PUBLIC_ROLES = ["anonymous", "other_officer", "member1", "secretary", "admin"]


OK = {role: 200 for role in PUBLIC_ROLES}


MOVED = {role: 301 for role in PUBLIC_ROLES}


FOUND = {role: 302 for role in PUBLIC_ROLES}


GONE = {role: 404 for role in PUBLIC_ROLES}




# Signing in again while signed in sends you to your desk; a wrong password re-renders the form.
LOGIN_POST = {"anonymous": 200, "other_officer": 302, "member1": 302, "secretary": 302, "admin": 302}


# (method, url template, expected status by role). Placeholders are filled from the golden world.
PUBLIC_ROUTES = [
    ("GET", "/", OK),
    ("GET", "/entries", OK),
    ("GET", "/entries?kind=individual&year=2025&sort=name", OK),
    ("GET", "/entries/{entry}", MOVED),
    ("GET", "/entries/{entry}/{entry_slug}", OK),
    ("GET", "/entries/{entry}/wrong-slug", MOVED),
    ("GET", "/entries/{draft_entry}/{draft_slug}", GONE),
    ("GET", "/units", OK),
    ("GET", "/units/{unit}", MOVED),
    ("GET", "/units/{unit}/{unit_slug}", OK),
    ("GET", "/topics", OK),
    ("GET", "/topics/{topic}", OK),
    ("GET", "/search?q=h%C3%B9ng", OK),
    ("GET", "/about", OK),
    ("GET", "/favicon.ico", OK),
    ("GET", "/consultation/{passed}", GONE),
    ("POST", "/consultation/{passed}", GONE),
    ("POST", "/account/login", LOGIN_POST),
    ("GET", "/media/photos/{photo_sha}/thumb.webp", OK),
    ("GET", "/media/photos/{photo_sha}/poster.webp", GONE),
    ("GET", "/media/photos/{document_sha}/original.webp", GONE),  # a dossier's picture is no public photo
    ("GET", "/media/photos/{document_sha}/thumb.webp", GONE),
    ("GET", "/static/css/site.css", OK),
    ("GET", "/api/v1/", FOUND),  # to the API's documentation
    ("GET", "/api/v1/docs", OK),
    ("GET", "/api/v1/openapi.json", OK),
    ("GET", "/api/v1/entries", OK),
    ("GET", "/api/v1/entries?format=csv", OK),
    ("GET", "/api/v1/entries?format=jsonl", OK),
    ("GET", "/api/v1/entries/{entry}", OK),
    ("GET", "/api/v1/entries/{draft_entry}", GONE),
    ("GET", "/api/v1/units", OK),
    ("GET", "/api/v1/units/{unit}", OK),
    ("GET", "/api/v1/topics", OK),
    ("GET", "/api/v1/award-titles", OK),
    ("GET", "/api/v1/awards", OK),
    ("GET", "/api/v1/search?q=hung", OK),
    ("GET", "/api/v1/search?q=hung&format=csv", OK),
    ("GET", "/api/v1/suggest?q=ph", OK),
    ("GET", "/feeds/entries.atom", OK),
    ("GET", "/feeds/awards.atom", OK),
    ("GET", "/feeds/search.atom?q=hung", OK),
    ("GET", "/feeds/units/{unit}.atom", OK),
    ("GET", "/feeds/topics/{topic}.atom", OK),
    ("GET", "/statistics", OK),
    ("GET", "/statistics/by-unit.csv", OK),
    ("GET", "/statistics/no-such-table.csv", GONE),
    ("GET", "/statistics/report", OK),
    ("GET", "/statistics/report.csv", OK),
    ("GET", "/sitemap.xml", OK),
    ("GET", "/sitemap-1.xml", GONE),  # one sitemap is enough for a small registry
    ("GET", "/robots.txt", OK),
    ("GET", "/verify", OK),
    ("GET", "/verify?code={award_code}", FOUND),
    ("GET", "/verify/{award_code}", OK),
    ("GET", "/verify/{award_code}/qr.svg", OK),
    ("GET", "/verify/ABCDE-FGHJK", GONE),  # a made-up code
    ("GET", "/healthz", OK),
    ("GET", "/readyz", OK),
]


def public_ids(app, ids: dict) -> dict:
    from registry.catalog.models import Topic
    from registry.entries.models import Entry
    from registry.workflow.models import Nomination
    from registry.workflow.verification import format_code

    with app.app_context():
        nomination = db.session.get(Nomination, ids["published"])
        published = nomination.entry
        draft = db.session.get(Nomination, ids["draft"]).entry
        topic = db.session.scalar(sa.select(Topic).order_by(Topic.id))
        return {**ids, "entry": published.id, "entry_slug": published.slug, "draft_entry": draft.id,
                "draft_slug": draft.slug, "unit": published.unit_id, "unit_slug": published.unit.slug,
                "topic": topic.slug, "photo_sha": draft.photos[0].sha256,
                "award_code": format_code(nomination.award.verification_code),
                "entries_count": db.session.scalar(sa.select(sa.func.count(Entry.id)))}


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
    ("GET", "/admin/sign-ins", {"admin"}),
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
    ("GET", "/admin/units/{commune}/history", {"admin"}),
    ("GET", "/admin/units/{commune}/merge", {"admin"}),
    ("POST", "/admin/units/{commune}/merge", {"admin"}),
    ("GET", "/pickers/units?q=ba+dinh", SIGNED_IN),
    ("GET", "/pickers/entries?q=nguyen", {"officer", "other_officer", "admin"}),
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
    ("GET", "/council/sessions/{session}/paper", {"admin"} | COUNCIL),
    ("GET", "/council/sessions/{session}/paper.docx", {"admin"} | COUNCIL),
    ("GET", "/council/rounds/{round}/proposal", {"admin"} | COUNCIL),
    ("GET", "/council/rounds/{round}/proposal.docx", {"admin"} | COUNCIL),
    ("POST", "/council/nominations/{accepted}/notes", COUNCIL),
    ("POST", "/council/nominations/{accepted}/conflict", {"chair", "member1"}),
    ("POST", "/council/nominations/{in_vote}/vote", {"chair", "member1"}),
    ("POST", "/council/nominations/{in_vote}/written-vote", {"secretary"}),
    ("POST", "/council/nominations/{accepted}/conflicts/decide", {"secretary"}),
    ("POST", "/council/nominations/{in_vote}/do/close_vote", {"secretary"}),
    ("GET", "/council/rounds/{round}/decisions/new", {"secretary"}),
    ("POST", "/council/rounds/{round}/decisions/new", {"secretary"}),
    ("GET", "/council/rounds/{round}/decisions/next-number", {"secretary"}),
    ("POST", "/council/rounds/{round}/decisions/register", {"secretary"}),
    ("GET", "/council/decisions/{decision}/scan", {"admin"} | COUNCIL),
    ("GET", "/council/decisions/{decision}/paper", {"admin"} | COUNCIL),
    ("GET", "/council/decisions/{decision}/paper.docx", {"admin"} | COUNCIL),
    ("POST", "/council/nominations/{decided}/do/publish", {"secretary"}),
    ("GET", "/council/nominations/{published}/revoke", {"secretary"}),
    ("POST", "/council/nominations/{published}/revoke", {"secretary"}),
    ("GET", "/consultation/", PUBLIC),
    ("GET", "/council/awards/{award}/certificate", PUBLIC),
    ("GET", "/council/awards/{award}/certificate.docx", PUBLIC),
    ("GET", "/council/honours/{commune}/{year}", PUBLIC),
    ("GET", "/council/honours/{commune}/{year}.docx", PUBLIC),
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
        from tests.support.files import jpeg_bytes
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
            "award": published.award_id, "year": date.today().year,
        }
    return world, ids


CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


# The entry editor (and the held photos it shows): the officers of the entry's unit (or above) and
# administrators; anyone else signed in gets 404, as for an entry that does not exist, and a visitor is sent to
# sign in. Placeholders are filled by tests/web/test_editor_routes.py from an entry of the officer's unit.
EDITOR_ROUTES = [
    ("GET", "/desk/entries/{entry}/edit"),
    ("POST", "/desk/entries/{entry}/edit"),
    ("GET", "/desk/entries/{entry}/photos"),
    ("POST", "/desk/entries/{entry}/photos"),
    ("POST", "/desk/entries/{entry}/photos/{photo}"),
    ("POST", "/desk/entries/{entry}/photos/{photo}/move"),
    ("POST", "/desk/entries/{entry}/photos/{photo}/cover"),
    ("POST", "/desk/entries/{entry}/photos/{photo}/remove"),
    ("POST", "/desk/entries/{entry}/photos/{photo}/bring-back"),
    ("POST", "/desk/entries/{entry}/photos/{photo}/consents"),
    ("GET", "/desk/entries/{entry}/photos/{photo}/consents/{consent}/form"),
    ("POST", "/desk/entries/{entry}/photos/{photo}/consents/{consent}/withdraw"),
    ("GET", "/desk/entries/{entry}/revisions"),
    ("GET", "/desk/entries/{entry}/revisions/{revision}"),
    ("POST", "/desk/entries/{entry}/revisions/{revision}/restore"),
    ("POST", "/desk/entries/{entry}/publish"),
    ("POST", "/desk/entries/{entry}/unpublish"),
    ("POST", "/desk/entries/{entry}/awards"),
    ("POST", "/desk/entries/{entry}/awards/{award}/delete"),
    ("POST", "/desk/entries/{entry}/replications"),
    ("POST", "/desk/entries/{entry}/replications/{replication}/delete"),
    ("GET", "/media/held/{photo}/thumb.webp"),
]
# Pages of the editor that are not about one entry: who gets them.
EDITOR_PAGES = [
    ("GET", "/desk/entries/", {"officer", "other_officer", "admin"}),
    ("GET", "/desk/entries/new", {"officer", "other_officer", "admin"}),
    ("POST", "/desk/entries/new", {"officer", "other_officer", "admin"}),
    ("GET", "/desk/entries/merge", {"admin"}),
    ("POST", "/desk/entries/merge", {"admin"}),
]
