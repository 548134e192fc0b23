"""The desk: one page per working user, sections per role."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from registry.accounts.models import Role
from registry.extensions import db
from registry.platform.vietnam_time import today_in_vietnam
from registry.workflow.actions import EDITABLE_STATES, council_ids, officer_unit_ids
from registry.workflow.models import Round
from registry.workflow.selectors import (
    council_rounds,
    member_work,
    officer_nominations,
    round_pipeline,
    state_counts,
)

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.get("/")
@login_required
def home():
    """What needs the user's action, by role; deadlines and processing clocks."""
    today = today_in_vietnam()
    context: dict = {"today": today}
    if officer_unit_ids(current_user):
        mine = officer_nominations(current_user)
        context["officer"] = {
            "counts": state_counts(mine),
            "action": [n for n in mine if n.state in EDITABLE_STATES],
            "recent": mine[:20],
            "open_rounds": db.session.scalars(
                sa.select(Round).where(Round.opens_on <= today, Round.closes_on >= today).order_by(Round.closes_on)
            ).all(),
        }
    if council_ids(current_user, Role.MEMBER, Role.CHAIR):
        to_review, to_vote = member_work(current_user)
        context["member"] = {"to_review": to_review, "to_vote": to_vote}
    if council_ids(current_user):
        context["pipelines"] = [round_pipeline(r, today=today) for r in council_rounds(current_user)[:10]]
        context["secretary_councils"] = council_ids(current_user, Role.SECRETARY)
    return render_template("desk/home.html", **context)
