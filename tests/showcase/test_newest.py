""""Newest" is the most recently recognised (year, then the award decision's date), not the last imported."""
from __future__ import annotations

import csv
import io

from registry.entries.records import records_import
from tests.support.files import write_jsonl
from tests.support.records import record


def _award(day: str) -> list[dict]:
    return [{"title": "Giấy khen", "level": "commune", "year": int(day[:4]), "decision": f"{day}/QĐ-UBND",
             "decision_date": day}]


def test_newest_is_the_most_recently_recognised(app, client, tmp_path):
    # Imported oldest-recognised last, so import order and recognition order disagree.
    records = [
        record("march", title="Tổ tự quản tháng Ba", year=2025, awards=_award("2025-03-10")),
        record("december", title="Chị Lan tháng Mười Hai", kind="individual", year=2025, awards=_award("2025-12-20")),
        record("unknown-date", title="Mô hình chưa rõ ngày", year=2025, awards=[]),
        record("older", title="Gương sáng năm 2023", kind="individual", year=2023, awards=_award("2023-11-01")),
    ]
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", records))
        from registry.extensions import db
        db.session.commit()
    expected = ["Chị Lan tháng Mười Hai", "Tổ tự quản tháng Ba", "Mô hình chưa rõ ngày", "Gương sáng năm 2023"]
    page = client.get("/entries?lang=vi").get_data(as_text=True)
    assert sorted(expected, key=page.index) == expected
    rows = csv.DictReader(io.StringIO(client.get("/api/v1/entries?format=csv").get_data(as_text=True)))
    assert [r["title"] for r in rows] == expected
