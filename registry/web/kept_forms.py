"""Typing is not lost when the session ends: a form page of the working side sent without a session keeps what
was typed for the user the browser was signed in as, and gives it back on that page once they have signed in.

The steps, for any route that needs a sign-in and shows its form at the address it is sent to (GET and POST):
1. the form comes in without a session (login_required, or its CSRF token failed with it): its fields (never
   files, passwords or the CSRF token) are kept on the server for the former user (registry.workflow.kept_forms:
   bounded, at most a few per user, for KEPT_FORM_HOURS), the token in this browser's session;
2. the browser goes to the sign-in page with ``next`` naming the form page; another account signing in there
   drops the kept form;
3. the form page, opened by that user (its permission check runs as always), shows the form filled in as it
   was typed, and says that nothing is saved until they check it and save again. Nothing is ever sent for them.
The dossier keeps its own typing the same way (registry.web.nominations.views).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from registry.extensions import db, login_manager
from registry.web.errors import storage_error_response
from registry.workflow.kept_forms import PAGE_FORM, FormNotKept, form_drop, form_keep, form_kept_at, former_user

# The dossier's editor keeps and restores its own typing, tied to the dossier.
KEEPS_ITS_OWN = frozenset({"nominations.edit"})
# Never kept: the CSRF token (a fresh one comes with the page) and anything naming a password.
NEVER_KEPT = ("csrf_token",)


def _same_site() -> bool:
    """Whether the form came from one of our own pages (browsers name the page that posts a form)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return not origin or urlsplit(origin).netloc == request.host


def _form_page() -> bool:
    """A POST to a page that shows its form at the same address (what the user reads after signing in)."""
    rule = request.url_rule
    return (request.method == "POST" and rule is not None and "GET" in (rule.methods or ())
            and request.endpoint not in KEEPS_ITS_OWN and request.blueprint != "auth")


def _typed() -> dict[str, list[str]]:
    """The form's own text fields as typed; files are not in ``request.form`` and are never kept."""
    return {name: request.form.getlist(name) for name in request.form
            if name not in NEVER_KEPT and "password" not in name.lower()}


def _sign_in_url() -> str:
    return url_for("auth.login", next=request.full_path.rstrip("?"))


def _not_kept(typed: dict[str, list[str]], reason: str):
    """Nothing saved, nothing kept (too large, too many waiting): say why, with what was typed to copy."""
    response = make_response(render_template("kept/not_kept.html", typed=typed, reason=reason,
                                             login_url=_sign_in_url()), 401)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def keep_typing():
    """Keep the form sent without a session for the user this browser was signed in as, and send them to sign
    in; None when this request is no form page's (the usual sign-in redirect applies)."""
    if not _form_page():
        return None
    typed = _typed()
    user = former_user()
    if not (typed and user is not None and _same_site()):
        return None  # nobody to keep it for (never signed in, or signed out), or sent by another site
    try:
        token = form_keep(user=user, path=request.path, data=typed, replacing=session.get(PAGE_FORM))
    except FormNotKept as exc:
        db.session.rollback()
        return _not_kept(typed, str(exc.message))
    db.session.commit()
    session[PAGE_FORM] = token
    flash(_("Your session had ended. Sign in again: what you typed has been kept."), "warning")
    return redirect(_sign_in_url())


def _unauthorized():
    """Flask-Login's answer to a page that needs a sign-in, but first keep a form sent without a session."""
    try:
        kept = keep_typing()
    except Exception as exc:  # a full or read-only disk; anything else is raised again
        return storage_error_response(exc)
    if kept is not None:
        return kept
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


def keep_typing_on_expired_form():
    """A form whose CSRF token failed because its session had ended: kept like any other, else None."""
    if current_user.is_authenticated:
        return None
    try:
        return keep_typing()
    except Exception as exc:
        return storage_error_response(exc)


def _matching_form(context: dict, names: set[str]) -> FlaskForm | None:
    """The form of the page that the kept fields belong to: the one sharing most of their names."""
    forms = [value for value in context.values() if isinstance(value, FlaskForm)]
    scored = [(len(names & {field.name for field in form}), -i, form) for i, form in enumerate(forms)]
    best = max(scored, default=None, key=lambda item: item[:2])
    return best[2] if best and best[0] else None


def _restore(_app, template, context, **_extra) -> None:
    """About to show a page: if it holds the form kept for this user here, fill it in as typed."""
    if request.method != "GET" or not session.get(PAGE_FORM) or not current_user.is_authenticated \
            or g.get("kept_form_restored"):
        return
    pending = form_kept_at(user=current_user, path=request.path, token=session.get(PAGE_FORM))
    if pending is None:
        return
    form = _matching_form(context, set(pending.data))
    if form is None:
        return
    # Processed again as if sent: whatever the page had filled in gives way to what was typed.
    form.process(formdata=MultiDict([(name, value) for name, values in pending.data.items() for value in values]))
    form_drop(pending)
    session.pop(PAGE_FORM)
    g.kept_form_restored = True
    flash(_("What you typed before your session ended is back in the form below. Nothing has been saved yet: "
            "check it, then save it again."), "warning")


def _forget_restored(response):
    """The kept form was handed back: it is no longer kept."""
    if g.pop("kept_form_restored", None):
        db.session.commit()
    return response


def init_app(app: Flask) -> None:
    """Keep forms sent without a session, and hand them back after signing in."""
    from flask import before_render_template

    login_manager.unauthorized_handler(_unauthorized)
    before_render_template.connect(_restore, app)
    app.after_request(_forget_restored)
