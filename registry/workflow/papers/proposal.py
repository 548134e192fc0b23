"""The council's proposal (tờ trình) to the head of its unit: the nominations that passed, with the list."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from registry.accounts.models import Role
from registry.extensions import db
from registry.workflow.actions import S
from registry.workflow.models import CouncilSession, Nomination, Round
from registry.workflow.papers.council_people import council_holder
from registry.workflow.papers.decision import EMULATION_LAW, law_in_force
from registry.workflow.papers.frame import (
    Annex,
    Paper,
    Para,
    Signature,
    Table,
    body_name,
    place_of,
    signature_lines,
    vietnam_today,
    vn_date,
)
from registry.workflow.papers.minutes import COUNCIL_BODY
from registry.workflow.papers.wording import (
    KIND_LABELS,
    award_phrase,
    count_phrase,
    kinds_phrase,
    percent,
)

# The states of a nomination that has passed the council's vote.
PASSED_STATES = (S.PASSED, S.IN_CONSULTATION, S.DECIDED, S.PUBLISHED)


def proposed_nominations(round_: Round) -> list[Nomination]:
    """The round's nominations that passed the vote, in the order they were filed."""
    return list(db.session.scalars(
        sa.select(Nomination).where(Nomination.round_id == round_.id, Nomination.state.in_(PASSED_STATES))
        .order_by(Nomination.id)))


def proposal_paper(round_: Round) -> Paper:
    """The proposal of ``round_`` in the Decree 30 form (always in Vietnamese)."""
    with force_locale("vi"):
        return _proposal(round_)


def _proposal(round_: Round) -> Paper:
    council = round_.council
    unit = council.unit
    nominations = proposed_nominations(round_)
    received = db.session.scalar(sa.select(sa.func.count(Nomination.id)).where(
        Nomination.round_id == round_.id, Nomination.submitted_on.is_not(None)))
    sessions = list(db.session.scalars(
        sa.select(CouncilSession).where(CouncilSession.round_id == round_.id).order_by(CouncilSession.held_on)))
    day = sessions[-1].held_on if sessions else vietnam_today()
    phrase = award_phrase(round_.title, round_.year)
    head = f"Chủ tịch {body_name(unit)}"
    chair = council_holder(council.id, Role.CHAIR)
    bases = [basis for basis in [law_in_force(EMULATION_LAW, day)] if basis]
    bases += [f"Căn cứ Biên bản họp {council.name} {vn_date(s.held_on)};" for s in sessions]
    count = count_phrase(nominations) or "00 cá nhân"
    body = [
        Para(f"{council.name} đã tiếp nhận {received} hồ sơ đề nghị {phrase} ({round_.name}) của các đơn vị, "
             "tổ chức họp xét và biểu quyết theo quy định."),
        Para(f"Kết quả: {count} đạt số phiếu đồng ý theo quy định."),
    ]
    if round_.consultation_days:
        body.append(Para(f"Danh sách đã được lấy ý kiến Nhân dân trong {round_.consultation_days} ngày làm việc "
                         "theo quy định."))
    body.append(Para(f"{council.name} kính trình {head} xem xét, quyết định {phrase} cho {count} "
                     "(có danh sách kèm theo)./."))
    rows = []
    for index, nomination in enumerate(nominations, start=1):
        record = nomination.vote_result or {}
        tally = (f"{record['agree']}/{record['denominator_count']} ({percent(record['agree_percent'])}%)"
                 if record else "")
        rows.append([str(index), nomination.entry.title, nomination.unit.name,
                     KIND_LABELS.get(nomination.entry.kind, ""), tally])
    return Paper(
        superior=body_name(unit).upper(), issuer=COUNCIL_BODY, number="Số:       /TTr-HĐTĐKT",
        place_date=f"{place_of(unit)}, {vn_date(day)}", kind="TỜ TRÌNH", summary=f"Về việc đề nghị {phrase}",
        addressee=f"Kính gửi: {head}.", bases=bases, body=body,
        recipients=["- Như trên;", "- Thành viên Hội đồng;", "- Lưu: VT."],
        signatures=[Signature(signature_lines("Chủ tịch", collective="Hội đồng"), chair.name if chair else "")],
        annex=Annex(
            heading=f"DANH SÁCH {kinds_phrase(nominations).upper()} ĐỀ NGHỊ {phrase.upper()}",
            subtitle=f"(Kèm theo Tờ trình số       /TTr-HĐTĐKT {vn_date(day)} của {council.name})",
            blocks=[Table(["STT", "Họ và tên / Tên tập thể", "Đơn vị", "Ghi chú", "Số phiếu đồng ý"], rows,
                          [12, 52, 45, 26, 30])],
        ),
        filename=f"to-trinh-{round_.year}-{round_.id}.docx",
    )
