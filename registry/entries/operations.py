"""Writes on entries: the editor's saves (each a revision), publishing, photos and consent, awards, replications,
merging."""
from __future__ import annotations

from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from registry.catalog.models import AwardLevel, AwardTitle, Topic, Unit
from registry.entries.models import (
    Award,
    AwardKind,
    Entry,
    EntryKind,
    EntryRevision,
    EntryStatus,
    Photo,
    PhotoConsent,
    Replication,
)
from registry.entries.photos import PhotoError, photo_dir, store_image
from registry.entries.revisions import restorable_fields, revision_record
from registry.extensions import db
from registry.platform.collation import sort_key
from registry.platform.columns import utcnow
from registry.platform.slugs import make_slug


def entry_set_title(entry: Entry, title: str) -> None:
    """Set an entry's title and its cosmetic slug (the id keeps permalinks stable)."""
    entry.title = title
    entry.slug = make_slug(title)
    entry.title_sort = sort_key(title)


def entry_publish(entry: Entry) -> None:
    """Publish an entry; the first publication date is kept on later publications."""
    if entry.status != EntryStatus.PUBLISHED:
        entry.status = EntryStatus.PUBLISHED
    if entry.published_at is None:
        entry.published_at = utcnow()


def photo_attach(
    entry: Entry,
    data: bytes | BinaryIO,
    *,
    alt: str,
    caption: str | None = None,
    credit: str | None = None,
    licence: str | None = None,
    is_illustration: bool = False,
) -> Photo:
    """Process an uploaded image (raises PhotoError) and attach it to the entry as its last photo."""
    stored = store_image(
        data,
        root=photo_dir(),
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
    )
    photo = Photo(
        sha256=stored.sha256,
        position=len(entry.all_photos),
        alt=alt,
        caption=caption,
        credit=credit,
        licence=licence,
        is_illustration=is_illustration,
        width=stored.width,
        height=stored.height,
        source_format=stored.format,
        renditions={name: [r.width, r.height] for name, r in stored.renditions.items()},
    )
    entry.all_photos.append(photo)
    db.session.flush()
    return photo


def replication_add(entry: Entry, unit: Unit, *, since_year: int | None, note: str | None = None) -> Replication:
    """Record that ``unit`` adopted the initiative ``entry`` (updates the year if already recorded)."""
    for existing in entry.replications:
        if existing.unit_id == unit.id:
            existing.since_year = since_year
            existing.note = note
            return existing
    replication = Replication(unit=unit, since_year=since_year, note=note)
    entry.replications.append(replication)
    return replication


# --- the entry editor ---------------------------------------------------------------------------

class EntryError(ValueError):
    """A refused change to an entry; ``message`` says why, ``field`` names the form field at fault."""

    def __init__(self, message, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


EDITABLE_FIELDS = ("kind", "title", "unit", "year", "place", "summary", "story", "topics")


def _apply_fields(entry: Entry, fields: dict) -> None:
    if "title" in fields:
        title = " ".join((fields["title"] or "").split())
        if not title:
            raise EntryError(_l("Please enter the name."), field="title")
        if title != entry.title:
            entry_set_title(entry, title)
    if fields.get("kind"):
        entry.kind = EntryKind(fields["kind"])
    if "unit" in fields:
        if fields["unit"] is None:
            raise EntryError(_l("Choose the unit."), field="unit")
        entry.unit = fields["unit"]
    if "year" in fields:
        entry.year = fields["year"]
    if "place" in fields:
        entry.place = (fields["place"] or "").strip() or None
    if "summary" in fields:
        entry.summary = (fields["summary"] or "").strip()
    if "story" in fields:
        story = (fields["story"] or "").replace("\r\n", "\n").strip()
        if story != (entry.story or ""):
            entry.story = story
    if "story_format" in fields:
        entry.story_format = fields["story_format"]
    if "topics" in fields:
        wanted = sorted(fields["topics"], key=lambda t: t.id)
        if [t.id for t in sorted(entry.topics, key=lambda t: t.id)] != [t.id for t in wanted]:
            entry.topics = wanted


def entry_create(*, actor, fields: dict) -> Entry:
    """A new draft entry, its story kept as typed in a plain text box; its first revision records who made it."""
    entry = Entry(kind=EntryKind(fields.get("kind") or "individual"), title="-", slug="-", story_format="text",
                  status=EntryStatus.DRAFT)
    _apply_fields(entry, {**fields, "title": fields.get("title") or ""})
    db.session.add(entry)
    db.session.flush()
    revision_record(entry, actor=actor, note="created")
    return entry


def entry_update(entry: Entry, *, actor, fields: dict) -> EntryRevision | None:
    """Save the editor's fields (raises StaleDataError when someone saved first); a revision when anything changed."""
    _apply_fields(entry, fields)
    entry.updated_at = utcnow()
    return revision_record(entry, actor=actor, note="edited")


def entry_publish_from_editor(entry: Entry, *, actor) -> None:
    """Put an entry (back) on the public showcase."""
    if entry.merged_into_id is not None:
        raise EntryError(_l("This entry was merged into another; edit that one instead."))
    entry_publish(entry)
    entry.unpublish_reason = None
    revision_record(entry, actor=actor, note="published")


def entry_unpublish(entry: Entry, *, actor, reason: str) -> None:
    """Take an entry off the public showcase, saying why; it keeps its address for when it comes back."""
    reason = (reason or "").strip()
    if not reason:
        raise EntryError(_l("Say why the entry is taken off the public pages."), field="reason")
    if entry.status != EntryStatus.PUBLISHED:
        raise EntryError(_l("This entry is not published."))
    entry.status = EntryStatus.ARCHIVED
    entry.unpublish_reason = reason
    revision_record(entry, actor=actor, note="unpublished")


def entry_restore(entry: Entry, revision: EntryRevision, *, actor) -> EntryRevision | None:
    """Put back the fields of an earlier revision, as a new revision (nothing is lost: the later ones stay)."""
    if revision.entry_id != entry.id:
        raise EntryError(_l("This version belongs to another entry."))
    fields = restorable_fields(revision)
    changes = {
        "kind": fields.get("kind"), "title": fields.get("title") or entry.title, "year": fields.get("year"),
        "place": fields.get("place"), "summary": fields.get("summary"), "story": fields.get("story"),
        "story_format": fields.get("story_format"),
    }
    if fields.get("unit_id") is not None:
        changes["unit"] = db.session.get(Unit, fields["unit_id"])
    if "topic_ids" in fields:
        changes["topics"] = [db.session.get(Topic, t) for t in fields["topic_ids"]]
    _apply_fields(entry, {k: v for k, v in changes.items() if v is not None or k in ("year", "place")})
    entry.updated_at = utcnow()
    return revision_record(entry, actor=actor, note=f"restored {revision.number}")


def award_record(entry: Entry, *, actor, title: AwardTitle, level: AwardLevel, year: int,
                 award_kind: AwardKind = AwardKind.ACHIEVEMENT, decision_number: str | None = None,
                 decision_date=None, issuer: Unit | None = None, signer: str | None = None) -> Award:
    """Record an award given outside the registry's workflow (an earlier year, another body's decision)."""
    award = Award(level=level, year=year, award_kind=award_kind,
                  decision_number=(decision_number or "").strip() or None, decision_date=decision_date,
                  signer=(signer or "").strip() or None)
    entry.awards.append(award)  # in the session before it is tied to the title and issuer
    award.title, award.issuer = title, issuer
    entry.updated_at = utcnow()
    revision_record(entry, actor=actor, note="award recorded")
    return award


def award_remove(entry: Entry, award: Award, *, actor) -> None:
    """Remove an award recorded by mistake; one given through the workflow is revoked by its council instead."""
    from registry.workflow.models import (
        Nomination,  # the workflow builds on entries, not the other way round
    )

    if award.entry_id != entry.id:
        raise EntryError(_l("This award belongs to another entry."))
    if db.session.scalar(sa.select(sa.func.count()).select_from(Nomination).where(Nomination.award_id == award.id)):
        raise EntryError(_l("This award was given through a nomination: only its council can revoke it."))
    entry.awards.remove(award)
    entry.updated_at = utcnow()
    revision_record(entry, actor=actor, note="award removed")


def replication_record(entry: Entry, unit: Unit, *, actor, since_year: int | None, note: str | None) -> Replication:
    """Record (or update) a unit that replicated the initiative, as a revision of the entry."""
    replication = replication_add(entry, unit, since_year=since_year, note=(note or "").strip() or None)
    entry.updated_at = utcnow()
    revision_record(entry, actor=actor, note="replication recorded")
    return replication


def replication_remove(entry: Entry, replication: Replication, *, actor) -> None:
    """Remove a replication recorded by mistake."""
    if replication.entry_id != entry.id:
        raise EntryError(_l("This replication belongs to another entry."))
    entry.replications.remove(replication)
    entry.updated_at = utcnow()
    revision_record(entry, actor=actor, note="replication removed")


# --- photos of an entry -------------------------------------------------------------------------

def photo_refresh_visibility(photo: Photo) -> None:
    """A photo is public when it is described, not removed, and consent is recorded where people can be recognised."""
    photo.is_public = bool(photo.alt.strip()) and photo.removed_at is None and not photo.held_back


def photos_upload(entry: Entry, files: list[tuple[str, BinaryIO]], *, shows_people: bool = False,
                  shows_minor: bool = False, is_illustration: bool = False,
                  credit: str | None = None, licence: str | None = None) -> tuple[list[Photo], list[str]]:
    """Add several photos at once; each waits unpublished until described (and consented to where needed).

    Returns the photos added and, for each file refused, its name and why."""
    added, refused = [], []
    for filename, stream in files:
        try:
            photo = photo_attach(entry, stream, alt="", credit=(credit or "").strip() or None,
                                 licence=(licence or "").strip() or None, is_illustration=is_illustration)
        except PhotoError as exc:
            refused.append(f"{filename}: {exc}")
            continue
        photo.shows_people = shows_people or shows_minor
        photo.shows_minor = shows_minor
        photo_refresh_visibility(photo)
        added.append(photo)
    if added:
        entry.updated_at = utcnow()
    db.session.flush()
    return added, refused


def photo_describe(photo: Photo, *, alt: str, caption: str | None, credit: str | None, licence: str | None,
                   is_illustration: bool, shows_people: bool, shows_minor: bool) -> None:
    """Change what is said about a photo; a drawn illustration must say so in its description."""
    alt = " ".join((alt or "").split())
    if not alt:
        raise EntryError(_l("Describe what is in the picture, for people who cannot see it."), field="alt")
    if len(alt) < 8 or alt.casefold() in {"ảnh", "hình", "hình ảnh", "photo", "image", "picture", "ảnh minh họa"}:
        raise EntryError(_l("Say what the picture shows (who or what, doing what, where), not just that it is a "
                            "photo."), field="alt")
    if is_illustration and not any(w in alt.casefold() for w in ("minh họa", "minh hoạ", "illustration", "tranh vẽ",
                                                                   "hình vẽ", "drawing", "drawn")):
        raise EntryError(_l("This picture is a drawn illustration: say so in its description (for example "
                            "“Tranh minh họa: …”)."), field="alt")
    photo.alt = alt
    photo.caption = (caption or "").strip() or None
    photo.credit = (credit or "").strip() or None
    photo.licence = (licence or "").strip() or None
    photo.is_illustration = is_illustration
    photo.shows_people = shows_people or shows_minor
    photo.shows_minor = shows_minor
    photo_refresh_visibility(photo)
    db.session.flush()


def _renumber(entry: Entry, ordered: list[Photo]) -> None:
    for position, photo in enumerate(ordered):
        if photo.position != position:
            photo.position = position
    entry.updated_at = utcnow()
    db.session.flush()


def _kept_photos(entry: Entry) -> list[Photo]:
    return sorted((p for p in entry.all_photos if p.removed_at is None), key=lambda p: (p.position, p.id))


def photo_move(photo: Photo, *, step: int) -> None:
    """Move a photo one place earlier (step -1) or later (step 1) among the entry's photos."""
    ordered = _kept_photos(photo.entry)
    index = ordered.index(photo)
    target = max(0, min(len(ordered) - 1, index + step))
    ordered.insert(target, ordered.pop(index))
    _renumber(photo.entry, ordered + [p for p in photo.entry.all_photos if p.removed_at is not None])


def photo_make_cover(photo: Photo) -> None:
    """Make a photo the entry's cover: the first one, shown on cards, in feeds and when the page is shared."""
    ordered = [p for p in _kept_photos(photo.entry) if p is not photo]
    _renumber(photo.entry, [photo, *ordered] + [p for p in photo.entry.all_photos if p.removed_at is not None])


def photo_remove(photo: Photo) -> None:
    """Take a photo off the entry at once; it can be brought back (undo) from the editor."""
    photo.removed_at = utcnow()
    photo_refresh_visibility(photo)
    db.session.flush()


def photo_bring_back(photo: Photo) -> None:
    """Undo the removal of a photo: it comes back last."""
    photo.removed_at = None
    photo.position = len(_kept_photos(photo.entry))
    photo_refresh_visibility(photo)
    db.session.flush()


def consent_record(photo: Photo, *, actor, given_by: str, by_guardian: bool, given_on,
                   document: BinaryIO | bytes | None = None, filename: str | None = None) -> PhotoConsent:
    """Record consent to publish a photo in which people can be recognised, with the signed form kept privately."""
    from registry.workflow.documents import (
        AttachmentError,
        clean_filename,
        store_document,
    )

    given_by = " ".join((given_by or "").split())
    if not given_by:
        raise EntryError(_l("Write who gave the consent."), field="given_by")
    if given_on is None:
        raise EntryError(_l("Write the date the consent was given."), field="given_on")
    if photo.shows_minor and not by_guardian:
        raise EntryError(_l("A minor can be recognised in this photo: the consent must come from a parent or "
                            "guardian."), field="by_guardian")
    consent = PhotoConsent(given_by=given_by[:200], by_guardian=by_guardian, given_on=given_on,
                           recorded_by_id=getattr(actor, "id", None))
    if document is not None:
        try:
            file_type, sha, _size = store_document(document, filename or "consent")
        except AttachmentError as exc:
            raise EntryError(exc.message, field="document") from exc
        consent.sha256, consent.file_type, consent.filename = sha, file_type, clean_filename(filename or "consent")
    photo.consents.append(consent)
    photo_refresh_visibility(photo)
    db.session.flush()
    return consent


def consent_withdraw(consent: PhotoConsent, *, actor, note: str | None = None) -> None:
    """Consent withdrawn: the photo leaves every public page, feed, export and API answer with this commit."""
    if consent.withdrawn_at is not None:
        return
    consent.withdrawn_at = utcnow()
    consent.withdrawn_note = (note or "").strip() or None
    photo_refresh_visibility(consent.photo)
    consent.photo.entry.updated_at = utcnow()
    db.session.flush()


# --- merging two entries ------------------------------------------------------------------------

def entry_merge(source: Entry, target: Entry, *, actor) -> None:
    """Merge ``source`` into ``target``: awards, photos, replications, topics, revisions and nominations move over;
    the source's address redirects to the target for good."""
    from registry.workflow.models import Nomination

    if source.id == target.id:
        raise EntryError(_l("Choose two different entries."), field="target")
    if target.merged_into_id is not None or source.merged_into_id is not None:
        raise EntryError(_l("One of these entries has already been merged into another."), field="target")
    for award in list(source.awards):
        award.entry = target
    offset = len(target.all_photos)
    for position, photo in enumerate(list(source.all_photos)):
        photo.entry = target
        photo.position = offset + position
    known_units = {r.unit_id for r in target.replications}
    for replication in list(source.replications):
        if replication.unit_id in known_units:
            source.replications.remove(replication)
        else:
            replication.entry = target
    target.topics = sorted({*target.topics, *source.topics}, key=lambda t: t.id)
    if not target.story and source.story:
        target.story, target.story_format = source.story, source.story_format
    if not target.summary and source.summary:
        target.summary = source.summary
    db.session.flush()
    db.session.execute(sa.update(Nomination).where(Nomination.entry_id == source.id).values(entry_id=target.id))
    # The source's history stays readable under the target, after the target's own revisions.
    last = max((r.number for r in target.revisions), default=0)
    for offset_number, revision in enumerate(sorted(source.revisions, key=lambda r: r.number), start=1):
        revision.entry_id = target.id
        revision.number = last + offset_number
        revision.note = f"#{source.id}: {revision.note}"[:300]
    db.session.flush()
    db.session.expire(target, ["revisions", "awards", "all_photos", "photos", "replications"])
    db.session.expire(source, ["revisions", "awards", "all_photos", "photos", "replications"])
    if target.status != EntryStatus.PUBLISHED and source.status == EntryStatus.PUBLISHED:
        entry_publish(target)
    source.status = EntryStatus.ARCHIVED
    source.merged_into_id = target.id
    source.unpublish_reason = f"merged into #{target.id}"
    source.updated_at = target.updated_at = utcnow()
    revision_record(target, actor=actor, note=f"merged #{source.id}")
