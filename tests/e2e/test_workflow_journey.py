"""A council's round in a real browser, without JavaScript of ours: a unit's draft to a published award.

Uses the end-to-end fixtures (served app, Chromium, axe-core) of tests/e2e/conftest.py; skipped where they are absent.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

e2e = pytest.importorskip("tests.support.browser")

from tests.support.clients import PASSWORD
from tests.support.files import jpeg_bytes
from tests.support.world import make_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def world(live_app):
    return make_world(live_app, consultation_days=5)


def sign_in(browser, base_url, who):
    return e2e.sign_in(browser, base_url, who, PASSWORD)


def accessible(page, name):
    e2e.shot(page, name)
    assert not e2e.axe_violations(page), name


def test_a_round_from_draft_to_published_award(browser, base_url, live_app, world, tmp_path):
    pdf = tmp_path / "to-trinh.pdf"
    pdf.write_bytes(PDF)

    officer = sign_in(browser, base_url, "officer")
    accessible(officer, "workflow-01-desk-officer")
    officer.goto(f"{base_url}/nominations/new")
    officer.fill("#unit", f"#{world.group}")
    officer.fill("#title", "Nguyễn Văn Bình")
    officer.click("main form button[type=submit]")
    officer.fill("#summary", "Ba năm liền dẫn đầu phong trào thi đua của tổ dân phố.")
    officer.fill("#report", "Thành tích **xuất sắc**.")
    officer.fill("#letter_number", "25/TTr-UBND")
    officer.fill("#letter_date", date.today().isoformat())
    officer.fill("#letter_signer", "Trần Văn B")
    officer.click("button[name=save]")
    # Submitting too early keeps the draft and names what is missing.
    officer.click("button[name=submit_dossier]")
    e2e.shows(officer, "The dossier cannot be submitted yet")
    assert officer.locator(".error-summary li").count() >= 2  # the proposal letter and the minutes
    photo = tmp_path / "anh.jpg"
    photo.write_bytes(jpeg_bytes())
    officer.set_input_files("#ph-file", str(photo))
    officer.fill("#ph-alt", "Anh Bình dọn vệ sinh ngõ phố")
    officer.click("#photos button[type=submit]")
    e2e.shows(officer, "The photo is added.")
    assert officer.locator("#photos img[alt='Anh Bình dọn vệ sinh ngõ phố']").count() == 1
    for kind in ("proposal_letter", "minutes"):
        officer.select_option("#att-kind", kind)
        officer.set_input_files("#att-file", str(pdf))
        officer.click("#documents form[enctype] button[type=submit]")
        e2e.shows(officer, "The document is attached.")
    accessible(officer, "workflow-02-dossier")
    officer.click("button[name=submit_dossier]")
    e2e.shows(officer, "The dossier has been submitted to the council.")

    secretary = sign_in(browser, base_url, "secretary")
    secretary.click("text=Nguyễn Văn Bình")
    secretary.click("button:has-text('Accept for review')")
    secretary.goto(f"{base_url}/council/rounds/{world.round}")
    accessible(secretary, "workflow-03-round")
    secretary.fill("#held_on", date.today().isoformat())
    secretary.click("button:has-text('Schedule a session')")
    for member in ("Chair", "Member1", "Member2", "Member3"):
        secretary.check(f"label:has-text('{member}') >> xpath=preceding-sibling::input")
    secretary.click("button:has-text('Save attendance')")
    secretary.check("input[name=nominations]")
    secretary.click("button:has-text('Put on the agenda')")
    secretary.click("button:has-text('Open the votes on the agenda')")
    accessible(secretary, "workflow-04-session")

    # A member with a conflict of interest declares it and leaves the vote.
    conflicted = sign_in(browser, base_url, "member3")
    conflicted.click("text=Nguyễn Văn Bình")
    conflicted.fill("#conflict-reason", "Người được đề nghị là người thân của tôi.")
    conflicted.click("button:has-text('Declare a conflict of interest')")
    e2e.shows(conflicted, "Your conflict of interest is recorded")
    assert conflicted.locator("button:has-text('Cast my vote')").count() == 0
    conflicted.context.close()

    for who, choice in (("chair", "agree"), ("member1", "agree"), ("member2", "disagree")):
        member = sign_in(browser, base_url, who)
        member.click("text=Nguyễn Văn Bình")
        member.check(f"#choice-{choice}")
        member.click("button:has-text('Cast my vote')")
        e2e.shows(member, "Your vote is recorded.")
        member.context.close()

    secretary.goto(f"{base_url}/desk/")
    secretary.click("text=Nguyễn Văn Bình")
    secretary.click("button:has-text('Close the vote')")
    # The answer is a redirect to the dossier: read it once it has loaded, not mid-navigation.
    secretary.get_by_text(re.compile(r"\d agreed")).first.wait_for()
    # Member3 is recused, and still counts among all members: 2 of 4 is exactly the 50% threshold.
    e2e.shows(secretary, "1 recused")
    assert "Threshold: at least 50% of all members (4): 2 of 4 agreed, 50%: passed" in secretary.content()
    secretary.click("button:has-text('Open public consultation')")
    e2e.shows(secretary, "Open for comments until")

    # Anyone may comment while the consultation is open, from the public menu and without an account.
    public = browser.new_context(bypass_csp=True).new_page()
    public.goto(f"{base_url}/?lang=en")
    public.click("nav >> text=Public consultation")
    public.click("main a:has-text('Nguyễn Văn Bình')")
    public.fill("#body", "Anh Bình đã nhiều năm dọn vệ sinh ngõ phố, tôi xin xác nhận.")
    public.fill("#name", "Bà Tư")
    public.click("main form button[type=submit]")
    e2e.shows(public, "Thank you. Your comment has been sent to the council.")
    accessible(public, "workflow-05-consultation")
    public.context.close()
    secretary.reload()
    comments = secretary.locator("#comments").inner_text()
    assert "Bà Tư" in comments and "dọn vệ sinh ngõ phố" in comments
    assert secretary.locator("a:has-text('Record the decision')").count() == 0  # not before the period ends

    # Five working days later the consultation is over and the decision can be recorded.
    from registry.extensions import db
    from registry.workflow.models import Nomination

    with live_app.app_context():
        nomination = db.session.scalars(db.select(Nomination).order_by(Nomination.id.desc())).first()
        nomination.consultation_until = date.today() - timedelta(days=1)
        db.session.commit()
    secretary.reload()
    secretary.click("a:has-text('Record the decision')")
    accessible(secretary, "workflow-06-decision")
    secretary.fill("#number", "4512")
    secretary.fill("#signer", "Lê Văn C")
    secretary.fill("#signer_position", "Chủ tịch UBND phường")
    secretary.click("main form button[type=submit]")
    secretary.click("text=Nguyễn Văn Bình")
    secretary.click("button:has-text('Publish the award')")
    accessible(secretary, "workflow-07-published")
    secretary.click("a[href*='/entries/']")
    e2e.shows(secretary, "4512/QĐ-UBND")
    assert "Nguyễn Văn Bình" in secretary.content()
    accessible(secretary, "workflow-08-public-entry")

    # The citizen finds the new award in the Atom feed.
    citizen = browser.new_context(bypass_csp=True).new_page()
    feed = citizen.request.get(f"{base_url}/feeds/awards.atom")
    assert feed.ok and "Nguyễn Văn Bình" in feed.text() and "4512/QĐ-UBND" in feed.text()
    citizen.context.close()
