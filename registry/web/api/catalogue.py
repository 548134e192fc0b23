"""The catalogues behind the data: the unit tree, topics and award titles."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from registry.catalog.models import AwardTitle, Unit
from registry.extensions import db
from registry.platform.collation import sorted_by_name
from registry.platform.i18n import current_language
from registry.showcase.opendata import unit_entry_counts, unit_roots, unit_subtree_entry_count
from registry.showcase.representations import award_title_json, topic_json, unit_brief, unit_json
from registry.showcase.selectors import topics_with_counts
from registry.web.api.spec import documented
from registry.web.api.views import bp


@bp.get("/units")
@documented(
    summary=_l("Top-level units"),
    description=_l("The roots of the unit tree (provinces, and former provinces merged in 2025) "
                   "with the number of published entries under each."),
    example="/api/v1/units", tag="catalogues",
)
def units():
    """The roots of the unit tree with entry counts."""
    roots = unit_roots()
    counts = unit_entry_counts(roots, None)
    return jsonify({"results": [unit_json(u, entries=counts[u.id]) for u in roots]})


@bp.get("/units/<int:unit_id>")
@documented(
    summary=_l("One unit"),
    description=_l("A unit with its path from the root, its children (with entry counts), former names, "
                   "the units merged into it and the unit it was merged into."),
    example="/api/v1/units/1", tag="catalogues", path_params={"unit_id": _l("Unit id.")},
)
def unit(unit_id: int):
    """A unit with its place in the tree and its history."""
    item = db.session.scalar(sa.select(Unit).where(Unit.id == unit_id).options(
        selectinload(Unit.children), selectinload(Unit.predecessors), selectinload(Unit.former_names),
        selectinload(Unit.successor),
    ))
    if item is None:
        abort(404, description=f"No unit has id {unit_id}.")
    counts = unit_entry_counts(item.children, item)
    return jsonify(unit_json(item, entries=unit_subtree_entry_count(item)) | {
        "path": [unit_brief(u) for u in item.path()],
        "children": [unit_json(c, entries=counts[c.id]) for c in item.children],
        "former_names": [{"name": f.name, "valid_to": f.valid_to.isoformat() if f.valid_to else None}
                         for f in item.former_names],
        "predecessors": [unit_brief(p) for p in item.predecessors],
        "successor": unit_brief(item.successor),
    })


@bp.get("/topics")
@documented(
    summary=_l("Topics"), description=_l("Every topic with the number of published entries under it."),
    example="/api/v1/topics", tag="catalogues",
)
def topics():
    """Every topic with its number of published entries."""
    return jsonify({"results": [topic_json(t, entries=n) for t, n in topics_with_counts(current_language())]})


@bp.get("/award-titles")
@documented(
    summary=_l("Award titles"),
    description=_l("The catalogue of emulation titles, forms of commendation and local recognition programmes."),
    example="/api/v1/award-titles", tag="catalogues",
)
def award_titles():
    """The catalogue of award titles."""
    titles = sorted_by_name(db.session.scalars(sa.select(AwardTitle).order_by(AwardTitle.id)), lambda t: t.name)
    return jsonify({"results": [award_title_json(t) for t in titles]})
