"""Views of the dossier: load → authorise → validate → one domain function → commit once → redirect."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from registry.catalog.models import Unit
from registry.entries.models import Entry, EntryKind, Photo
from registry.entries.photos import PhotoError
from registry.entries.selectors import similar_entries
from registry.extensions import db, login_manager
from registry.platform.vietnam_time import table_date, today_in_vietnam
from registry.web.access import require
from registry.web.actions import CommentedActionForm, take_action
from registry.web.errors import _render_error, storage_error_response
from registry.web.kept_forms import keep_typing_on_expired_form
from registry.web.nominations.forms import (
    AttachmentForm,
    DossierForm,
    NewNominationForm,
    PhotoForm,
)
from registry.web.parts import part_or_404, remove_part, send_stored_document
from registry.workflow import ballots, consultation
from registry.workflow.actions import (
    EDITABLE_STATES,
    WorkflowError,
    can_edit_dossier,
    can_follow_council,
    can_name_entry,
    can_nominate_for,
    can_view_nomination,
    officer_unit_ids,
)
from registry.workflow.documents import AttachmentError
from registry.workflow.dossiers import (
    PROPOSED_FIELDS,
    attachment_add,
    attachment_remove,
    dossier_problems,
    edits_entry_in_place,
    nomination_create,
    nomination_photo_add,
    nomination_photo_remove,
    nomination_submit,
    nomination_update,
    pending_changes,
    prerequisite_warnings,
    subject_text,
)
from registry.workflow.entry_picker import entry_label
from registry.workflow.kept_forms import FormNotKept, form_keep, form_take, former_user
from registry.workflow.models import Attachment, AttachmentKind, Nomination, Round
from registry.workflow.selectors import open_rounds_for

bp = Blueprint("nominations", __name__, url_prefix="/nominations")


def load_nomination(nomination_id: int) -> Nomination:
    """The nomination, or 404; then 403 unless the user may see it."""
    nomination = db.session.get(Nomination, nomination_id) or abort(404)
    require(can_view_nomination(current_user, nomination))
    return nomination


def conflict_message() -> str:
    return _("Someone else changed this dossier after you opened it. Nothing was overwritten: what you typed "
             "is kept below. Open the dossier again in another tab to see their changes, then save once more.")


# --- list and create ----------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    """The nominations of the user's units, by state."""
    units = officer_unit_ids(current_user)
    require(bool(units))
    from registry.workflow.selectors import officer_nominations

    items = officer_nominations(current_user)
    state = request.args.get("state")
    if state:
        items = [n for n in items if n.state.value == state]
    return render_template("nominations/index.html", nominations=items, state=state)


def _same_as(form: NewNominationForm) -> Entry | None:
    """The existing entry the officer chose among those with a similar name, if any (and if they may name it)."""
    raw = (form.same_as.data or "").strip()
    entry = db.session.get(Entry, int(raw)) if raw.isdigit() else None
    return entry if entry is not None and can_name_entry(current_user, entry) else None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Start a dossier in an open round."""
    require(bool(officer_unit_ids(current_user)))
    today = today_in_vietnam()
    form = NewNominationForm()
    rounds = open_rounds_for(current_user, today)
    form.round_id.choices = [(r.id, f"{r.name} — {r.title.name} ({_('until %(date)s', date=table_date(r.closes_on))})")
                             for r in rounds]
    similar: list[Entry] = []
    if request.method == "GET":
        form.round_id.data = request.args.get("round", type=int)
        first = sorted(officer_unit_ids(current_user))
        if first:
            form.unit.process_data(db.session.get(Unit, first[0]))
    if form.validate_on_submit():
        round_ = db.session.get(Round, form.round_id.data)
        unit = form.unit.unit
        entry = _same_as(form)
        if not can_nominate_for(current_user, unit):
            form.unit.errors.append(_("You are not an officer of this unit or of a unit above it."))
        elif round_.council.unit_id not in {u.id for u in unit.path()}:
            form.unit.errors.append(_("This unit is not under the council of the chosen round."))
        elif entry is not None:
            pass  # one of the entries with a similar name, chosen instead of drafting a new one
        elif form.subject.data == "existing":
            entry = form.entry_ref.entry
            if entry is None:
                form.entry_ref.errors.append(_("Type the entry's name and choose it from the list."))
        elif not (form.title.data or "").strip():
            form.title.errors.append(_("Please enter the name."))
        elif not form.confirm_new.data:
            similar = [s.entry for s in similar_entries(form.title.data, unit, viewer=current_user)
                       if can_name_entry(current_user, s.entry)]
        if not (form.unit.errors or form.entry_ref.errors or form.title.errors or similar):
            try:
                nomination = nomination_create(
                    round_=round_, unit=unit, actor=current_user, entry=entry,
                    kind=EntryKind(form.kind.data) if form.kind.data else None, title=form.title.data or "",
                    today=today,
                )
            except WorkflowError as exc:
                getattr(form, exc.field or "round_id").errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("The draft is saved. Complete the dossier, then submit it."), "success")
                return redirect(url_for("nominations.edit", nomination_id=nomination.id))
    return render_template("nominations/new.html", form=form, rounds=rounds, similar=similar, entry_label=entry_label)


# --- the dossier --------------------------------------------------------------------------------

@bp.get("/<int:nomination_id>")
@login_required
def show(nomination_id: int):
    """The dossier, what it lacks, the council's work on it and its timeline."""
    nomination = load_nomination(nomination_id)
    council_view = can_follow_council(current_user, nomination.round.council_id) or current_user.is_admin
    context = {
        "nomination": nomination,
        "problems": dossier_problems(nomination) if nomination.state in EDITABLE_STATES else [],
        "warnings": prerequisite_warnings(nomination),
        "changes": pending_changes(nomination),
        "council_view": council_view,
        "action_form": CommentedActionForm(),
    }
    if council_view:
        context.update(
            notes=ballots.review_notes(nomination),
            conflicts=ballots.conflicts(nomination),
            conflict_proposals=ballots.conflict_proposals(nomination),
            eligible=ballots.eligible_members(nomination),
            written_candidates=ballots.written_vote_candidates(nomination),
            votes_cast=ballots.votes_cast_count(nomination),
            open_names=ballots.open_ballot_names(nomination) if nomination.vote_result else {},
            comments=consultation.comments_of(nomination),
            has_voted=ballots.has_voted(current_user, nomination),
            is_conflicted=ballots.conflicted(current_user, nomination),
        )
    return render_template("nominations/show.html", **context)


SUBJECT_FIELDS = ("title", "kind", "year", "summary", "story", "private_phone", "private_address",
                  "private_id_number")


def _dossier_fields(form: DossierForm) -> dict:
    fields = {"report": form.report.data, "letter_number": form.letter_number.data,
              "letter_date": form.letter_date.data, "letter_signer": form.letter_signer.data}
    # Only the subject's fields the page showed: one left out of the form is not one emptied.
    fields.update({key: form[key].data for key in SUBJECT_FIELDS if key in request.form})
    return fields


def _same_site() -> bool:
    """Whether the form came from one of our own pages (browsers name the page that posts a form)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return not origin or urlsplit(origin).netloc == request.host


def _typed_dossier() -> dict[str, str]:
    """What was typed into the dossier's own fields; whatever else the request carries is ignored."""
    names = [field.name for field in DossierForm(meta={"csrf": False})]
    return {name: request.form[name] for name in names if name in request.form}


def _not_kept(nomination_id: int, typed: dict[str, str], reason: str | None = None):
    """Say plainly that nothing was saved or kept, and hand back what was typed to copy before signing in."""
    shown = typed if _same_site() else {}  # never echo what another site made a browser send
    form = DossierForm(formdata=MultiDict(shown), meta={"csrf": False})
    next_url = url_for("nominations.edit", nomination_id=nomination_id)
    response = make_response(render_template("nominations/not_kept.html", form=form, typed=shown, reason=reason,
                                             login_url=url_for("auth.login", next=next_url)), 401)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _session_ended(nomination_id: int):
    """The session ended while the dossier was typed: keep the form for the user the browser was signed in as
    (if they may edit this dossier), else keep nothing and say so."""
    typed = _typed_dossier()
    user = former_user()
    nomination = db.session.get(Nomination, nomination_id)
    if not (_same_site() and user is not None and nomination is not None and can_edit_dossier(user, nomination)):
        return _not_kept(nomination_id, typed)
    try:
        token = form_keep(user=user, nomination=nomination, data=typed, replacing=session.get("pending_form"))
    except FormNotKept as exc:
        db.session.rollback()
        return _not_kept(nomination_id, typed, str(exc.message))
    db.session.commit()
    session["pending_form"] = token
    flash(_("Your session had ended. Sign in again: what you typed has been kept."), "warning")
    return login_manager.unauthorized()


@bp.route("/<int:nomination_id>/edit", methods=["GET", "POST"])
def edit(nomination_id: int):
    """Edit the dossier; drafts save as they are, submission checks that nothing is missing."""
    if not current_user.is_authenticated:
        return _session_ended(nomination_id) if request.method == "POST" else login_manager.unauthorized()
    nomination = load_nomination(nomination_id)
    require(can_edit_dossier(current_user, nomination))
    restored = None
    if request.method == "GET" and (token := session.get("pending_form")):
        restored = form_take(user=current_user, nomination=nomination, token=token)
        if restored is not None:
            session.pop("pending_form")
        db.session.commit()
    if restored is not None:
        form = DossierForm(formdata=MultiDict(restored))
        form.validate()
        flash(_("What you typed before your session ended has been restored. Check it and save."), "warning")
    elif request.method == "GET":
        form = DossierForm(obj=nomination.entry)
        for key in ("report", "letter_number", "letter_date", "letter_signer"):
            getattr(form, key).data = getattr(nomination, key)
        for key in PROPOSED_FIELDS:
            form[key].data = subject_text(nomination, key)
        form.kind.data = nomination.entry.kind.value
        form.version.data = str(nomination.version)
    else:
        form = DossierForm()
    if request.method == "POST" and form.validate():
        if str(nomination.version) != (form.version.data or ""):
            flash(conflict_message(), "error")
            return render_template("nominations/edit.html", form=form, nomination=nomination, conflict=True), 409
        try:
            nomination_update(nomination, fields=_dossier_fields(form), actor=current_user)
            if "submit_dossier" in request.form:
                nomination_submit(nomination, actor=current_user)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            nomination = load_nomination(nomination_id)
            flash(conflict_message(), "error")
            return render_template("nominations/edit.html", form=form, nomination=nomination, conflict=True), 409
        except WorkflowError as exc:
            # Keep the saved draft, say what is missing.
            db.session.rollback()
            nomination = load_nomination(nomination_id)
            nomination_update(nomination, fields=_dossier_fields(form), actor=current_user)
            db.session.commit()
            form.version.data = str(nomination.version)
            flash(_("The draft is saved, but it cannot be submitted yet."), "warning")
            return render_template("nominations/edit.html", form=form, nomination=nomination,
                                   problems=dossier_problems(nomination), submit_error=str(exc)), 422
        if nomination.state.value in ("submitted", "resubmitted"):
            flash(_("The dossier has been submitted to the council."), "success")
            return redirect(url_for("nominations.show", nomination_id=nomination.id))
        flash(_("The draft is saved."), "success")
        return redirect(url_for("nominations.edit", nomination_id=nomination.id))
    return render_template("nominations/edit.html", form=form, nomination=nomination,
                           problems=dossier_problems(nomination))


@bp.post("/<int:nomination_id>/attachments")
@login_required
def attachment_upload(nomination_id: int):
    """Attach a document (PDF, office document or picture) to the dossier."""
    nomination = load_nomination(nomination_id)
    require(can_edit_dossier(current_user, nomination))
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment_add(nomination, kind=AttachmentKind(form.kind.data), data=upload.stream,
                           filename=upload.filename or "document", actor=current_user)
            db.session.commit()
        except AttachmentError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        except StaleDataError:
            db.session.rollback()
            flash(conflict_message(), "error")
        else:
            flash(_("The document is attached."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("nominations.edit", nomination_id=nomination_id) + "#documents")


@bp.post("/<int:nomination_id>/attachments/<int:attachment_id>/delete")
@login_required
def attachment_delete(nomination_id: int, attachment_id: int):
    """Remove a document from the dossier, once the officer has confirmed it (a removal cannot be undone)."""
    nomination = load_nomination(nomination_id)
    require(can_edit_dossier(current_user, nomination))
    attachment = part_or_404(Attachment, attachment_id, nomination_id=nomination.id)
    return remove_part(
        lambda: attachment_remove(nomination, attachment), done=_("The document is removed."),
        back=url_for("nominations.edit", nomination_id=nomination_id) + "#documents",
        confirm=lambda: render_template("nominations/confirm_remove.html", nomination=nomination,
                                        attachment=attachment))


@bp.get("/<int:nomination_id>/attachments/<int:attachment_id>")
@login_required
def attachment_download(nomination_id: int, attachment_id: int):
    """Download a document of the dossier (never public)."""
    nomination = load_nomination(nomination_id)
    attachment = part_or_404(Attachment, attachment_id, nomination_id=nomination.id)
    return send_stored_document(attachment.sha256, attachment.file_type, attachment.filename)


@bp.post("/<int:nomination_id>/photos")
@login_required
def photo_upload(nomination_id: int):
    """Add a photo of the subject drafted in this dossier."""
    nomination = load_nomination(nomination_id)
    require(can_edit_dossier(current_user, nomination))
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            nomination_photo_add(nomination, data=form.photo.data.stream, alt=form.alt.data.strip(),
                                 caption=form.caption.data or None, credit=form.credit.data or None)
            db.session.commit()
        except (PhotoError, WorkflowError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("The photo is added."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("nominations.edit", nomination_id=nomination_id) + "#photos")


@bp.post("/<int:nomination_id>/photos/<int:photo_id>/delete")
@login_required
def photo_delete(nomination_id: int, photo_id: int):
    """Remove a photo of the subject drafted in this dossier."""
    nomination = load_nomination(nomination_id)
    require(can_edit_dossier(current_user, nomination) and edits_entry_in_place(nomination))
    photo = part_or_404(Photo, photo_id, entry_id=nomination.entry_id)
    return remove_part(lambda: nomination_photo_remove(nomination, photo), done=_("The photo is removed."),
                       back=url_for("nominations.edit", nomination_id=nomination_id) + "#photos")


@bp.post("/<int:nomination_id>/do/<action>")
@login_required
def act(nomination_id: int, action: str):
    """Take one of the unit's moves of the action table (submit, resubmit, withdraw)."""
    return take_action(load_nomination(nomination_id), action, endpoint="nominations.act")


def _form_expired(nomination_id: int, error: CSRFError):
    """A signed-in user's dossier form whose token no longer matches (they signed in again since): nothing is
    saved, and what they typed is shown back to save again."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not can_edit_dossier(current_user, nomination) or not _same_site():
        return _render_error(error)
    flash(_("This form had expired (you may have signed in again meanwhile), so nothing was saved. "
            "What you typed is below: check it and save again."), "warning")
    return render_template("nominations/edit.html", form=DossierForm(), nomination=nomination,
                           problems=dossier_problems(nomination)), 400


def handle_csrf_error(error: CSRFError):
    """An expired form: on the dossier, nothing typed is lost; on another form page whose session ended, it is
    kept (registry.web.kept_forms); elsewhere, explain and ask to try again."""
    if request.endpoint != "nominations.edit" or request.method != "POST":
        return keep_typing_on_expired_form() or _render_error(error)
    nomination_id = request.view_args["nomination_id"]
    if current_user.is_authenticated:
        return _form_expired(nomination_id, error)
    try:
        return _session_ended(nomination_id)
    except Exception as exc:  # a full or read-only disk; anything else is raised again
        return storage_error_response(exc)


@bp.record_once
def _register_csrf_handler(state) -> None:
    state.app.register_error_handler(CSRFError, handle_csrf_error)
