"""The minutes (biên bản) of a council session: who was there, each vote with every number, the conclusion."""
from __future__ import annotations

from flask_babel import force_locale

from registry.accounts.models import Role
from registry.workflow import ballots
from registry.workflow.models import BallotKind, CouncilSession, Denominator
from registry.workflow.papers.council_people import council_holder
from registry.workflow.papers.frame import (
    Paper,
    Para,
    Signature,
    Table,
    body_name,
    place_of,
    vn_date,
)
from registry.workflow.papers.wording import award_phrase, percent

COUNCIL_BODY = "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"
CHOICE_WORDS = {"agree": "Đồng ý", "disagree": "Không đồng ý", "abstain": "Không ý kiến"}


def rule_sentence(round_) -> str:
    """The round's voting rule in words, as the minutes record it."""
    ballot = "bỏ phiếu kín" if round_.ballot == BallotKind.SECRET else "biểu quyết công khai"
    if round_.denominator != Denominator.ALL_MEMBERS:
        whom = "số thành viên tham gia biểu quyết"
    elif getattr(round_, "recused_leave_denominator", False):
        whom = "tổng số thành viên Hội đồng, không kể thành viên không tham gia do xung đột lợi ích"
    else:
        whom = "tổng số thành viên Hội đồng"
    share = (f"trên {percent(round_.threshold_percent)}% {whom}" if getattr(round_, "threshold_exclusive", False)
             else f"từ {percent(round_.threshold_percent)}% {whom} trở lên")
    return (f"Hình thức: {ballot}; thông qua khi số phiếu đồng ý đạt {share}; số thành viên tham gia tối thiểu "
            f"{percent(round_.quorum_percent)}% tổng số thành viên.")


def result_sentence(record: dict) -> str:
    """Every number of one vote: members, present, recused, written votes, agree, disagree, abstain, the share
    against the threshold and its denominator, the verdict."""
    whom = "tổng số thành viên" if record["denominator"] == "all_members" else "số thành viên tham gia"
    verdict = "ĐẠT" if record["passed"] else "KHÔNG ĐẠT"
    quorum = "" if record["quorum_met"] else " (không đủ số thành viên tham gia theo quy định)"
    if "members" not in record:  # a vote closed before the record named every number
        return (f"Số thành viên được biểu quyết: {record['eligible']}; tham gia: {record['participants']}; "
                f"đồng ý: {record['agree']}; không đồng ý: {record['disagree']}; không ý kiến: {record['abstain']}. "
                f"Tỷ lệ đồng ý: {percent(record['agree_percent'])}% {whom} "
                f"(ngưỡng {percent(record['threshold_percent'])}%){quorum}. Kết quả: {verdict}.")
    above = "trên" if record.get("exclusive") else "từ"
    return (f"Hội đồng có {record['members']} thành viên; có mặt: {record.get('present', record['participants'])}; "
            f"không tham gia do xung đột lợi ích: {record.get('recused', 0)}; "
            f"phiếu bằng văn bản: {record.get('written', 0)}; đồng ý: {record['agree']}; "
            f"không đồng ý: {record['disagree']}; không ý kiến: {record['abstain']}. "
            f"Tỷ lệ đồng ý: {record['agree']}/{record['denominator_count']}, {percent(record['agree_percent'])}% "
            f"{whom} (ngưỡng: {above} {percent(record['threshold_percent'])}%){quorum}. Kết quả: {verdict}.")


def minutes_paper(session: CouncilSession) -> Paper:
    """The minutes of ``session`` in the Decree 30 form (always in Vietnamese)."""
    with force_locale("vi"):
        return _minutes(session)


def _minutes(session: CouncilSession) -> Paper:
    round_ = session.round
    council = round_.council
    unit = council.unit
    members = ballots.voting_members(council.id)
    present = {a.user_id for a in session.attendance}
    secretary = council_holder(council.id, Role.SECRETARY)
    chair = council_holder(council.id, Role.CHAIR)
    phrase = award_phrase(round_.title, round_.year)
    held = vn_date(session.held_on)
    body = [
        Para(f"Hôm nay, vào hồi … giờ … phút, {held}, tại {session.place or '…'}, {council.name} họp xét "
             f"đề nghị {phrase} ({round_.name})."),
        Para("I. THÀNH PHẦN", kind="heading"),
        Para(f"Chủ trì: {chair.name if chair else '…'}"
             f"{', ' + chair.position if chair and chair.position else ', Chủ tịch Hội đồng'}."),
        Para(f"Thư ký: {secretary.name if secretary else '…'}."),
        Para(f"Tổng số thành viên Hội đồng: {len(members)}; có mặt: "
             f"{sum(1 for m in members if m.id in present)}; vắng mặt: "
             f"{sum(1 for m in members if m.id not in present)}."),
        Table(["STT", "Họ và tên", "Chức vụ", "Có mặt"],
              [[str(i), m.name, m.position or "", "Có mặt" if m.id in present else "Vắng mặt"]
               for i, m in enumerate(members, start=1)], [14, 60, 61, 30]),
        Para("II. NỘI DUNG", kind="heading"),
        Para("Hội đồng nghe Thư ký báo cáo tóm tắt hồ sơ đề nghị của các đơn vị, thảo luận và biểu quyết. "
             + rule_sentence(round_)),
    ]
    passed = []
    for index, nomination in enumerate(session.nominations, start=1):
        body.append(Para(f"{index}. {nomination.entry.title} ({nomination.unit.name})", kind="heading"))
        conflicts = ballots.conflicts(nomination)
        if conflicts:
            names = "; ".join(f"{m.name} ({reason})" for m, reason in conflicts)
            body.append(Para(f"Không tham gia biểu quyết do xung đột lợi ích: {names}."))
        record = nomination.vote_result
        if not record:
            body.append(Para("Chưa kết thúc biểu quyết.", kind="note"))
            continue
        body.append(Para(result_sentence(record)))
        for choice, people in ballots.open_ballot_names(nomination).items():
            body.append(Para(f"{CHOICE_WORDS[choice.value]}: {', '.join(p.name for p in people) or '—'}."))
        if record["passed"]:
            passed.append(nomination.entry.title)
    body.append(Para("III. KẾT LUẬN", kind="heading"))
    head = f"Chủ tịch {body_name(unit)}"
    if passed:
        body.append(Para(f"Hội đồng thống nhất đề nghị {head} xem xét, quyết định {phrase} cho: "
                         f"{', '.join(passed)}."))
    else:
        body.append(Para("Không có trường hợp nào đạt số phiếu theo quy định."))
    body.append(Para("Cuộc họp kết thúc vào hồi … giờ … phút cùng ngày. Biên bản đã được thông qua trước Hội "
                     "đồng và các thành viên dự họp nhất trí./."))
    return Paper(
        superior=body_name(unit).upper(), issuer=COUNCIL_BODY, number="Số:       /BB-HĐTĐKT",
        place_date=f"{place_of(unit)}, {held}", kind="BIÊN BẢN", summary=f"Họp Hội đồng xét đề nghị {phrase}",
        body=body,
        signatures=[Signature(["THƯ KÝ"], secretary.name if secretary else ""),
                    Signature(["CHỦ TỌA"], chair.name if chair else "")],
        filename=f"bien-ban-hop-{session.held_on.isoformat()}.docx",
    )
