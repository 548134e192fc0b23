"""A form field for choosing a unit by name, path (A › B › C) or number, without JavaScript."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

from registry.catalog.models import Unit
from registry.catalog.operations import clean_name, unit_resolve_path
from registry.extensions import db

PATH_SEPARATORS = re.compile(r"\s*(?:›|>|/)\s*")


def unit_label(unit: Unit) -> str:
    """The unit's path, as typed back into the field: "Thành phố Hà Nội › Phường Ba Đình"."""
    return " › ".join(u.name for u in unit.path())


def unit_lookup(text: str) -> tuple[Unit | None, str | None]:
    """Find one unit from what was typed; return (unit, None) or (None, a message)."""
    text = clean_name(text)
    if not text:
        return None, None
    # "#123" alone, or "#123 Name › Path" as the field shows a chosen unit: the number decides.
    if m := re.fullmatch(r"#?(\d+)", text) or re.match(r"#(\d+)\b", text):
        unit = db.session.get(Unit, int(m.group(1)))
        return (unit, None) if unit else (None, str(_l("No unit has number %(id)s.", id=m.group(1))))
    parts = [p for p in PATH_SEPARATORS.split(text) if p]
    if len(parts) > 1:
        unit = unit_resolve_path(parts, create=False)
        return (unit, None) if unit else (None, str(_l("No unit has this path.")))
    matches = db.session.scalars(sa.select(Unit).where(Unit.name == text).limit(6)).all()
    if not matches:
        folded = text.casefold()
        matches = [u for u in db.session.scalars(sa.select(Unit).where(Unit.name.like(f"%{text[-12:]}%")).limit(200))
                   if u.name.casefold() == folded][:6]
    if len(matches) == 1:
        return matches[0], None
    if not matches:
        return None, str(_l("No unit is called “%(name)s”.", name=text))
    return None, str(_l("Several units are called “%(name)s”; type the path or the number: %(choices)s",
                        name=text, choices="; ".join(f"#{u.id} {unit_label(u)}" for u in matches[:5])))


class UnitField(StringField):
    """Holds a Unit in ``.unit`` once validated; shows the unit's path when filled from an object."""

    unit: Unit | None = None

    def process_data(self, value):
        if isinstance(value, Unit):
            self.unit = value
            # The number keeps the choice exact even where two units share a name and a path.
            value = f"#{value.id} {unit_label(value)}"
        super().process_data(value)

    def pre_validate(self, form):
        self.unit, problem = unit_lookup(self.data or "")
        if problem:
            raise ValidationError(problem)
