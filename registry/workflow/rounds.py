"""Councils, award rounds and the holidays their clocks skip: the writes an administrator makes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.catalog.models import AwardLevel, AwardTitle, Unit
from registry.catalog.operations import clean_name
from registry.extensions import db
from registry.workflow.actions import WorkflowError
from registry.workflow.models import BallotKind, Council, Denominator, Holiday, Round

# The rules of a round an administrator sets, beside its name, title and council.
ROUND_RULES = ("year", "opens_on", "closes_on", "level", "award_kind", "ballot", "denominator", "threshold_percent",
               "threshold_exclusive", "recused_leave_denominator", "quorum_percent", "written_votes_allowed", "consultation_days", "processing_days",
               "certificate_required", "prerequisite_title_id", "prerequisite_years")


@dataclass(frozen=True)
class RuleDefault:
    """A value a new round starts from, and where it comes from (shown beside the field)."""

    value: Any
    basis: str


# Titles voted by secret ballot with the high threshold of all members (absent members vote in writing), and the
# title (and consecutive years) each one needs first.
HIGH_TITLES = {
    "Chiến sĩ thi đua cấp tỉnh": ("Chiến sĩ thi đua cơ sở", 3),
    "Chiến sĩ thi đua cấp bộ, ban, ngành": ("Chiến sĩ thi đua cơ sở", 3),
    "Chiến sĩ thi đua toàn quốc": ("Chiến sĩ thi đua cấp tỉnh", 2),
}
INITIATIVE_TITLES = {"Chiến sĩ thi đua cơ sở", *HIGH_TITLES}
COUNCIL_RULES = "Quy chế hoạt động của Hội đồng Thi đua – Khen thưởng của cơ quan, đơn vị (tỷ lệ thường dùng: 2/3)"
PROCEDURE = "Thủ tục khen thưởng theo Nghị định 98/2023/NĐ-CP (nay là Nghị định 152/2025/NĐ-CP)"
CONSULTATION = "Luật Thi đua, khen thưởng số 06/2022/QH15: công khai, lấy ý kiến trước khi trình khen thưởng cấp Nhà nước"


def round_defaults(title: AwardTitle, *, today: date) -> dict[str, RuleDefault]:
    """The rules a new round of ``title`` starts from, each with its legal basis; the administrator may change any."""
    basis = title.legal_basis or COUNCIL_RULES
    high = title.name in HIGH_TITLES
    national = title.default_level == AwardLevel.NATIONAL
    prerequisite = HIGH_TITLES.get(title.name)
    prerequisite_id = (db.session.scalar(sa.select(AwardTitle.id).where(AwardTitle.name == prerequisite[0]))
                       if prerequisite else None)
    return {
        "level": RuleDefault((title.default_level or AwardLevel.COMMUNE).value, basis),
        "year": RuleDefault(today.year, ""),
        "opens_on": RuleDefault(today, ""),
        "closes_on": RuleDefault(today + timedelta(days=30), ""),
        "ballot": RuleDefault((BallotKind.SECRET if high else BallotKind.OPEN).value, basis if high else COUNCIL_RULES),
        "threshold_percent": RuleDefault(Decimal("90") if high else Decimal("66.67"), basis if high else COUNCIL_RULES),
        "denominator": RuleDefault((Denominator.ALL_MEMBERS if high else Denominator.PRESENT).value,
                                   basis if high else COUNCIL_RULES),
        "quorum_percent": RuleDefault(Decimal("50"), COUNCIL_RULES),
        "written_votes_allowed": RuleDefault(high, basis if high else COUNCIL_RULES),
        "consultation_days": RuleDefault(10 if national else 0, CONSULTATION if national else ""),
        "processing_days": RuleDefault(10, PROCEDURE),
        "certificate_required": RuleDefault(title.name in INITIATIVE_TITLES,
                                            (title.prerequisites or basis) if title.name in INITIATIVE_TITLES else ""),
        "prerequisite_title_id": RuleDefault(prerequisite_id or 0, basis if prerequisite else ""),
        "prerequisite_years": RuleDefault(prerequisite[1] if prerequisite else 0, basis if prerequisite else ""),
    }


def council_save(council: Council | None, *, name: str, unit: Unit) -> Council:
    """Create a council or rename it and change the unit it advises. Flush."""
    if council is None:
        council = Council(name="", unit_id=unit.id)
        db.session.add(council)
    council.name = clean_name(name)
    council.unit_id = unit.id
    db.session.flush()
    return council


def round_save(round_: Round | None, *, name: str, title_id: int, council_id: int, rules: dict[str, Any]) -> Round:
    """Create a round or change it and its rules. Flush."""
    if round_ is None:
        round_ = Round()
        db.session.add(round_)
    round_.name = clean_name(name)
    round_.title_id, round_.council_id = title_id, council_id
    for key in ROUND_RULES:
        setattr(round_, key, rules[key])
    db.session.flush()
    return round_


def holiday_add(*, day: date, name: str) -> Holiday:
    """Make a day a public holiday for the working-day clocks. Flush."""
    if db.session.scalar(sa.select(Holiday.id).where(Holiday.day == day)):
        raise WorkflowError(_l("This date is already a holiday."), field="day")
    holiday = Holiday(day=day, name=(name or "").strip())
    db.session.add(holiday)
    db.session.flush()
    return holiday
