"""Views of the administration pages: each loads, checks, validates, calls one write, commits."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.accounts.login_audit import sign_in_attempts
from registry.accounts.models import Role, User
from registry.accounts.operations import AccountError, user_create, user_set_roles, user_update
from registry.catalog.merging import unit_merge
from registry.catalog.models import AdminLevel, AwardLevel, AwardTitle, TitleCategory, Unit, UnitKind
from registry.catalog.operations import CatalogError, award_title_save, clean_name, unit_save
from registry.catalog.selectors import unit_history
from registry.catalog.unit_picker import unit_candidates, unit_label, unit_lookup
from registry.entries.models import AwardKind
from registry.extensions import db
from registry.platform.collation import sorted_by_name
from registry.platform.i18n import current_language
from registry.platform.vietnam_time import today_in_vietnam
from registry.web.access import admin_required
from registry.web.admin.forms import (
    CouncilForm,
    HolidayForm,
    RoundForm,
    TitleForm,
    UnitForm,
    UnitMergeForm,
    UserForm,
)
from registry.workflow.actions import WorkflowError
from registry.workflow.models import BallotKind, Council, Denominator, Holiday, Round
from registry.workflow.rounds import ROUND_RULES, council_save, holiday_add, round_defaults, round_save
from registry.workflow.workdays import holidays_by_law

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _field_error(form, field: str, message) -> None:
    """Show a refused change beside the field it is about."""
    target = getattr(form, field)
    target.errors = list(target.errors) + [str(message)]


@bp.get("/")
@admin_required
def home():
    """What an administrator manages."""
    counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
        "councils": db.session.scalar(sa.select(sa.func.count(Council.id))),
        "rounds": db.session.scalar(sa.select(sa.func.count(Round.id))),
        "holidays": db.session.scalar(sa.select(sa.func.count(Holiday.id))),
    }
    return render_template("admin/home.html", counts=counts)


def _councils() -> list[Council]:
    return sorted_by_name(db.session.scalars(sa.select(Council).order_by(Council.id)), lambda c: c.name)


def _titles() -> list[AwardTitle]:
    return sorted_by_name(db.session.scalars(sa.select(AwardTitle).order_by(AwardTitle.id)), lambda t: t.name)


# --- users --------------------------------------------------------------------------------------

def _council_choices() -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in _councils()]


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user) if user else UserForm()
    for f in (form.secretary_of, form.member_of, form.chair_of):
        f.choices = _council_choices()
    if user is not None and request.method == "GET":
        form.unit.process_data(user.unit)
        form.administrator.data = user.is_admin
        form.officer_units.data = "\n".join(
            unit_label(r.unit) for r in user.roles if r.role == Role.UNIT_OFFICER)
        for role, f in ((Role.SECRETARY, form.secretary_of), (Role.MEMBER, form.member_of), (Role.CHAIR, form.chair_of)):
            f.data = [r.council_id for r in user.roles if r.role == role]
    return form


def _roles_from(form: UserForm) -> list[tuple[Role, int | None, int | None]] | None:
    roles: list[tuple[Role, int | None, int | None]] = []
    if form.administrator.data:
        roles.append((Role.ADMINISTRATOR, None, None))
    problems = []
    for line in (form.officer_units.data or "").splitlines():
        if not line.strip():
            continue
        unit, candidates, problem = unit_lookup(line)
        if problem or unit is None:
            if candidates:
                problem = _("Several units fit “%(name)s”; write one of them as shown: %(choices)s",
                            name=line.strip(), choices="; ".join(c.label for c in candidates[:5]))
            problems.append(f"{line.strip()}: {problem}")
        else:
            roles.append((Role.UNIT_OFFICER, unit.id, None))
    if problems:
        form.officer_units.errors = list(form.officer_units.errors) + problems
        return None
    for role, f in ((Role.SECRETARY, form.secretary_of), (Role.MEMBER, form.member_of), (Role.CHAIR, form.chair_of)):
        for council_id in f.data or []:
            roles.append((role, None, council_id))
    return roles


@bp.get("/users")
@admin_required
def users():
    """Every user with their roles."""
    items = sorted_by_name(db.session.scalars(sa.select(User).order_by(User.id)), lambda u: u.name)
    return render_template("admin/users.html", users=items)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a user with roles."""
    form = _user_form(None)
    if form.validate_on_submit():
        roles = _roles_from(form)
        if roles is not None:
            try:
                user = user_create(email=form.email.data, name=form.name.data, password=form.password.data or "",
                                   unit_id=form.unit.unit.id if form.unit.unit else None, position=form.position.data)
            except AccountError as exc:
                db.session.rollback()
                _field_error(form, exc.field, exc.message)
            else:
                user.active = form.active.data
                user_set_roles(user, roles)
                db.session.commit()
                flash(_("User %(name)s created.", name=user.name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Change a user's details, roles or password."""
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        roles = _roles_from(form)
        if roles is not None:
            try:
                user_update(user, actor=current_user, email=form.email.data, name=form.name.data,
                            position=form.position.data, unit_id=form.unit.unit.id if form.unit.unit else None,
                            active=form.active.data, password=form.password.data, roles=roles)
            except AccountError as exc:
                db.session.rollback()
                _field_error(form, exc.field, exc.message)
            else:
                db.session.commit()
                flash(_("User %(name)s saved.", name=user.name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


# --- councils -----------------------------------------------------------------------------------

@bp.get("/councils")
@admin_required
def councils():
    """Councils and their people."""
    items = _councils()
    return render_template("admin/councils.html", councils=items)


@bp.route("/councils/new", methods=["GET", "POST"])
@bp.route("/councils/<int:council_id>", methods=["GET", "POST"])
@admin_required
def council_edit(council_id: int | None = None):
    """Create or rename a council."""
    council = (db.session.get(Council, council_id) or abort(404)) if council_id else None
    form = CouncilForm(obj=council)
    if council is not None and request.method == "GET":
        form.unit.process_data(council.unit)
    if form.validate_on_submit():
        council_save(council, name=form.name.data, unit=form.unit.unit)
        db.session.commit()
        flash(_("Council saved."), "success")
        return redirect(url_for("admin.councils"))
    return render_template("admin/council_form.html", form=form, council=council)


# --- rounds -------------------------------------------------------------------------------------

@bp.get("/rounds")
@admin_required
def rounds():
    """Award rounds, the newest first."""
    items = db.session.scalars(sa.select(Round).order_by(Round.opens_on.desc(), Round.id.desc())).all()
    return render_template("admin/rounds.html", rounds=items)


@bp.route("/rounds/new", methods=["GET", "POST"])
@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@admin_required
def round_edit(round_id: int | None = None):
    """Create or change a round and its rules."""
    round_ = (db.session.get(Round, round_id) or abort(404)) if round_id else None
    form = RoundForm(obj=round_)
    titles = _titles()
    form.title_id.choices = [(t.id, t.name) for t in titles]
    form.prerequisite_title_id.choices = [(0, "—")] + [(t.id, t.name) for t in titles]
    form.council_id.choices = _council_choices()
    if round_ is not None and request.method == "GET":
        form.prerequisite_title_id.data = round_.prerequisite_title_id or 0
        for name in ("level", "award_kind", "ballot", "denominator"):
            getattr(form, name).data = getattr(round_, name).value
    if not form.council_id.choices:
        flash(_("Create a council first."), "warning")
    bases = _prefill_from_title(form) if round_ is None else {}
    if form.validate_on_submit():
        rules = {name: getattr(form, name).data for name in ROUND_RULES}
        rules.update(level=AwardLevel(form.level.data), award_kind=AwardKind(form.award_kind.data),
                     ballot=BallotKind(form.ballot.data), denominator=Denominator(form.denominator.data),
                     prerequisite_title_id=form.prerequisite_title_id.data or None)
        round_save(round_, name=form.name.data, title_id=form.title_id.data, council_id=form.council_id.data,
                   rules=rules)
        db.session.commit()
        flash(_("Round saved."), "success")
        return redirect(url_for("admin.rounds"))
    return render_template("admin/round_form.html", form=form, round=round_, bases=bases, titles=titles)


def _prefill_from_title(form: RoundForm) -> dict[str, str]:
    """A new round starts from its title's rules (?title_id= on the first visit); return each rule's legal basis."""
    chosen = request.args.get("title_id", type=int) if request.method == "GET" else form.title_id.data
    title = db.session.get(AwardTitle, chosen) if chosen else None
    if title is None:
        return {}
    defaults = round_defaults(title, today=today_in_vietnam())
    if request.method == "GET":
        form.title_id.data = title.id
        form.name.data = form.name.data or f"{title.name} {today_in_vietnam().year}"
        for name, default in defaults.items():
            getattr(form, name).data = default.value
    return {name: default.basis for name, default in defaults.items() if default.basis}


# --- holidays -----------------------------------------------------------------------------------

@bp.route("/holidays", methods=["GET", "POST"])
@admin_required
def holidays():
    """Holidays, which working-day periods skip: those by law (preloaded, shown) and the extra days off entered."""
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            holiday_add(day=form.day.data, name=form.name.data or "")
        except WorkflowError as exc:
            db.session.rollback()
            _field_error(form, exc.field, exc.message)
        else:
            db.session.commit()
            flash(_("Holiday added."), "success")
            return redirect(url_for("admin.holidays"))
    items = db.session.scalars(sa.select(Holiday).order_by(Holiday.day.desc())).all()
    year = today_in_vietnam().year
    by_law = [(y, holidays_by_law(y, current_language())) for y in (year, year + 1)]
    return render_template("admin/holidays.html", form=form, holidays=items, by_law=by_law)


@bp.post("/holidays/<int:holiday_id>/delete")
@admin_required
def holiday_delete(holiday_id: int):
    """Remove a holiday."""
    holiday = db.session.get(Holiday, holiday_id) or abort(404)
    db.session.delete(holiday)
    db.session.commit()
    flash(_("Holiday removed."), "success")
    return redirect(url_for("admin.holidays"))


# --- units --------------------------------------------------------------------------------------

@bp.get("/units")
@admin_required
def units():
    """Find units by name, with or without diacritics; the tree is too large to list whole."""
    q = clean_name(request.args.get("q", ""))
    found = [c for _rank, c in unit_candidates(q, allow_former=True, limit=100)] if q else []
    return render_template("admin/units.html", q=q, candidates=found)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@admin_required
def unit_edit(unit_id: int | None = None):
    """Create a unit (under any unit) or change one: name, place in the tree, kind, validity, successor."""
    unit = (db.session.get(Unit, unit_id) or abort(404)) if unit_id else None
    form = UnitForm(obj=unit)
    if request.method == "GET":
        if unit is not None:
            form.parent.process_data(unit.parent)
            form.successor.process_data(unit.successor)
            form.kind.data = unit.kind.value
            form.level.data = unit.level.value if unit.level else ""
        elif (parent := db.session.get(Unit, request.args.get("parent", 0, type=int))) is not None:
            form.parent.process_data(parent)
    if form.validate_on_submit():
        try:
            unit = unit_save(unit, name=form.name.data, short_name=form.short_name.data, parent=form.parent.unit,
                             successor=form.successor.unit, kind=UnitKind(form.kind.data),
                             level=AdminLevel(form.level.data) if form.level.data else None,
                             valid_from=form.valid_from.data, valid_to=form.valid_to.data, today=today_in_vietnam(),
                             actor_id=current_user.id)
        except CatalogError as exc:
            db.session.rollback()
            _field_error(form, exc.field, exc.message)
        else:
            db.session.commit()
            flash(_("Unit saved."), "success")
            return redirect(url_for("admin.unit_history", unit_id=unit.id))
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.route("/units/<int:unit_id>/merge", methods=["GET", "POST"], endpoint="unit_merge")
@admin_required
def unit_merge_page(unit_id: int):
    """Merge a unit into another: everything that belonged to it moves (unit_merge); it stays as history."""
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = UnitMergeForm()
    if request.method == "GET":
        form.on.data = today_in_vietnam()
    if form.validate_on_submit():
        try:
            moved = unit_merge(unit, into=form.into.unit, on=form.on.data, actor_id=current_user.id)
        except CatalogError as exc:
            db.session.rollback()
            _field_error(form, exc.field, exc.message)
        else:
            db.session.commit()
            flash(_("%(old)s was merged into %(new)s: %(entries)s entries, %(users)s users, %(nominations)s "
                    "nominations, %(units)s sub-units, %(councils)s councils, %(awards)s awards it issued and "
                    "%(decisions)s decisions moved.", old=unit.name, new=form.into.unit.name,
                    entries=moved["entries"], users=moved["users"], nominations=moved["nominations"],
                    units=moved["sub_units"], councils=moved["councils"], awards=moved["awards"],
                    decisions=moved["decisions"]), "success")
            return redirect(url_for("admin.unit_history", unit_id=form.into.unit.id))
    return render_template("admin/unit_merge.html", form=form, unit=unit)


@bp.get("/units/<int:unit_id>/history", endpoint="unit_history")
@admin_required
def unit_history_page(unit_id: int):
    """A unit's history: where it sits, its former names, the units it took over, and every recorded change."""
    unit = db.session.get(Unit, unit_id) or abort(404)
    return render_template("admin/unit_history.html", unit=unit, events=unit_history(unit), unit_label=unit_label)


# --- the title catalogue ------------------------------------------------------------------------

@bp.get("/titles")
@admin_required
def titles():
    """The catalogue of titles and forms of commendation."""
    items = _titles()
    return render_template("admin/titles.html", titles=items)


@bp.route("/titles/new", methods=["GET", "POST"])
@bp.route("/titles/<int:title_id>", methods=["GET", "POST"])
@admin_required
def title_edit(title_id: int | None = None):
    """Create or change a title of the catalogue."""
    title = (db.session.get(AwardTitle, title_id) or abort(404)) if title_id else None
    form = TitleForm(obj=title)
    if title is not None and request.method == "GET":
        form.category.data = title.category.value
        form.default_level.data = title.default_level.value if title.default_level else ""
        form.applies_to.data = list(title.applies_to or [])
    if form.validate_on_submit():
        try:
            award_title_save(title, name=form.name.data, name_en=form.name_en.data,
                             category=TitleCategory(form.category.data), applies_to=list(form.applies_to.data or []),
                             default_level=AwardLevel(form.default_level.data) if form.default_level.data else None,
                             issuing_office=form.issuing_office.data, prerequisites=form.prerequisites.data,
                             legal_basis=form.legal_basis.data, valid_years=form.valid_years.data)
        except CatalogError as exc:
            db.session.rollback()
            _field_error(form, exc.field, exc.message)
        else:
            db.session.commit()
            flash(_("Title saved."), "success")
            return redirect(url_for("admin.titles"))
    return render_template("admin/title_form.html", form=form, title=title)


# --- sign-in attempts ---------------------------------------------------------------------------

@bp.get("/sign-ins")
@admin_required
def sign_ins():
    """Recent sign-in attempts, failures first if asked, for administrators."""
    failed_only = request.args.get("failed") == "1"
    return render_template("admin/sign_ins.html", attempts=sign_in_attempts(failed_only=failed_only),
                           failed_only=failed_only)
