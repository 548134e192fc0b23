"""Vietnam's administrative units: the provinces and communes since 1 July 2025, and the former ones."""
from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from registry.catalog.models import AdminLevel, Unit, UnitFormerName, UnitKind
from registry.catalog.operations import clean_name
from registry.extensions import db
from registry.platform.slugs import make_slug

REFORM_DATE = date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = date(2025, 6, 30)

# Thừa Thiên Huế became the centrally-run Thành phố Huế on 1 January 2025, before the data snapshot
# of the former units was taken, so the snapshot already carries the new name.
_EARLIER_PROVINCE_NAMES: dict[int, tuple[tuple[str, date], ...]] = {
    46: (("Tỉnh Thừa Thiên Huế", date(2024, 12, 31)),),
}

# Report buckets, in display order.
BUCKETS: tuple[str, ...] = ("province", "commune", "former_province", "former_district", "former_commune")

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


@dataclass
class AdminUnitsReport:
    """What a load of administrative units created, updated (adoptions included) and adopted, by bucket."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    adopted: Counter[str] = field(default_factory=Counter)
    former_names: int = 0
    # Former wards split between several new communes: linked to the one the source marks as default.
    split_wards: int = 0
    # Codes of former units whose successor could not be found in the current data.
    unlinked: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_created(self) -> int:
        """Return the number of units created."""
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        """Return the number of existing units changed (adopted ones included)."""
        return sum(self.updated.values())

    def __str__(self) -> str:
        parts = [
            f"{bucket.replace('_', ' ')}: {self.created[bucket]} created, {self.updated[bucket]} updated"
            + (f" ({self.adopted[bucket]} adopted)" if self.adopted[bucket] else "")
            for bucket in BUCKETS
            if self.created[bucket] or self.updated[bucket]
        ]
        if not parts:
            parts.append("nothing to change")
        parts.append(f"{self.former_names} former names added")
        if self.split_wards:
            parts.append(f"{self.split_wards} split former wards linked to their main successor")
        if self.unlinked:
            parts.append(f"{len(self.unlinked)} former units without successor")
        return "Administrative units: " + "; ".join(parts) + f" ({self.seconds:.1f} s)."


# ---------------------------------------------------------------- source data


@dataclass
class _Ward:
    code: str
    name: str
    successor: int | None = None  # code of the new commune
    split: bool = False


@dataclass
class _District:
    code: str
    name: str
    successor: int | None = None
    wards: list[_Ward] = field(default_factory=list)


@dataclass
class _LegacyProvince:
    code: str
    name: str
    new_code: int
    # Same key as the new province ("Tỉnh Tuyên Quang" -> "Tuyên Quang"): the unit carries on.
    continues: bool
    districts: list[_District] = field(default_factory=list)


def _tone_key(name: str) -> tuple[tuple[str, str], ...]:
    """Key a name by syllable so that "Hoà" and "Hòa" match but "Hà" and "Hạ" do not."""
    key = []
    for word in clean_name(name).casefold().split():
        decomposed = unicodedata.normalize("NFD", word)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        key.append((base, tones))
    return tuple(key)


def _plain_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", clean_name(name).casefold().replace("đ", "d"))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _current_divisions() -> tuple[list[tuple[int, str]], dict[int, list[tuple[int, str]]]]:
    """Return the current provinces (code, name) and their communes by province code."""
    from vietnam_provinces import Province, Ward

    provinces = sorted((int(p.code), clean_name(p.name)) for p in Province.iter_all())
    communes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for ward in Ward.iter_all():
        communes[int(ward.province_code)].append((int(ward.code), clean_name(ward.name)))
    for rows in communes.values():
        rows.sort()
    return provinces, communes


def _legacy_divisions(communes: dict[int, list[tuple[int, str]]]) -> list[_LegacyProvince]:
    """Return the former provinces, districts and wards, each ward with its successor commune's code."""
    # Imported here: the package reads several megabytes of JSON when imported.
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE,
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )
    from vietnamadminunits.database import query

    # The converter speaks in keys of its own 2025 table, whose ward codes lag behind the official
    # ones in places: go from key to name there, then match names within the province here.
    by_tone: dict[tuple[int, tuple], int] = {}
    by_plain: dict[tuple[int, str], list[int]] = defaultdict(list)
    for province_code, rows in communes.items():
        for code, name in rows:
            by_tone[(province_code, _tone_key(name))] = code
            by_plain[(province_code, _plain_key(name))].append(code)
    new_province_code: dict[str, int] = {}
    new_ward_code: dict[tuple[str, str], int | None] = {}
    unmatched: list[dict] = []
    for row in query("SELECT provinceCode, provinceKey, ward, wardKey FROM admin_units"):
        province_code = int(row["provinceCode"])
        new_province_code[row["provinceKey"]] = province_code
        code = by_tone.get((province_code, _tone_key(row["ward"])))
        new_ward_code[(row["provinceKey"], row["wardKey"])] = code
        if code is None:
            unmatched.append(row)
    matched = set(new_ward_code.values())
    for row in unmatched:
        # Names that differ in punctuation only ("M'Drắk", "Chân Mây - Lăng Cô").
        province_code = int(row["provinceCode"])
        left = [c for c in by_plain.get((province_code, _plain_key(row["ward"])), []) if c not in matched]
        if len(left) == 1:
            new_ward_code[(row["provinceKey"], row["wardKey"])] = left[0]
            matched.add(left[0])

    old_province_to_new = {old: new for new, olds in DICT_PROVINCE.items() for old in olds}
    successor_key: dict[str, tuple[str, str, bool]] = {}
    for new_pkey, wards in DICT_PROVINCE_WARD_NO_DIVIDED.items():
        for new_wkey, old_keys in wards.items():
            for old_key in old_keys:
                successor_key[old_key] = (new_pkey, new_wkey, False)
    for new_pkey, splits in DICT_PROVINCE_WARD_DIVIDED.items():
        for old_key, parts in splits.items():
            main = next((p for p in parts if p["isDefaultNewWard"]), parts[0])
            successor_key[old_key] = (new_pkey, main["newWardKey"], True)

    def successor(old_key: str) -> tuple[int | None, bool]:
        target = successor_key.get(old_key)
        if target is None:
            return None, False
        return new_ward_code.get(target[:2]), target[2]

    provinces: dict[str, _LegacyProvince] = {}
    districts: dict[str, _District] = {}
    rows = query(
        "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey, wardCode, ward, wardKey "
        "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    )
    for row in rows:
        pkey = row["provinceKey"]
        province = provinces.get(row["provinceCode"])
        if province is None:
            new_pkey = old_province_to_new[pkey]
            province = provinces[row["provinceCode"]] = _LegacyProvince(
                code=row["provinceCode"],
                name=clean_name(row["province"]),
                new_code=new_province_code[new_pkey],
                continues=pkey == new_pkey,
            )
        district = districts.get(row["districtCode"])
        if district is None:
            district = districts[row["districtCode"]] = _District(row["districtCode"], clean_name(row["district"]))
            province.districts.append(district)
        old_key = f"{pkey}_{row['districtKey']}_{row['wardKey'] or ''}"
        code, split = successor(old_key)
        if row["wardCode"]:
            district.wards.append(_Ward(row["wardCode"], clean_name(row["ward"]), code, split))
        else:
            # Island districts without wards (Côn Đảo, Lý Sơn…) became special zones (đặc khu).
            district.successor = code
    for district in districts.values():
        targets = {w.successor for w in district.wards}
        if district.successor is None and len(targets) == 1 and None not in targets:
            district.successor = targets.pop()
    return list(provinces.values())


# ---------------------------------------------------------------- writing


def _fold(name: str) -> str:
    return clean_name(name).casefold()


class _Loader:
    """Match source rows to existing units (by code, else an uncoded sibling of the same name) and write."""

    def __init__(self, report: AdminUnitsReport) -> None:
        self.report = report
        self.by_code: dict[str, Unit] = {}
        self.uncoded: dict[tuple[int | None, str], Unit] = {}
        for unit in db.session.scalars(sa.select(Unit)):
            if unit.code:
                self.by_code[unit.code] = unit
            else:
                self.uncoded.setdefault((unit.parent_id, _fold(unit.name)), unit)
        self.former: set[tuple[int, str]] = {
            (unit_id, _fold(name))
            for unit_id, name in db.session.execute(sa.select(UnitFormerName.unit_id, UnitFormerName.name))
        }
        self.pending: list[Unit] = []

    def upsert(
        self,
        bucket: str,
        *,
        code: str,
        name: str,
        level: AdminLevel,
        parent_id: int | None,
        successor_id: int | None = None,
        valid_from: date | None = None,
        valid_to: date | None = None,
        aliases: Iterable[str] = (),
    ) -> Unit:
        """Return the unit with this code, adopting or creating it, and bring its fields up to date."""
        unit = self.by_code.get(code)
        adopted = False
        if unit is None:
            for candidate in (name, *aliases):
                unit = self.uncoded.pop((parent_id, _fold(candidate)), None)
                if unit is not None:
                    adopted = True
                    self.report.adopted[bucket] += 1
                    break
        if unit is None:
            unit = Unit(
                code=code, name=name, slug=make_slug(name), kind=UnitKind.ADMINISTRATIVE, level=level,
                parent_id=parent_id, successor_id=successor_id, valid_from=valid_from, valid_to=valid_to,
            )
            self.by_code[code] = unit
            self.pending.append(unit)
            self.report.created[bucket] += 1
            return unit
        self.by_code[code] = unit
        wanted = {
            "code": code, "kind": UnitKind.ADMINISTRATIVE, "level": level, "parent_id": parent_id,
            "successor_id": successor_id, "valid_from": valid_from, "valid_to": valid_to,
        }
        changed = adopted
        if unit.name != name:
            # An adopted unit's typed name is one of the aliases, which the caller records with its date.
            if not adopted and (unit.id, _fold(unit.name)) not in self.former:
                # Keep the name it was known by, so that paths typed with it still resolve.
                db.session.add(UnitFormerName(unit_id=unit.id, name=unit.name))
                self.former.add((unit.id, _fold(unit.name)))
                self.report.former_names += 1
            unit.name, unit.slug, changed = name, make_slug(name), True
        for attr, value in wanted.items():
            if getattr(unit, attr) != value:
                setattr(unit, attr, value)
                changed = True
        if changed:
            self.report.updated[bucket] += 1
        return unit

    def former_name(self, unit: Unit, name: str, valid_to: date) -> None:
        """Record a former name of ``unit`` unless it is already known."""
        key = (unit.id, _fold(name))
        if key in self.former or _fold(unit.name) == key[1]:
            return
        db.session.add(UnitFormerName(unit_id=unit.id, name=name, valid_to=valid_to))
        self.former.add(key)
        self.report.former_names += 1

    def flush(self) -> None:
        """Insert the units created since the last flush."""
        if self.pending:
            db.session.add_all(self.pending)
            self.pending = []
        db.session.flush()


def admin_units_load(*, include_historical: bool = True) -> AdminUnitsReport:
    """Load (or bring up to date) the administrative units; flushes, never commits."""
    started = time.perf_counter()
    report = AdminUnitsReport()
    provinces, communes = _current_divisions()
    legacy = _legacy_divisions(communes)
    sources_of: dict[int, list[_LegacyProvince]] = defaultdict(list)
    for old in legacy:
        sources_of[old.new_code].append(old)

    loader = _Loader(report)
    province_units: dict[int, Unit] = {}
    commune_ids: dict[int, int] = {}
    for code, name in provinces:
        continuing = [old.name for old in sources_of[code] if old.continues]
        earlier = _EARLIER_PROVINCE_NAMES.get(code, ())
        unit = loader.upsert(
            "province", code=f"p:{code:02d}", name=name, level=AdminLevel.PROVINCE, parent_id=None,
            # A province whose territory did not change did not start on the reform date.
            valid_from=None if len(sources_of[code]) == 1 else REFORM_DATE,
            aliases=[*continuing, *(n for n, _ in earlier)],
        )
        loader.flush()
        province_units[code] = unit
        for old_name in continuing:
            loader.former_name(unit, old_name, LAST_DAY_BEFORE_REFORM)
        for old_name, until in earlier:
            loader.former_name(unit, old_name, until)
        ward_units = [
            (ward_code, loader.upsert(
                "commune", code=f"w:{ward_code:05d}", name=ward_name, level=AdminLevel.COMMUNE,
                parent_id=unit.id, valid_from=REFORM_DATE,
            ))
            for ward_code, ward_name in communes.get(code, ())
        ]
        loader.flush()
        commune_ids.update((ward_code, ward.id) for ward_code, ward in ward_units)

    if include_historical:
        for old in legacy:
            _load_legacy_province(loader, old, province_units[old.new_code], commune_ids)
    report.seconds = time.perf_counter() - started
    return report


def _load_legacy_province(
    loader: _Loader, old: _LegacyProvince, successor: Unit, commune_ids: dict[int, int]
) -> None:
    """Write one former province (or, where it carries on, only its districts and wards under its successor)."""
    report = loader.report
    if old.continues:
        parent = successor
    else:
        parent = loader.upsert(
            "former_province", code=f"op:{old.code}", name=old.name, level=AdminLevel.PROVINCE, parent_id=None,
            successor_id=successor.id, valid_to=LAST_DAY_BEFORE_REFORM,
        )
        loader.flush()
    district_units: list[tuple[_District, Unit]] = []
    for district in old.districts:
        if district.successor is None and not district.wards:
            report.unlinked.append(f"od:{district.code}")
        unit = loader.upsert(
            "former_district", code=f"od:{district.code}", name=district.name, level=AdminLevel.DISTRICT,
            parent_id=parent.id, successor_id=commune_ids.get(district.successor) if district.successor else None,
            valid_to=LAST_DAY_BEFORE_REFORM,
        )
        district_units.append((district, unit))
    loader.flush()
    for district, unit in district_units:
        for ward in district.wards:
            successor_id = commune_ids.get(ward.successor) if ward.successor else None
            if successor_id is None:
                report.unlinked.append(f"ow:{ward.code}")
            report.split_wards += ward.split
            loader.upsert(
                "former_commune", code=f"ow:{ward.code}", name=ward.name, level=AdminLevel.COMMUNE,
                parent_id=unit.id, successor_id=successor_id, valid_to=LAST_DAY_BEFORE_REFORM,
            )
    loader.flush()
