"""Awards anyone can verify: a random code, a public page that says valid or revoked, a QR code, the decision record."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from registry.entries.models import VERIFICATION_ALPHABET, Award, new_verification_code
from registry.extensions import db
from registry.workflow.decisions import award_revoke
from registry.workflow.models import Nomination
from registry.workflow.verification import (
    award_by_code,
    award_qr_svg,
    format_code,
    normalise_code,
    verification_url,
)
from tests.support.clients import client_for
from tests.support.world import carry_to_publication, complete_nomination, make_world, users


def published(app, world) -> tuple[int, str]:
    with app.test_request_context("/?lang=en"):
        nomination = complete_nomination(world, title="Nguyễn Thị Mai")
        carry_to_publication(world, nomination, number=41)
        db.session.commit()
        return nomination.award_id, nomination.award.verification_code


def test_codes_are_random_short_unambiguous_and_unique(app):
    codes = {new_verification_code() for _i in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 10 and set(c) <= set(VERIFICATION_ALPHABET) for c in codes)
    assert not set("01ILO") & set(VERIFICATION_ALPHABET)
    assert format_code("ABCDEFGHJK") == "ABCDE-FGHJK"
    # What people type: lower case, spaces, dashes, an O for a 0 or an I for a 1 (neither is in the alphabet).
    assert normalise_code(" abcde fghjk ") == "ABCDEFGHJK"
    assert normalise_code("abcde-fghj") is None and normalise_code("") is None and normalise_code(None) is None


def test_every_published_award_has_its_own_code_and_verifies(app):
    world = make_world(app)
    award_id, code = published(app, world)
    with app.test_request_context("/?lang=en"):
        award = db.session.get(Award, award_id)
        assert award_by_code(code.lower()) is award
        url = verification_url(award)
        assert url.endswith(f"/verify/{format_code(code)}")
        svg = award_qr_svg(award)
        assert svg.startswith("<svg") and "<path" in svg and format_code(code) in svg
    client = client_for(app, None, None)
    page = client.get(f"/verify/{format_code(code)}?lang=en").get_data(as_text=True)
    assert "VALID" in page and "Nguyễn Thị Mai" in page and "Grassroots Emulation Fighter" in page
    assert "41/QĐ-UBND" in page and "Council vote" in page and "0 comments received" in page
    assert "0987654321" not in page  # the nominee's private phone never shows
    # A typed code, however written, leads to the page of its award.
    r = client.get(f"/verify?code={code.lower()[:5]}+{code.lower()[5:]}")
    assert r.status_code == 302
    r = client.get(r.headers["Location"])
    assert r.status_code in (200, 301)
    qr = client.get(f"/verify/{format_code(code)}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"


def test_a_revoked_award_says_so_with_its_decision_and_reason(app):
    world = make_world(app)
    award_id, code = published(app, world)
    with app.test_request_context("/?lang=en"):
        nomination = db.session.scalar(sa.select(Nomination).where(Nomination.award_id == award_id))
        award_revoke(nomination, actor=users(world, "secretary")[0], decision_reference="77/QĐ-UBND",
                     revoked_on=date.today(), reason="Kê khai thành tích không đúng.")
        db.session.commit()
    page = client_for(app, None, None).get(f"/verify/{format_code(code)}?lang=en").get_data(as_text=True)
    assert "REVOKED" in page and "VALID" not in page
    assert "77/QĐ-UBND" in page and "Kê khai thành tích không đúng." in page


def test_a_made_up_code_is_told_plainly_in_vietnamese_and_guesses_are_limited(app):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    world = make_world(app)
    _award_id, code = published(app, world)
    client = client_for(app, None, None)
    r = client.get("/verify/ABCDE-FGHJK?lang=vi")
    assert r.status_code == 404
    assert "Không có danh hiệu, hình thức khen thưởng nào mang mã này" in r.get_data(as_text=True)
    assert client.get("/verify/not-a-code").status_code == 404
    # A real code is never slowed down by the limit on guesses...
    for _i in range(3):
        assert client.get(f"/verify/{format_code(code)}").status_code == 200
    assert client.get("/verify/ABCDE-FGHJM").status_code == 404
    # ... but the fourth wrong guess in a minute is refused.
    assert client.get("/verify/ABCDE-FGHJN").status_code == 429


def test_the_entry_page_api_feed_and_json_ld_carry_the_decision_record(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = complete_nomination(world, title="Nguyễn Thị Mai")
        carry_to_publication(world, nomination, number=41)
        db.session.commit()
        entry_id, code = nomination.entry_id, format_code(nomination.award.verification_code)
    client = client_for(app, None, None)
    api = client.get(f"/api/v1/entries/{entry_id}").get_json()
    award = api["awards"][0] if "awards" in api else api["data"]["awards"][0]
    assert award["verification_code"] == code and award["verification_url"].endswith(f"/verify/{code}")
    vote = award["decision_record"]["vote"]
    assert (vote["members"], vote["agree"], vote["passed"]) == (4, 4, True)
    assert award["decision_record"]["ballot"] == "secret" and award["decision_record"]["consultation_comments"] == 0
    assert not re.search(r"Chair|Member\d", str(award["decision_record"]))
    page = client.get(api.get("url") or f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "Decision record" in page and code in page and "agree 4" in page
    assert '"Certification"' in page and code in page
    feed = client.get("/feeds/awards.atom").get_data(as_text=True)
    assert f"/verify/{code}" in feed and "agree 4" in feed
