"""Public consultation in working days, comments and their guards; decision numbers; publication; revocation."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from registry.catalog.models import Unit
from registry.entries.models import Award
from registry.extensions import db
from registry.workflow.actions import WorkflowError
from registry.workflow.consultation import consultation_open
from registry.workflow.decisions import decision_record, decision_series, next_decision_number, nomination_publish
from registry.accounts.models import Notification
from registry.workflow.models import (
    ConsultationComment,
    Holiday,
    Nomination,
    NominationState,
    NumberingStyle,
)
from tests.support.clients import client_for, post
from tests.support.world import make_world, passed_nomination, users


def test_consultation_closes_after_working_days_skipping_holidays(app):
    world = make_world(app, consultation_days=10)
    with app.test_request_context("/?lang=en"):
        db.session.add(Holiday(day=date(2026, 4, 30), name="Giải phóng miền Nam"))
        app.config["HOLIDAYS"] = ["2026-05-01"]
        nomination = passed_nomination(world)
        until = consultation_open(nomination, actor=users(world, "secretary")[0], today=date(2026, 4, 24))
        # Fri 24 April + 10 working days, without the weekends, Mon 27 April (the Hùng Kings' day fell on a
        # Sunday: a day off by law, preloaded), 30 April and 1 May.
        assert until == date(2026, 5, 13)
        assert nomination.state == NominationState.IN_CONSULTATION


def test_public_comments_reach_the_council_with_spam_and_flood_guards(app):
    world = make_world(app, consultation_days=5)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world)
        consultation_open(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
        nid = nomination.id
    citizen = client_for(app, None, None)
    listing = citizen.get("/consultation/").get_data(as_text=True)
    assert "Phạm Văn Hùng" in listing
    page = citizen.get(f"/consultation/{nid}").get_data(as_text=True)
    assert "Cứu người đuối nước." in page and "0987654321" not in page  # private phone never public
    r = post(citizen, f"/consultation/{nid}", {"body": "Tôi xác nhận anh Hùng đã cứu cháu tôi.", "name": "Bà Năm"},
             token_from=f"/consultation/{nid}")
    assert r.status_code == 302
    post(citizen, f"/consultation/{nid}", {"body": "Mua thuốc giá rẻ", "website": "http://spam.example"},
         token_from=f"/consultation/{nid}")
    r = post(citizen, f"/consultation/{nid}", {"body": "  "}, token_from=f"/consultation/{nid}")
    assert r.status_code == 422 and "This field is required." in r.get_data(as_text=True)
    with app.app_context():
        bodies = list(db.session.scalars(sa.select(ConsultationComment.body)))
        assert bodies == ["Tôi xác nhận anh Hùng đã cứu cháu tôi."]
        notified = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.action == "comment")))
        assert world.users["secretary"] in notified and world.users["officer"] not in notified
    html = client_for(app, world, "member1").get(f"/nominations/{nid}").get_data(as_text=True)
    assert "Tôi xác nhận anh Hùng đã cứu cháu tôi." in html and "Bà Năm" in html
    # Floods: the comment form is throttled per address.
    app.config["COMMENT_RATE_LIMIT"] = "2 per minute"
    flood = client_for(app, None, None)
    codes = [post(flood, f"/consultation/{nid}", {"body": f"bình luận {i}"}, token_from=f"/consultation/{nid}").status_code
             for i in range(3)]
    assert codes[-1] == 429


def test_closed_consultation_refuses_comments_and_opens_the_decision(app):
    world = make_world(app, consultation_days=2)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world)
        secretary, = users(world, "secretary")
        consultation_open(nomination, actor=secretary, today=date.today() - timedelta(days=10))
        from registry.workflow.consultation import comment_add
        from registry.workflow.decisions import ready_for_decision

        with pytest.raises(WorkflowError, match="closed"):
            comment_add(nomination, name="", contact="", body="trễ")
        assert ready_for_decision(nomination)


def test_council_may_send_a_nomination_in_consultation_back_to_review(app):
    world = make_world(app, consultation_days=5)
    with app.app_context():
        nomination = passed_nomination(world)
        consultation_open(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
        nid = nomination.id
    secretary = client_for(app, world, "secretary")
    post(secretary, f"/council/nominations/{nid}/do/back_to_review", {"comment": "Có phản ánh cần xác minh."})
    with app.app_context():
        assert db.session.get(Nomination, nid).state == NominationState.ACCEPTED
    assert client_for(app, None, None).get(f"/consultation/{nid}").status_code == 404


@pytest.mark.parametrize("style, term, symbol, reference", [
    (NumberingStyle.STATE, None, "QĐ-UBND", "4512/QĐ-UBND"),
    (NumberingStyle.PARTY, "2020-2025", "QĐ/QU", "4512-QĐ/QU"),
])
def test_decision_numbers_are_unique_per_series_and_the_next_is_proposed(app, style, term, symbol, reference):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        issuer = db.session.get(Unit, world.commune)
        first, second = passed_nomination(world), passed_nomination(world, title="Hoàng Thị Thu")
        secretary, = users(world, "secretary")
        common = dict(round_=first.round, issuer=issuer, style=style, symbol=symbol, signed_on=date(2026, 5, 4),
                      signer="Lê Văn C", signer_position="Chủ tịch", legal_basis="", term=term, actor=secretary)
        decision = decision_record(number=4512, nominations=[first], **common)
        assert decision.reference == reference
        series = decision_series(style, signed_on=date(2026, 5, 4), term=term, symbol=symbol)
        assert next_decision_number(issuer.id, style, series) == 4513
        with pytest.raises(WorkflowError, match="already used.*4513"):
            decision_record(number=4512, nominations=[second], **common)
        if style == NumberingStyle.STATE:
            # A new year starts a new series.
            again = decision_record(number=4512, nominations=[second], **{**common, "signed_on": date(2027, 1, 5)})
            assert again.reference == "4512/QĐ-UBND"
        else:
            with pytest.raises(WorkflowError, match="term"):
                decision_record(number=1, nominations=[second], **{**common, "term": ""})


def test_a_decision_needs_a_finished_consultation(app):
    world = make_world(app, consultation_days=5)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world)
        secretary, = users(world, "secretary")
        common = dict(round_=nomination.round, issuer=db.session.get(Unit, world.commune), style=NumberingStyle.STATE,
                      number=1, symbol="QĐ-UBND", signed_on=date.today(), signer="A", signer_position="B",
                      legal_basis="", term=None, actor=secretary)
        with pytest.raises(WorkflowError, match="not ready"):
            decision_record(nominations=[nomination], **common)
        consultation_open(nomination, actor=secretary)
        with pytest.raises(WorkflowError, match="not ready"):
            decision_record(nominations=[nomination], **common)


def test_publishing_an_existing_published_entry_adds_the_award(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world)
        secretary, = users(world, "secretary")
        decision_record(round_=nomination.round, issuer=db.session.get(Unit, world.commune), style=NumberingStyle.STATE,
                        number=7, symbol="QĐ-UBND", signed_on=date.today(), signer="A", signer_position="B",
                        legal_basis="", term=None, actor=secretary, nominations=[nomination])
        award = nomination_publish(nomination, actor=secretary)
        db.session.commit()
        assert award.title_id == nomination.round.title_id and award.level == nomination.round.level
        assert nomination.entry.is_published and nomination.award_id == award.id
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1


def test_processing_clock_counts_working_days_against_the_rounds_target(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        from registry.workflow.decisions import processing_clock
        from tests.support.world import complete_nomination

        nomination = complete_nomination(world)
        nomination.submitted_on = date(2026, 3, 6)  # a Friday
        nomination.round.processing_days = 5
        assert processing_clock(nomination, today=date(2026, 3, 13)) == (5, 5)
        db.session.add(Holiday(day=date(2026, 3, 10), name="ngày nghỉ"))
        db.session.flush()
        assert processing_clock(nomination, today=date(2026, 3, 13)) == (4, 5)
        from registry.workflow.actions import nomination_transition

        nomination_transition(nomination, "withdraw", actor=users(world, "officer")[0], comment="Rút")
        assert processing_clock(nomination, today=date(2026, 3, 13)) is None


def test_decision_form_puts_a_used_number_error_on_the_number_field(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        first, second = passed_nomination(world), passed_nomination(world, title="Hoàng Thị Thu")
        decision_record(round_=first.round, issuer=db.session.get(Unit, world.commune), style=NumberingStyle.STATE,
                        number=5, symbol="QĐ-UBND", signed_on=date.today(), signer="A", signer_position="B",
                        legal_basis="", term=None, actor=users(world, "secretary")[0], nominations=[first])
        db.session.commit()
        sid = second.id
    secretary = client_for(app, world, "secretary")
    form = secretary.get(f"/council/rounds/{world.round}/decisions/new").get_data(as_text=True)
    assert 'value="6"' in form  # the next free number is proposed
    r = post(secretary, f"/council/rounds/{world.round}/decisions/new", {
        "nominations": [sid], "issuer": f"#{world.commune}", "style": "state", "number": "5", "symbol": "QĐ-UBND",
        "signed_on": date.today().isoformat(), "signer": "A", "signer_position": "B"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="number-error"' in html and "The next free number is 6." in html
