"""The certificate (Giấy khen, Bằng khen, Giấy chứng nhận) of one award, with its verification QR code.

Only public facts are printed (name, unit, the public summary, the decision): it may be shown to anyone
once the award is published."""
from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from docx.shared import Mm, Pt, RGBColor
from flask_babel import force_locale
from markupsafe import Markup

from registry.catalog.models import TitleCategory
from registry.entries.models import Award, EntryStatus
from registry.workflow.papers.frame import (
    MOTTO,
    NATIONAL_TITLE,
    Signature,
    add_text,
    body_name,
    cell_text,
    head_title,
    new_document,
    place_of,
    set_widths,
    short_rule,
    signature_lines,
    vn_date,
)

CITATION_LIMIT = 320


def certificate_is_public(award: Award) -> bool:
    """A certificate is shown for a live award of a published entry."""
    return award.entry.status == EntryStatus.PUBLISHED and not award.is_revoked


def verification_parts(award: Award) -> dict | None:
    """The QR code (SVG), the verification link and the short code printed under it; None when the registry
    has no verification yet (the certificate then leaves the QR slot out)."""
    try:
        from registry.workflow.verification import award_qr_svg, verification_url
    except ImportError:
        return None
    url = verification_url(award)
    try:
        from registry.workflow.verification import verification_code
    except ImportError:
        from registry.workflow.verification import format_code

        # Printed as it is read out: two groups of five (K7M2Q-9RXTA).
        code = format_code(award.verification_code) if getattr(award, "verification_code", None) else None
    else:
        code = verification_code(award)
    return {"svg": Markup(award_qr_svg(award)), "url": url, "code": code or ""}


def qr_png(url: str) -> bytes:
    """The verification link as a PNG QR code, for the Word file."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


@dataclass
class Certificate:
    authority: str       # "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"
    verb: str            # "TẶNG" for a Giấy khen or Bằng khen, "" for a certificate of a title
    heading: str         # "GIẤY KHEN"
    recipient: str
    unit: str
    citation: str
    title_line: str      # "Danh hiệu “Chiến sĩ thi đua cơ sở” năm 2025" (certificates of a title)
    number: str          # "Số: 12/QĐ-UBND"
    place_date: str
    signature: Signature
    verification: dict | None
    filename: str
    national_title: str = NATIONAL_TITLE
    motto: str = MOTTO


def _heading(award: Award) -> tuple[str, str, str]:
    name = award.title.name
    if award.title.category == TitleCategory.COMMENDATION and name.lower().startswith("bằng khen"):
        return "TẶNG", "BẰNG KHEN", ""
    if award.title.category == TitleCategory.COMMENDATION and name.lower().startswith("giấy khen"):
        return "TẶNG", "GIẤY KHEN", ""
    return "", "GIẤY CHỨNG NHẬN", f"Danh hiệu “{name}” năm {award.year}"


def _citation(award: Award) -> str:
    summary = " ".join((award.entry.summary or "").split())
    if len(summary) > CITATION_LIMIT:
        summary = summary[:CITATION_LIMIT].rsplit(" ", 1)[0] + "…"
    if summary:
        return f"Đã có thành tích xuất sắc: {summary}"
    return f"Đã có thành tích xuất sắc trong phong trào thi đua năm {award.year}."


def certificate_for(award: Award) -> Certificate:
    """The certificate of ``award`` (always in Vietnamese)."""
    with force_locale("vi"):
        verb, heading, title_line = _heading(award)
        issuer = award.issuer
        position = award.signer_position or "Chủ tịch"
        authority = f"{head_title(position)} {body_name(issuer)}".upper() if issuer else ""
        day = award.decision_date
        place = place_of(issuer) if issuer else ""
        place_date = f"{place}, {vn_date(day)}" if day else ""
        return Certificate(
            authority=authority, verb=verb, heading=heading, recipient=award.entry.title,
            unit=award.entry.unit.name if award.entry.unit else "", citation=_citation(award),
            title_line=title_line, number=f"Số: {award.decision_number}" if award.decision_number else "",
            place_date=place_date, signature=Signature(signature_lines(position), award.signer or ""),
            verification=verification_parts(award), filename=f"giay-khen-{award.id}.docx",
        )


def certificate_document(certificate: Certificate):
    """The certificate as a Word file on A4 landscape."""
    document = new_document(landscape=True)
    width = 297 - 30 - 15
    add_text(document, certificate.national_title, bold=True, size=13, align="center")
    add_text(document, certificate.motto, bold=True, size=14, align="center")
    short_rule(document, 58, width)
    if certificate.authority:
        add_text(document, certificate.authority, bold=True, size=14, align="center", space_after=6)
    if certificate.verb:
        add_text(document, certificate.verb, bold=True, size=14, align="center")
    heading = add_text(document, certificate.heading, bold=True, size=36, align="center", space_after=6)
    heading.runs[-1].font.color.rgb = RGBColor(0xB0, 0x15, 0x1B)
    if certificate.title_line:
        add_text(document, certificate.title_line, bold=True, size=16, align="center", space_after=6)
    add_text(document, certificate.recipient, bold=True, size=22, align="center")
    if certificate.unit:
        add_text(document, certificate.unit, size=14, align="center", space_after=6)
    add_text(document, certificate.citation, italic=True, size=14, align="center", space_after=6)
    table = document.add_table(rows=1, cols=2)
    set_widths(table, [width / 2, width / 2])
    left, right = table.cell(0, 0), table.cell(0, 1)
    if certificate.verification:
        paragraph = cell_text(left, "", size=12, align="left")
        paragraph.add_run().add_picture(io.BytesIO(qr_png(certificate.verification["url"])), width=Mm(28))
        if certificate.verification.get("code"):
            add_text(left, f"Mã xác thực: {certificate.verification['code']}", size=11)
        add_text(left, certificate.number, size=12)
    else:
        cell_text(left, certificate.number, size=12)
    first = cell_text(right, certificate.place_date, italic=True, size=14, align="center")
    first.paragraph_format.space_after = Pt(3)
    for line in certificate.signature.lines:
        add_text(right, line, bold=True, size=14, align="center")
    for _blank in range(3):
        add_text(right, "", size=14)
    add_text(right, certificate.signature.name, bold=True, size=14, align="center")
    return document
