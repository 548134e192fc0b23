"""The dossier: what is missing is named, uploads are checked, drafts are never lost, editors never overwrite
(typing across an ended session: test_kept_forms.py)."""
from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from registry.catalog.models import AwardLevel, AwardTitle
from registry.entries.models import Award, Entry, EntryKind, EntryStatus
from registry.extensions import db
from registry.workflow.models import AwardKind, Nomination, NominationState, Round
from tests.support.clients import client_for, csrf, post
from tests.support.files import PDF, jpeg_bytes
from tests.support.world import make_world, new_draft, version_of


def upload(client, nid, kind, data, name):
    return client.post(f"/nominations/{nid}/attachments", data={
        "csrf_token": csrf(client), "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def test_submission_names_each_missing_piece_and_keeps_the_draft(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    r = post(officer, f"/nominations/{nid}/edit", {
        "version": version_of(app, nid), "kind": "individual", "title": "Trần Thị Hạnh",
        "summary": "Người tốt việc tốt.", "report": "", "letter_number": "", "submit_dossier": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for missing in ("The number of the proposal letter is missing.", "The date of the proposal letter is missing.",
                    "The signer of the proposal letter is missing.", "The scanned proposal letter is not attached.",
                    "The achievement report is missing",
                    "The minutes of the unit&#39;s review meeting are not attached."):
        assert missing in html, missing
    assert "Người tốt việc tốt." in html
    with app.app_context():
        nomination = db.session.get(Nomination, nid)
        assert nomination.state == NominationState.DRAFT and nomination.entry.summary == "Người tốt việc tốt."


def test_a_sudden_award_needs_only_the_letter_and_a_summary(app):
    world = make_world(app, award_kind=AwardKind.SUDDEN)
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    upload(officer, nid, "proposal_letter", PDF, "to-trinh.pdf")
    r = post(officer, f"/nominations/{nid}/edit", {
        "version": version_of(app, nid), "kind": "individual", "title": "Trần Thị Hạnh",
        "summary": "Cứu hai em nhỏ đuối nước sông Hồng.", "letter_number": "3/TTr", "letter_signer": "Ông D",
        "letter_date": date.today().isoformat(), "submit_dossier": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Nomination, nid).state == NominationState.SUBMITTED


def test_uploads_are_checked_and_say_what_is_wrong(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    html = upload(officer, nid, "minutes", b"just some text", "bien-ban.docx").get_data(as_text=True)
    assert "is not a document we accept" in html and "bien-ban.docx" in html
    html = upload(officer, nid, "minutes", b"GIF89a" + b"\0" * 40, "a.gif").get_data(as_text=True)
    assert "is not a document we accept" in html
    html = upload(officer, nid, "minutes", b"%PDF-1.4 truncated", "cut.pdf").get_data(as_text=True)
    assert "incomplete or damaged" in html
    html = upload(officer, nid, "minutes", b"", "empty.pdf").get_data(as_text=True)
    assert "is empty" in html
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    html = upload(officer, nid, "minutes", PDF + b" " * 200, "big.pdf").get_data(as_text=True)
    assert "too large" in html
    app.config["ATTACHMENT_MAX_BYTES"] = 20 * 1024 * 1024
    html = upload(officer, nid, "minutes", PDF, "../../bien bản họp.pdf").get_data(as_text=True)
    assert "bien bản họp.pdf" in html
    html = upload(officer, nid, "certificate", jpeg_bytes(), "giay-chung-nhan.jpg").get_data(as_text=True)
    assert "giay-chung-nhan.jpg" in html
    with app.app_context():
        nomination = db.session.get(Nomination, nid)
        assert sorted((a.kind.value, a.file_type) for a in nomination.attachments) == [
            ("certificate", "image"), ("minutes", "pdf")]
        pdf_id = next(a.id for a in nomination.attachments if a.file_type == "pdf")
    r = officer.get(f"/nominations/{nid}/attachments/{pdf_id}")
    assert r.status_code == 200 and r.data == PDF and r.mimetype == "application/pdf"
    assert client_for(app, world, "other_officer").get(f"/nominations/{nid}/attachments/{pdf_id}").status_code == 403
    assert client_for(app, world, None).get(f"/nominations/{nid}/attachments/{pdf_id}").status_code == 302


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(app, world):
    first, second = client_for(app, world, "officer"), client_for(app, world, "officer")
    nid = new_draft(app, world, first)
    v = version_of(app, nid)
    base = {"kind": "individual", "title": "Trần Thị Hạnh", "save": "1"}
    assert post(first, f"/nominations/{nid}/edit", {**base, "version": v, "report": "Bản của người thứ nhất."}).status_code == 302
    r = post(second, f"/nominations/{nid}/edit", {**base, "version": v, "report": "Bản của người thứ hai."})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Someone else changed this dossier" in html
    assert "Bản của người thứ hai." in html  # what they typed is still in the form
    with app.app_context():
        assert db.session.get(Nomination, nid).report == "Bản của người thứ nhất."


def test_concurrent_flushes_are_refused_by_the_version_column(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    with app.app_context():
        one, two = Session(db.engine), Session(db.engine)
        a, b = one.get(Nomination, nid), two.get(Nomination, nid)
        a.report, b.report = "A", "B"
        one.commit()
        try:
            two.commit()
            raise AssertionError("the second commit should have been refused")
        except StaleDataError:
            two.rollback()
        finally:
            one.close()
            two.close()
        assert db.session.get(Nomination, nid).report == "A"


def test_prerequisites_are_checked_against_recorded_awards(app, world):
    with app.app_context():
        round_ = db.session.get(Round, world.round)
        lower = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Lao động tiên tiến"))
        round_.prerequisite_title_id, round_.prerequisite_years = lower.id, 3
        entry = Entry(kind=EntryKind.INDIVIDUAL, title="Đỗ Văn Toàn", slug="do-van-toan", unit_id=world.group,
                      status=EntryStatus.DRAFT)
        db.session.add(entry)
        db.session.flush()
        year = round_.year
        for y in (year - 3, year - 1):
            db.session.add(Award(entry_id=entry.id, title_id=lower.id, level=AwardLevel.GRASSROOTS, year=y))
        db.session.commit()
        entry_id = entry.id
    officer = client_for(app, world, "officer")
    r = post(officer, "/nominations/new", {"round_id": world.round, "unit": f"#{world.group}", "subject": "existing",
                                           "entry_ref": f"http://localhost/entries/{entry_id}/do-van-toan"})
    nid = int(re.search(r"/nominations/(\d+)/edit", r.headers["Location"]).group(1))
    with app.app_context():
        from registry.workflow.dossiers import prerequisite_warnings

        warnings = prerequisite_warnings(db.session.get(Nomination, nid))
        assert len(warnings) == 1 and str(year - 2) in warnings[0] and str(year - 1) not in warnings[0]


def test_a_closed_round_takes_no_new_nomination(app, world):
    with app.app_context():
        round_ = db.session.get(Round, world.round)
        round_.closes_on = round_.opens_on = date(2020, 1, 1)
        db.session.commit()
    officer = client_for(app, world, "officer")
    html = officer.get("/nominations/new").get_data(as_text=True)
    assert "No award round is open for your units" in html
    r = post(officer, "/nominations/new", {"round_id": world.round, "unit": f"#{world.group}", "subject": "new",
                                           "kind": "individual", "title": "X"})
    assert r.status_code == 200 and "No award round is open" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_an_officer_nominates_only_for_their_units(app, world):
    other = client_for(app, world, "other_officer")
    # Their commune is not under the Ba Đình council, so no round is open to them…
    assert "No award round is open" in other.get("/nominations/new").get_data(as_text=True)
    # …and an officer of the council's unit cannot nominate for a unit outside their own.
    with app.app_context():
        from registry.accounts.models import Role, User
        from registry.accounts.operations import user_add_role

        user_add_role(db.session.get(User, world.users["other_officer"]), Role.UNIT_OFFICER, unit_id=world.group)
        db.session.commit()
    r = post(other, "/nominations/new", {"round_id": world.round, "unit": f"#{world.other_commune}", "subject": "new",
                                         "kind": "individual", "title": "X"})
    assert r.status_code == 200 and "This unit is not under the council of the chosen round." in r.get_data(as_text=True)


def test_the_report_is_plain_text_shown_escaped(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    post(officer, f"/nominations/{nid}/edit", {"version": version_of(app, nid), "kind": "individual",
                                               "title": "Trần Thị Hạnh", "report": "<script>alert(1)</script> **đậm**",
                                               "save": "1"})
    html = officer.get(f"/nominations/{nid}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; **đậm**" in html


def test_the_documents_hint_names_every_format_the_dossier_accepts(app, world):
    from registry.workflow.documents import DOCUMENT_FORMATS_LABEL
    from registry.workflow.office_documents import OFFICE_TYPES

    assert all(f".{extension}" in DOCUMENT_FORMATS_LABEL for extension, _media_type in OFFICE_TYPES.values())
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    html = officer.get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert ("Accepted: PDF, Word (.docx, .doc), OpenDocument (.odt), Excel (.xlsx) or a picture (JPEG, PNG, WebP"
            in html)
    assert "PDF or image" not in html
