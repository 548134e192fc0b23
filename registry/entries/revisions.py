"""Revisions of an entry: what each save left, a readable difference between two, and what a restore puts back."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.catalog.models import Topic, Unit
from registry.entries.models import Entry, EntryKind, EntryRevision, EntryStatus
from registry.extensions import db

# The fields a revision keeps, in the order a difference lists them; a restore puts back the first ones.
RESTORABLE = ("kind", "title", "unit_id", "year", "place", "summary", "story", "topic_ids")
FIELD_LABELS = {
    "kind": _l("Kind"),
    "title": _l("Name"),
    "unit": _l("Unit"),
    "year": _l("Year"),
    "place": _l("Place"),
    "summary": _l("Short summary"),
    "story": _l("Story"),
    "topics": _l("Topics"),
    "status": _l("Status"),
    "awards": _l("Awards"),
    "replications": _l("Replicated in"),
}
_SHOWN = ("kind", "title", "unit", "year", "place", "summary", "story", "topics", "status", "awards", "replications")
_LONG = {"summary", "story"}


def entry_snapshot(entry: Entry) -> dict:
    """The entry's editable fields as they stand, with the names a reader needs to follow a difference."""
    return {
        "kind": entry.kind.value,
        "title": entry.title,
        "unit_id": entry.unit_id,
        "unit": " › ".join(u.name for u in entry.unit.path()) if entry.unit else "",
        "year": entry.year,
        "place": entry.place or "",
        "summary": entry.summary or "",
        "story": entry.story or "",
        "story_format": entry.story_format,
        "topic_ids": sorted(t.id for t in entry.topics),
        "topics": sorted(t.name for t in entry.topics),
        "status": entry.status.value,
        "awards": [
            f"{a.title.name} ({a.level.label}, {a.year})" + (f" {a.decision_number}" if a.decision_number else "")
            for a in entry.awards
        ],
        "replications": [
            r.unit.name + (f" ({r.since_year})" if r.since_year else "") for r in entry.replications
        ],
    }


def revision_record(entry: Entry, *, actor, note: str) -> EntryRevision | None:
    """Keep the entry as it now stands as its next revision (none when nothing changed since the last one)."""
    db.session.flush()
    db.session.refresh(entry, ["topics", "awards", "replications", "revisions"])
    data = entry_snapshot(entry)
    latest = entry.revisions[0] if entry.revisions else None
    if latest is not None and latest.data == data:
        return None
    revision = EntryRevision(
        entry=entry, number=(latest.number + 1) if latest else 1, author_id=getattr(actor, "id", None),
        note=note[:300], data=data,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


@dataclass
class FieldChange:
    """One field that differs: its label, before and after, and for long texts the lines added and removed."""

    name: str
    label: str
    before: str
    after: str
    lines: list[tuple[str, str]] = field(default_factory=list)


def _shown(data: dict, name: str) -> str:
    value = data.get(name)
    if name == "kind" and value:
        return EntryKind(value).label
    if name == "status" and value:
        return EntryStatus(value).label
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def revision_changes(before: dict | None, after: dict) -> list[FieldChange]:
    """What changed from ``before`` to ``after`` (everything, for the first revision), field by field."""
    before = before or {}
    changes = []
    for name in _SHOWN:
        old, new = _shown(before, name), _shown(after, name)
        if old == new:
            continue
        change = FieldChange(name=name, label=str(FIELD_LABELS[name]), before=old, after=new)
        if name in _LONG:
            for line in difflib.ndiff(old.splitlines(), new.splitlines()):
                if line[:1] in "+-" and line[2:].strip():
                    change.lines.append((line[:1], line[2:]))
        changes.append(change)
    return changes


def revision_previous(revision: EntryRevision) -> EntryRevision | None:
    """The revision just before this one."""
    return db.session.scalar(
        sa.select(EntryRevision).where(EntryRevision.entry_id == revision.entry_id,
                                       EntryRevision.number < revision.number)
        .order_by(EntryRevision.number.desc()).limit(1)
    )


def restorable_fields(revision: EntryRevision) -> dict:
    """The fields a restore puts back, skipping a unit or topics that no longer exist."""
    data = revision.data
    fields = {name: data.get(name) for name in RESTORABLE if name in data}
    if fields.get("unit_id") is not None and db.session.get(Unit, fields["unit_id"]) is None:
        fields.pop("unit_id")
    if "topic_ids" in fields:
        fields["topic_ids"] = [t for t in fields["topic_ids"] if db.session.get(Topic, t) is not None]
    fields["story_format"] = data.get("story_format", "markdown")
    return fields
