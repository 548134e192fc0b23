"""What entry pages tell other programs and people who quote them: citations, OpenGraph and schema.org data."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registry.entries.models import Award, Entry, EntryKind
from registry.platform.i18n import current_language
from registry.platform.vietnam_time import date_for_people
from registry.showcase.links import entry_url
from registry.showcase.representations import photo_file_url

SITE_NAME = _l("Registry of exemplary people and model initiatives")
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
SCHEMA_TYPES = {EntryKind.INDIVIDUAL: "Person", EntryKind.COLLECTIVE: "Organization", EntryKind.INITIATIVE: "Project"}


def _unit_place(entry: Entry) -> str:
    # The unit first, then what it belongs to: "Quận đoàn Long Biên, Quận Long Biên, Thành phố Hà Nội".
    return ", ".join(u.name for u in reversed(entry.unit.path())) if entry.unit else ""


def _accessed() -> str:
    return _("Accessed %(date)s.", date=date_for_people(datetime.now(UTC), "long"))


def award_words(award: Award) -> str:
    """An award as words: title (level, year), decision number and date."""
    text = f"{award.title.display_name(current_language())} ({award.level.label}, {award.year})"
    if award.decision_number:
        text += ", " + _("Decision No. %(number)s", number=award.decision_number)
        if award.decision_date:
            text += " " + _("of %(date)s", date=date_for_people(award.decision_date, "long"))
    return text


def entry_permalink(entry: Entry) -> str:
    """The absolute, canonical address of an entry's page."""
    return entry_url(entry, _external=True)


def entry_citation(entry: Entry) -> str:
    """How to cite an entry: title, unit, year, registry, permalink, date accessed."""
    where = ", ".join(part for part in (_unit_place(entry), str(entry.year or "")) if part)
    parts = [f"{entry.title}.", f"{where}." if where else "", f"{SITE_NAME}.", entry_permalink(entry) + ".", _accessed()]
    return " ".join(p for p in parts if p)


def award_citation(award: Award) -> str:
    """How to cite one award: recipient, award and decision, unit, registry, permalink, date accessed."""
    entry = award.entry
    parts = [f"{entry.title}: {award_words(award)}."]
    if award.is_revoked:
        parts.append(_("Revoked on %(date)s", date=date_for_people(award.revoked_on, "long")) + ".")
    if entry.unit:
        parts.append(f"{_unit_place(entry)}.")
    parts += [f"{SITE_NAME}.", f"{entry_permalink(entry)}#award-{award.id}.", _accessed()]
    return " ".join(parts)


def entry_open_graph(entry: Entry) -> list[tuple[str, str]]:
    """OpenGraph properties of an entry's page, the first photo's large rendition as its image."""
    language = current_language()
    props = [
        ("og:type", "article"),
        ("og:site_name", str(SITE_NAME)),
        ("og:title", entry.title),
        ("og:description", (entry.summary or entry.title)[:300]),
        ("og:url", entry_permalink(entry)),
        ("og:locale", OG_LOCALES.get(language, "vi_VN")),
    ]
    props += [("og:locale:alternate", v) for k, v in OG_LOCALES.items() if k != language]
    if entry.photos:
        photo = entry.photos[0]
        size = (photo.renditions or {}).get("large") or (photo.width, photo.height)
        props += [
            ("og:image", photo_file_url(photo, "large")),
            ("og:image:width", str(size[0])), ("og:image:height", str(size[1])),
            ("og:image:alt", photo.alt),
        ]
    return props


def _award_certification(award: Award) -> dict[str, Any]:
    """An award as a schema.org Certification: its decision, issuer, status and the page that verifies it."""
    from registry.workflow.verification import format_code, verification_url

    cert: dict[str, Any] = {
        "@type": "Certification",
        "name": f"{award.title.name} ({award.year})",
        "certificationIdentifier": format_code(award.verification_code),
        "certificationStatus": "CertificationInactive" if award.is_revoked else "CertificationActive",
        "url": verification_url(award),
    }
    if award.decision_number:
        cert["identifier"] = award.decision_number
    if award.decision_date:
        cert["validFrom"] = award.decision_date.isoformat()
    if award.issuer:
        cert["issuedBy"] = {"@type": "Organization", "name": award.issuer.name}
    if award.is_revoked:
        cert["expires"] = award.revoked_on.isoformat()
    return cert


def entry_json_ld(entry: Entry) -> dict[str, Any]:
    """schema.org data of an entry: a Person, an Organization or a Project, with its awards."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES[entry.kind],
        "name": entry.title,
        "url": entry_permalink(entry),
    }
    if entry.summary:
        data["description"] = entry.summary
    if entry.photos:
        data["image"] = [photo_file_url(p, "large") for p in entry.photos]
    awards = [f"{a.title.name} ({a.year})" for a in entry.awards if not a.is_revoked]
    if awards:
        data["award"] = awards
    certifications = [_award_certification(a) for a in entry.awards if a.verification_code]
    if certifications:
        data["subjectOf"] = certifications
    if entry.unit and entry.kind != EntryKind.INDIVIDUAL:
        data["parentOrganization"] = {"@type": "Organization", "name": entry.unit.name}
    return data
