"""Public records as JSON-ready dicts with stable field names; private fields never appear here."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import url_for

from registry.catalog.models import AwardTitle, Topic, Unit
from registry.entries.models import Award, Entry, Photo
from registry.showcase.links import entry_url, topic_url, unit_url


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text of a date, or of a stored (UTC) time with its offset."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC, microsecond=0).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def photo_file_url(photo: Photo, rendition: str) -> str:
    """Absolute URL of a rendition of a photo (the original when that rendition was not made)."""
    name = rendition if rendition in (photo.renditions or {}) else "original"
    return url_for("media.photo", sha256=photo.sha256, rendition=name, _external=True)


def unit_brief(unit: Unit | None) -> dict[str, Any] | None:
    """A unit as it appears inside other records."""
    if unit is None:
        return None
    return {"id": unit.id, "name": unit.name, "api_url": url_for("api.unit", unit_id=unit.id, _external=True)}


def unit_json(unit: Unit, *, entries: int | None = None) -> dict[str, Any]:
    """A unit's own fields."""
    data = {
        "id": unit.id,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind.value,
        "level": unit.level.value if unit.level else None,
        "code": unit.code,
        "valid_from": iso(unit.valid_from),
        "valid_to": iso(unit.valid_to),
        "parent_id": unit.parent_id,
        "successor_id": unit.successor_id,
        "url": unit_url(unit, _external=True),
        "api_url": url_for("api.unit", unit_id=unit.id, _external=True),
    }
    if entries is not None:
        data["entries"] = entries
    return data


def topic_json(topic: Topic, *, entries: int | None = None) -> dict[str, Any]:
    """A topic."""
    data = {"slug": topic.slug, "name": topic.name, "name_en": topic.name_en}
    if entries is not None:
        data |= {"description": topic.description, "entries": entries, "url": topic_url(topic, _external=True)}
    return data


def award_title_json(title: AwardTitle) -> dict[str, Any]:
    """A title or form of commendation in the catalogue."""
    return {
        "slug": title.slug,
        "name": title.name,
        "name_en": title.name_en,
        "category": title.category.value,
        "applies_to": list(title.applies_to or []),
        "default_level": title.default_level.value if title.default_level else None,
        "issuing_office": title.issuing_office,
        "prerequisites": title.prerequisites,
        "legal_basis": title.legal_basis,
        "valid_years": title.valid_years,
    }


def award_json(award: Award, *, with_entry: bool = False) -> dict[str, Any]:
    """An award with its decision, and its revocation when it was revoked."""
    data: dict[str, Any] = {
        "id": award.id,
        "title": {"slug": award.title.slug, "name": award.title.name, "name_en": award.title.name_en},
        "level": award.level.value,
        "year": award.year,
        "kind": award.award_kind.value,
        "decision_number": award.decision_number,
        "decision_date": iso(award.decision_date),
        "issuer": unit_brief(award.issuer),
        "signer": award.signer,
        "signer_position": award.signer_position,
        "revoked": award.is_revoked,
        "revocation": {
            "date": iso(award.revoked_on),
            "decision_number": award.revocation_decision,
            "reason": award.revocation_reason,
        } if award.is_revoked else None,
    }
    if award.verification_code:
        from registry.workflow.verification import format_code

        code = format_code(award.verification_code)
        data["verification_code"] = code
        data["verification_url"] = url_for("verification.show", code=code, _external=True)
    if with_entry:
        data["entry"] = {
            "id": award.entry.id, "title": award.entry.title, "kind": award.entry.kind.value,
            "url": entry_url(award.entry, _external=True),
            "api_url": url_for("api.entry", entry_id=award.entry.id, _external=True),
        }
    return data


def photo_json(photo: Photo) -> dict[str, Any]:
    """A photo with its credit and licence, linking the large rendition and the original."""
    return {
        "alt": photo.alt,
        "caption": photo.caption,
        "credit": photo.credit,
        "licence": photo.licence,
        "illustration": photo.is_illustration,
        "width": photo.width,
        "height": photo.height,
        "url": photo_file_url(photo, "large"),
        "original_url": photo_file_url(photo, "original"),
    }


def entry_json(entry: Entry, *, full: bool = False) -> dict[str, Any]:
    """An entry's public record; ``full`` adds the story and replications (the detail view)."""
    data: dict[str, Any] = {
        "id": entry.id,
        "ref": entry.ref,
        "kind": entry.kind.value,
        "title": entry.title,
        "year": entry.year,
        "summary": entry.summary or "",
        "unit": unit_brief(entry.unit) | {"path": [u.name for u in entry.unit.path()]} if entry.unit else None,
        "topics": [topic_json(t) for t in entry.topics],
        "awards": [award_json(a) for a in entry.awards],
        "photos": [photo_json(p) for p in entry.photos],
        "published_at": iso(entry.published_at),
        "updated_at": iso(entry.updated_at),
        "url": entry_url(entry, _external=True),
        "api_url": url_for("api.entry", entry_id=entry.id, _external=True),
    }
    if full:
        from registry.workflow.verification import decision_record_json, decision_records

        records = decision_records(entry.awards)
        for award_data in data["awards"]:
            record = decision_record_json(records[award_data["id"]])
            award_data["decision_record"] = {k: record[k] for k in ("vote", "ballot", "consultation_comments")}
        data["body"] = entry.story or ""
        data["replications"] = [
            {"unit": unit_brief(r.unit), "since": r.since_year, "note": r.note} for r in entry.replications
        ]
    return data
