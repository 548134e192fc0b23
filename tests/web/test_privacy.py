"""Private fields never leave: markers planted in phone, address, ID number, a commenter's contact and a secret
vote are looked for in every public page, API answer (JSON, CSV, JSON Lines), feed, sitemap, statistics file,
search result and log line."""
from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import sqlalchemy as sa

from registry.accounts.models import User
from registry.catalog.models import Topic, Unit
from registry.extensions import db
from registry.workflow import ballots
from registry.workflow.consultation import comment_add, consultation_open
from registry.workflow.decisions import decision_record, nomination_publish
from registry.workflow.documents import store_document
from registry.workflow.models import NumberingStyle, Round, VoteChoice
from tests.support.clients import client_for, post
from registry.workflow.verification import format_code
from tests.support.routes import PUBLIC_ROUTES
from tests.support.world import make_world, nomination_in_vote, users

PHONE, ADDRESS, ID_NUMBER = "PRIVPHONE-55501", "PRIVADDR-Ngõ-Kín-9", "PRIVIDNO-0790123"
CONTACT, VOTER = "PRIVCONTACT-7781@mail.example", "PRIVVOTER-Ngô-4412"
MARKERS = (PHONE, ADDRESS, ID_NUMBER, CONTACT, VOTER)
# What a search for each marker types: its distinctive tail, so a leak would show the whole marker in a result.
TAILS = ("55501", "Ngõ Kín", "0790123", "7781", "Ngô 4412")
STATISTICS = ("entries-by-year", "awards-by-year", "by-unit", "by-topic", "by-title")


def plant(app):
    """A published award whose subject has private fields, and a proposal in consultation with a comment."""
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        member1, secretary = users(world, "member1", "secretary")
        member1.name = VOTER
        published = nomination_in_vote(world, title="Phạm Thị Công Khai")
        entry = published.entry
        entry.private_phone, entry.private_address, entry.private_id_number = PHONE, ADDRESS, ID_NUMBER
        entry.summary = "Cứu người đuối nước ở sông Hồng."
        db.session.commit()
        published_id = published.id
    # The marked member votes through the web page, so the request is logged like any other.
    member = client_for(app, world, "member1")
    assert post(member, f"/council/nominations/{published_id}/vote", {"choice": "disagree"}).status_code == 302
    with app.test_request_context("/?lang=en"):
        from registry.workflow.models import Nomination

        published = db.session.get(Nomination, published_id)
        secretary, = users(world, "secretary")
        for key in ("chair", "member2", "member3"):
            ballots.vote_cast(published, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_close(published, actor=secretary)
        decision_record(round_=published.round, issuer=db.session.get(Unit, world.commune),
                        style=NumberingStyle.STATE, number=7, symbol="QĐ-UBND", signed_on=date.today(), signer="A",
                        signer_position="Chủ tịch", legal_basis="", term=None, actor=secretary,
                        nominations=[published], scan=(store_document(b"%PDF-1.4\n%%EOF\n", "qd.pdf")[1], "qd.pdf", "pdf"))
        nomination_publish(published, actor=secretary)
        db.session.get(Round, world.round).consultation_days = 5
        proposal = nomination_in_vote(world, title="Trần Văn Góp Ý")
        proposal.entry.private_phone = PHONE
        for key in ("chair", "member1", "member2", "member3"):
            ballots.vote_cast(proposal, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_close(proposal, actor=secretary)
        consultation_open(proposal, actor=secretary)
        comment_add(proposal, name="Người dân", contact=CONTACT, body="Tôi đồng ý.")
        db.session.commit()
        ids = {"entry": published.entry_id, "entry_slug": published.entry.slug, "unit": published.entry.unit_id,
               "unit_slug": published.entry.unit.slug, "proposal": proposal.id,
               "award_code": format_code(published.award.verification_code),
               "topic": db.session.scalar(sa.select(Topic.slug).order_by(Topic.id))}
    return world, ids


def public_paths(ids: dict) -> list[str]:
    fill = {**ids, "draft_entry": ids["entry"], "draft_slug": ids["entry_slug"], "passed": ids["proposal"],
            "photo_sha": "0" * 64, "document_sha": "0" * 64}
    paths = [t.format(**fill) for m, t, _ in PUBLIC_ROUTES if m == "GET" and not t.startswith("/admin/")]
    paths += [f"/statistics/{name}.csv" for name in STATISTICS]
    paths += [f"/consultation/{ids['proposal']}", "/consultation/", "/statistics/report?year=" + str(date.today().year)]
    for fmt in ("", "&format=csv", "&format=jsonl"):
        paths += [f"/api/v1/entries?per_page=100{fmt}", f"/api/v1/search?q=c%C3%B4ng+khai{fmt}"]
        paths += [f"/api/v1/search?q={quote(tail)}{fmt}" for tail in TAILS]
    paths += [f"/search?q={quote(tail)}" for tail in TAILS] + [f"/api/v1/suggest?q={quote(t)}" for t in TAILS]
    paths += [f"/feeds/search.atom?q={quote(tail)}" for tail in TAILS] + ["/api/v1/awards?per_page=100"]
    return paths


def test_private_fields_never_appear_in_public_output_or_logs(app, log_lines, tmp_path):
    world, ids = plant(app)
    # Every download below, in two languages, from one address: more than a visitor's budget of downloads.
    app.config["EXPORT_RATE_LIMIT"] = "1000 per minute"
    # A rebuilt index: searching an index whose only writes were deletions of drafts trips a known fault of the
    # search engine (a reader of an empty generation is never up to date), which is not what this test is about.
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    with app.app_context():
        # The markers are really stored, so the test can fail.
        assert db.session.scalar(sa.select(User.name).where(User.name == VOTER))
    citizen = client_for(app, None, None)
    reached = 0
    for path in public_paths(ids):
        for lang in ("en", "vi"):
            citizen.set_cookie("lang", lang)
            response = citizen.get(path, follow_redirects=True)
            assert response.status_code in (200, 404), (path, response.status_code)
            body = response.get_data().decode("utf-8", "replace")  # the favicon is binary
            reached += response.status_code == 200
            for marker in MARKERS:
                escaped = json.dumps(marker)[1:-1]
                assert marker not in body and escaped not in body and quote(marker) not in body, (path, marker)
    assert reached > 60
    # The published subject is there, in full, for everyone: only the private fields are held back.
    assert "Phạm Thị Công Khai" in citizen.get(f"/api/v1/entries/{ids['entry']}").get_data(as_text=True)
    # The command-line export (the import format) carries public fields only.
    export = tmp_path / "export.jsonl"
    assert app.test_cli_runner().invoke(args=["export-records", str(export)]).exit_code == 0
    exported = export.read_text(encoding="utf-8")
    assert "Phạm Thị Công Khai" in exported
    assert not any(marker in exported or json.dumps(marker)[1:-1] in exported for marker in MARKERS)
    # And nothing the app logged, while planting or serving, carries a marker or a secret vote's choice.
    for line in log_lines:
        for marker in MARKERS:
            assert marker not in line and json.dumps(marker)[1:-1] not in line, line
        assert "disagree" not in line, line
