"""Regenerate the sample papers in docs/samples/ from the demo data:

    python -m registry.workflow.papers.samples [OUT_DIR] [--no-pdf]

It loads the demo data into a throwaway SQLite database, runs one fictional round of Quận Long Biên's
council through the workflow (session, secret vote, decision, publication), and writes each paper as a Word
file and as its print page printed on A4 by Chromium (.pdf); without Chromium, or with --no-pdf, the print
page itself (.html, the style sheet inlined) takes the PDF's place.
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

SAMPLE_DAY = date(2021, 12, 20)
SESSION_DAY = date(2021, 12, 14)
# A minimal PDF standing in for the scanned proposal letters and minutes the units attach.
PLACEHOLDER_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                 "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
                 "--print-to-pdf-no-header"]
NOMINEES = ["lb-shipper-xanh", "lb-cccd-tai-nha", "lb-vu-hoang-nam-bac-si"]


def _people(council, unit):
    """The fictional council of the sample: a secretary, a chair, four members; an officer of the district."""
    from registry.accounts.models import Role
    from registry.accounts.operations import user_add_role, user_create

    people = {}
    for key, name, position, role, scope in [
        ("secretary", "Nguyễn Thị Thu Hà", "Chuyên viên Phòng Nội vụ", Role.SECRETARY, {"council_id": council.id}),
        ("chair", "Trần Văn Hùng", "Chủ tịch UBND quận", Role.CHAIR, {"council_id": council.id}),
        ("m1", "Lê Thị Hồng", "Phó Chủ tịch UBND quận", Role.MEMBER, {"council_id": council.id}),
        ("m2", "Phạm Minh Tuấn", "Trưởng phòng Nội vụ", Role.MEMBER, {"council_id": council.id}),
        ("m3", "Đỗ Văn Bình", "Chủ tịch Ủy ban MTTQ quận", Role.MEMBER, {"council_id": council.id}),
        ("m4", "Hoàng Thị Lan", "Chủ tịch Hội LHPN quận", Role.MEMBER, {"council_id": council.id}),
        ("officer", "Vũ Đức Anh", "Cán bộ thi đua", Role.UNIT_OFFICER, {"unit_id": unit.id}),
    ]:
        user = user_create(email=f"{key}@mau.example", name=name, password="mau-so-lieu-1234",
                           position=position)
        user_add_role(user, role, **scope)
        people[key] = user
    return people


def _run_round():
    """The sample round, carried from dossiers to published awards; returns (session, round, decision, award)."""
    import sqlalchemy as sa

    from registry.catalog.models import AwardLevel, AwardTitle
    from registry.catalog.operations import unit_resolve_path
    from registry.entries.models import Entry
    from registry.extensions import db
    from registry.workflow import ballots
    from registry.workflow.actions import nomination_transition
    from registry.workflow.decisions import decision_record, nomination_publish
    from registry.workflow.dossiers import (
        attachment_add,
        nomination_create,
        nomination_submit,
        nomination_update,
    )
    from registry.workflow.models import (
        AttachmentKind,
        BallotKind,
        Council,
        Denominator,
        NumberingStyle,
        Round,
        VoteChoice,
    )

    district = unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên"], create=False)
    council = Council(name="Hội đồng Thi đua - Khen thưởng quận Long Biên", unit_id=district.id)
    db.session.add(council)
    db.session.flush()
    people = _people(council, district)
    title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Người tốt, việc tốt"))
    today = date.today()
    round_ = Round(name="Đợt xét “Người tốt, việc tốt” năm 2021", title_id=title.id, level=AwardLevel.DISTRICT,
                   council_id=council.id, year=2021, opens_on=today - timedelta(days=5),
                   closes_on=today + timedelta(days=5), ballot=BallotKind.SECRET,
                   threshold_percent=Decimal(90), denominator=Denominator.ALL_MEMBERS,
                   quorum_percent=Decimal(50), processing_days=10)
    db.session.add(round_)
    db.session.flush()
    nominations = []
    for ref in NOMINEES:
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == ref))
        nomination = nomination_create(round_=round_, unit=entry.unit, actor=people["officer"], entry=entry)
        nomination_update(nomination, fields={"report": "Báo cáo thành tích của đơn vị.",
                                              "letter_number": "15/TTr", "letter_date": today,
                                              "letter_signer": "Vũ Đức Anh"}, actor=people["officer"])
        for kind in (AttachmentKind.PROPOSAL_LETTER, AttachmentKind.MINUTES):
            attachment_add(nomination, kind=kind, data=PLACEHOLDER_PDF, filename=f"{kind.value}.pdf",
                           actor=people["officer"])
        nomination_submit(nomination, actor=people["officer"])
        nomination_transition(nomination, "accept", actor=people["secretary"])
        nominations.append(nomination)
    session = ballots.session_create(round_, held_on=today, place="Hội trường tầng 3, trụ sở UBND quận")
    ballots.session_assign(session, nominations)
    ballots.session_set_attendance(session, {people[k].id for k in ("chair", "m1", "m2", "m3")})
    votes = {0: {"chair": "agree", "m1": "agree", "m2": "agree", "m3": "agree", "m4": "agree"},
             1: {"chair": "agree", "m1": "agree", "m2": "agree", "m3": "agree", "m4": "agree"},
             2: {"chair": "agree", "m1": "agree", "m2": "disagree", "m3": "agree", "m4": "abstain"}}
    round_.written_votes_allowed = True
    for index, nomination in enumerate(nominations):
        ballots.vote_open(nomination, actor=people["secretary"])
        for key, choice in votes[index].items():
            recorded_by = people["secretary"] if key == "m4" else None  # the absent member votes in writing
            ballots.vote_cast(nomination, voter=people[key], choice=VoteChoice(choice), recorded_by=recorded_by)
        ballots.vote_close(nomination, actor=people["secretary"])
    passed = [n for n in nominations if n.vote_result["passed"]]
    decision = decision_record(
        round_=round_, issuer=district, style=NumberingStyle.STATE, number=1245, symbol="QĐ-UBND",
        signed_on=SAMPLE_DAY, signer="Lê Thị Hồng", signer_position="Phó Chủ tịch",
        legal_basis="Quyết định số 25/2021/QĐ-UBND của Ủy ban nhân dân Thành phố Hà Nội ban hành Quy định về "
                    "công tác thi đua, khen thưởng trên địa bàn Thành phố",
        term=None, nominations=passed, actor=people["secretary"])
    awards = [nomination_publish(n, actor=people["secretary"]) for n in passed]
    session.held_on = SESSION_DAY
    db.session.commit()
    return session, round_, decision, awards[0]


def _photo_data_uri(photo) -> str:
    from registry.workflow.papers.honours_book import photo_jpeg

    data = photo_jpeg(photo)
    return "data:image/jpeg;base64," + base64.b64encode(data).decode() if data else ""


def _self_contained(html: str, css: str) -> str:
    """The print page with its style sheet written into it, to be opened as a file (the app serves it apart)."""
    return re.sub(r'<link rel="stylesheet" href="[^"]*papers\.css[^"]*">', lambda _m: f"<style>{css}</style>", html,
                  count=1)


def _write(out: Path, stem: str, html: str, document, chromium: str | None) -> list[Path]:
    from registry.workflow.papers.frame import document_bytes

    docx = out / f"{stem}.docx"
    docx.write_bytes(document_bytes(document))
    if not chromium:
        page = out / f"{stem}.html"
        page.write_text(html, encoding="utf-8")
        return [docx, page]
    with tempfile.TemporaryDirectory(prefix="registry-paper-") as tmp:
        page = Path(tmp) / f"{stem}.html"
        page.write_text(html, encoding="utf-8")
        pdf = out / f"{stem}.pdf"
        subprocess.run([chromium, *CHROMIUM_ARGS, f"--print-to-pdf={pdf}", page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return [docx, pdf]


def samples_build(out: Path, *, pdf: bool = True) -> list[Path]:
    """Build the demo data in a throwaway instance and write every sample paper into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    chromium = (os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")) if pdf else None
    with tempfile.TemporaryDirectory(prefix="registry-samples-") as tmp:
        os.environ["REGISTRY_INSTANCE_PATH"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["SEARCH_BACKEND"] = "whoosh"
        from flask import render_template

        from registry import create_app
        from registry.catalog.operations import unit_resolve_path
        from registry.demo import demo_load
        from registry.extensions import db
        from registry.workflow.papers.certificate import (
            certificate_document,
            certificate_for,
        )
        from registry.workflow.papers.decision import decision_paper
        from registry.workflow.papers.frame import paper_document
        from registry.workflow.papers.honours_book import honours_book, honours_document
        from registry.workflow.papers.minutes import minutes_paper
        from registry.workflow.papers.proposal import proposal_paper

        app = create_app()
        css = (Path(app.static_folder) / "css" / "papers.css").read_text(encoding="utf-8")
        written: list[Path] = []
        with app.test_request_context("/?lang=vi"):
            db.create_all()
            demo_load()
            db.session.commit()
            district = unit_resolve_path(["Thành phố Hà Nội", "Quận Long Biên"], create=False)
            # The honours book from the demo data as imported, before the sample round adds its awards.
            book = honours_book(district, 2021)
            html = _self_contained(render_template("papers/honours_book.html", book=book,
                                                   photo_src=_photo_data_uri, toolbar=None), css)
            written += _write(out, "so-vang-2021", html, honours_document(book), chromium)
            session, round_, decision, award = _run_round()
            for stem, paper in (("bien-ban-hop", minutes_paper(session)), ("to-trinh", proposal_paper(round_)),
                                ("quyet-dinh", decision_paper(decision))):
                html = _self_contained(render_template("papers/paper.html", paper=paper, toolbar=None), css)
                written += _write(out, stem, html, paper_document(paper), chromium)
            certificate = certificate_for(award)
            html = _self_contained(render_template("papers/certificate.html", certificate=certificate, toolbar=None),
                                   css)
            written += _write(out, "giay-chung-nhan", html, certificate_document(certificate), chromium)
            db.session.remove()
        return written


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    pdf = "--no-pdf" not in args
    args = [a for a in args if a != "--no-pdf"]
    out = Path(args[0] if args else "docs/samples")
    for path in samples_build(out, pdf=pdf):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
