"""Forms kept across an ended session: only for the user who was signed in, bounded, for a day.

The dossier keeps its own (``form_keep(nomination=...)``, restored by its editor); every other form page of the
working side is kept under its path (``form_keep(path=...)``, restored by registry.web.kept_forms)."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in, user_logged_out

from registry.accounts.models import User
from registry.extensions import db
from registry.platform.columns import utcnow
from registry.workflow.models import Nomination, PendingForm

# Who this browser signed in as, until it signs out. Sessions also end without signing out: under
# SESSION_PROTECTION "strong" a new address (office Wi-Fi to a phone's hotspot) drops the login, and a
# password changed elsewhere ends every other session. The signed session cookie still carries this key
# then, so the app knows whose typing it receives; a visitor who never signed in has nothing of the kind.
SIGNED_IN_AS = "signed_in_as"
# The session keys holding the token of this browser's kept form: the dossier's, and any other page's.
DOSSIER_FORM, PAGE_FORM = "pending_form", "kept_form"


class FormNotKept(Exception):
    """A form the registry will not keep; ``message`` tells the user why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def former_user() -> User | None:
    """The active user this browser was signed in as before its session ended (without signing out), or None."""
    user_id = session.get(SIGNED_IN_AS)
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def _oldest_kept() -> sa.ColumnElement[bool]:
    return PendingForm.created_at < utcnow() - timedelta(hours=current_app.config["KEPT_FORM_HOURS"])


def kept_forms_purge() -> None:
    """Forget the kept forms nobody came back for within KEPT_FORM_HOURS."""
    db.session.execute(sa.delete(PendingForm).where(_oldest_kept()))


def form_keep(*, user: User, data: dict, nomination: Nomination | None = None, path: str | None = None,
              replacing: str | None = None) -> str:
    """Keep what ``user`` typed into ``nomination``'s dossier, or into the form page at ``path``, until they sign
    in again; return its token."""
    # Refused (FormNotKept) past KEPT_FORM_MAX_BYTES, or with KEPT_FORMS_PER_USER forms waiting: a waiting form
    # is never dropped for a newer one, except the one this browser holds already (``replacing``).
    if len(json.dumps(data, ensure_ascii=False).encode()) > current_app.config["KEPT_FORM_MAX_BYTES"]:
        raise FormNotKept(_l("What you typed is larger than a dossier form can hold.") if nomination is not None
                          else _l("What you typed is larger than a form can hold."))
    kept_forms_purge()
    if replacing:
        db.session.execute(sa.delete(PendingForm).where(PendingForm.token == replacing,
                                                         PendingForm.user_id == user.id))
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(PendingForm)
                                .where(PendingForm.user_id == user.id))
    if waiting >= current_app.config["KEPT_FORMS_PER_USER"]:
        raise FormNotKept(_l("%(count)d forms of yours are already waiting to be restored: sign in and open those "
                             "dossiers to get them back.", count=waiting) if nomination is not None
                          else _l("%(count)d forms of yours are already waiting to be restored: sign in and open "
                                  "those pages to get them back.", count=waiting))
    token = secrets.token_urlsafe(24)
    db.session.add(PendingForm(token=token, user_id=user.id, nomination_id=nomination.id if nomination else None,
                               path=None if nomination else path, data=data))
    db.session.flush()
    return token


def form_take(*, user: User, nomination: Nomination, token: str | None) -> dict[str, str] | None:
    """The form kept under ``token`` for this user and dossier, removed as it is handed back; else None."""
    if not token:
        return None
    kept_forms_purge()
    pending = db.session.get(PendingForm, token)
    if pending is None or pending.user_id != user.id or pending.nomination_id != nomination.id:
        return None
    data = dict(pending.data)
    db.session.delete(pending)
    db.session.flush()
    return data


def form_kept_at(*, user: User, path: str, token: str | None) -> PendingForm | None:
    """The form this browser kept (``token``) for this user on the page at ``path``, or None; left in place
    until ``form_drop`` (the page may show no form to put it back into)."""
    if not token:
        return None
    kept_forms_purge()
    pending = db.session.get(PendingForm, token)
    if pending is None or pending.user_id != user.id or pending.nomination_id is not None or pending.path != path:
        return None
    return pending


def form_drop(pending: PendingForm) -> None:
    """Forget a kept form (handed back, or not its user's to have)."""
    db.session.delete(pending)
    db.session.flush()


def _remember_signed_in(_app, user: User, **_extra) -> None:
    session[SIGNED_IN_AS] = user.id
    # Another account signing in on this browser never sees what the former user typed: their kept forms go.
    for key in (DOSSIER_FORM, PAGE_FORM):
        token = session.get(key)
        pending = db.session.get(PendingForm, token) if isinstance(token, str) else None
        if pending is None or pending.user_id != user.id:
            session.pop(key, None)
            if pending is not None:
                form_drop(pending)


def _forget_signed_in(_app, **_extra) -> None:
    session.pop(SIGNED_IN_AS, None)


def init_app(app: Flask) -> None:
    """Note in the session whom the browser signs in as, and forget it when it signs out."""
    user_logged_in.connect(_remember_signed_in, app)
    user_logged_out.connect(_forget_signed_in, app)
