"""Choosing a unit the way people say it: "long bien", "Long Biên", a former name, a path; with or without JavaScript.

The field takes what was typed and finds the unit: without diacritics, by the end of the name ("Long Biên" finds
"Phường Long Biên"), by a former name or an abolished unit (which leads to its successor, and says so), or by a path
("Phường Long Biên — Thành phố Hà Nội", or "Thành phố Hà Nội › Phường Long Biên"). When several units fit, the form
comes back with them listed to choose from, everything else typed kept; with JavaScript the same list shows as
suggestions while typing (static/js/picker.js, fed by the pickers' JSON endpoints).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from registry.catalog.folding import fold_name
from registry.catalog.models import Unit, UnitFormerName
from registry.catalog.operations import _KIND_PREFIXES, clean_name
from registry.extensions import db

# Root-down paths ("Thành phố Hà Nội › Phường Ba Đình") and leaf-up labels ("Phường Ba Đình — Thành phố Hà Nội").
ROOT_DOWN = re.compile(r"\s*(?:›|>|/)\s*")
LEAF_UP = re.compile(r"\s+[—–]\s+")
# A number typed alone is still taken (old links and habits), though no page asks for one.
NUMBER = re.compile(r"#?(\d+)")
SUGGESTION_LIMIT = 10
# Candidates read from the database for one query before ranking; the ranking keeps the best few.
_READ_LIMIT = 60


def unit_label(unit: Unit) -> str:
    """The unit and the units above it, nearest first: "Phường Long Biên — Thành phố Hà Nội"."""
    return " — ".join(u.name for u in reversed(unit.path()))


@dataclass(frozen=True)
class Candidate:
    """Something a picker may choose: its id, what the list shows, and a note (how it was found)."""

    id: int
    label: str
    note: str = ""
    # What the text box holds once chosen (the label, unless the label explains a former name).
    value: str = ""
    # Found by a former name or as a unit that no longer exists.
    former: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "note": self.note, "value": self.value or self.label}


def _current(unit: Unit, allow_former: bool) -> Unit:
    """Follow an abolished unit to the unit that took it over (unless former units may be chosen)."""
    seen = {unit.id}
    while not allow_former and unit.successor is not None and unit.successor.id not in seen:
        unit = unit.successor
        seen.add(unit.id)
    return unit


def _former_label(old: str, unit: Unit) -> str:
    return _("%(old)s (former) → %(new)s", old=old, new=unit_label(unit))


# What comes before a place's own name ("Phường", "Xã", "Tổ dân phố"…): "Long Biên" is how people say
# "Phường Long Biên", and is not how they say "Công an phường Long Biên".
PLACE_PREFIXES: tuple[str, ...] = tuple(sorted({fold_name(prefix) for prefix, _kind, level in _KIND_PREFIXES if level}))


def _short_keys(q: str) -> list[str]:
    return [f"{prefix} {q}" for prefix in PLACE_PREFIXES]


def _rank(key: str, q: str) -> int:
    """0: the name; 1: a place's name without its prefix ("long bien" for "phuong long bien"); 2: a word start;
    3: anywhere."""
    if key == q:
        return 0
    if key in _short_keys(q):
        return 1
    if key.startswith(q) or f" {q}" in key:
        return 2
    return 3


def unit_candidates(text: str, *, allow_former: bool = False, limit: int = SUGGESTION_LIMIT) -> list[tuple[int, Candidate]]:
    """Units whose current or former name fits ``text``, best first, with their rank (0–1 means the name itself)."""
    q = fold_name(text)
    if not q:
        return []
    # One pass over the narrow name index; the database orders the matches (the name itself, without its prefix,
    # a word's start, anywhere; current units and short names first) so a short query with thousands of matches stays cheap.
    # Only keys are read here; the few units kept are loaded afterwards for their labels.
    rank = sa.case((Unit.name_key == q, 0), (Unit.name_key.in_(_short_keys(q)), 1),
                   (sa.or_(Unit.name_key.like(f"{q}%"), Unit.name_key.like(f"% {q}%")), 2), else_=3)
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name_key, Unit.valid_to.is_not(None)).where(Unit.name_key.like(f"%{q}%"))
        .order_by(rank, Unit.valid_to.is_not(None), sa.func.length(Unit.name_key), Unit.name_key).limit(_READ_LIMIT)
    ).all()
    former = db.session.execute(
        sa.select(UnitFormerName.unit_id, UnitFormerName.name_key, UnitFormerName.name)
        .where(UnitFormerName.name_key.like(f"%{q}%")).limit(_READ_LIMIT)
    ).all()
    # (rank, historical, length, key, unit id, former name or None): the name itself, current units, short names first.
    found = [(_rank(key, q), historical, len(key), key, unit_id, None) for unit_id, key, historical in rows]
    found += [(_rank(key, q), True, len(key), key, unit_id, name) for unit_id, key, name in former]
    found.sort(key=lambda row: row[:4])
    seen: set[int] = set()
    ranked: list[tuple[int, Candidate]] = []
    for rank, _historical, _length, _key, unit_id, former_name in found:
        unit = db.session.get(Unit, unit_id)
        target = _current(unit, allow_former)
        if target.id in seen:
            continue
        seen.add(target.id)
        label = unit_label(target)
        if former_name is not None:
            candidate = Candidate(target.id, _former_label(former_name, target), _("Former name."), label, True)
        elif target is not unit:
            candidate = Candidate(target.id, _former_label(unit.name, target),
                                  _("Abolished; its successor is chosen."), label, True)
        elif unit.valid_to is not None:
            candidate = Candidate(unit.id, _("%(name)s (former)", name=label), "", label, True)
        else:
            candidate = Candidate(unit.id, label)
        ranked.append((rank, candidate))
        if len(ranked) == limit:
            break
    return ranked


def _path_lookup(parts: list[str], *, allow_former: bool) -> list[Candidate]:
    """Units named like the path's leaf whose upper units are named like the rest ("Long Biên — Hà Nội")."""
    leaf, uppers = parts[0], [fold_name(p) for p in parts[1:]]
    matches: list[tuple[int, Candidate]] = []
    for rank, candidate in unit_candidates(leaf, allow_former=True, limit=20):
        if rank > 1:
            break
        unit = db.session.get(Unit, candidate.id)
        above = [fold_name(u.name) for u in unit.path()[:-1]]
        # Each upper part names a unit above, in order, by its whole name or its end ("Hà Nội").
        i = 0
        for key in reversed(above):
            if i < len(uppers) and (key == uppers[i] or key.endswith(" " + uppers[i])):
                i += 1
        if i == len(uppers):
            target = _current(unit, allow_former)
            matches.append((rank, Candidate(target.id, unit_label(target))))
    # "Phường Long Biên — Hà Nội" is the ward itself, not the ward's police ("Công an phường Long Biên").
    best = min((rank for rank, _c in matches), default=0)
    kept: dict[int, Candidate] = {}
    for rank, candidate in matches:
        if rank == best:
            kept.setdefault(candidate.id, candidate)
    return list(kept.values())


def unit_lookup(text: str, *, allow_former: bool = False) -> tuple[Unit | None, list[Candidate], str | None]:
    """Find one unit from what was typed: (unit, [], None), or (None, units to choose from, a message)."""
    text = clean_name(text)
    if not text:
        return None, [], None
    if m := NUMBER.fullmatch(text) or re.match(r"#(\d+)\b", text):
        unit = db.session.get(Unit, int(m.group(1)))
        return (unit, [], None) if unit else (None, [], _("No unit has this name."))
    if len(parts := [p for p in ROOT_DOWN.split(text) if p]) > 1:
        matches = _path_lookup(list(reversed(parts)), allow_former=allow_former)
    elif len(parts := [p for p in LEAF_UP.split(text) if p]) > 1:
        matches = _path_lookup(parts, allow_former=allow_former)
    else:
        ranked = unit_candidates(text, allow_former=allow_former)
        named = [c for rank, c in ranked if rank <= 1]
        if not allow_former:
            # Today's unit of that name before a former one ("Long Biên": the ward, not the district before 2025).
            named = [c for c in named if not c.former] or named
        if len(named) == 1:
            return db.session.get(Unit, named[0].id), [], None
        matches = named or [c for _rank, c in ranked]
    if len(matches) == 1 and len(parts) > 1:
        return db.session.get(Unit, matches[0].id), [], None
    if not matches:
        return None, [], _("No unit is called “%(name)s”. Check the spelling, or type the end of the name, "
                           "e.g. “Long Biên”.", name=text)
    return None, matches, _("Several units fit “%(name)s”: choose one below.", name=text)


class PickerInput:
    """A text box that suggests as one types (with JavaScript) and lists the candidates to choose from (without)."""

    def __call__(self, field: PickerField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", "text")
        kwargs["autocomplete"] = "off"
        kwargs["data-picker"] = url_for(field.source, **field.source_args)
        value = field._value()
        attrs = " ".join(f'{escape(k.replace("_", "-"))}="{escape(v)}"' if v is not True else escape(k)
                         for k, v in kwargs.items() if v is not False and v is not None)
        html = [f'<div class="picker"><input name="{escape(field.name)}" value="{escape(value)}" {attrs}>',
                f'<input type="hidden" name="{escape(field.name)}-choice" value="{escape(field.chosen_id or "")}">']
        if field.candidates:
            html.append(f'<fieldset class="picker-choices"><legend>{escape(_("Choose one"))}</legend>'
                        f'<input type="hidden" name="{escape(field.name)}-asked" value="{escape(value)}">')
            for n, candidate in enumerate(field.candidates):
                option = f"{field.id}-choice-{n}"
                html.append(f'<div class="field-check"><input type="radio" id="{escape(option)}" '
                            f'name="{escape(field.name)}-choice" value="{candidate.id}"> '
                            f'<label for="{escape(option)}">{escape(candidate.label)}</label></div>')
            html.append("</fieldset>")
        html.append("</div>")
        # The script once per page, wherever the first picker is (no change to the page layout needed).
        if not g.get("picker_script"):
            g.picker_script = True
            html.append(f'<script src="{escape(url_for("static", filename="js/picker.js"))}" defer></script>')
        return Markup("".join(html))


class PickerField(StringField):
    """A text field that resolves to one object; ``chosen`` holds it once validated."""

    widget = PickerInput()
    source = ""  # the endpoint of the JSON suggestions
    chosen: Any = None
    chosen_id: int | None = None
    _chosen_for: str | None = None
    candidates: list[Candidate]

    def __init__(self, label=None, validators=None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.candidates = []

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.chosen_id = None
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            choice = formdata.get(f"{self.name}-choice", "")
            asked = formdata.get(f"{self.name}-asked")
            if choice.isdigit():
                self.chosen_id = int(choice)
                # Chosen from the list for what was typed, or picked from the suggestions (the label typed back).
                self._chosen_for = asked

    @property
    def source_args(self) -> dict[str, Any]:
        return {}

    def label_of(self, obj: Any) -> str:
        raise NotImplementedError

    def load(self, object_id: int) -> Any:
        raise NotImplementedError

    def lookup(self, text: str) -> tuple[Any, list[Candidate], str | None]:
        raise NotImplementedError

    def process_data(self, value):
        if value is not None and not isinstance(value, str):
            self.chosen, self.chosen_id = value, value.id
            value = self.label_of(value)
        super().process_data(value)

    def pre_validate(self, form):
        self.chosen, self.candidates = None, []
        if self.chosen_id is not None:
            obj = self.load(self.chosen_id)
            typed = clean_name(self.data or "")
            if obj is not None and (typed == clean_name(getattr(self, "_chosen_for", None) or "\0")
                                    or fold_name(typed) == fold_name(self.label_of(obj))):
                self.chosen, self.data = obj, self.label_of(obj)
                return
        self.chosen_id = None
        obj, self.candidates, problem = self.lookup(self.data or "")
        if problem:
            raise ValidationError(problem)
        self.chosen = obj
        if obj is not None:
            self.chosen_id = obj.id


class UnitField(PickerField):
    """Holds a Unit in ``.unit`` once validated; shows the unit with the units above it."""

    source = "pickers.units"

    def __init__(self, label=None, validators=None, *, allow_former: bool = False, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.allow_former = allow_former

    @property
    def unit(self) -> Unit | None:
        return self.chosen

    @property
    def source_args(self) -> dict[str, Any]:
        return {"former": 1} if self.allow_former else {}

    def label_of(self, obj: Unit) -> str:
        return unit_label(obj)

    def load(self, object_id: int) -> Unit | None:
        return db.session.get(Unit, object_id)

    def lookup(self, text: str):
        return unit_lookup(text, allow_former=self.allow_former)


UNIT_HINT = _l("Type the name, with or without diacritics (e.g. “long bien”), and choose from the list.")
