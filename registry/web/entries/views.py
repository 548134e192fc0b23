"""Views of the entry editor: load → authorise → validate → one operation → commit once → redirect."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from registry.accounts.models import User
from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.entries import operations as ops
from registry.entries.models import (
    Award,
    AwardKind,
    Entry,
    EntryRevision,
    EntryStatus,
    Photo,
    PhotoConsent,
    Replication,
)
from registry.entries.permissions import (
    can_create_entries,
    can_edit_entry,
    can_edit_in_unit,
    can_merge_entries,
    can_see_entry_drafts,
    editor_unit_ids,
)
from registry.entries.revisions import revision_changes, revision_previous
from registry.entries.selectors import entries_kept_by, similar_entries
from registry.extensions import db
from registry.web.access import require
from registry.web.entries.forms import (
    AwardForm,
    ConsentForm,
    EntryForm,
    MergeForm,
    PhotoForm,
    PhotoUploadForm,
    ReplicationForm,
    UnpublishForm,
    WithdrawConsentForm,
)
from registry.web.parts import part_or_404, remove_part, send_stored_document

bp = Blueprint("entries", __name__, url_prefix="/desk/entries")


def load_entry(entry_id: int, *, edit: bool = True) -> Entry:
    """The entry, or 404 for anyone who may not keep it: another unit never learns that a draft exists."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not can_see_entry_drafts(current_user, entry):
        abort(404)
    if edit and not can_edit_entry(current_user, entry):
        abort(404)
    return entry


def conflict_message() -> str:
    return _("Someone else saved this entry after you opened it. Nothing was overwritten: what you typed is kept "
             "below. Open the entry again in another tab to see their changes, then save once more.")


def _topic_choices(form: EntryForm) -> None:
    topics = db.session.scalars(sa.select(Topic).order_by(Topic.name)).all()
    form.topics.choices = [(t.id, t.name) for t in topics]


def _fields(form: EntryForm) -> dict:
    return {
        "kind": form.kind.data, "title": form.title.data, "unit": form.unit.unit, "year": form.year.data,
        "place": form.place.data, "summary": form.summary.data, "story": form.story.data,
        "topics": [db.session.get(Topic, t) for t in form.topics.data or [] if db.session.get(Topic, t)],
    }


def _check_unit(form: EntryForm) -> bool:
    if form.unit.unit is not None and not can_edit_in_unit(current_user, form.unit.unit):
        form.unit.errors = [*form.unit.errors, _("You are not an officer of this unit or of a unit above it.")]
        return False
    return True


# --- list, create, edit -------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    """The entries of the user's units, newest change first."""
    require(can_create_entries(current_user))
    q = request.args.get("q", "")
    status = request.args.get("status") or None
    if status not in (None, *[s.value for s in EntryStatus]):
        status = None
    return render_template("entries/index.html", entries=entries_kept_by(current_user, q=q, status=status),
                           q=q, status=status, statuses=EntryStatus)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """A new entry; before it is made, entries with a similar name nearby are shown: is it one of these?"""
    require(can_create_entries(current_user))
    form = EntryForm()
    _topic_choices(form)
    similar = []
    if request.method == "GET":
        form.kind.data = request.args.get("kind") or "individual"
        first = sorted(editor_unit_ids(current_user))
        if first:
            form.unit.process_data(db.session.get(Unit, first[0]))
    elif form.validate_on_submit() and _check_unit(form):
        similar = similar_entries(form.title.data, form.unit.unit, viewer=current_user)
        if similar and form.confirm_new.data != "1":
            flash(_("Entries with a similar name already exist nearby. Is it one of these?"), "warning")
            return render_template("entries/new.html", form=form, similar=similar), 200
        try:
            entry = ops.entry_create(actor=current_user, fields=_fields(form))
        except ops.EntryError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("The entry is saved as a draft. Add photos, then publish it."), "success")
            return redirect(url_for("entries.edit", entry_id=entry.id))
    return render_template("entries/new.html", form=form, similar=similar), 422 if form.errors else 200


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit(entry_id: int):
    """Edit every field of an entry; each save is a revision, and a save on an outdated copy is refused."""
    entry = load_entry(entry_id)
    form = EntryForm(obj=entry) if request.method == "GET" else EntryForm()
    _topic_choices(form)
    if request.method == "GET":
        form.kind.data = entry.kind.value
        form.unit.process_data(entry.unit)
        form.topics.data = [t.id for t in entry.topics]
        form.version.data = str(entry.version)
    elif form.validate_on_submit() and _check_unit(form):
        if form.version.data != str(entry.version):
            flash(conflict_message(), "error")
            return _edit_page(entry, form, conflict=True), 409
        try:
            revision = ops.entry_update(entry, actor=current_user, fields=_fields(form))
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(conflict_message(), "error")
            return _edit_page(load_entry(entry_id), form, conflict=True), 409
        except ops.EntryError as exc:
            db.session.rollback()
            getattr(form, exc.field or "title").errors.append(str(exc.message))
            return _edit_page(load_entry(entry_id), form), 422
        flash(_("Saved.") if revision else _("Nothing had changed."), "success")
        return redirect(url_for("entries.edit", entry_id=entry.id))
    return _edit_page(entry, form), 422 if form.errors else 200


def _edit_page(entry: Entry, form: EntryForm, *, conflict: bool = False):
    award_form = AwardForm()
    award_form.title_id.choices = [(t.id, t.name) for t in
                                   db.session.scalars(sa.select(AwardTitle).order_by(AwardTitle.name))]
    return render_template("entries/edit.html", entry=entry, form=form, conflict=conflict,
                           unpublish_form=UnpublishForm(), award_form=award_form,
                           replication_form=ReplicationForm(), awards_from_workflow=_workflow_award_ids(entry))


def _workflow_award_ids(entry: Entry) -> set[int]:
    from registry.workflow.models import Nomination

    ids = [a.id for a in entry.awards]
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Nomination.award_id).where(Nomination.award_id.in_(ids))))


@bp.post("/<int:entry_id>/publish")
@login_required
def publish(entry_id: int):
    """Put the entry on the public showcase (again)."""
    entry = load_entry(entry_id)
    try:
        ops.entry_publish_from_editor(entry, actor=current_user)
        db.session.commit()
    except ops.EntryError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except StaleDataError:
        db.session.rollback()
        flash(conflict_message(), "error")
    else:
        flash(_("The entry is published."), "success")
    return redirect(url_for("entries.edit", entry_id=entry_id))


@bp.post("/<int:entry_id>/unpublish")
@login_required
def unpublish(entry_id: int):
    """Take the entry off the public showcase, with a reason."""
    entry = load_entry(entry_id)
    form = UnpublishForm()
    if form.validate_on_submit():
        try:
            ops.entry_unpublish(entry, actor=current_user, reason=form.reason.data)
            db.session.commit()
        except ops.EntryError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        except StaleDataError:
            db.session.rollback()
            flash(conflict_message(), "error")
        else:
            flash(_("The entry is no longer on the public pages."), "success")
            return redirect(url_for("entries.edit", entry_id=entry_id))
    else:
        flash(_("Say why the entry is taken off the public pages."), "error")
    return redirect(url_for("entries.edit", entry_id=entry_id) + "#publication")


# --- revisions ----------------------------------------------------------------------------------

@bp.get("/<int:entry_id>/revisions")
@login_required
def revisions(entry_id: int):
    """Every save of the entry: who, when, and what changed."""
    entry = load_entry(entry_id, edit=False)
    items = list(entry.revisions)
    rows = [(rev, revision_changes(items[i + 1].data if i + 1 < len(items) else None, rev.data))
            for i, rev in enumerate(items)]
    return render_template("entries/revisions.html", entry=entry, rows=rows,
                           can_restore=can_edit_entry(current_user, entry))


def _load_revision(entry: Entry, number: int) -> EntryRevision:
    revision = db.session.scalar(sa.select(EntryRevision).where(EntryRevision.entry_id == entry.id,
                                                                EntryRevision.number == number))
    return revision or abort(404)


@bp.get("/<int:entry_id>/revisions/<int:number>")
@login_required
def revision(entry_id: int, number: int):
    """One revision: what it changed, and the entry as it stood."""
    entry = load_entry(entry_id, edit=False)
    rev = _load_revision(entry, number)
    previous = revision_previous(rev)
    return render_template("entries/revision.html", entry=entry, rev=rev,
                           changes=revision_changes(previous.data if previous else None, rev.data),
                           since_now=revision_changes(rev.data, entry.revisions[0].data) if entry.revisions else [],
                           can_restore=can_edit_entry(current_user, entry))


@bp.post("/<int:entry_id>/revisions/<int:number>/restore")
@login_required
def restore(entry_id: int, number: int):
    """Put back this version's fields, as a new revision."""
    entry = load_entry(entry_id)
    rev = _load_revision(entry, number)
    try:
        ops.entry_restore(entry, rev, actor=current_user)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(conflict_message(), "error")
    else:
        flash(_("Version %(number)s is restored; the later versions are kept in the history.", number=number),
              "success")
    return redirect(url_for("entries.edit", entry_id=entry_id))


# --- photos -------------------------------------------------------------------------------------

@bp.get("/<int:entry_id>/photos")
@login_required
def photos(entry_id: int):
    """The entry's photos: add several at once, describe, order, choose the cover, consent, remove."""
    entry = load_entry(entry_id)
    return _photos_page(entry)


def _photos_page(entry: Entry, *, upload_form=None, photo_forms=None, consent_forms=None, status=200):
    kept = [p for p in entry.all_photos if p.removed_at is None]
    removed = [p for p in entry.all_photos if p.removed_at is not None]
    photo_forms = photo_forms or {}
    consent_forms = consent_forms or {}
    for p in kept:
        photo_forms.setdefault(p.id, PhotoForm(obj=p, prefix=f"p{p.id}"))
        consent_forms.setdefault(p.id, ConsentForm(prefix=f"c{p.id}", by_guardian=p.shows_minor))
    return render_template("entries/photos.html", entry=entry, kept=kept, removed=removed,
                           upload_form=upload_form or PhotoUploadForm(), photo_forms=photo_forms,
                           consent_forms=consent_forms, withdraw_form=WithdrawConsentForm()), status


@bp.post("/<int:entry_id>/photos")
@login_required
def photos_upload(entry_id: int):
    """Add one or more photos at once; each waits unpublished until it is described."""
    entry = load_entry(entry_id)
    form = PhotoUploadForm()
    files = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if not form.validate_on_submit() or not files:
        if not files:
            form.photos.errors = [_("Choose one or more photos.")]
        return _photos_page(entry, upload_form=form, status=422)
    try:
        added, refused = ops.photos_upload(
            entry, [(f.filename, f.stream) for f in files], shows_people=form.shows_people.data,
            shows_minor=form.shows_minor.data, is_illustration=form.is_illustration.data,
            credit=form.credit.data, licence=form.licence.data)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(conflict_message(), "error")
        return redirect(url_for("entries.photos", entry_id=entry_id))
    for problem in refused:
        flash(problem, "error")
    if added:
        flash(_("%(count)s photo(s) added. Describe each one so it can be published.", count=len(added)), "success")
    return redirect(url_for("entries.photos", entry_id=entry_id) + "#photo-list")


@bp.post("/<int:entry_id>/photos/<int:photo_id>")
@login_required
def photo_describe(entry_id: int, photo_id: int):
    """Save what is said about a photo (description, caption, credit, licence, who is in it)."""
    entry = load_entry(entry_id)
    photo = part_or_404(Photo, photo_id, entry_id=entry.id)
    form = PhotoForm(prefix=f"p{photo.id}")
    if form.validate_on_submit():
        try:
            ops.photo_describe(photo, alt=form.alt.data, caption=form.caption.data, credit=form.credit.data,
                               licence=form.licence.data, is_illustration=form.is_illustration.data,
                               shows_people=form.shows_people.data, shows_minor=form.shows_minor.data)
        except ops.EntryError as exc:
            db.session.rollback()
            getattr(form, exc.field or "alt").errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("The photo's details are saved."), "success")
            return redirect(url_for("entries.photos", entry_id=entry_id) + f"#photo-{photo_id}")
    return _photos_page(load_entry(entry_id), photo_forms={photo_id: form}, status=422)


@dataclass(frozen=True)
class PhotoAction:
    """One button of the photo list: what it runs, who may press it, what the user is told, where the page opens."""

    operation: Callable[..., None]
    allowed: Callable[[User, Entry], bool]
    # Flashed once it is done; None: the page itself shows what changed (a photo moved).
    message: LazyString | None
    # The part of the photos page to show afterwards; "photo" is the photo's own place in the list.
    anchor: str = "photo"
    # The operation's keyword arguments, read from the posted form.
    options: Callable[[Mapping[str, str]], dict] = lambda form: {}


# The buttons that act on one photo at once, by the last part of their address.
PHOTO_ACTIONS: dict[str, PhotoAction] = {
    "move": PhotoAction(ops.photo_move, can_edit_entry, None,
                        options=lambda form: {"step": -1 if form.get("step") == "up" else 1}),
    "cover": PhotoAction(ops.photo_make_cover, can_edit_entry, _l("This photo is now the cover."),
                         anchor="photo-list"),
    "remove": PhotoAction(ops.photo_remove, can_edit_entry,
                          _l("The photo is removed. You can bring it back from the list of removed photos."),
                          anchor="removed-photos"),
    "bring-back": PhotoAction(ops.photo_bring_back, can_edit_entry, _l("The photo is back.")),
}


@bp.post(f"/<int:entry_id>/photos/<int:photo_id>/<any({', '.join(map(repr, PHOTO_ACTIONS))}):action>")
@login_required
def photo_action(entry_id: int, photo_id: int, action: str):
    """A button of the photo list (move up or down, make the cover, remove, bring back): buttons that work
    without JavaScript."""
    row = PHOTO_ACTIONS[action]
    entry = load_entry(entry_id, edit=False)
    if not row.allowed(current_user, entry):
        abort(404)
    photo = part_or_404(Photo, photo_id, entry_id=entry.id)
    row.operation(photo, **row.options(request.form))
    db.session.commit()
    if row.message is not None:
        flash(str(row.message), "success")
    anchor = f"photo-{photo_id}" if row.anchor == "photo" else row.anchor
    return redirect(url_for("entries.photos", entry_id=entry_id) + "#" + anchor)


@bp.post("/<int:entry_id>/photos/<int:photo_id>/consents")
@login_required
def consent_add(entry_id: int, photo_id: int):
    """Record consent to publish a photo in which people can be recognised."""
    entry = load_entry(entry_id)
    photo = part_or_404(Photo, photo_id, entry_id=entry.id)
    form = ConsentForm(prefix=f"c{photo.id}")
    if form.validate_on_submit():
        upload = form.document.data
        has_file = bool(upload and getattr(upload, "filename", ""))
        try:
            ops.consent_record(photo, actor=current_user, given_by=form.given_by.data,
                               by_guardian=form.by_guardian.data, given_on=form.given_on.data,
                               document=upload.stream if has_file else None,
                               filename=upload.filename if has_file else None)
        except ops.EntryError as exc:
            db.session.rollback()
            getattr(form, exc.field or "given_by").errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("The consent is recorded."), "success")
            return redirect(url_for("entries.photos", entry_id=entry_id) + f"#photo-{photo_id}")
    return _photos_page(load_entry(entry_id), consent_forms={photo_id: form}, status=422)


@bp.post("/<int:entry_id>/photos/<int:photo_id>/consents/<int:consent_id>/withdraw")
@login_required
def consent_withdraw(entry_id: int, photo_id: int, consent_id: int):
    """Consent withdrawn: the photo leaves the public pages, feeds, exports and the API at once."""
    entry = load_entry(entry_id)
    photo = part_or_404(Photo, photo_id, entry_id=entry.id)
    consent = part_or_404(PhotoConsent, consent_id, photo_id=photo.id)
    form = WithdrawConsentForm()
    form.validate_on_submit()
    ops.consent_withdraw(consent, actor=current_user, note=form.note.data)
    db.session.commit()
    flash(_("The consent is withdrawn: the photo is no longer public."), "success")
    return redirect(url_for("entries.photos", entry_id=entry_id) + f"#photo-{photo_id}")


@bp.get("/<int:entry_id>/photos/<int:photo_id>/consents/<int:consent_id>/form")
@login_required
def consent_document(entry_id: int, photo_id: int, consent_id: int):
    """The signed consent form: private, to the entry's editors only."""
    entry = load_entry(entry_id, edit=False)
    photo = part_or_404(Photo, photo_id, entry_id=entry.id)
    consent = part_or_404(PhotoConsent, consent_id, photo_id=photo.id)
    return send_stored_document(consent.sha256, consent.file_type, consent.filename or "consent")


# --- awards and replications --------------------------------------------------------------------

@bp.post("/<int:entry_id>/awards")
@login_required
def award_add(entry_id: int):
    """Record an award given outside the registry's workflow."""
    entry = load_entry(entry_id)
    form = AwardForm()
    form.title_id.choices = [(t.id, t.name) for t in db.session.scalars(sa.select(AwardTitle))]
    if form.validate_on_submit():
        ops.award_record(entry, actor=current_user, title=db.session.get(AwardTitle, form.title_id.data),
                         level=AwardLevel(form.level.data), year=form.year.data,
                         award_kind=AwardKind(form.award_kind.data), decision_number=form.decision_number.data,
                         decision_date=form.decision_date.data, issuer=form.issuer.unit, signer=form.signer.data)
        db.session.commit()
        flash(_("The award is recorded."), "success")
    else:
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text}: {error}", "error")
    return redirect(url_for("entries.edit", entry_id=entry_id) + "#awards")


@bp.post("/<int:entry_id>/awards/<int:award_id>/delete")
@login_required
def award_delete(entry_id: int, award_id: int):
    """Remove an award recorded by mistake (not one given through a nomination)."""
    entry = load_entry(entry_id)
    award = part_or_404(Award, award_id, entry_id=entry.id)
    return remove_part(lambda: ops.award_remove(entry, award, actor=current_user), refused=(ops.EntryError,),
                       done=_("The award is removed."), back=url_for("entries.edit", entry_id=entry_id) + "#awards")


@bp.post("/<int:entry_id>/replications")
@login_required
def replication_add(entry_id: int):
    """Record a unit that replicated the initiative."""
    entry = load_entry(entry_id)
    form = ReplicationForm()
    if form.validate_on_submit():
        ops.replication_record(entry, form.unit.unit, actor=current_user, since_year=form.since_year.data,
                               note=form.note.data)
        db.session.commit()
        flash(_("The replication is recorded."), "success")
    else:
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text}: {error}", "error")
    return redirect(url_for("entries.edit", entry_id=entry_id) + "#replications")


@bp.post("/<int:entry_id>/replications/<int:replication_id>/delete")
@login_required
def replication_delete(entry_id: int, replication_id: int):
    """Remove a replication recorded by mistake."""
    entry = load_entry(entry_id)
    replication = part_or_404(Replication, replication_id, entry_id=entry.id)
    return remove_part(lambda: ops.replication_remove(entry, replication, actor=current_user),
                       done=_("The replication is removed."),
                       back=url_for("entries.edit", entry_id=entry_id) + "#replications")


# --- merging ------------------------------------------------------------------------------------

@bp.route("/merge", methods=["GET", "POST"])
@login_required
def merge():
    """An administrator merges two entries that are the same; the merged one's address redirects for good."""
    require(can_merge_entries(current_user))
    form = MergeForm()
    if request.method == "GET":
        form.source.data = request.args.get("source", type=int)
        form.target.data = request.args.get("target", type=int)
    source = target = None
    if form.validate_on_submit():
        source, target = db.session.get(Entry, form.source.data), db.session.get(Entry, form.target.data)
        if source is None:
            form.source.errors.append(_("No entry has this number."))
        if target is None:
            form.target.errors.append(_("No entry has this number."))
        if source is not None and target is not None and form.confirm.data == "1":
            try:
                ops.entry_merge(source, target, actor=current_user)
                db.session.commit()
            except ops.EntryError as exc:
                db.session.rollback()
                getattr(form, exc.field or "target").errors.append(str(exc.message))
            else:
                flash(_("The entries are merged. The old address now leads here."), "success")
                return redirect(url_for("entries.edit", entry_id=target.id))
    return render_template("entries/merge.html", form=form, source=source, target=target)
