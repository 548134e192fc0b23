"""The browse filters, read from a request's arguments and shared by pages, search, API and feeds."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from registry.catalog.models import AwardLevel
from registry.entries.models import EntryKind

SORTS = ("newest", "name")


def _int_arg(value: str | None) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    # A number no database column can hold is as wrong as a word (and would fail the query).
    return number if number is None or -2**63 <= number < 2**63 else None


@dataclass(frozen=True)
class BrowseFilters:
    """What a browse page shows; built from query arguments, unknown values are ignored."""

    kind: str | None = None
    year: int | None = None
    unit: int | None = None
    topic: str | None = None
    award: str | None = None
    level: str | None = None
    sort: str = "newest"
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> BrowseFilters:
        """Parse request arguments, dropping values that cannot be right."""
        kind = args.get("kind")
        level = args.get("level")
        year = _int_arg(args.get("year"))
        page = _int_arg(args.get("page")) or 1
        sort = args.get("sort")
        return cls(
            kind=kind if kind in {k.value for k in EntryKind} else None,
            year=year if year and 1945 <= year <= 2100 else None,
            unit=_int_arg(args.get("unit")),
            topic=(args.get("topic") or None),
            award=(args.get("award") or None),
            level=level if level in {lv.value for lv in AwardLevel} else None,
            sort=sort if sort in SORTS else "newest",
            page=min(max(page, 1), 10_000),
        )

    def to_args(self, **changes: Any) -> dict[str, Any]:
        """Return the query arguments of these filters with ``changes`` applied (None removes)."""
        values = replace(self, **changes) if changes else self
        args = {
            "kind": values.kind, "year": values.year, "unit": values.unit, "topic": values.topic,
            "award": values.award, "level": values.level,
            "sort": None if values.sort == "newest" else values.sort,
            "page": None if values.page == 1 else values.page,
        }
        return {k: v for k, v in args.items() if v is not None}

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.kind, self.year, self.unit, self.topic, self.award, self.level))
