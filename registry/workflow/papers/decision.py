"""The decision (quyết định) conferring a round's awards, with its annexed list of recipients."""
from __future__ import annotations

from datetime import date

from registry.catalog.models import Unit, UnitKind
from registry.workflow.models import Decision, NumberingStyle
from registry.workflow.papers.frame import (
    Annex,
    Paper,
    Para,
    Signature,
    Table,
    body_name,
    head_title,
    issuing_lines,
    place_of,
    signature_lines,
    vn_date,
)
from registry.workflow.papers.wording import (
    annex_rows,
    award_phrase,
    count_phrase,
    kinds_phrase,
)

# The laws a commendation decision rests on, by the day they came into force (newest first).
LOCAL_GOVERNMENT_LAW = [
    (date(2025, 7, 1), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"),
    (date(2016, 1, 1), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"),
]
EMULATION_LAW = [
    (date(2024, 1, 1), "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"),
    (date(2005, 1, 1), ("Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003 và các Luật sửa đổi, "
                        "bổ sung một số điều của Luật Thi đua, khen thưởng;")),
]

def law_in_force(table: list[tuple[date, str]], day: date) -> str | None:
    """The basis in force on ``day`` (None before the first)."""
    for since, text in table:
        if day >= since:
            return text
    return None


def basis_lines(text: str) -> list[str]:
    """The legal bases a secretary typed (one per line or separated by ";"), each as a "Căn cứ …;" line."""
    parts = [p.strip(" ;.") for chunk in (text or "").splitlines() for p in chunk.split(";")]
    lines = []
    for part in filter(None, parts):
        lines.append(part + ";" if part.lower().startswith("căn cứ") else f"Căn cứ {part};")
    return lines


def party_lines(unit: Unit) -> tuple[str | None, str]:
    """A party committee's header (Guidance 36-HD/VPTW): the party committee above it, then its own name."""
    above = next((u for u in reversed(unit.path()[:-1]) if u.kind == UnitKind.PARTY), None)
    return (above.name.upper() if above else None), unit.name.upper()


def decision_paper(decision: Decision) -> Paper:
    """The decision as a Decree 30 paper: bases, articles, recipients, the signer, the annexed list."""
    nominations = list(decision.nominations)
    round_ = decision.round
    title = round_.title if round_ else None
    year = round_.year if round_ else decision.signed_on.year
    party = decision.style == NumberingStyle.PARTY
    superior, issuer = party_lines(decision.issuer) if party else issuing_lines(decision.issuer)
    speaker = body_name(decision.issuer)
    head = head_title(decision.signer_position or "Chủ tịch")
    phrase = award_phrase(title, year) if title else "khen thưởng"
    council = round_.council.name if round_ else ""
    bases = [line for line in (law_in_force(LOCAL_GOVERNMENT_LAW, decision.signed_on),
                               law_in_force(EMULATION_LAW, decision.signed_on)) if line and not party]
    if party:
        bases.append("Căn cứ Điều lệ Đảng Cộng sản Việt Nam;")
    bases += basis_lines(decision.legal_basis)
    if council:
        bases.append(f"Xét đề nghị của {council}.")
    count = count_phrase(nominations)
    reference = decision.reference
    body = [
        Para("QUYẾT ĐỊNH:", kind="center"),
        Para(f"{phrase[:1].upper()}{phrase[1:]} cho {count} (có danh sách kèm theo), "
             "đã có thành tích xuất sắc trong phong trào thi đua.", kind="article", lead="Điều 1."),
        Para("Khen thưởng kèm theo thực hiện theo quy định hiện hành của Nhà nước về thi đua, khen thưởng.",
             kind="article", lead="Điều 2."),
        Para(f"Quyết định này có hiệu lực kể từ ngày ký. Văn phòng {speaker}, "
             f"{council if council else 'cơ quan thường trực Hội đồng Thi đua - Khen thưởng'}, "
             "các cơ quan, đơn vị liên quan và các cá nhân, tập thể có tên tại Điều 1 chịu trách nhiệm thi hành "
             "Quyết định này./.", kind="article", lead="Điều 3."),
    ]
    signed = vn_date(decision.signed_on)
    number = f"Số {reference}" if party else f"Số: {reference}"
    annex = Annex(
        heading=f"DANH SÁCH {kinds_phrase(nominations).upper()} ĐƯỢC {phrase.upper()}",
        subtitle=f"(Kèm theo Quyết định số {reference} {signed} của "
                 f"{'Ban Thường vụ ' + speaker if party else head + ' ' + speaker})",
        blocks=[Table(["STT", "Họ và tên / Tên tập thể", "Đơn vị", "Ghi chú"], annex_rows(nominations),
                      [14, 66, 55, 30])],
    )
    return Paper(
        superior=superior, issuer=issuer, number=number,
        place_date=f"{place_of(decision.issuer)}, {signed}", kind="QUYẾT ĐỊNH", summary=f"Về việc {phrase}",
        authority=(f"BAN THƯỜNG VỤ {speaker}" if party else f"{head} {speaker}").upper(), bases=bases, body=body,
        recipients=["- Như Điều 3;", "- Lưu: VT." if not party else "- Lưu: Văn phòng."],
        signatures=[Signature(
            ["T/M BAN THƯỜNG VỤ", (decision.signer_position or "Bí thư").upper()] if party
            else signature_lines(decision.signer_position or head), decision.signer)],
        annex=annex, party=party, filename=f"quyet-dinh-{decision.number}-{decision.signed_on.year}.docx",
    )
