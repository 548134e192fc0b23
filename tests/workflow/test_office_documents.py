"""Word, OpenDocument and Excel documents in a dossier: recognised by their content, kept privately, sent back
with their own content type; what is wrong with a refused file is said in Vietnamese; a removal is confirmed;
the achievement report may be typed in plain paragraphs or attached as a document."""
from __future__ import annotations

import io

import pytest

from registry.extensions import db
from registry.workflow.documents import document_path
from registry.workflow.dossiers import dossier_problems
from registry.workflow.models import Attachment, Nomination
from tests.support.clients import client_for, csrf, post
from tests.support.files import DOC, DOCM, DOCX, ODS, ODT, PLAIN_ZIP, XLS, XLSX, zip_package
from tests.support.world import draft_nomination


@pytest.fixture
def dossier(app, world):
    return draft_nomination(app, world, title="Lê Thị Mai")


def _upload(client, nid, data, name, kind="other"):
    return client.post(f"/nominations/{nid}/attachments", data={
        "csrf_token": csrf(client, f"/nominations/{nid}/edit"), "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize("data, name, file_type, media_type", [
    (DOCX, "báo cáo thành tích.docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (DOC, "tờ trình.doc", "doc", "application/msword"),
    (ODT, "biên bản.odt", "odt", "application/vnd.oasis.opendocument.text"),
    (XLSX, "danh sách.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (DOCX, "renamed.pdf", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_office_documents_are_kept_privately_and_sent_with_their_type(app, world, dossier, data, name, file_type,
                                                                       media_type):
    officer = client_for(app, world, "officer")
    assert _upload(officer, dossier, data, name).status_code == 200
    with app.app_context():
        attachment = db.session.get(Nomination, dossier).attachments[-1]
        assert attachment.file_type == file_type  # by content: a .docx named .pdf is a .docx
        assert document_path(attachment.sha256, attachment.file_type).read_bytes() == data
        url = f"/nominations/{dossier}/attachments/{attachment.id}"
    response = officer.get(url)
    assert response.status_code == 200 and response.mimetype == media_type
    assert response.data == data
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert f".{file_type}" in response.headers["Content-Disposition"]
    assert client_for(app, world, "other_officer").get(url).status_code == 403


@pytest.mark.parametrize("data, name, message", [
    (DOCM, "có macro.docm", "có macro"),
    (XLS, "bảng.xls", "không phải văn bản Word"),
    (ODS, "bảng.ods", "không phải văn bản"),
    (PLAIN_ZIP, "nén.zip", "tệp nén ZIP"),
    (DOCX[: len(DOCX) // 2], "hỏng.docx", "không đầy đủ hoặc bị hỏng"),
    (zip_package({"[Content_Types].xml": b"<not xml"}), "lạ.docx", "không đầy đủ hoặc bị hỏng"),
    (b"plain words " * 50, "ghi chú.txt", "không phải loại tài liệu được nhận"),
])
def test_refused_files_say_what_is_wrong_in_vietnamese(app, world, dossier, data, name, message):
    officer = client_for(app, world, "officer")
    officer.set_cookie("lang", "vi")
    html = _upload(officer, dossier, data, name).get_data(as_text=True)
    assert message in html, html[html.find("flash"):][:600]
    with app.app_context():
        assert db.session.query(Attachment).filter_by(nomination_id=dossier).count() == 0


def test_a_zip_bomb_is_refused(app, world, dossier):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        package.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    officer = client_for(app, world, "officer")
    officer.set_cookie("lang", "vi")
    html = _upload(officer, dossier, buffer.getvalue(), "bom.docx").get_data(as_text=True)
    assert "bị từ chối" in html


def test_removing_a_document_asks_first(app, world, dossier):
    officer = client_for(app, world, "officer")
    officer.set_cookie("lang", "vi")
    _upload(officer, dossier, DOCX, "báo cáo.docx")
    with app.app_context():
        attachment_id = db.session.get(Nomination, dossier).attachments[0].id
    url = f"/nominations/{dossier}/attachments/{attachment_id}/delete"
    asked = post(officer, url, token_from=f"/nominations/{dossier}/edit")
    assert asked.status_code == 200 and "Gỡ tài liệu này?" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attachment, attachment_id) is not None
    done = post(officer, url, {"confirm": "yes"}, token_from=f"/nominations/{dossier}/edit")
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Attachment, attachment_id) is None


def test_the_report_may_be_a_document_instead_of_text(app, world, dossier):
    officer = client_for(app, world, "officer")
    with app.test_request_context("/?lang=en"):
        missing = "The achievement report is missing"
        assert any(missing in p for p in dossier_problems(db.session.get(Nomination, dossier)))
    _upload(officer, dossier, DOCX, "báo cáo thành tích.docx", kind="achievement_report")
    with app.test_request_context("/?lang=en"):
        assert not any(missing in p for p in dossier_problems(db.session.get(Nomination, dossier)))


def test_a_typed_report_keeps_its_paragraphs_and_nothing_else(app):
    from registry.web.templating import plain_paragraphs

    html = str(plain_paragraphs("Năm 2025, chị đã:\n- cứu hai em nhỏ\n\n**Không** phải Markdown <b>.\r\n\r\nHết."))
    assert html == ("<p>Năm 2025, chị đã:<br>\n- cứu hai em nhỏ</p>\n<p>**Không** phải Markdown &lt;b&gt;.</p>\n"
                    "<p>Hết.</p>")
