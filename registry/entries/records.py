"""Import and export of entries as JSON Lines, one entry per line (the format is in the README)."""
from __future__ import annotations

import codecs
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from registry.catalog.models import AwardLevel, Unit
from registry.catalog.operations import award_title_get_or_create, clean_name, topic_get_or_create, unit_resolve_path
from registry.entries.models import Award, AwardKind, Entry, EntryKind, EntryStatus, Photo
from registry.entries.operations import entry_publish, entry_set_title, replication_add
from registry.entries.photos import PhotoError, photo_dir, rendition_path, store_image
from registry.extensions import db
from registry.platform.collation import sorted_by_name

REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$")
_EXPORT_REF_RE = re.compile(r"^registry-(\d+)$")
_ALLOWED_KEYS = {"ref", "kind", "title", "unit", "year", "summary", "body", "topics", "awards", "replications", "photos"}
_AWARD_KEYS = {"title", "level", "year", "decision", "decision_date", "kind", "signer", "signer_position"}
_PHOTO_KEYS = {"path", "alt", "caption", "credit", "licence", "illustration"}
_REPLICATION_KEYS = {"unit", "since", "note"}


@dataclass
class ImportProblem:
    line: int
    message: str


class ImportRejected(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refs: list[str] = field(default_factory=list)


@dataclass
class _PhotoSpec:
    source: Path
    sha256: str
    alt: str
    caption: str | None
    credit: str | None
    licence: str | None
    illustration: bool


@dataclass
class _Record:
    line: int
    data: dict[str, Any]
    photos: list[_PhotoSpec] = field(default_factory=list)


class _LineChecker:
    """Collects every problem of one line instead of stopping at the first."""

    def __init__(self, line: int, problems: list[ImportProblem]):
        self.line = line
        self.problems = problems

    def fail(self, message: str) -> None:
        self.problems.append(ImportProblem(self.line, message))

    def present(self, obj: dict, key: str, *, required: bool, where: str) -> bool:
        """True when the field has a value to check; a missing required field is a problem."""
        if obj.get(key) is not None:
            return True
        if required:
            self.fail(_("%(where)s“%(key)s” is required.", where=where, key=key))
        return False

    def text(self, obj: dict, key: str, *, required: bool, max_len: int, where: str = "") -> None:
        if not self.present(obj, key, required=required, where=where):
            return
        value = obj[key]
        if not isinstance(value, str):
            self.fail(_("%(where)s“%(key)s” must be text.", where=where, key=key))
        elif required and not value.strip():
            self.fail(_("%(where)s“%(key)s” must not be empty.", where=where, key=key))
        elif len(value) > max_len:
            self.fail(_("%(where)s“%(key)s” is longer than %(max)d characters.", where=where, key=key, max=max_len))

    def year(self, obj: dict, key: str, *, required: bool, where: str = "") -> None:
        if not self.present(obj, key, required=required, where=where):
            return
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1945 <= value <= 2100:
            self.fail(_("%(where)s“%(key)s” must be a year between 1945 and 2100.", where=where, key=key))

    def choice(self, obj: dict, key: str, enum_cls, *, required: bool, where: str = "") -> None:
        if not self.present(obj, key, required=required, where=where):
            return
        value = obj[key]
        allowed = [m.value for m in enum_cls]
        if value not in allowed:
            self.fail(_("%(where)s“%(key)s” must be one of: %(allowed)s.", where=where, key=key, allowed=", ".join(allowed)))

    def names(self, obj: dict, key: str, *, required: bool, where: str = "") -> None:
        if not self.present(obj, key, required=required, where=where):
            return
        value = obj[key]
        if (
            not isinstance(value, list)
            or (required and not value)
            or not all(isinstance(v, str) and v.strip() and len(v) <= 255 for v in value)
        ):
            self.fail(_("%(where)s“%(key)s” must be a list of names.", where=where, key=key))

    def unknown_keys(self, obj: dict, allowed: set[str], where: str = "") -> None:
        for key in sorted(set(obj) - allowed):
            self.fail(_("%(where)sunknown field “%(key)s”.", where=where, key=key))

    def list_of_objects(self, obj: dict, key: str) -> list[dict]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(_("“%(key)s” must be a list.", key=key))
            return []
        return value


def _check_line(line_no: int, raw: str, base_dir: Path, problems: list[ImportProblem], seen_refs: dict[str, int]) -> _Record | None:
    check = _LineChecker(line_no, problems)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        check.fail(_("not valid JSON (%(error)s).", error=exc.msg))
        return None
    if not isinstance(data, dict):
        check.fail(_("each line must be a JSON object."))
        return None
    before = len(problems)
    check.unknown_keys(data, _ALLOWED_KEYS)
    check.text(data, "ref", required=True, max_len=120)
    ref = data.get("ref")
    if isinstance(ref, str) and ref.strip():
        if not REF_RE.match(ref):
            check.fail(_("“ref” may contain only letters, digits and . _ : -"))
        elif ref in seen_refs:
            check.fail(_("“ref” %(ref)s is already used on line %(line)d.", ref=ref, line=seen_refs[ref]))
        else:
            seen_refs[ref] = line_no
    check.choice(data, "kind", EntryKind, required=True)
    check.text(data, "title", required=True, max_len=300)
    check.names(data, "unit", required=True)
    if isinstance(data.get("unit"), list) and len(data["unit"]) > 12:
        check.fail(_("“unit” has more than 12 levels."))
    check.year(data, "year", required=False)
    check.text(data, "summary", required=False, max_len=2000)
    check.text(data, "body", required=False, max_len=100_000)
    check.names(data, "topics", required=False)

    for i, award in enumerate(check.list_of_objects(data, "awards"), start=1):
        where = _("award %(n)d: ", n=i)
        if not isinstance(award, dict):
            check.fail(_("%(where)smust be an object.", where=where))
            continue
        check.unknown_keys(award, _AWARD_KEYS, where)
        check.text(award, "title", required=True, max_len=200, where=where)
        check.choice(award, "level", AwardLevel, required=True, where=where)
        check.year(award, "year", required=True, where=where)
        check.choice(award, "kind", AwardKind, required=False, where=where)
        for key, max_len in (("decision", 80), ("signer", 160), ("signer_position", 160)):
            check.text(award, key, required=False, max_len=max_len, where=where)
        if award.get("decision_date") is not None:
            try:
                date.fromisoformat(str(award["decision_date"]))
            except ValueError:
                check.fail(_("%(where)s“decision_date” must be a date written YYYY-MM-DD.", where=where))

    for i, rep in enumerate(check.list_of_objects(data, "replications"), start=1):
        where = _("replication %(n)d: ", n=i)
        if not isinstance(rep, dict):
            check.fail(_("%(where)smust be an object.", where=where))
            continue
        check.unknown_keys(rep, _REPLICATION_KEYS, where)
        check.names(rep, "unit", required=True, where=where)
        check.year(rep, "since", required=False, where=where)
        check.text(rep, "note", required=False, max_len=2000, where=where)

    photo_items = []
    for i, item in enumerate(check.list_of_objects(data, "photos"), start=1):
        where = _("photo %(n)d: ", n=i)
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict):
            check.fail(_("%(where)smust be a path or an object.", where=where))
            continue
        check.unknown_keys(item, _PHOTO_KEYS, where)
        check.text(item, "path", required=True, max_len=1000, where=where)
        for key, max_len in (("alt", 300), ("caption", 500), ("credit", 200), ("licence", 120)):
            check.text(item, key, required=False, max_len=max_len, where=where)
        photo_items.append((where, item))

    if len(problems) > before:
        return None
    record = _Record(line=line_no, data=data)
    for where, item in photo_items:
        source = (base_dir / item["path"]).resolve()
        if Path(item["path"]).is_absolute() or not source.is_relative_to(base_dir.resolve()):
            check.fail(_("%(where)sthe path must be relative to the file and stay beside it.", where=where))
            continue
        if not source.is_file():
            check.fail(_("%(where)sfile %(path)s not found.", where=where, path=item["path"]))
            continue
        try:
            with source.open("rb") as fh:
                stored = store_image(fh, root=photo_dir())
        except PhotoError as exc:
            check.fail(f"{where}{item['path']}: {exc}")
            continue
        record.photos.append(
            _PhotoSpec(
                source=source,
                sha256=stored.sha256,
                alt=(item.get("alt") or data["title"]).strip(),
                caption=item.get("caption"),
                credit=item.get("credit"),
                licence=item.get("licence"),
                illustration=bool(item.get("illustration")),
            )
        )
    if len(problems) > before:
        return None
    return record


def _text_lines(path: Path, problems: list[ImportProblem]) -> Iterator[tuple[int, str]]:
    """The file's lines with their numbers; a line that is not UTF-8 is a problem named by its line.

    Lines end at "\n" only, as JSON Lines says: U+2028 and the other separators str.splitlines() knows
    may stand unescaped inside a JSON string (our own export writes them so)."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        try:
            yield line_no, raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError as exc:
            column = len(raw[:exc.start].decode("utf-8")) + 1
            problems.append(ImportProblem(line_no, _(
                "not UTF-8 text (from column %(column)d on): save the file as UTF-8.", column=column)))


def records_validate(path: Path) -> list[_Record]:
    """Read and check a whole JSON Lines file; raise ImportRejected listing every problem."""
    problems: list[ImportProblem] = []
    records: list[_Record] = []
    seen_refs: dict[str, int] = {}
    for line_no, raw in _text_lines(path, problems):
        if not raw.strip():
            continue
        record = _check_line(line_no, raw, path.parent, problems, seen_refs)
        if record is not None:
            records.append(record)
    if not records and not problems:
        problems.append(ImportProblem(0, _("the file holds no entries.")))
    if problems:
        raise ImportRejected(problems)
    return records


def _find_entry(ref: str) -> Entry | None:
    entry = db.session.scalar(sa.select(Entry).where(Entry.ref == ref))
    if entry is None and (m := _EXPORT_REF_RE.match(ref)):
        # An export of an entry that had no ref names it by id; re-importing claims it.
        candidate = db.session.get(Entry, int(m.group(1)))
        if candidate is not None and candidate.ref is None:
            entry = candidate
    return entry


def _apply(record: _Record) -> tuple[Entry, bool, bool]:
    """Create or update the entry of one record; return it, whether it is new, whether it changed."""
    data = record.data
    entry = _find_entry(data["ref"])
    created = entry is None
    if created:
        entry = Entry(ref=data["ref"], status=EntryStatus.DRAFT)
        db.session.add(entry)
    before = None if created else json.dumps(_comparable(entry), ensure_ascii=False)
    entry.ref = data["ref"]
    entry.kind = EntryKind(data["kind"])
    if entry.title != clean_name(data["title"]):
        entry_set_title(entry, clean_name(data["title"]))
    entry.unit = unit_resolve_path(data["unit"], create=True)
    entry.year = data.get("year")
    entry.summary = (data.get("summary") or "").strip()
    entry.story = (data.get("body") or "").strip()
    topics = [topic_get_or_create(name) for name in dict.fromkeys(clean_name(n) for n in data.get("topics") or [])]
    if [t.id for t in entry.topics] != [t.id for t in sorted(topics, key=lambda t: t.name)]:
        entry.topics = topics
    for item in data.get("awards") or []:
        _apply_award(entry, item)
    for item in data.get("replications") or []:
        unit = unit_resolve_path(item["unit"], create=True)
        replication_add(entry, unit, since_year=item.get("since"), note=item.get("note"))
    known = {p.sha256: p for p in entry.all_photos}
    for spec in record.photos:
        # An exported photo is named by the hash it had here, which re-encoding would change.
        photo = known.get(spec.sha256) or known.get(spec.source.stem)
        if photo is None:
            photo = _photo_from_spec(spec, position=len(entry.all_photos))
            entry.all_photos.append(photo)
            known[spec.sha256] = photo
        photo.alt, photo.caption, photo.credit, photo.licence = spec.alt, spec.caption, spec.credit, spec.licence
        photo.is_illustration = spec.illustration
    entry_publish(entry)
    db.session.flush()
    if created:
        return entry, True, True
    db.session.expire(entry, ["topics", "awards", "replications", "photos", "all_photos"])
    return entry, False, json.dumps(_comparable(entry), ensure_ascii=False) != before


def _photo_from_spec(spec: _PhotoSpec, *, position: int) -> Photo:
    with spec.source.open("rb") as fh:
        stored = store_image(fh, root=photo_dir())
    return Photo(
        sha256=stored.sha256,
        position=position,
        alt=spec.alt,
        width=stored.width,
        height=stored.height,
        source_format=stored.format,
        renditions={name: [r.width, r.height] for name, r in stored.renditions.items()},
    )


def _apply_award(entry: Entry, item: dict) -> None:
    title = award_title_get_or_create(item["title"])
    level = AwardLevel(item["level"])
    decision = (item.get("decision") or "").strip() or None
    award = next(
        (
            a for a in entry.awards
            if a.title_id == title.id and a.level == level and a.year == item["year"] and a.decision_number == decision
        ),
        None,
    )
    if award is None:
        award = Award(title=title, level=level, year=item["year"], decision_number=decision)
        entry.awards.append(award)
    award.award_kind = AwardKind(item.get("kind") or AwardKind.ACHIEVEMENT.value)
    award.decision_date = date.fromisoformat(item["decision_date"]) if item.get("decision_date") else None
    award.signer = item.get("signer")
    award.signer_position = item.get("signer_position")


def records_import(path: Path) -> ImportReport:
    """Validate the whole file, then create or update its entries by ref and publish them."""
    records = records_validate(path)
    report = ImportReport()
    for record in records:
        entry, created, changed = _apply(record)
        report.refs.append(entry.ref or "")
        if created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _comparable(entry: Entry) -> dict[str, Any]:
    record = entry_to_record(entry)
    record["photos"] = [(p.sha256, p.alt, p.caption, p.credit, p.licence, p.is_illustration) for p in entry.photos]
    return record


def entry_to_record(entry: Entry) -> dict[str, Any]:
    """Return the public fields of an entry in the import format, keys in a fixed order."""
    record: dict[str, Any] = {
        "ref": entry.ref or f"registry-{entry.id}",
        "kind": entry.kind.value,
        "title": entry.title,
        "unit": unit_path_names(entry.unit),
        "year": entry.year,
        "summary": entry.summary or "",
        "body": entry.story or "",
        "topics": [t.name for t in sorted_by_name(entry.topics, lambda t: t.name)],
    }
    awards = []
    for a in sorted(entry.awards, key=lambda a: (a.year, a.title.name, a.level.value, a.decision_number or "")):
        item: dict[str, Any] = {"title": a.title.name, "level": a.level.value, "year": a.year}
        if a.decision_number:
            item["decision"] = a.decision_number
        if a.decision_date:
            item["decision_date"] = a.decision_date.isoformat()
        item["kind"] = a.award_kind.value
        if a.signer:
            item["signer"] = a.signer
        if a.signer_position:
            item["signer_position"] = a.signer_position
        awards.append(item)
    record["awards"] = awards
    record["replications"] = [
        {"unit": unit_path_names(r.unit), "since": r.since_year}
        | ({"note": r.note} if r.note else {})
        for r in sorted(entry.replications, key=lambda r: (unit_path_names(r.unit), r.since_year or 0))
    ]
    return record


def _photos_for_export(entry: Entry, photo_folder: str) -> list[dict[str, Any]]:
    items = []
    for p in sorted(entry.photos, key=lambda p: (p.position, p.id)):
        item: dict[str, Any] = {"path": f"{photo_folder}/{p.sha256}.webp", "alt": p.alt}
        for key in ("caption", "credit", "licence"):
            if getattr(p, key):
                item[key] = getattr(p, key)
        if p.is_illustration:
            item["illustration"] = True
        items.append(item)
    return items


def records_export(path: Path) -> int:
    """Write every published entry (public fields only) in a stable order; photos go beside the file."""
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.status == EntryStatus.PUBLISHED)
        .options(
            selectinload(Entry.topics),
            selectinload(Entry.awards).selectinload(Award.title),
            selectinload(Entry.photos),
            selectinload(Entry.replications),
        )
    ).all()
    entries.sort(key=lambda e: e.ref or f"registry-{e.id}")
    photo_folder = f"{path.stem}-photos"
    photo_target = path.parent / photo_folder
    lines = []
    for entry in entries:
        record = entry_to_record(entry)
        if entry.photos:
            record["photos"] = _photos_for_export(entry, photo_folder)
            photo_target.mkdir(parents=True, exist_ok=True)
            for p in entry.photos:
                target = photo_target / f"{p.sha256}.webp"
                if not target.exists():
                    shutil.copyfile(rendition_path(photo_dir(), p.sha256, "original"), target)
        lines.append(json.dumps(record, ensure_ascii=False, separators=(", ", ": ")))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def unit_path_names(unit: Unit | None) -> list[str]:
    """Return the names of a unit's path from the root down."""
    return [u.name for u in unit.path()] if unit else []
