"""Public consultation pages: the proposed list, each proposal's public facts, and a comment form."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from registry.extensions import db, limiter
from registry.web.consultation.forms import CommentForm
from registry.workflow.actions import S, WorkflowError
from registry.workflow.consultation import comment_add, consultation_is_open, nominations_in_consultation
from registry.workflow.models import Nomination

bp = Blueprint("consultation", __name__, url_prefix="/consultation")


@bp.get("/")
def index():
    """Proposals open for public comment, with their closing dates."""
    return render_template("consultation/index.html", nominations=nominations_in_consultation())


def _public_nomination(nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.state != S.IN_CONSULTATION:
        abort(404)
    return nomination


@bp.get("/<int:nomination_id>")
def show(nomination_id: int):
    """A proposal's public facts (never private data) and the comment form."""
    nomination = _public_nomination(nomination_id)
    return render_template("consultation/show.html", nomination=nomination, form=CommentForm(),
                           is_open=consultation_is_open(nomination))


@bp.post("/<int:nomination_id>")
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"])
def comment(nomination_id: int):
    """Take a comment from anyone; robots filling the hidden field are thanked and ignored."""
    nomination = _public_nomination(nomination_id)
    form = CommentForm()
    if form.validate_on_submit():
        if form.website.data:
            flash(_("Thank you. Your comment has been sent to the council."), "success")
            return redirect(url_for("consultation.show", nomination_id=nomination_id))
        try:
            comment_add(nomination, name=form.name.data or "", contact=form.contact.data or "", body=form.body.data)
            db.session.commit()
        except WorkflowError as exc:
            db.session.rollback()
            form.body.errors = list(form.body.errors) + [str(exc)]
        else:
            flash(_("Thank you. Your comment has been sent to the council."), "success")
            return redirect(url_for("consultation.show", nomination_id=nomination_id))
    return render_template("consultation/show.html", nomination=nomination, form=form,
                           is_open=consultation_is_open(nomination)), 422
