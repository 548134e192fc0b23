"""Template globals of the working pages: permission predicates, notices, dates and times."""
from __future__ import annotations

from flask import Flask
from flask_babel import format_datetime
from flask_login import current_user

from registry.accounts.models import Role
from registry.web.actions import action_url
from registry.workflow import actions as workflow
from registry.workflow.ballots import can_vote_on
from registry.workflow.models import NominationState, VoteChoice
from registry.workflow.notices import notice_text, unread_count
from registry.workflow.voting import explain


def _unread() -> int:
    return unread_count(current_user) if current_user.is_authenticated else 0


def _council_member_ids() -> set[int]:
    return workflow.council_ids(current_user, Role.MEMBER, Role.CHAIR)


def init_app(app: Flask) -> None:
    """Register the globals; templates reuse the same can_* predicates the views enforce."""
    app.jinja_env.globals.update(
        can_view_nomination=workflow.can_view_nomination, can_edit_dossier=workflow.can_edit_dossier,
        can_transition=workflow.can_transition, can_review=workflow.can_review, can_vote_on=can_vote_on,
        can_manage_council=workflow.can_manage_council, allowed_actions=workflow.allowed_actions,
        action_labels=workflow.ACTION_LABELS, notice_text=notice_text, unread_notices=_unread,
        action_url=action_url, explain_vote=explain, state_label=lambda value: NominationState(value).label,
        vote_choices=VoteChoice.choices, council_member_ids=_council_member_ids,
    )
    app.jinja_env.filters.update(datetime=format_datetime)
