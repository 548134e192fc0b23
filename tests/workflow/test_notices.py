"""Notices: in the app for those concerned, by e-mail when SMTP is configured; dashboards show the work."""
from __future__ import annotations

import smtplib

from registry.extensions import db
from registry.workflow.actions import nomination_transition
from tests.support.clients import client_for, post
from tests.support.mail import FakeSMTP
from tests.support.world import complete_nomination, make_world, users


def test_in_app_notices_and_unread_count(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = complete_nomination(world)
        db.session.commit()
        nid = nomination.id
    secretary = client_for(app, world, "secretary")
    html = secretary.get("/account/notices").get_data(as_text=True)
    assert "A nomination was submitted to the council." in html and "Phạm Văn Hùng" in html
    assert "new notices" in secretary.get("/desk/").get_data(as_text=True)
    post(secretary, "/account/notices/read")
    assert "new notices" not in secretary.get("/desk/").get_data(as_text=True)
    # The officer who acted gets no notice of their own move; the secretary's answer reaches them.
    officer = client_for(app, world, "officer")
    assert "submitted to the council" not in officer.get("/account/notices").get_data(as_text=True)
    post(secretary, f"/council/nominations/{nid}/do/return", {"comment": "Thiếu số liệu."})
    assert "returned to the unit for changes" in officer.get("/account/notices").get_data(as_text=True)


def test_mail_goes_out_after_commit_only_when_smtp_is_configured(app, monkeypatch):
    world = make_world(app)
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    with app.test_request_context("/?lang=en"):
        complete_nomination(world, title="Không cấu hình")
        db.session.commit()
    assert FakeSMTP.sent == []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    with app.test_request_context("/?lang=en"):
        nomination = complete_nomination(world, title="Có cấu hình")
        db.session.rollback()  # a step that is rolled back sends nothing
    assert FakeSMTP.sent == []
    with app.test_request_context("/?lang=en"):
        nomination = complete_nomination(world, title="Có cấu hình")
        db.session.commit()
        nid = nomination.id
    assert [to for to, _, _ in FakeSMTP.sent] == ["secretary@example.org"]
    assert f"/nominations/{nid}" in FakeSMTP.sent[0][2]


def test_desks_show_each_role_its_work(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = complete_nomination(world, title="Chờ thư ký")
        secretary, = users(world, "secretary")
        db.session.commit()
        nid = nomination.id
    html = client_for(app, world, "secretary").get("/desk/").get_data(as_text=True)
    assert "Dossiers awaiting the secretary's action" in html and "Chờ thư ký" in html
    assert "0 / 10" in html  # the processing clock: working days used of the target
    html = client_for(app, world, "officer").get("/desk/").get_data(as_text=True)
    assert "Submitted" in html and "nominations close on" in html
    with app.test_request_context("/?lang=en"):
        from registry.workflow.models import Nomination

        nomination_transition(db.session.get(Nomination, nid), "accept", actor=users(world, "secretary")[0])
        db.session.commit()
    html = client_for(app, world, "member1").get("/desk/").get_data(as_text=True)
    assert "Dossiers awaiting my review" in html and "Chờ thư ký" in html


def test_working_pages_render_in_vietnamese(app):
    from registry.workflow import ballots
    from registry.workflow.models import VoteChoice
    from tests.support.world import nomination_in_vote

    world = make_world(app)
    with app.test_request_context("/?lang=vi"):
        nomination = nomination_in_vote(world)
        for key in ("chair", "member1", "member2"):
            ballots.vote_cast(nomination, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_close(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
        nid, sid = nomination.id, nomination.session_id
    secretary = client_for(app, world, "secretary")
    secretary.set_cookie("lang", "vi")
    for url in ("/desk/", f"/nominations/{nid}", f"/council/sessions/{sid}", f"/council/sessions/{sid}/minutes",
                f"/council/rounds/{world.round}", "/account/notices", "/consultation/"):
        response = secretary.get(url)
        assert response.status_code == 200, url
        assert '<html lang="vi">' in response.get_data(as_text=True)
    html = secretary.get(f"/nominations/{nid}").get_data(as_text=True)
    assert "75%" in html
