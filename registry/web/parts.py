"""The parts of a record kept from the desk (an entry's photos, consents, awards and replications; a dossier's
documents and photos): load one under the record its address names, send its stored file, remove it.

The entry editor and the dossier share these, so a part of one record is never reached through another's
address, a private file is always sent the same way, and a removal always commits once and says how it went.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue

from registry.extensions import db
from registry.workflow.documents import document_response

T = TypeVar("T")


def part_or_404(model: type[T], part_id: int, **owner: int | None) -> T:
    """The ``model`` row ``part_id`` if it belongs to the record the address names (``entry_id=…``), else 404."""
    part = db.session.get(model, part_id)
    if part is None or any(getattr(part, column) != value for column, value in owner.items()):
        abort(404)
    return part


def send_stored_document(sha256: str | None, file_type: str | None, filename: str) -> ResponseReturnValue:
    """A stored private document as a download no one keeps; 404 when the row names no file."""
    if not sha256:
        abort(404)
    return document_response(sha256, file_type, filename)


def remove_part(remove: Callable[[], object], *, done: str, back: str,
                refused: tuple[type[Exception], ...] = (),
                confirm: Callable[[], ResponseReturnValue] | None = None) -> ResponseReturnValue:
    """Remove a part and commit once, then go back to ``back`` saying it is done, or why it was refused (an error
    of ``refused``, whose ``message`` is shown). With ``confirm``, a removal not yet confirmed (the form's
    ``confirm`` is not "yes") shows that page instead and changes nothing."""
    if confirm is not None and request.form.get("confirm") != "yes":
        return confirm()
    try:
        remove()
        db.session.commit()
    except refused as exc:
        db.session.rollback()
        flash(str(getattr(exc, "message", exc)), "error")
    else:
        flash(done, "success")
    return redirect(back)
