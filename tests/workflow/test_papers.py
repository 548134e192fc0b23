"""The council's papers in the form of Decree 30: the Word files carry what a clerk checks."""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document

from registry.catalog.models import Unit, UnitKind
from registry.extensions import db
from registry.workflow.models import Decision, Nomination
from registry.workflow.papers.decision import decision_paper
from registry.workflow.papers.frame import (
    document_bytes,
    paper_document,
    place_of,
    signature_lines,
    vn_date,
)
from tests.support.world import decide, make_world, passed_nomination


def docx_text(data: bytes) -> str:
    """Every paragraph of a Word file, table cells included, one per line."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(lines)


def docx_rows(data: bytes) -> list[list[str]]:
    """The rows of the last table with a grid (the annexed list)."""
    document = Document(io.BytesIO(data))
    grids = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    return [[c.text for c in row.cells] for row in grids[-1].rows]


@pytest.mark.parametrize(("day", "expected"), [
    (date(2021, 12, 20), "ngày 20 tháng 12 năm 2021"),
    (date(2025, 2, 5), "ngày 05 tháng 02 năm 2025"),
    (date(2024, 3, 9), "ngày 09 tháng 3 năm 2024"),
    (date(2024, 1, 31), "ngày 31 tháng 01 năm 2024"),
])
def test_dates_are_written_as_decree_30_says(day, expected):
    assert vn_date(day) == expected


@pytest.mark.parametrize(("position", "collective", "expected"), [
    ("Chủ tịch", None, ["CHỦ TỊCH"]),
    ("Phó Chủ tịch", None, ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ("Chủ tịch", "Hội đồng", ["TM. HỘI ĐỒNG", "CHỦ TỊCH"]),
    ("Phó Chủ tịch thường trực", "Hội đồng", ["TM. HỘI ĐỒNG", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH THƯỜNG TRỰC"]),
])
def test_signature_lines_follow_the_decree(position, collective, expected):
    assert signature_lines(position, collective=collective) == expected


def test_the_place_is_the_locality_without_its_level_word(app):
    with app.app_context():
        city = Unit(name="Thành phố Hà Nội", slug="hn", kind=UnitKind.ADMINISTRATIVE)
        district = Unit(name="Quận Long Biên", slug="lb", kind=UnitKind.ADMINISTRATIVE, parent=city)
        union = Unit(name="Quận đoàn Long Biên", slug="qd", kind=UnitKind.YOUTH_UNION, parent=district)
        db.session.add_all([city, district, union])
        db.session.flush()
        assert place_of(district) == "Long Biên"
        assert place_of(union) == "Long Biên"
        assert place_of(city) == "Hà Nội"


def test_the_decision_in_word_carries_every_part_of_the_decree_30_layout(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        first = passed_nomination(world, title="Nguyễn Văn An")
        second = passed_nomination(world, title="Trần Thị Bình")
        decision = decide(world, [first, second], number=12)
        decision.signed_on = date(2025, 12, 5)
        decision.signer, decision.signer_position = "Lê Văn Cường", "Phó Chủ tịch"
        decision.legal_basis = "Nghị định số 152/2025/NĐ-CP của Chính phủ"
        db.session.commit()
        data = document_bytes(paper_document(decision_paper(db.session.get(Decision, decision.id))))
    text = docx_text(data)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "Số: 12/QĐ-UBND", "Ba Đình, ngày 05 tháng 12 năm 2025", "QUYẾT ĐỊNH",
        "Về việc tặng danh hiệu “Chiến sĩ thi đua cơ sở”", "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ;", "Điều 1.", "Nơi nhận:",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Cường",
        "(Kèm theo Quyết định số 12/QĐ-UBND ngày 05 tháng 12 năm 2025 của Chủ tịch Ủy ban nhân dân phường Ba Đình)",
    ):
        assert expected in text, expected
    rows = docx_rows(data)
    assert rows[0] == ["STT", "Họ và tên / Tên tập thể", "Đơn vị", "Ghi chú"]
    assert rows[1:] == [["1", "Nguyễn Văn An", "Tổ dân phố số 5", "Cá nhân"],
                        ["2", "Trần Thị Bình", "Tổ dân phố số 5", "Cá nhân"]]
    assert "0987654321" not in text  # the nominees' phone stays in the dossier
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert round(section.top_margin.mm) == 20 and round(section.bottom_margin.mm) == 20
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_the_minutes_in_word_record_attendance_every_number_and_both_signers(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        from registry.accounts.models import User
        from registry.workflow.models import CouncilSession
        from registry.workflow.papers.minutes import minutes_paper

        chair = db.session.get(User, world.users["chair"])
        chair.name, chair.position = "Đỗ Thị Chi", "Chủ tịch UBND phường"
        db.session.get(User, world.users["secretary"]).name = "Vũ Văn Thư"
        nomination = passed_nomination(world, title="Nguyễn Văn An",
                                       present=("chair", "member1", "member2"))
        session = db.session.get(CouncilSession, nomination.session_id)
        session.held_on = date(2025, 1, 8)
        db.session.commit()
        data = document_bytes(paper_document(minutes_paper(session)))
    text = docx_text(data)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", "/BB-HĐTĐKT", "Ba Đình, ngày 08 tháng 01 năm 2025", "BIÊN BẢN",
        "Tổng số thành viên Hội đồng: 4; có mặt: 3; vắng mặt: 1.",
        "Hội đồng có 4 thành viên;", "đồng ý: 4; không đồng ý: 0; không ý kiến: 0", "Tỷ lệ đồng ý: 4/4",
        "Kết quả: ĐẠT.", "Chủ trì: Đỗ Thị Chi, Chủ tịch UBND phường.",
        "THƯ KÝ", "Vũ Văn Thư", "CHỦ TỌA", "Đỗ Thị Chi",
    ):
        assert expected in text, expected
    rows = docx_rows(data)
    assert rows[0] == ["STT", "Họ và tên", "Chức vụ", "Có mặt"]
    assert sorted(r[3] for r in rows[1:]) == ["Có mặt", "Có mặt", "Có mặt", "Vắng mặt"]


def test_the_proposal_lists_only_what_passed_and_is_signed_for_the_council(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        from registry.accounts.models import User
        from registry.workflow.models import Round
        from registry.workflow.papers.proposal import proposal_paper
        from tests.support.world import complete_nomination

        db.session.get(User, world.users["chair"]).name = "Đỗ Thị Chi"
        passed_nomination(world, title="Nguyễn Văn An")
        complete_nomination(world, title="Chưa xét")
        db.session.commit()
        data = document_bytes(paper_document(proposal_paper(db.session.get(Round, world.round))))
    text = docx_text(data)
    for expected in ("TỜ TRÌNH", "/TTr-HĐTĐKT", "Kính gửi: Chủ tịch Ủy ban nhân dân phường Ba Đình.",
                     "Về việc đề nghị tặng danh hiệu “Chiến sĩ thi đua cơ sở”", "TM. HỘI ĐỒNG", "CHỦ TỊCH",
                     "Đỗ Thị Chi", "Nơi nhận:"):
        assert expected in text, expected
    assert vn_date(date.today()) in text
    rows = docx_rows(data)
    assert [r[1] for r in rows[1:]] == ["Nguyễn Văn An"]
    assert rows[1][4] == "4/4 (100%)"


def published_award(app, world, *, title="Nguyễn Văn An", number=12):
    from registry.workflow.decisions import nomination_publish
    from tests.support.world import users

    nomination = passed_nomination(world, title=title)
    decision = decide(world, [nomination], number=number)
    decision.signed_on = date(2021, 12, 20)
    decision.signer, decision.signer_position = "Lê Văn Cường", "Chủ tịch"
    award = nomination_publish(nomination, actor=users(world, "secretary")[0])
    db.session.commit()
    return award


def test_the_certificate_in_word_without_verification_leaves_the_qr_out(app, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "registry.workflow.verification", None)  # as a registry without it
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        from registry.workflow.papers.certificate import (
            certificate_document,
            certificate_for,
        )

        certificate = certificate_for(published_award(app, world))
        assert certificate.verification is None
        data = document_bytes(certificate_document(certificate))
    text = docx_text(data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH", "GIẤY CHỨNG NHẬN",
                     "Danh hiệu “Chiến sĩ thi đua cơ sở”", "Nguyễn Văn An", "Số: 12/QĐ-UBND",
                     "Ba Đình, ngày 20 tháng 12 năm 2021", "CHỦ TỊCH", "Lê Văn Cường"):
        assert expected in text, expected
    assert "0987654321" not in text and "Mã xác thực" not in text
    document = Document(io.BytesIO(data))
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    assert not document.inline_shapes


def test_the_certificate_carries_the_qr_code_and_the_code_when_verification_exists(app, monkeypatch):
    import sys
    import types

    fake = types.ModuleType("registry.workflow.verification")
    fake.verification_url = lambda award: f"https://example.org/verify/AB12-{award.id}"
    fake.award_qr_svg = lambda award: '<svg class="qr"></svg>'
    fake.verification_code = lambda award: f"AB12-{award.id}"
    monkeypatch.setitem(sys.modules, "registry.workflow.verification", fake)
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        from registry.workflow.papers.certificate import (
            certificate_document,
            certificate_for,
            verification_parts,
        )

        award = published_award(app, world)
        parts = verification_parts(award)
        assert parts["code"] == f"AB12-{award.id}" and parts["url"].endswith(f"AB12-{award.id}")
        data = document_bytes(certificate_document(certificate_for(award)))
    assert f"Mã xác thực: AB12-{award.id}" in docx_text(data)
    assert len(Document(io.BytesIO(data)).inline_shapes) == 1  # the QR code, as a picture


def test_the_honours_book_holds_the_years_live_awards_of_the_unit_and_below_with_photos(app):
    from registry.entries.operations import photo_attach
    from registry.workflow.decisions import award_revoke
    from registry.workflow.papers.honours_book import honours_book, honours_document
    from tests.support.files import jpeg_bytes
    from tests.support.world import users

    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        kept = published_award(app, world, title="Nguyễn Văn An")
        photo_attach(kept.entry, jpeg_bytes(), alt="Anh An nhận khen thưởng")
        revoked = published_award(app, world, title="Trần Văn Thu Hồi", number=13)
        nomination = db.session.scalar(sa.select(Nomination).where(Nomination.award_id == revoked.id))
        award_revoke(nomination, actor=users(world, "secretary")[0], decision_reference="9/QĐ-UBND",
                     revoked_on=date(2022, 1, 5), reason="Khai man thành tích.")
        db.session.commit()
        commune = db.session.get(Unit, world.commune)
        book = honours_book(commune, 2021)
        assert [item.name for item in book.items] == ["Nguyễn Văn An"]
        assert honours_book(db.session.get(Unit, world.other_commune), 2021).items == []
        assert honours_book(commune, 2022).items == []
        data = document_bytes(honours_document(book))
    text = docx_text(data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỔ VÀNG NĂM 2021",
                     "1. Nguyễn Văn An", "Cứu người đuối nước.",
                     "Quyết định số 12/QĐ-UBND ngày 20 tháng 12 năm 2021 của Ủy ban nhân dân phường Ba Đình"):
        assert expected in text, expected
    assert "Trần Văn Thu Hồi" not in text and "0987654321" not in text
    assert len(Document(io.BytesIO(data)).inline_shapes) == 1  # the photo


def test_papers_are_dated_in_vietnams_time(monkeypatch):
    from datetime import UTC, datetime

    from registry.workflow.papers import frame

    class Evening(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2025, 1, 1, 18, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(frame, "datetime", Evening)
    assert frame.vietnam_today() == date(2025, 1, 2)  # 01:30 in Hà Nội


def test_recipients_are_counted_by_kind_as_a_decision_writes_them():
    from types import SimpleNamespace

    from registry.entries.models import EntryKind
    from registry.workflow.papers.wording import count_phrase, kinds_phrase

    def nominee(kind):
        return SimpleNamespace(entry=SimpleNamespace(kind=kind))

    chosen = [nominee(EntryKind.INITIATIVE), nominee(EntryKind.INDIVIDUAL), nominee(EntryKind.INDIVIDUAL),
              nominee(EntryKind.COLLECTIVE)]
    assert count_phrase(chosen) == "02 cá nhân, 01 tập thể và 01 mô hình"
    assert count_phrase(chosen[:1]) == "01 mô hình"
    assert kinds_phrase(chosen) == "cá nhân, tập thể, mô hình"


def test_a_party_decision_is_headed_and_signed_as_party_documents_are(app):
    from registry.catalog.models import UnitKind
    from registry.workflow.models import NumberingStyle

    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        commune = db.session.get(Unit, world.commune)
        committee = Unit(name="Đảng ủy phường Ba Đình", slug="du-ba-dinh", kind=UnitKind.PARTY, parent=commune)
        db.session.add(committee)
        decision = decide(world, [passed_nomination(world, title="Nguyễn Văn An")], number=4)
        decision.issuer, decision.style, decision.symbol = committee, NumberingStyle.PARTY, "QĐ/ĐU"
        decision.signer, decision.signer_position = "Phan Văn Đức", "Bí thư"
        db.session.commit()
        text = docx_text(document_bytes(paper_document(decision_paper(decision))))
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "Số 4-QĐ/ĐU", "Ba Đình, ngày",
                     "BAN THƯỜNG VỤ ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
                     "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Phan Văn Đức"):
        assert expected in text, expected
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text


def test_the_qr_code_of_the_word_certificate_leads_to_its_verification_page(app, client):
    from urllib.parse import urlsplit

    import zxingcpp
    from PIL import Image

    world = make_world(app)
    with app.test_request_context("/?lang=vi"):
        from registry.workflow.papers.certificate import certificate_document, certificate_for
        from registry.workflow.verification import format_code, verification_url

        award = published_award(app, world)
        url, code = verification_url(award), format_code(award.verification_code)
        data = document_bytes(certificate_document(certificate_for(award)))
    assert f"Mã xác thực: {code}" in docx_text(data)
    document = Document(io.BytesIO(data))
    picture = document.part.related_parts[document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed]
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture.blob)))
    assert [r.text for r in found] == [url]
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and code in page.get_data(as_text=True)
