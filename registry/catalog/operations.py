"""Writes on the catalogues: units (found or created by path, or saved by an administrator), topics and award
titles, and the name clean-up they share."""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from registry.catalog.models import (
    AdminLevel,
    AwardLevel,
    AwardTitle,
    TitleCategory,
    Topic,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitFormerName,
    UnitKind,
)
from registry.extensions import db
from registry.platform.slugs import make_slug

# Name prefixes that tell a unit's kind when an import creates it.  Longest prefixes first.
_KIND_PREFIXES: tuple[tuple[str, UnitKind, AdminLevel | None], ...] = (
    ("hội liên hiệp phụ nữ", UnitKind.WOMENS_UNION, None),
    ("hội lhpn", UnitKind.WOMENS_UNION, None),
    ("hội phụ nữ", UnitKind.WOMENS_UNION, None),
    ("hội cựu chiến binh", UnitKind.VETERANS, None),
    ("hội ccb", UnitKind.VETERANS, None),
    ("hội nông dân", UnitKind.FARMERS, None),
    ("hội người cao tuổi", UnitKind.ELDERLY, None),
    ("câu lạc bộ", UnitKind.OTHER, None),
    ("công đoàn", UnitKind.TRADE_UNION, None),
    ("ủy ban mặt trận", UnitKind.FATHERLAND_FRONT, None),
    ("mặt trận tổ quốc", UnitKind.FATHERLAND_FRONT, None),
    ("ủy ban nhân dân", UnitKind.PEOPLES_COMMITTEE, None),
    ("ubnd", UnitKind.PEOPLES_COMMITTEE, None),
    ("đảng ủy", UnitKind.PARTY, None),
    ("đảng bộ", UnitKind.PARTY, None),
    ("chi bộ", UnitKind.PARTY, None),
    ("quận ủy", UnitKind.PARTY, None),
    ("huyện ủy", UnitKind.PARTY, None),
    ("thành ủy", UnitKind.PARTY, None),
    ("tỉnh ủy", UnitKind.PARTY, None),
    ("quận đoàn", UnitKind.YOUTH_UNION, None),
    ("huyện đoàn", UnitKind.YOUTH_UNION, None),
    ("thành đoàn", UnitKind.YOUTH_UNION, None),
    ("tỉnh đoàn", UnitKind.YOUTH_UNION, None),
    ("đoàn thanh niên", UnitKind.YOUTH_UNION, None),
    ("đoàn tncs", UnitKind.YOUTH_UNION, None),
    ("chi đoàn", UnitKind.YOUTH_UNION, None),
    ("đoàn phường", UnitKind.YOUTH_UNION, None),
    ("đoàn xã", UnitKind.YOUTH_UNION, None),
    ("công an", UnitKind.POLICE, None),
    ("bộ chỉ huy quân sự", UnitKind.ARMY, None),
    ("ban chỉ huy quân sự", UnitKind.ARMY, None),
    ("trường", UnitKind.SCHOOL, None),
    ("bệnh viện", UnitKind.HEALTH, None),
    ("trạm y tế", UnitKind.HEALTH, None),
    ("trung tâm y tế", UnitKind.HEALTH, None),
    ("công ty", UnitKind.ENTERPRISE, None),
    ("hợp tác xã", UnitKind.ENTERPRISE, None),
    ("tổ dân phố", UnitKind.RESIDENTIAL_GROUP, AdminLevel.VILLAGE),
    ("khu dân cư", UnitKind.RESIDENTIAL_GROUP, AdminLevel.VILLAGE),
    ("thôn", UnitKind.RESIDENTIAL_GROUP, AdminLevel.VILLAGE),
    ("ấp", UnitKind.RESIDENTIAL_GROUP, AdminLevel.VILLAGE),
    ("bản", UnitKind.RESIDENTIAL_GROUP, AdminLevel.VILLAGE),
    ("thành phố", UnitKind.ADMINISTRATIVE, AdminLevel.PROVINCE),
    ("tỉnh", UnitKind.ADMINISTRATIVE, AdminLevel.PROVINCE),
    ("quận", UnitKind.ADMINISTRATIVE, AdminLevel.DISTRICT),
    ("huyện", UnitKind.ADMINISTRATIVE, AdminLevel.DISTRICT),
    ("thị xã", UnitKind.ADMINISTRATIVE, AdminLevel.DISTRICT),
    ("phường", UnitKind.ADMINISTRATIVE, AdminLevel.COMMUNE),
    ("xã", UnitKind.ADMINISTRATIVE, AdminLevel.COMMUNE),
    ("thị trấn", UnitKind.ADMINISTRATIVE, AdminLevel.COMMUNE),
    ("đặc khu", UnitKind.ADMINISTRATIVE, AdminLevel.COMMUNE),
)


class CatalogError(ValueError):
    """A refused change to a catalogue; ``message`` is shown to the user beside ``field``."""

    def __init__(self, message: LazyString | str, *, field: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def clean_name(name: str) -> str:
    """Normalise a name as typed: NFC, single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def guess_unit_kind(name: str) -> tuple[UnitKind, AdminLevel | None]:
    """Guess a unit's kind (and administrative level) from how its name starts."""
    lowered = clean_name(name).lower()
    for prefix, kind, level in _KIND_PREFIXES:
        if lowered == prefix or lowered.startswith(prefix + " "):
            return kind, level
    return UnitKind.OTHER, None


def _find_child(parent: Unit | None, name: str) -> Unit | None:
    """Find a unit by current or former name among the children of ``parent`` (roots if None)."""
    # Compared in Python: SQLite's lower() folds ASCII only, and Vietnamese names are not ASCII.
    wanted = clean_name(name).casefold()
    parent_clause = Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id
    siblings = db.session.scalars(
        sa.select(Unit).where(parent_clause).options(selectinload(Unit.former_names))
    ).all()
    for unit in siblings:
        if clean_name(unit.name).casefold() == wanted:
            return unit
    for unit in siblings:
        if any(clean_name(f.name).casefold() == wanted for f in unit.former_names):
            return unit
    return None


def unit_resolve_path(names: Sequence[str], *, create: bool) -> Unit | None:
    """Return the unit at the end of a path of names from the root down, creating missing ones."""
    parent: Unit | None = None
    for name in names:
        unit = _find_child(parent, name)
        if unit is None:
            if not create:
                return None
            kind, level = guess_unit_kind(name)
            unit = Unit(name=clean_name(name), slug=make_slug(name), kind=kind, level=level, parent=parent)
            db.session.add(unit)
            db.session.flush()
        parent = unit
    return parent


def _unique_slug(model, base: str) -> str:
    slug, n = base, 2
    while db.session.scalar(sa.select(model.id).where(model.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def topic_get_or_create(name: str, *, name_en: str | None = None) -> Topic:
    """Return the topic with this name, creating it if needed."""
    name = clean_name(name)
    topic = db.session.scalar(sa.select(Topic).where(Topic.name == name))
    if topic is None:
        topic = Topic(name=name, name_en=name_en, slug=_unique_slug(Topic, make_slug(name)))
        db.session.add(topic)
        db.session.flush()
    elif name_en and not topic.name_en:
        topic.name_en = name_en
    return topic


def award_title_get_or_create(name: str, **fields) -> AwardTitle:
    """Return the award title with this name, creating it with ``fields`` if needed."""
    name = clean_name(name)
    title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == name))
    if title is None:
        title = AwardTitle(name=name, slug=_unique_slug(AwardTitle, make_slug(name)), **fields)
        db.session.add(title)
        db.session.flush()
    return title


def unit_save(unit: Unit | None, *, name: str, short_name: str | None, parent: Unit | None,
              successor: Unit | None, kind: UnitKind, level: AdminLevel | None, valid_from: date | None,
              valid_to: date | None, today: date, actor_id: int | None = None) -> Unit:
    """Create a unit or change one; a renamed unit keeps its old name as a former name; the history says so. Flush."""
    if unit is not None and parent is not None and unit.id in {u.id for u in parent.path()}:
        raise CatalogError(_l("A unit cannot be placed under itself."), field="parent")
    if unit is not None and successor is not None and successor.id == unit.id:
        raise CatalogError(_l("A unit cannot be merged into itself."), field="successor")
    name = clean_name(name)
    clash = db.session.scalar(sa.select(Unit.id).where(
        Unit.name == name, Unit.parent_id == (parent.id if parent else None), Unit.id != (unit.id if unit else -1)))
    if clash:
        raise CatalogError(_l("The parent unit already has a unit with this name."), field="name")
    events: list[UnitEvent] = []
    if unit is None:
        unit = Unit(name=name, slug=make_slug(name))
        db.session.add(unit)
        events.append(UnitEvent(kind=UnitEventKind.CREATED, new_name=name, other_unit=parent))
    else:
        if unit.name != name:
            if not any(f.name == unit.name for f in unit.former_names):
                unit.former_names.append(UnitFormerName(name=unit.name, valid_to=today))
            events.append(UnitEvent(kind=UnitEventKind.RENAMED, old_name=unit.name, new_name=name))
        if (unit.parent_id or None) != (parent.id if parent else None):
            events.append(UnitEvent(kind=UnitEventKind.MOVED, other_unit=parent))
    for event in events:
        event.unit, event.actor_id = unit, actor_id
        db.session.add(event)
    unit.name, unit.slug = name, make_slug(name)
    unit.short_name = short_name or None
    unit.parent, unit.successor = parent, successor
    unit.kind, unit.level = kind, level
    unit.valid_from, unit.valid_to = valid_from, valid_to
    db.session.flush()
    return unit


def award_title_save(title: AwardTitle | None, *, name: str, name_en: str | None, category: TitleCategory,
                     applies_to: list[str], default_level: AwardLevel | None, issuing_office: str | None,
                     prerequisites: str | None, legal_basis: str | None, valid_years: int | None) -> AwardTitle:
    """Create a title of the catalogue or change one; names are unique. Flush."""
    name = clean_name(name)
    clash = db.session.scalar(sa.select(AwardTitle.id).where(AwardTitle.name == name,
                                                             AwardTitle.id != (title.id if title else -1)))
    if clash:
        raise CatalogError(_l("A title with this name already exists."), field="name")
    if title is None:
        title = award_title_get_or_create(name)
    title.name = name
    title.name_en = name_en or None
    title.category = category
    title.applies_to = list(applies_to)
    title.default_level = default_level
    title.issuing_office = (issuing_office or "").strip() or None
    title.prerequisites = (prerequisites or "").strip() or None
    title.legal_basis = (legal_basis or "").strip() or None
    title.valid_years = valid_years
    db.session.flush()
    return title
