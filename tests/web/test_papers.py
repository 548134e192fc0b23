"""The papers' pages: print pages on A4, Word downloads, and who may get them."""
from __future__ import annotations

import io
import re

from docx import Document

from registry.extensions import db
from registry.workflow.models import Council
from tests.support.clients import client_for
from tests.support.world import decide, make_world, passed_nomination


def decided_world(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world, title="Nguyễn Văn An")
        decision = decide(world, [nomination], number=7)
        db.session.commit()
        return world, {"decision": decision.id, "session": nomination.session_id, "round": world.round}


def test_the_decision_page_prints_on_a4_and_offers_the_word_file(app):
    world, ids = decided_world(app)
    client = client_for(app, world, "member1")
    page = client.get(f"/council/decisions/{ids['decision']}/paper")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Số: 7/QĐ-UBND" in html
    css_url = re.search(r'<link rel="stylesheet" href="([^"]+papers\.css)"', html).group(1)
    css = client.get(css_url).get_data(as_text=True)
    assert re.search(r"@page\s*\{\s*size:\s*A4\s*;", css)
    assert f'href="/council/decisions/{ids["decision"]}/paper.docx"' in html
    word = client.get(f"/council/decisions/{ids['decision']}/paper.docx")
    assert word.status_code == 200
    assert word.headers["Content-Disposition"].startswith("attachment;")
    text = "\n".join(p.text for p in Document(io.BytesIO(word.data)).paragraphs)
    assert "QUYẾT ĐỊNH" in text


def test_council_papers_are_refused_to_visitors_and_other_councils(app):
    world, ids = decided_world(app)
    with app.app_context():
        other = Council(name="Hội đồng TĐKT phường Hoàn Kiếm", unit_id=world.other_commune)
        db.session.add(other)
        db.session.flush()
        from registry.accounts.models import Role
        from registry.accounts.operations import user_add_role, user_create
        from tests.support.clients import PASSWORD

        stranger = user_create(email="stranger@example.org", name="Người lạ", password=PASSWORD)
        user_add_role(stranger, Role.MEMBER, council_id=other.id)
        db.session.commit()
        world.users["stranger"] = stranger.id
    urls = [f"/council/decisions/{ids['decision']}/paper", f"/council/decisions/{ids['decision']}/paper.docx",
            f"/council/sessions/{ids['session']}/paper", f"/council/sessions/{ids['session']}/paper.docx",
            f"/council/rounds/{ids['round']}/proposal", f"/council/rounds/{ids['round']}/proposal.docx"]
    member = client_for(app, world, "member1")
    for url in urls:
        assert member.get(url).status_code == 200, url
    anonymous = client_for(app, world, None)
    for url in urls:
        assert anonymous.get(url).status_code in (302, 401), url
    stranger = client_for(app, world, "stranger")
    for url in urls:
        assert stranger.get(url).status_code == 403, url


def test_anyone_may_print_the_certificate_of_a_published_award_but_not_of_a_revoked_one(app):
    from datetime import date

    from registry.workflow.decisions import award_revoke, nomination_publish
    from tests.support.world import users

    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world, title="Nguyễn Văn An")
        decide(world, [nomination], number=3)
        award = nomination_publish(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
        award_id, nomination_id = award.id, nomination.id
    citizen = client_for(app, world, None)
    page = citizen.get(f"/council/awards/{award_id}/certificate")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Số: 3/QĐ-UBND" in html and "0987654321" not in html
    assert citizen.get(f"/council/awards/{award_id}/certificate.docx").status_code == 200
    with app.test_request_context("/?lang=en"):
        from registry.workflow.models import Nomination

        award_revoke(db.session.get(Nomination, nomination_id), actor=users(world, "secretary")[0],
                     decision_reference="9/QĐ-UBND", revoked_on=date.today(), reason="Khai man thành tích.")
        db.session.commit()
    assert citizen.get(f"/council/awards/{award_id}/certificate").status_code == 404
    assert citizen.get(f"/council/awards/{award_id}/certificate.docx").status_code == 404


def test_anyone_may_print_a_units_honours_book(app):
    from datetime import date

    from registry.workflow.decisions import nomination_publish
    from tests.support.world import users

    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        nomination = passed_nomination(world, title="Nguyễn Văn An")
        decide(world, [nomination], number=3)
        nomination_publish(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
    citizen = client_for(app, world, None)
    year = date.today().year
    page = citizen.get(f"/council/honours/{world.commune}/{year}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"SỔ VÀNG NĂM {year}" in html and "Nguyễn Văn An" in html and "0987654321" not in html
    word = citizen.get(f"/council/honours/{world.commune}/{year}.docx")
    assert word.status_code == 200 and word.headers["Content-Disposition"].startswith("attachment;")
    assert "Nguyễn Văn An" not in citizen.get(f"/council/honours/{world.other_commune}/{year}").get_data(as_text=True)
    assert citizen.get(f"/council/honours/999999/{year}").status_code == 404


def test_the_print_and_word_links_lead_to_the_print_page(app):
    world, ids = decided_world(app)
    client = client_for(app, world, "member1")
    round_page = client.get(f"/council/rounds/{ids['round']}").get_data(as_text=True)
    session_page = client.get(f"/council/sessions/{ids['session']}").get_data(as_text=True)
    # The "(print, Word)" links open the print page, which offers the Word file; none downloads it at once.
    assert f'href="/council/rounds/{ids["round"]}/proposal"' in round_page
    assert f'href="/council/decisions/{ids["decision"]}/paper"' in round_page
    assert f'href="/council/sessions/{ids["session"]}/paper"' in session_page
    assert ".docx" not in round_page + session_page
