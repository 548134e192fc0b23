"""Workflow steps taken from a page: one place that runs a step, commits it and tells the user how it went."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from registry.extensions import db
from registry.web.access import require
from registry.workflow.actions import ACTIONS, WorkflowError, action_done_message, action_perform, can_transition
from registry.workflow.models import Nomination

T = TypeVar("T")


class CommentedActionForm(FlaskForm):
    """A workflow button, with the reason when the action needs one."""

    comment = TextAreaField(_l("Reason or comment"), validators=[Optional(), Length(max=5000)])


def stale_message() -> str:
    return _("Someone else acted on this nomination at the same time. Nothing was changed; "
             "please look at its state and try again.")


def carry_out(step: Callable[[], T], success: Callable[[T], str]) -> bool:
    """Run one workflow step and commit it, then say how it went: its success, the rule it broke, or
    that someone else changed the same record first (nothing is kept then). True if it was done."""
    try:
        result = step()
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    except StaleDataError:
        db.session.rollback()
        flash(stale_message(), "error")
    else:
        flash(success(result), "success")
        return True
    return False


def take_action(nomination: Nomination, action: str, *, endpoint: str):
    """The view behind a button of the action table: only the actions that name ``endpoint`` are taken here."""
    row = ACTIONS.get(action)
    if row is None or row.page or row.endpoint != endpoint:
        abort(404)
    require(can_transition(current_user, nomination, action))
    form = CommentedActionForm()
    if not form.validate_on_submit():
        abort(400)
    carry_out(lambda: action_perform(nomination, action, actor=current_user, comment=form.comment.data or ""),
              lambda result: action_done_message(action, result))
    return redirect(url_for("nominations.show", nomination_id=nomination.id))


def action_url(action, nomination: Nomination) -> str:
    """Where a button or link of the action table goes, for one nomination."""
    if action.page and action.endpoint == "council.decision_new":
        return url_for(action.endpoint, round_id=nomination.round_id)
    if action.page:
        return url_for(action.endpoint, nomination_id=nomination.id)
    return url_for(action.endpoint, nomination_id=nomination.id, action=action.name)
