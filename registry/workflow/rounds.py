"""Councils, award rounds and the holidays their clocks skip: the writes an administrator makes."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.catalog.models import Unit
from registry.catalog.operations import clean_name
from registry.extensions import db
from registry.workflow.actions import WorkflowError
from registry.workflow.models import Council, Holiday, Round

# The rules of a round an administrator sets, beside its name, title and council.
ROUND_RULES = ("year", "opens_on", "closes_on", "level", "award_kind", "ballot", "denominator", "threshold_percent",
               "threshold_exclusive", "recused_leave_denominator", "quorum_percent", "written_votes_allowed", "consultation_days", "processing_days",
               "certificate_required", "prerequisite_title_id", "prerequisite_years")


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
