"""Dossier documents are private: stored apart from the public photos, sent only to those who may see the dossier,
never cached, removed with the last row naming them; `init` moves what earlier releases kept among the photos."""
from __future__ import annotations

import io
import os
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from registry.extensions import db
from registry.workflow.documents import document_path, store_document
from registry.workflow.models import Decision, Nomination
from tests.support.clients import client_for, csrf, post
from tests.support.files import PDF, jpeg_bytes
from tests.support.world import decide, draft_nomination, earlier_release_layout, nomination_in_vote, pass_vote

PICTURE = jpeg_bytes(color=(30, 90, 150))


def dossier(app, world, title="Lê Thị Mai") -> int:
    return draft_nomination(app, world, title=title)


def upload(client, nid: int, data: bytes, name: str, kind: str = "minutes"):
    r = client.post(f"/nominations/{nid}/attachments", data={
        "csrf_token": csrf(client), "kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert r.status_code == 302
    return r


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def attachments(app, nid: int) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [(a.id, a.sha256, a.file_type) for a in db.session.get(Nomination, nid).attachments]


def stored_path(app, sha: str, file_type: str) -> Path:
    with app.app_context():
        return document_path(sha, file_type)


def test_dossier_documents_are_kept_and_sent_privately(app, world):
    nid = dossier(app, world)
    officer = client_for(app, world, "officer")
    upload(officer, nid, PICTURE, "biên bản họp.jpg")
    upload(officer, nid, PDF, "tờ trình.pdf", kind="proposal_letter")
    assert files(Path(app.config["PHOTO_DIR"])) == []
    anonymous, other, member = (client_for(app, world, who) for who in (None, "other_officer", "member1"))
    rows = attachments(app, nid)
    assert sorted(file_type for _id, _sha, file_type in rows) == ["image", "pdf"]
    for attachment_id, sha, file_type in rows:
        path = stored_path(app, sha, file_type)
        assert path.is_file() and path.is_relative_to(Path(app.config["ATTACHMENT_DIR"]))
        for rendition in ("original", "large", "thumb"):
            assert anonymous.get(f"/media/photos/{sha}/{rendition}.webp").status_code == 404
        url = f"/nominations/{nid}/attachments/{attachment_id}"
        r = officer.get(url)
        assert r.status_code == 200 and r.data == path.read_bytes()
        assert r.headers["Cache-Control"] == "private, no-store" and "ETag" not in r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        if file_type == "image":
            assert r.mimetype == "image/webp" and 'filename="bien ban hop.webp"' in r.headers["Content-Disposition"]
            assert not r.data.startswith(b"\xff\xd8")  # re-encoded, never the upload with its metadata
        # A draft is its unit's alone: not the neighbouring unit's, not yet the council's.
        assert other.get(url).status_code == 403 and member.get(url).status_code == 403
        assert anonymous.get(url).status_code == 302


def test_a_documents_file_goes_with_the_last_row_naming_it(app, world):
    first, second = dossier(app, world, "Một"), dossier(app, world, "Hai")
    officer = client_for(app, world, "officer")
    for nid in (first, second):
        upload(officer, nid, PICTURE, "anh.jpg")
        upload(officer, nid, PDF, "to-trinh.pdf")
    paths = {stored_path(app, sha, file_type) for _id, sha, file_type in attachments(app, first)}
    assert len(paths) == 2 and len(files(Path(app.config["ATTACHMENT_DIR"]))) == 2
    for attachment_id, _sha, _type in attachments(app, first):
        post(officer, f"/nominations/{first}/attachments/{attachment_id}/delete", {"confirm": "yes"})
    assert attachments(app, first) == [] and all(p.is_file() for p in paths)  # the second dossier names them
    for attachment_id, _sha, _type in attachments(app, second):
        post(officer, f"/nominations/{second}/attachments/{attachment_id}/delete", {"confirm": "yes"})
    assert not any(p.exists() for p in paths)
    assert files(Path(app.config["ATTACHMENT_DIR"])) == [] and files(Path(app.config["PHOTO_DIR"])) == []


def test_a_document_whose_row_is_never_committed_is_not_kept(app, world):
    kept_nid = dossier(app, world)
    upload(client_for(app, world, "officer"), kept_nid, PDF, "to-trinh.pdf")
    with app.test_request_context("/?lang=en"):
        db.session.execute(sa.text("SELECT 1"))  # a request has always read something by then
        _type, sha, _size = store_document(PICTURE, "anh.jpg")
        _type, pdf_sha, _size = store_document(PDF, "to-trinh.pdf")
        assert document_path(sha, "image").is_file()
        db.session.rollback()
        assert not document_path(sha, "image").exists()
        assert document_path(pdf_sha, "pdf").is_file()  # a committed row names it
        # Ended without a commit (as a request that fails): the same.
        db.session.execute(sa.text("SELECT 1"))
        store_document(PICTURE, "anh.jpg")
        db.session.close()
        assert not document_path(sha, "image").exists()


def test_scanned_decisions_are_private_and_a_refused_decision_keeps_no_scan(app, world):
    with app.test_request_context("/?lang=en"):
        first, second = (nomination_in_vote(world, title=title) for title in ("Một", "Hai"))
        for nomination in (first, second):
            pass_vote(world, nomination)
        decide(world, [first], number=1)
        db.session.commit()
        second_id = second.id
    secretary = client_for(app, world, "secretary")
    documents = Path(app.config["ATTACHMENT_DIR"])
    before = files(documents)
    form = {"nominations": [second_id], "issuer": f"#{world.commune}", "style": "state", "symbol": "QĐ-UBND",
            "signed_on": date.today().isoformat(), "signer": "A", "signer_position": "B"}
    url = f"/council/rounds/{world.round}/decisions/new"
    r = post(secretary, url, {**form, "number": "1", "scan": (io.BytesIO(PICTURE), "qd.jpg")},
             content_type="multipart/form-data", token_from=url)
    assert r.status_code == 200 and "already used" in r.get_data(as_text=True)
    assert files(documents) == before and files(Path(app.config["PHOTO_DIR"])) == []
    r = post(secretary, url, {**form, "number": "2", "scan": (io.BytesIO(PICTURE), "qd.jpg")},
             content_type="multipart/form-data", token_from=url)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert files(Path(app.config["PHOTO_DIR"])) == []
    with app.app_context():
        decision = db.session.scalar(sa.select(Decision).where(Decision.number == 2))
        decision_id, sha = decision.id, decision.scan_sha256
        assert decision.scan_type == "image" and document_path(sha, "image").is_file()
    assert client_for(app, world, None).get(f"/media/photos/{sha}/original.webp").status_code == 404
    r = secretary.get(f"/council/decisions/{decision_id}/scan")
    assert r.status_code == 200 and r.mimetype == "image/webp"
    assert r.headers["Cache-Control"] == "private, no-store"
    assert client_for(app, world, "officer").get(f"/council/decisions/{decision_id}/scan").status_code == 403




def test_init_moves_dossier_pictures_out_of_the_public_photo_store(app, world):
    from flask_migrate import stamp

    with app.app_context():
        stamp()
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # commands speak the default language
    old = earlier_release_layout(app, world)
    only, shared = old["only"], old["shared"]
    documents = Path(app.config["ATTACHMENT_DIR"])
    stale, fresh = documents / "ab" / ("ab" + "1" * 62 + ".pdf"), documents / "cd" / ("cd" + "2" * 62 + ".pdf")
    for leftover in (stale, fresh):
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_bytes(PDF)
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    anonymous = app.test_client()
    assert anonymous.get(f"/media/photos/{only}/original.webp").status_code == 200
    runner = app.test_cli_runner()
    result = runner.invoke(args=["doctor"])
    line = next(x for x in result.output.splitlines() if "private dossier documents" in x)
    assert line.startswith("[FAIL]") and "flask --app registry init" in result.output

    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "2 moved into the private store, 1 removed from the public photo store, 1 files" in result.output
    assert stored_path(app, only, "image").read_bytes() == old["original"]
    assert stored_path(app, shared, "image").is_file()
    photos = Path(app.config["PHOTO_DIR"])
    assert not (photos / only[:2] / only).exists() and (photos / shared[:2] / shared / "thumb.webp").is_file()
    assert anonymous.get(f"/media/photos/{only}/original.webp").status_code == 404
    assert anonymous.get(f"/media/photos/{shared}/thumb.webp").status_code == 200  # an entry's photo stays public
    assert not stale.exists() and fresh.exists()  # a fresh one may be an upload on its way to its commit
    officer = client_for(app, world, "officer")
    for attachment_id, _sha, _type in attachments(app, old["nomination"]):
        assert officer.get(f"/nominations/{old['nomination']}/attachments/{attachment_id}").status_code == 200

    again = runner.invoke(args=["init"])
    assert again.exit_code == 0 and "Dossier documents" not in again.output
    line = next(x for x in runner.invoke(args=["doctor"]).output.splitlines() if "private dossier documents" in x)
    assert line.startswith("[OK"), line
