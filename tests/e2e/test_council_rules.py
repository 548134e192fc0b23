"""A commune council of five in a real browser: narrow conflicts, every number in the result, awards anyone verifies.

The chair's and the Front chairman's own unit is the commune the council serves: that is no conflict. Only the
member who heads the nominated collective is proposed, and the secretary recuses them. A 2-of-5 vote does not pass
"more than 50% of all members"; a 3-of-5 one does, is decided, published, verified valid, then revoked.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

e2e = pytest.importorskip("tests.support.browser")

from registry.accounts.models import Role  # noqa: E402
from registry.accounts.operations import user_add_role, user_create  # noqa: E402
from registry.catalog.models import AwardLevel, AwardTitle, Unit, UnitKind  # noqa: E402
from registry.entries.models import EntryKind  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.workflow.actions import nomination_transition  # noqa: E402
from registry.workflow.dossiers import nomination_create  # noqa: E402
from registry.workflow.models import BallotKind, Council, Denominator, Round  # noqa: E402
from tests.support.clients import PASSWORD  # noqa: E402
from tests.support.world import submit_complete  # noqa: E402

PEOPLE = {  # key: (name, role, unit)
    "cr_chair": ("Lê Văn Chủ Tịch", Role.CHAIR, "commune"),
    "cr_front": ("Trần Thị Mặt Trận", Role.MEMBER, "commune"),
    "cr_head": ("Phạm Văn Tổ Trưởng", Role.MEMBER, "group"),
    "cr_police": ("Đỗ Văn Công An", Role.MEMBER, None),
    "cr_school": ("Ngô Thị Hiệu Trưởng", Role.MEMBER, None),
    "cr_secretary": ("Vũ Thị Thư Ký", Role.SECRETARY, "commune"),
}


@pytest.fixture(scope="module")
def commune(live_app):
    """A commune council of five, its secretary, and two collectives' dossiers of one residential group, accepted."""
    with live_app.test_request_context("/?lang=en"):
        province = Unit(name="Tỉnh Bắc Ninh", slug="cr-bac-ninh", kind=UnitKind.ADMINISTRATIVE)
        commune = Unit(name="Xã Tiên Du", slug="cr-tien-du", kind=UnitKind.ADMINISTRATIVE, parent=province)
        group = Unit(name="Thôn Đông", slug="cr-thon-dong", kind=UnitKind.RESIDENTIAL_GROUP, parent=commune)
        db.session.add_all([province, commune, group])
        db.session.flush()
        council = Council(name="Hội đồng TĐKT xã Tiên Du", unit_id=commune.id)
        db.session.add(council)
        db.session.flush()
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Tập thể lao động tiên tiến"))
        today = date.today()
        round_ = Round(name="Đợt xét tập thể", title_id=title.id, level=AwardLevel.COMMUNE, council_id=council.id,
                       year=today.year, opens_on=today, closes_on=today, ballot=BallotKind.SECRET,
                       threshold_percent=Decimal("50"), threshold_exclusive=True,
                       denominator=Denominator.ALL_MEMBERS, quorum_percent=Decimal("50"))
        db.session.add(round_)
        units = {"commune": commune.id, "group": group.id, None: None}
        ids = {}
        for key, (name, role, unit) in PEOPLE.items():
            user = user_create(email=f"{key}@example.org", name=name, password=PASSWORD, unit_id=units[unit])
            user_add_role(user, role, council_id=council.id)
            ids[key] = user.id
        officer = user_create(email="cr_officer@example.org", name="Cán bộ thôn", password=PASSWORD)
        user_add_role(officer, Role.UNIT_OFFICER, unit_id=group.id)
        from registry.accounts.models import User

        secretary = db.session.get(User, ids["cr_secretary"])
        nominations = {}
        for key, name in (("passes", "Thôn Đông — tập thể"), ("fails", "Chi hội phụ nữ thôn Đông")):
            nomination = nomination_create(round_=round_, unit=group, actor=officer, kind=EntryKind.COLLECTIVE,
                                           title=name)
            submit_complete(nomination, actor=officer, fields={"summary": "Dẫn đầu phong trào."})
            nomination_transition(nomination, "accept", actor=secretary)
            nominations[key] = nomination.id
        db.session.commit()
        return {"round": round_.id, "users": ids, "nominations": nominations}


def sign_in(browser, base_url, who):
    return e2e.sign_in(browser, base_url, who, PASSWORD)


def test_a_commune_council_votes_decides_and_anyone_verifies(browser, base_url, live_app, commune):
    passes, fails = commune["nominations"]["passes"], commune["nominations"]["fails"]
    secretary = sign_in(browser, base_url, "cr_secretary")
    secretary.goto(f"{base_url}/council/rounds/{commune['round']}?lang=en")
    secretary.fill("#held_on", date.today().isoformat())
    secretary.click("button:has-text('Schedule a session')")
    for key in ("cr_chair", "cr_front", "cr_head", "cr_police", "cr_school"):
        secretary.check(f"input[name=present][value='{commune['users'][key]}']")
    secretary.click("button:has-text('Save attendance')")
    for nid in (passes, fails):
        secretary.check(f"input[name=nominations][value='{nid}']")
    secretary.click("button:has-text('Put on the agenda')")

    # Only the head of the nominated collective is proposed; the commune's chair and Front chairman are not.
    for nid in (passes, fails):
        secretary.goto(f"{base_url}/nominations/{nid}?lang=en")
        proposed = secretary.locator("#proposed-conflicts").inner_text()
        assert "Phạm Văn Tổ Trưởng" in proposed
        assert "Lê Văn Chủ Tịch" not in proposed and "Trần Thị Mặt Trận" not in proposed
        assert "Đỗ Văn Công An" not in proposed and "Ngô Thị Hiệu Trưởng" not in proposed
        secretary.check(f"#recuse-yes-{commune['users']['cr_head']}")
        secretary.click("button:has-text('Record the decision on this conflict')")
        e2e.shows(secretary, "Phạm Văn Tổ Trưởng is recused from this vote")
        assert secretary.locator("#proposed-conflicts").count() == 0
    secretary.click("text=Session")
    secretary.click("button:has-text('Open the votes on the agenda')")
    e2e.shows(secretary, "Votes opened: 2.")

    votes = {"cr_chair": ("agree", "agree"), "cr_front": ("agree", "agree"),
             "cr_police": ("agree", "disagree"), "cr_school": ("disagree", "abstain")}
    for who, (on_passes, on_fails) in votes.items():
        member = sign_in(browser, base_url, who)
        for nid, choice in ((passes, on_passes), (fails, on_fails)):
            member.goto(f"{base_url}/nominations/{nid}?lang=en")
            assert "You are recused" not in member.content()
            member.check(f"#choice-{choice}")
            member.click("button:has-text('Cast my vote')")
            e2e.shows(member, "Your vote is recorded.")
        member.context.close()
    head = sign_in(browser, base_url, "cr_head")
    head.goto(f"{base_url}/nominations/{passes}?lang=en")
    assert head.locator("button:has-text('Cast my vote')").count() == 0 and "You are recused" in head.content()
    head.context.close()

    secretary.goto(f"{base_url}/nominations/{fails}?lang=en")
    secretary.click("button:has-text('Close the vote')")
    secretary.locator(".vote-result").wait_for()
    assert secretary.locator(".vote-result").inner_text() == (
        "Council of 5 members: 5 present, 1 recused, 0 written votes; agree 2, disagree 1, abstain 1. "
        "Threshold: more than 50% of all members (5): 2 of 5 agreed, 40%: not passed")
    secretary.goto(f"{base_url}/nominations/{passes}?lang=en")
    secretary.click("button:has-text('Close the vote')")
    secretary.locator(".vote-result").wait_for()
    assert "3 of 5 agreed, 60%: passed" in secretary.locator(".vote-result").inner_text()

    # Decided (the number the register proposes), published, and verifiable by anyone.
    secretary.goto(f"{base_url}/council/rounds/{commune['round']}/decisions/new?lang=en")
    assert secretary.input_value("#number") == "1"
    secretary.fill("#number", "215")
    secretary.fill("#signer", "Lê Văn Chủ Tịch")
    secretary.fill("#signer_position", "Chủ tịch UBND xã")
    secretary.click("main form button:has-text('Record the decision')")
    secretary.goto(f"{base_url}/nominations/{passes}?lang=en")
    secretary.click("button:has-text('Publish the award')")
    e2e.shot(secretary, "council-rules-01-published")

    citizen = browser.new_context(bypass_csp=True).new_page()
    citizen.goto(f"{base_url}/verify?lang=en")
    citizen.fill("#code", "ABCDE-FGHJK")
    citizen.click("main form button[type=submit]")
    e2e.shows(citizen, "No award has this code")
    secretary.click("a[href*='/entries/']")
    record = secretary.locator(".decision-record").inner_text()
    assert "215/QĐ-UBND" in record and "agree 3, disagree 1, abstain 0" in record and "0 comments received" in record
    assert "Lê Văn Chủ Tịch" in record  # the signer; never a voter's name
    assert "Đỗ Văn Công An" not in record and "Ngô Thị Hiệu Trưởng" not in record
    code = secretary.locator(".decision-record code").first.inner_text()
    citizen.goto(f"{base_url}/verify?lang=en")
    citizen.fill("#code", code.lower().replace("-", " "))
    citizen.click("main form button[type=submit]")
    e2e.shows(citizen, "VALID")
    assert "Thôn Đông — tập thể" in citizen.content()
    assert "215/QĐ-UBND" in citizen.content()
    # The QR code arrives after the text: wait for it to be drawn (a broken image never is, and fails here).
    citizen.locator("img[src$='/qr.svg']").wait_for()
    citizen.wait_for_function("() => { const img = document.querySelector(\"img[src$='/qr.svg']\");"
                              " return img.complete && img.naturalWidth > 0; }", timeout=30_000)
    e2e.shot(citizen, "council-rules-02-verified")
    assert not e2e.axe_violations(citizen)

    secretary.goto(f"{base_url}/council/nominations/{passes}/revoke?lang=en")
    secretary.fill("#decision", "301/QĐ-UBND")
    secretary.fill("#revoked_on", date.today().isoformat())
    secretary.fill("#reason", "Kê khai thành tích không đúng sự thật.")
    secretary.click("main form button[type=submit]")
    citizen.reload()
    assert "REVOKED" in citizen.content() and "VALID" not in citizen.content()
    assert "301/QĐ-UBND" in citizen.content() and "Kê khai thành tích không đúng sự thật." in citizen.content()
    e2e.shot(citizen, "council-rules-03-revoked")
    citizen.context.close()
