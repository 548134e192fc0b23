"""Views of the council's work: each loads, checks a predicate, validates, calls one write, commits once."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from registry.accounts.models import User
from registry.extensions import db
from registry.platform.vietnam_time import today_in_vietnam
from registry.web.access import require
from registry.web.actions import carry_out, stale_message, take_action
from registry.web.council.forms import (
    AgendaForm,
    AttendanceForm,
    ConflictDecisionForm,
    ConflictForm,
    DecisionForm,
    EmptyForm,
    NoteForm,
    RegisterForm,
    RevokeForm,
    SessionForm,
    VoteForm,
    WrittenVoteForm,
)
from registry.web.parts import send_stored_document
from registry.workflow import ballots
from registry.workflow.actions import (
    S,
    WorkflowError,
    can_follow_council,
    can_manage_council,
    can_review,
    can_transition,
    is_voting_member_of,
)
from registry.workflow.ballots import can_vote_on
from registry.workflow.decisions import (
    award_revoke,
    decision_record,
    decision_series,
    next_decision_number,
    register_position,
    register_set,
)
from registry.workflow.documents import AttachmentError, clean_filename, store_document
from registry.workflow.models import CouncilSession, Decision, Nomination, NumberingStyle, Round, VoteChoice
from registry.workflow.selectors import round_pipeline
from registry.workflow.voting import explain

bp = Blueprint("council", __name__, url_prefix="/council")

T = TypeVar("T")


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id) or abort(404)
    require(can_follow_council(current_user, round_.council_id) or current_user.is_admin)
    return round_


def _session(session_id: int) -> CouncilSession:
    session = db.session.get(CouncilSession, session_id) or abort(404)
    require(can_follow_council(current_user, session.round.council_id) or current_user.is_admin)
    return session


def _nomination(nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id) or abort(404)
    if nomination.state == S.DRAFT:
        abort(403)
    return nomination


def _back(nomination: Nomination, anchor: str = ""):
    return redirect(url_for("nominations.show", nomination_id=nomination.id) + anchor)


# --- rounds and sessions ------------------------------------------------------------------------

@bp.get("/rounds/<int:round_id>")
@login_required
def round(round_id: int):
    """The round's pipeline: counts per state, each dossier with its processing clock, sessions, decisions."""
    round_ = _round(round_id)
    sessions = db.session.scalars(
        sa.select(CouncilSession).where(CouncilSession.round_id == round_.id).order_by(CouncilSession.held_on)
    ).all()
    decisions = db.session.scalars(
        sa.select(Decision).where(Decision.round_id == round_.id).order_by(Decision.signed_on, Decision.id)
    ).all()
    return render_template(
        "council/round.html", round=round_, pipeline=round_pipeline(round_), sessions=sessions,
        decisions=decisions, session_form=SessionForm(),
        manage=can_manage_council(current_user, round_.council_id),
    )


@bp.post("/rounds/<int:round_id>/sessions")
@login_required
def session_new(round_id: int):
    """Schedule a session of the council for the round."""
    round_ = _round(round_id)
    require(can_manage_council(current_user, round_.council_id))
    form = SessionForm()
    if form.validate_on_submit():
        session = ballots.session_create(round_, held_on=form.held_on.data, place=form.place.data or "")
        db.session.commit()
        flash(_("The session is scheduled."), "success")
        return redirect(url_for("council.session", session_id=session.id))
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return redirect(url_for("council.round", round_id=round_id))


@bp.get("/sessions/<int:session_id>")
@login_required
def session(session_id: int):
    """A session: who is present, its agenda, opening the votes."""
    item = _session(session_id)
    members = ballots.voting_members(item.round.council_id)
    attendance = AttendanceForm()
    attendance.present.choices = [(m.id, m.name) for m in members]
    attendance.present.data = [a.user_id for a in item.attendance]
    agenda = AgendaForm()
    waiting = db.session.scalars(
        sa.select(Nomination).where(Nomination.round_id == item.round_id, Nomination.state == S.ACCEPTED,
                                    Nomination.session_id.is_(None)).order_by(Nomination.id)
    ).all()
    agenda.nominations.choices = [(n.id, f"{n.entry.title} — {n.unit.name}") for n in waiting]
    return render_template("council/session.html", session=item, members=members, attendance=attendance,
                           agenda=agenda, manage=can_manage_council(current_user, item.round.council_id))


@bp.post("/sessions/<int:session_id>/attendance")
@login_required
def session_attendance(session_id: int):
    """Record who is present."""
    item = _session(session_id)
    require(can_manage_council(current_user, item.round.council_id))
    form = AttendanceForm()
    form.present.choices = [(m.id, m.name) for m in ballots.voting_members(item.round.council_id)]
    if form.validate_on_submit():
        ballots.session_set_attendance(item, set(form.present.data or []))
        db.session.commit()
        flash(_("Attendance saved."), "success")
    return redirect(url_for("council.session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/agenda")
@login_required
def session_agenda(session_id: int):
    """Put accepted nominations on the session's agenda."""
    item = _session(session_id)
    require(can_manage_council(current_user, item.round.council_id))
    form = AgendaForm()
    chosen = db.session.scalars(sa.select(Nomination).where(
        Nomination.id.in_([int(v) for v in request.form.getlist("nominations") if v.isdigit()]))).all()
    form.nominations.choices = [(n.id, n.entry.title) for n in chosen]
    if form.validate_on_submit():
        carry_out(lambda: ballots.session_assign(item, list(chosen)), lambda _done: _("The agenda is saved."))
    return redirect(url_for("council.session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/open-votes")
@login_required
def session_open_votes(session_id: int):
    """Open the vote on every accepted nomination on the agenda."""
    item = _session(session_id)
    require(can_manage_council(current_user, item.round.council_id))
    form = EmptyForm()
    if form.validate_on_submit():
        carry_out(lambda: ballots.session_open_votes(item, actor=current_user),
                   lambda count: _("Votes opened: %(count)d.", count=count))
    return redirect(url_for("council.session", session_id=session_id))


@bp.get("/sessions/<int:session_id>/minutes")
@login_required
def minutes(session_id: int):
    """The minutes of the session (biên bản), printable."""
    item = _session(session_id)
    members = ballots.voting_members(item.round.council_id)
    present = {a.user_id for a in item.attendance}
    results = []
    for nomination in item.nominations:
        results.append({
            "nomination": nomination,
            "conflicts": ballots.conflicts(nomination),
            "record": nomination.vote_result,
            "explained": explain(nomination.vote_result) if nomination.vote_result else None,
            "names": ballots.open_ballot_names(nomination) if nomination.vote_result else {},
        })
    return render_template("council/minutes.html", session=item, members=members, present=present,
                           results=results)


# --- review and the vote ------------------------------------------------------------------------

@bp.post("/nominations/<int:nomination_id>/notes")
@login_required
def note(nomination_id: int):
    """Leave a review note."""
    nomination = _nomination(nomination_id)
    require(can_review(current_user, nomination))
    form = NoteForm()
    if form.validate_on_submit():
        ballots.review_note_add(nomination, author=current_user, body=form.body.data)
        db.session.commit()
        flash(_("Your note is saved."), "success")
    else:
        flash(_("The note is empty."), "error")
    return _back(nomination, "#review")


@bp.post("/nominations/<int:nomination_id>/conflict")
@login_required
def conflict(nomination_id: int):
    """Declare a conflict of interest: the member leaves the vote on this nomination."""
    nomination = _nomination(nomination_id)
    require(is_voting_member_of(current_user, nomination.round.council_id) and can_review(current_user, nomination))
    form = ConflictForm()
    if form.validate_on_submit():
        carry_out(lambda: ballots.conflict_declare(nomination, member=current_user, reason=form.reason.data or ""),
                   lambda _done: _("Your conflict of interest is recorded; you will not vote on this nomination."))
    return _back(nomination, "#review")


@bp.post("/nominations/<int:nomination_id>/conflicts/decide")
@login_required
def conflict_decide(nomination_id: int):
    """The secretary recuses a member the registry proposed as in conflict, or keeps them in the vote; both recorded."""
    nomination = _nomination(nomination_id)
    require(can_manage_council(current_user, nomination.round.council_id))
    form = ConflictDecisionForm()
    member = db.session.get(User, int(form.member.data)) if (form.member.data or "").isdigit() else None
    if not form.validate_on_submit() or member is None:
        flash(_("Choose whether the member is recused."), "error")
        return _back(nomination, "#review")
    recuse = form.recuse.data == "yes"
    carry_out(lambda: ballots.conflict_decide(nomination, member=member, recuse=recuse, actor=current_user,
                                              note=form.note.data or ""),
              lambda _done: (_("%(name)s is recused from this vote; the reason is in the timeline.", name=member.name)
                             if recuse else _("%(name)s votes on this nomination; your decision is in the timeline.",
                                              name=member.name)))
    return _back(nomination, "#review")


@bp.post("/nominations/<int:nomination_id>/vote")
@login_required
def vote(nomination_id: int):
    """Cast one's vote, once, with the review note typed beside it (or save the note alone)."""
    nomination = _nomination(nomination_id)
    if not is_voting_member_of(current_user, nomination.round.council_id):
        abort(403)
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("Your vote was not sent. Please try again."), "error")
        return _back(nomination, "#vote")
    note = (form.note.data or "").strip()
    if form.note_only.data or not form.choice.data:
        # The note is never lost: without a choice it is saved alone, and the member is told the vote is not sent.
        if note and can_review(current_user, nomination):
            ballots.review_note_add(nomination, author=current_user, body=note)
            db.session.commit()
            flash(_("Your note is saved."), "success")
        if not form.note_only.data:
            flash(_("Choose agree, disagree or abstain."), "error")
        elif not note:
            flash(_("The note is empty."), "error")
        return _back(nomination, "#vote")
    if not can_vote_on(current_user, nomination):
        if note and can_review(current_user, nomination):
            ballots.review_note_add(nomination, author=current_user, body=note)
            db.session.commit()
            flash(_("Your note is saved."), "success")
        flash(_("You cannot vote on this nomination (the vote is closed, you have a conflict of interest, "
                "or you have already voted)."), "error")
        return _back(nomination, "#vote")

    def cast_with_note():
        ballots.vote_cast(nomination, voter=current_user, choice=VoteChoice(form.choice.data))
        if note:
            ballots.review_note_add(nomination, author=current_user, body=note)

    if not carry_out(cast_with_note, lambda _done: _("Your vote is recorded.") + (
            " " + _("Your note is saved.") if note else "")) and note:
        ballots.review_note_add(nomination, author=current_user, body=note)
        db.session.commit()
        flash(_("Your note is saved."), "success")
    return _back(nomination, "#vote")


@bp.post("/nominations/<int:nomination_id>/written-vote")
@login_required
def written_vote(nomination_id: int):
    """The secretary records the written vote of a member absent from the session."""
    nomination = _nomination(nomination_id)
    require(can_manage_council(current_user, nomination.round.council_id))
    form = WrittenVoteForm()
    form.member.choices = [(m.id, m.name) for m in ballots.written_vote_candidates(nomination)]
    if form.validate_on_submit():
        member = db.session.get(User, form.member.data)
        carry_out(lambda: ballots.vote_cast(nomination, voter=member, choice=VoteChoice(form.choice.data),
                                             recorded_by=current_user),
                   lambda _done: _("The written vote of %(name)s is recorded.", name=member.name))
    else:
        flash(_("Choose the member and their vote."), "error")
    return _back(nomination, "#vote")


@bp.post("/nominations/<int:nomination_id>/do/<action>")
@login_required
def act(nomination_id: int, action: str):
    """Take one of the secretary's moves of the action table: accept, return, open or close the vote, open the
    consultation, send back to review, publish."""
    return take_action(_nomination(nomination_id), action, endpoint="council.act")


# --- decisions, publication, revocation ---------------------------------------------------------

@bp.route("/rounds/<int:round_id>/decisions/new", methods=["GET", "POST"])
@login_required
def decision_new(round_id: int):
    """Record a signed decision for nominations of the round; the next number is proposed."""
    round_ = _round(round_id)
    require(can_manage_council(current_user, round_.council_id))
    pipeline = round_pipeline(round_)
    form = DecisionForm()
    form.nominations.choices = [(n.id, f"{n.entry.title} — {n.unit.name}") for n in pipeline.ready]
    if request.method == "GET":
        form.issuer.process_data(round_.council.unit)
        form.signed_on.data = today_in_vietnam()
        form.symbol.data = "QĐ-UBND"
        form.nominations.data = [n.id for n in pipeline.ready]
        form.legal_basis.data = round_.title.legal_basis or ""
        series = decision_series(NumberingStyle.STATE, signed_on=today_in_vietnam(), term=None, symbol="QĐ-UBND")
        form.number.data = next_decision_number(round_.council.unit_id, NumberingStyle.STATE, series)
    if form.validate_on_submit():
        scan = None
        upload = form.scan.data
        try:
            if upload and upload.filename:
                file_type, sha, _size = store_document(upload.stream, clean_filename(upload.filename))
                scan = (sha, clean_filename(upload.filename), file_type)
            chosen = [n for n in pipeline.ready if n.id in set(form.nominations.data)]
            decision = decision_record(
                round_=round_, issuer=form.issuer.unit, style=NumberingStyle(form.style.data),
                number=form.number.data, symbol=form.symbol.data, signed_on=form.signed_on.data,
                signer=form.signer.data, signer_position=form.signer_position.data,
                legal_basis=form.legal_basis.data, term=form.term.data, nominations=chosen,
                actor=current_user, scan=scan,
            )
            db.session.commit()
        except AttachmentError as exc:
            db.session.rollback()
            form.scan.errors = list(form.scan.errors) + [str(exc.message)]
        except WorkflowError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "number")
            target.errors = list(target.errors) + [str(exc)]
        except StaleDataError:
            db.session.rollback()
            flash(stale_message(), "error")
        else:
            flash(_("Decision %(ref)s is recorded.", ref=decision.reference), "success")
            return redirect(url_for("council.round", round_id=round_id))
    year = date.today().year
    register = RegisterForm(formdata=None, year=year,
                            last_number=register_position(round_.council.unit_id, NumberingStyle.STATE, str(year)))
    return render_template("council/decision_form.html", form=form, round=round_, pipeline=pipeline,
                           register=register)


@bp.post("/rounds/<int:round_id>/decisions/register")
@login_required
def decision_register(round_id: int):
    """Say where the register of the council's unit stands for a year: the next number proposed follows it."""
    round_ = _round(round_id)
    require(can_manage_council(current_user, round_.council_id))
    form = RegisterForm()
    if form.validate_on_submit():
        issuer = round_.council.unit
        if carry_out(lambda: register_set(issuer=issuer, style=NumberingStyle.STATE, series=str(form.year.data),
                                          last_number=form.last_number.data, actor=current_user),
                     lambda _done: _("The register of %(issuer)s for %(year)d stands at %(number)d; the next number "
                                     "proposed is %(next)d.", issuer=issuer.name, year=form.year.data,
                                     number=form.last_number.data,
                                     next=next_decision_number(issuer.id, NumberingStyle.STATE, str(form.year.data)))):
            return redirect(url_for("council.decision_new", round_id=round_id))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("council.decision_new", round_id=round_id))


@bp.get("/rounds/<int:round_id>/decisions/next-number")
@login_required
def decision_next_number(round_id: int):
    """The next free number for an issuer, style, year or term (a plain page for the form without JavaScript)."""
    round_ = _round(round_id)
    require(can_manage_council(current_user, round_.council_id))
    style = NumberingStyle(request.args.get("style", "state")) if request.args.get("style") in ("state", "party") \
        else NumberingStyle.STATE
    year = request.args.get("year", type=int) or today_in_vietnam().year
    default_symbol = "QĐ/QU" if style == NumberingStyle.PARTY else "QĐ-UBND"
    try:
        series = decision_series(style, signed_on=date(year, 1, 1), term=request.args.get("term"),
                                 symbol=request.args.get("symbol", default_symbol))
    except WorkflowError as exc:
        return {"error": str(exc)}, 400
    return {"next": next_decision_number(round_.council.unit_id, style, series), "series": series}


@bp.get("/decisions/<int:decision_id>/scan")
@login_required
def decision_scan(decision_id: int):
    """The scanned decision, for the council."""
    decision = db.session.get(Decision, decision_id) or abort(404)
    council_id = decision.round.council_id if decision.round else None
    require(council_id is not None and (can_follow_council(current_user, council_id) or current_user.is_admin))
    return send_stored_document(decision.scan_sha256, decision.scan_type, decision.scan_name or "decision")


@bp.route("/nominations/<int:nomination_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(nomination_id: int):
    """Revoke a published award with the revoking decision and the reason."""
    nomination = _nomination(nomination_id)
    require(can_transition(current_user, nomination, "revoke"))
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            award_revoke(nomination, actor=current_user, decision_reference=form.decision.data,
                         revoked_on=form.revoked_on.data, reason=form.reason.data)
            db.session.commit()
        except WorkflowError as exc:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + [str(exc)]
        except StaleDataError:
            db.session.rollback()
            flash(stale_message(), "error")
        else:
            flash(_("The award is revoked; the public page says so."), "success")
            return _back(nomination)
    return render_template("council/revoke.html", form=form, nomination=nomination)


# --- papers in the form of Decree 30 (print page and Word file) ---------------------------------

def _paper_routes(rule: str):
    """Serve a paper at ``rule`` as its print page and at ``rule.docx`` as its Word file: the view gets ``fmt``."""
    def register(view):
        # The print page first: url_for without fmt builds it, and the "(print, Word)" links lead there, to
        # a page that prints and offers the Word file; url_for(..., fmt="docx") builds the Word file's address.
        bp.add_url_rule(rule, view_func=view, methods=["GET"], defaults={"fmt": "html"})
        bp.add_url_rule(rule + ".docx", view_func=view, methods=["GET"], defaults={"fmt": "docx"})
        return view
    return register


def _paper_response(fmt: str, *, word: Callable[[], tuple[Any, str]], private: bool, template: str, back: str,
                    **context):
    """A paper as the Word file offices edit before signing (``word`` makes it and its file name), or as its
    print page with a toolbar leading back and to the Word file. The council's own papers are never cached."""
    if fmt == "docx":
        from registry.workflow.papers.frame import DOCX_MIME, document_bytes

        document, filename = word()
        response = Response(document_bytes(document), mimetype=DOCX_MIME)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        if private:
            response.headers["Cache-Control"] = "private, no-store"
        return response
    return render_template(template, toolbar={"back": back, "docx": request.path + ".docx"}, **context)


def _council_paper(paper, *, fmt: str, back: str):
    """One of the council's own papers (decision, minutes, proposal), for the council only."""
    from registry.workflow.papers.frame import paper_document

    return _paper_response(fmt, word=lambda: (paper_document(paper), paper.filename), private=True,
                           template="papers/paper.html", back=back, paper=paper)


@_paper_routes("/decisions/<int:decision_id>/paper")
@login_required
def decision_paper(decision_id: int, fmt: str):
    """The decision with its annexed list, in the Decree 30 form."""
    from registry.workflow.papers.decision import decision_paper as build

    decision = db.session.get(Decision, decision_id) or abort(404)
    council_id = decision.round.council_id if decision.round else None
    require(current_user.is_admin or (council_id is not None and can_follow_council(current_user, council_id)))
    back = url_for("council.round", round_id=decision.round_id) if decision.round_id else url_for("desk.home")
    return _council_paper(build(decision), fmt=fmt, back=back)


@_paper_routes("/sessions/<int:session_id>/paper")
@login_required
def minutes_paper(session_id: int, fmt: str):
    """The session's minutes in the Decree 30 form, for the council."""
    from registry.workflow.papers.minutes import minutes_paper as build

    item = _session(session_id)
    return _council_paper(build(item), fmt=fmt, back=url_for("council.session", session_id=item.id))


@_paper_routes("/rounds/<int:round_id>/proposal")
@login_required
def proposal_paper(round_id: int, fmt: str):
    """The council's proposal to the head of its unit, with the list of nominations that passed."""
    from registry.workflow.papers.proposal import proposal_paper as build

    round_ = _round(round_id)
    return _council_paper(build(round_), fmt=fmt, back=url_for("council.round", round_id=round_.id))


@_paper_routes("/awards/<int:award_id>/certificate")
def certificate_paper(award_id: int, fmt: str):
    """The certificate of a published award, for anyone: it prints only what the public page shows."""
    from registry.entries.models import Award
    from registry.showcase.links import entry_url
    from registry.workflow.papers.certificate import certificate_document, certificate_for, certificate_is_public

    award = db.session.get(Award, award_id)
    if award is None or not certificate_is_public(award):
        abort(404)
    certificate = certificate_for(award)
    return _paper_response(fmt, word=lambda: (certificate_document(certificate), certificate.filename),
                           private=False, template="papers/certificate.html", back=entry_url(award.entry),
                           certificate=certificate)


@_paper_routes("/honours/<int:unit_id>/<int:year>")
def honours_book(unit_id: int, year: int, fmt: str):
    """The yearly honours book of a unit, for anyone: published entries and live awards only."""
    from registry.catalog.models import Unit
    from registry.showcase.links import photo_url, unit_url
    from registry.workflow.papers.honours_book import honours_book as build
    from registry.workflow.papers.honours_book import honours_document

    unit = db.session.get(Unit, unit_id)
    if unit is None or not 1945 <= year <= 2100:
        abort(404)
    book = build(unit, year)
    return _paper_response(fmt, word=lambda: (honours_document(book), book.filename), private=False,
                           template="papers/honours_book.html", back=unit_url(unit), book=book,
                           photo_src=lambda p: photo_url(p, "thumb"))
