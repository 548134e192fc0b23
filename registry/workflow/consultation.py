"""Public consultation: passed nominations open for comment for a number of working days."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import User
from registry.extensions import db
from registry.platform.vietnam_time import table_date, today_in_vietnam
from registry.workflow.actions import S, WorkflowError, nomination_transition
from registry.workflow.models import ConsultationComment, Nomination
from registry.workflow.notices import notify
from registry.workflow.workdays import add_working_days, holidays_configured


def consultation_wanted(nomination: Nomination) -> bool:
    """Whether the round's title asks for a public consultation before the decision."""
    return nomination.round.consultation_days > 0


def consultation_open(nomination: Nomination, *, actor: User, today: date | None = None) -> date:
    """Open the consultation; it closes after the round's number of working days. Return the closing date."""
    days = nomination.round.consultation_days
    if not consultation_wanted(nomination):
        raise WorkflowError(_l("This round's title needs no public consultation."))
    today = today or today_in_vietnam()
    until = add_working_days(today, days, holidays_configured())
    nomination_transition(nomination, "open_consultation", actor=actor,
                          comment=str(_l("open until %(date)s", date=table_date(until))))
    nomination.consultation_until = until
    return until


def consultation_is_open(nomination: Nomination, *, today: date | None = None) -> bool:
    return (nomination.state == S.IN_CONSULTATION and nomination.consultation_until is not None
            and (today or today_in_vietnam()) <= nomination.consultation_until)


def comment_add(
    nomination: Nomination, *, name: str, contact: str, body: str, today: date | None = None,
) -> ConsultationComment:
    """Take a comment from the public while the consultation is open."""
    if not consultation_is_open(nomination, today=today):
        raise WorkflowError(_l("The consultation on this nomination is closed."))
    body = (body or "").strip()
    if not body:
        raise WorkflowError(_l("Please write your comment."))
    comment = ConsultationComment(nomination_id=nomination.id, name=(name or "").strip()[:160],
                                  contact=(contact or "").strip()[:200], body=body[:5000])
    db.session.add(comment)
    notify(nomination, action="comment", to_state=nomination.state, actor=None)
    db.session.flush()
    return comment


def comments_of(nomination: Nomination) -> list[ConsultationComment]:
    return list(db.session.scalars(
        sa.select(ConsultationComment).where(ConsultationComment.nomination_id == nomination.id)
        .order_by(ConsultationComment.id)
    ))


def nominations_in_consultation() -> list[Nomination]:
    """What the public may comment on now, the soonest closing first."""
    return list(db.session.scalars(
        sa.select(Nomination).where(Nomination.state == S.IN_CONSULTATION)
        .order_by(Nomination.consultation_until, Nomination.id)
    ))
