"""A full journey in the browser: a unit's first draft to a published award on the showcase."""
from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from registry.entries.models import Award, EntryStatus
from registry.extensions import db
from registry.workflow.models import AuditEvent, Nomination, NominationState
from tests.support.clients import client_for, csrf, post
from tests.support.files import jpeg_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def nomination_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Nomination.id)))


def state(app, nid: int) -> NominationState:
    with app.app_context():
        return db.session.get(Nomination, nid).state


def version(app, nid: int) -> int:
    with app.app_context():
        return db.session.get(Nomination, nid).version


def create_complete_dossier(app, world, officer, *, title="Nguyễn Văn An") -> int:
    """Through the pages: create a draft, fill it in, attach the letter and the minutes, add a photo."""
    r = post(officer, "/nominations/new", {
        "round_id": world.round, "unit": f"#{world.group}", "subject": "new", "kind": "individual", "title": title,
    })
    assert r.status_code == 302, r.get_data(as_text=True)
    nid = nomination_id(app)
    r = post(officer, f"/nominations/{nid}/edit", {
        "version": version(app, nid), "kind": "individual", "title": title, "year": date.today().year,
        "summary": "Tận tụy với công việc, nhiều năm liền hoàn thành xuất sắc nhiệm vụ.",
        "story": "Anh An **luôn** đi đầu.", "private_phone": "0912345678",
        "report": "## Thành tích\n\nSáng kiến tiết kiệm 20% chi phí.", "letter_number": "25/TTr-UBND",
        "letter_date": date.today().isoformat(), "letter_signer": "Trần Văn B", "save": "1",
    })
    assert r.status_code == 302, r.get_data(as_text=True)
    for kind in ("proposal_letter", "minutes"):
        r = officer.post(f"/nominations/{nid}/attachments", data={
            "csrf_token": csrf(officer), "kind": kind, "file": (io.BytesIO(PDF), f"{kind}.pdf"),
        }, content_type="multipart/form-data")
        assert r.status_code == 302
    r = officer.post(f"/nominations/{nid}/photos", data={
        "csrf_token": csrf(officer), "alt": "Anh An tại nơi làm việc", "photo": (io.BytesIO(jpeg_bytes()), "a.jpg"),
    }, content_type="multipart/form-data")
    assert r.status_code == 302
    return nid


def test_full_journey_from_draft_to_published_award(app, world):
    officer = client_for(app, world, "officer")
    secretary = client_for(app, world, "secretary")
    nid = create_complete_dossier(app, world, officer)
    html = officer.get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert "proposal_letter.pdf" in html and "Still missing" not in html

    # The unit submits; the secretary returns it with a reason the unit sees; the unit resubmits.
    assert post(officer, f"/nominations/{nid}/do/submit").status_code == 302
    assert state(app, nid) == NominationState.SUBMITTED
    post(secretary, f"/council/nominations/{nid}/do/return", {"comment": "Bổ sung số liệu năm 2024."})
    assert state(app, nid) == NominationState.RETURNED
    assert "Bổ sung số liệu năm 2024." in officer.get(f"/nominations/{nid}").get_data(as_text=True)
    r = post(officer, f"/nominations/{nid}/edit", {
        "version": version(app, nid), "kind": "individual", "title": "Nguyễn Văn An", "report": "Đã bổ sung số liệu.",
        "letter_number": "25/TTr-UBND", "letter_date": date.today().isoformat(), "letter_signer": "Trần Văn B",
        "summary": "Tận tụy.", "submit_dossier": "1",
    })
    assert r.status_code == 302
    assert state(app, nid) == NominationState.RESUBMITTED
    post(secretary, f"/council/nominations/{nid}/do/accept")
    assert state(app, nid) == NominationState.ACCEPTED

    # A session, attendance, the agenda, the vote.
    r = post(secretary, f"/council/rounds/{world.round}/sessions", {"held_on": date.today().isoformat(), "place": "Hội trường"})
    session_id = int(re.search(r"/council/sessions/(\d+)", r.headers["Location"]).group(1))
    members = ["chair", "member1", "member2", "member3"]
    post(secretary, f"/council/sessions/{session_id}/attendance", {"present": [world.users[m] for m in members]})
    post(secretary, f"/council/sessions/{session_id}/agenda", {"nominations": [nid]})
    post(secretary, f"/council/sessions/{session_id}/open-votes")
    assert state(app, nid) == NominationState.IN_VOTE
    for member, choice in zip(members, ["agree", "agree", "agree", "disagree"]):
        client = client_for(app, world, member)
        r = post(client, f"/council/nominations/{nid}/vote", {"choice": choice})
        assert r.status_code == 302
    post(secretary, f"/council/nominations/{nid}/do/close_vote")
    assert state(app, nid) == NominationState.PASSED
    page = secretary.get(f"/nominations/{nid}").get_data(as_text=True)
    assert "Threshold: at least 50% of all members (4): 3 of 4 agreed, 75%: passed" in page
    minutes = secretary.get(f"/council/sessions/{session_id}/minutes").get_data(as_text=True)
    assert "MINUTES" in minutes and "3 of 4 agreed" in minutes

    # The decision, numbered; then publication.
    form = secretary.get(f"/council/rounds/{world.round}/decisions/new").get_data(as_text=True)
    assert 'value="1"' in form  # the proposed first number of the year
    r = post(secretary, f"/council/rounds/{world.round}/decisions/new", {
        "nominations": [nid], "issuer": f"#{world.commune}", "style": "state", "number": "4512",
        "symbol": "QĐ-UBND", "signed_on": date.today().isoformat(), "signer": "Lê Văn C",
        "signer_position": "Chủ tịch UBND phường", "legal_basis": "Luật Thi đua, khen thưởng 2022",
    })
    assert r.status_code == 302, r.get_data(as_text=True)
    assert state(app, nid) == NominationState.DECIDED
    post(secretary, f"/council/nominations/{nid}/do/publish")
    assert state(app, nid) == NominationState.PUBLISHED

    with app.app_context():
        nomination = db.session.get(Nomination, nid)
        entry_id = nomination.entry_id
        assert nomination.entry.status == EntryStatus.PUBLISHED
        award = db.session.scalar(sa.select(Award).where(Award.entry_id == entry_id))
        assert award.decision_number == "4512/QĐ-UBND"
        actions = [e.action for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.nomination_id == nid).order_by(AuditEvent.id))]
    assert actions == ["create", "submit", "return", "resubmit", "accept", "open_vote", "close_vote", "decide",
                       "publish"]
    citizen = client_for(app, None, None)
    public = citizen.get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "Nguyễn Văn An" in public and "4512/QĐ-UBND" in public
    assert "0912345678" not in public  # private data never public
    assert citizen.get("/api/v1/search?q=nguyen+van+an").get_json()["total"] == 1, citizen.get("/api/v1/search?q=").get_json()

    # Revocation keeps the record and says so publicly.
    r = post(secretary, f"/council/nominations/{nid}/revoke", {
        "decision": "77/QĐ-UBND", "revoked_on": date.today().isoformat(), "reason": "Kê khai thành tích không đúng.",
    })
    assert r.status_code == 302
    public = citizen.get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "Kê khai thành tích không đúng." in public and "77/QĐ-UBND" in public
    timeline = officer.get(f"/nominations/{nid}").get_data(as_text=True)
    assert "Revoked the award" in timeline and "Submitted to the council" in timeline


def test_published_award_in_the_export_carries_no_private_data_or_ballots(app, world, tmp_path):
    from registry.catalog.models import Unit
    from registry.workflow import ballots
    from registry.workflow.decisions import decision_record, nomination_publish
    from registry.workflow.models import NumberingStyle, VoteChoice
    from tests.support.world import nomination_in_vote, users

    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        for key in ("chair", "member1", "member2"):
            ballots.vote_cast(nomination, voter=users(world, key)[0], choice=VoteChoice.AGREE)
        ballots.vote_cast(nomination, voter=users(world, "member3")[0], choice=VoteChoice.DISAGREE)
        secretary, = users(world, "secretary")
        ballots.vote_close(nomination, actor=secretary)
        decision_record(round_=nomination.round, issuer=db.session.get(Unit, world.commune), style=NumberingStyle.STATE,
                        number=12, symbol="QĐ-UBND", signed_on=date.today(), signer="A", signer_position="B",
                        legal_basis="", term=None, actor=secretary, nominations=[nomination])
        nomination_publish(nomination, actor=secretary)
        db.session.commit()
    out = tmp_path / "export.jsonl"
    result = app.test_cli_runner().invoke(args=["export-records", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Phạm Văn Hùng" in text and "12/QĐ-UBND" in text
    for secret in ("0987654321", "agree", "disagree", "Member3", "member3@example.org"):
        assert secret not in text
