"""Downloads of a result: CSV that Excel opens with Vietnamese intact, and JSON Lines in the import format."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from registry.entries.models import Award, Entry
from registry.entries.records import entry_to_record, unit_path_names
from registry.showcase.links import entry_url

CSV_COLUMNS = ("id", "ref", "kind", "title", "unit", "year", "topics", "awards", "url")
UNIT_SEPARATOR = " › "
LIST_SEPARATOR = "; "
# A cell starting with one of these is run as a formula by spreadsheets (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number such as "-5" computes nothing, and a quote in front would turn it into text.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def spreadsheet_safe(value: object) -> object:
    """The value as a cell no spreadsheet runs as a formula: a single quote before a dangerous start."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def award_summary(award: Award) -> str:
    """One award as "title (level, year, decision)", with its revocation when revoked."""
    parts = [award.level.value, str(award.year)]
    if award.decision_number:
        parts.append(award.decision_number)
    if award.is_revoked:
        parts.append(f"revoked {award.revoked_on.isoformat()}")
    return f"{award.title.name} ({', '.join(parts)})"


def entry_row(entry: Entry) -> list[object]:
    """The CSV row of an entry, in CSV_COLUMNS order."""
    return [
        entry.id,
        entry.ref or "",
        entry.kind.value,
        entry.title,
        UNIT_SEPARATOR.join(unit_path_names(entry.unit)),
        entry.year if entry.year is not None else "",
        LIST_SEPARATOR.join(t.name for t in entry.topics),
        LIST_SEPARATOR.join(award_summary(a) for a in entry.awards),
        entry_url(entry, _external=True),
    ]


def rows_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark and CRLF line ends, as Excel expects; no cell runs as a formula."""
    # Every CSV the registry serves (entries, search, statistics, yearly report) is written here.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(v) for v in header])
    writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def entries_csv(entries: Iterable[Entry]) -> bytes:
    """Entries as CSV, one row each."""
    return rows_csv(CSV_COLUMNS, (entry_row(e) for e in entries))


def entries_jsonl(entries: Iterable[Entry]) -> bytes:
    """Entries as JSON Lines in the import format (public fields, no photo files)."""
    lines = (json.dumps(entry_to_record(e), ensure_ascii=False, separators=(", ", ": ")) + "\n" for e in entries)
    return "".join(lines).encode("utf-8")
