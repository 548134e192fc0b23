"""Suggestions for the pickers as one types: JSON for static/js/picker.js; the forms work without them."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from registry.catalog.unit_picker import unit_candidates
from registry.entries.models import EntryKind
from registry.web.access import require
from registry.workflow.actions import officer_unit_ids
from registry.workflow.entry_picker import entry_candidate, entry_candidates

bp = Blueprint("pickers", __name__, url_prefix="/pickers")

MAX_QUERY = 120


def _query() -> str:
    return (request.args.get("q") or "")[:MAX_QUERY]


@bp.get("/units")
@login_required
def units():
    """Units fitting what is typed, with the units above them; former ones lead to their successor."""
    ranked = unit_candidates(_query(), allow_former=request.args.get("former") == "1")
    response = jsonify({"q": _query(), "suggestions": [c.as_json() for _rank, c in ranked]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/entries")
@login_required
def entries():
    """Entries the user may name in a nomination: published ones and the drafts of the user's units."""
    require(bool(officer_unit_ids(current_user)) or current_user.is_admin)
    kind = request.args.get("kind")
    kind = EntryKind(kind) if kind in {k.value for k in EntryKind} else None
    ranked = entry_candidates(current_user, _query(), kind=kind)
    response = jsonify({"q": _query(), "suggestions": [entry_candidate(e).as_json() for _same, e in ranked]})
    response.headers["Cache-Control"] = "private, no-store"
    return response
