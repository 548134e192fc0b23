"""Import and export of JSON Lines records."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.catalog.models import Topic, Unit
from registry.entries.models import Award, Entry, EntryStatus, Photo
from registry.entries.records import ImportRejected, records_export, records_import
from registry.extensions import db
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.records import record

DATA = Path(__file__).resolve().parents[1] / "data"


def test_import_creates_published_entry_with_units_topics_awards(app, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [record("lb-shipper-xanh")])
    with app.app_context():
        report = records_import(path)
        db.session.commit()
        assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "lb-shipper-xanh"))
        assert entry.status == EntryStatus.PUBLISHED and entry.published_at is not None
        assert [u.name for u in entry.unit.path()] == ["Thành phố Hà Nội", "Quận Long Biên", "Quận đoàn Long Biên"]
        assert entry.unit.kind.value == "youth_union"
        assert entry.unit.parent.level.value == "district"
        assert sorted(t.name for t in entry.topics) == ["An sinh xã hội", "Phòng, chống dịch Covid-19"]
        (award,) = entry.awards
        assert (award.title.name, award.level.value, award.year, award.decision_number) == (
            "Người tốt, việc tốt", "district", 2021, "1234/QĐ-UBND")
        assert entry.slug == "shipper-xanh"


def test_reimport_is_idempotent_and_updates_by_ref(app, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [record("a"), record("b", title="Đi chợ hộ")])
    with app.app_context():
        records_import(path)
        db.session.commit()
        stamps = dict(db.session.execute(sa.select(Entry.ref, Entry.updated_at)).all())
        report = records_import(path)
        db.session.commit()
        assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
        assert dict(db.session.execute(sa.select(Entry.ref, Entry.updated_at)).all()) == stamps
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 2
        assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 3

        write_jsonl(path, [record("a", title="Shipper xanh Long Biên"), record("b", title="Đi chợ hộ")])
        report = records_import(path)
        db.session.commit()
        assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 2
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "a"))
        assert entry.title == "Shipper xanh Long Biên" and entry.slug == "shipper-xanh-long-bien"


BAD_LINES = [
    ("{not json", "not valid JSON"),
    ('["a list"]', "JSON object"),
    (json.dumps(record("x", kind="person")), "“kind” must be one of"),
    (json.dumps(record("x", title="")), "“title” must not be empty"),
    (json.dumps(record("x", year=1800)), "year between 1945 and 2100"),
    (json.dumps(record("x", year="2021")), "year between 1945 and 2100"),
    (json.dumps(record("x", unit="Hà Nội")), "“unit” must be a list of names"),
    (json.dumps(record("x", awards=[{"title": "Giấy khen", "level": "galaxy", "year": 2020}])), "award 1: “level”"),
    (json.dumps(record("x", awards=[{"title": "Giấy khen", "level": "commune"}])), "award 1: “year” is required"),
    (json.dumps(record("x", colour="red")), "unknown field “colour”"),
    (json.dumps(record("x", photos=["missing.jpg"])), "photo 1: file missing.jpg not found"),
    (json.dumps(record("x", photos=["../escape.jpg"])), "stay beside it"),
    (json.dumps({k: v for k, v in record("x").items() if k != "ref"}), "“ref” is required"),
]


@pytest.mark.parametrize("bad_line, message", BAD_LINES)
def test_invalid_line_rejects_whole_file_with_line_number(app, tmp_path, bad_line, message):
    lines = [json.dumps(record("ok-1"), ensure_ascii=False), bad_line, json.dumps(record("ok-2"), ensure_ascii=False)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context(), force_locale("en"):
        with pytest.raises(ImportRejected) as exc:
            records_import(path)
        db.session.rollback()
        assert any(p.line == 2 and message in p.message for p in exc.value.problems), exc.value.problems
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0


def test_every_problem_is_listed_and_duplicate_refs_named(app, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [record("dup"), record("dup", year=3000), record("z", kind="?")])
    with app.app_context(), force_locale("en"):
        with pytest.raises(ImportRejected) as exc:
            records_import(path)
    problems = [(p.line, p.message) for p in exc.value.problems]
    assert any(line == 2 and "already used on line 1" in msg for line, msg in problems)
    assert any(line == 2 and "year" in msg for line, msg in problems)
    assert any(line == 3 and "kind" in msg for line, msg in problems)


def test_cli_import_prints_line_numbers_in_vietnamese_and_imports_nothing(app, runner, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record("a"), ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    result = runner.invoke(args=["import-records", str(path)])
    assert result.exit_code != 0
    assert "dòng 2" in result.output
    assert "không có gì được nhập" in result.output.lower()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0


def test_lines_that_are_not_utf8_are_named_by_line_and_column(app, runner, tmp_path):
    good = json.dumps(record("ok-1"), ensure_ascii=False).encode()
    line = json.dumps(record("ok-2", title="Lò Ánh"), ensure_ascii=False)
    latin1 = line.encode().replace("Lò Ánh".encode(), "Lò Ánh".encode("latin-1"))  # a name pasted as Latin-1
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\r\n" + latin1 + b"\r\n" + good.replace(b"ok-1", b"ok-3") + b"\n")
    with app.app_context(), force_locale("en"):
        with pytest.raises(ImportRejected) as exc:
            records_import(path)
    column = line.index("ò") + 1
    assert [(p.line, p.message) for p in exc.value.problems] == [
        (2, f"not UTF-8 text (from column {column} on): save the file as UTF-8.")]
    result = runner.invoke(args=["import-records", str(path)])
    assert result.exit_code != 0 and "dòng 2" in result.output and "UTF-8" in result.output


def test_line_separators_inside_a_text_do_not_split_the_line(app, tmp_path):
    path = tmp_path / "in.jsonl"
    text = "Dòng một\u2028dòng hai\u2029đoạn ba\x85và\x0cthêm"
    path.write_text(json.dumps(record("a", summary=text), ensure_ascii=False) + "\n", encoding="utf-8")
    with app.app_context():
        assert records_import(path).created == 1
        db.session.commit()
        out = tmp_path / "out.jsonl"
        records_export(out)
        assert db.session.scalar(sa.select(Entry.summary)) == text
        assert records_import(out).unchanged == 1


def test_import_with_photos_and_export_round_trip(app, tmp_path):
    src = tmp_path / "src"
    (src / "photos").mkdir(parents=True)
    (src / "photos" / "a.jpg").write_bytes(jpeg_bytes())
    (src / "photos" / "b.jpg").write_bytes(jpeg_bytes(color=(10, 120, 60)))
    rec = record("with-photos", photos=[
        {"path": "photos/a.jpg", "alt": "Đoàn viên giao hàng", "credit": "Ảnh minh họa", "licence": "CC BY 4.0"},
        "photos/b.jpg",
    ], replications=[{"unit": ["Thành phố Hà Nội", "Quận Hoàn Kiếm"], "since": 2022}])
    write_jsonl(src / "in.jsonl", [rec, record("plain", title="Cây ATM gạo", photos=[])])
    out1, out2 = tmp_path / "out1" / "export.jsonl", tmp_path / "out2" / "export.jsonl"
    out1.parent.mkdir()
    out2.parent.mkdir()
    with app.app_context():
        records_import(src / "in.jsonl")
        db.session.commit()
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "with-photos"))
        assert [p.alt for p in entry.photos] == ["Đoàn viên giao hàng", "Shipper xanh"]
        assert entry.photos[0].renditions["thumb"][0] == 320
        assert records_export(out1) == 2
        records_export(out2)
        assert out1.read_bytes() == out2.read_bytes()
        exported = [json.loads(line) for line in out1.read_text(encoding="utf-8").splitlines()]
        assert [r["ref"] for r in exported] == ["plain", "with-photos"]
        assert exported[1]["replications"] == [{"unit": ["Thành phố Hà Nội", "Quận Hoàn Kiếm"], "since": 2022}]
        assert (out1.parent / exported[1]["photos"][0]["path"]).is_file()

        # Round trip: importing the export back changes nothing and duplicates nothing.
        report = records_import(out1)
        db.session.commit()
        assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
        assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 2


def test_export_leaves_out_private_fields_and_unpublished_entries(app, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [record("p", kind="individual", title="Nguyễn Thị Hoa")])
    with app.app_context():
        records_import(path)
        entry = db.session.scalar(sa.select(Entry))
        entry.private_phone, entry.private_address, entry.private_id_number = "0912345678", "12 Ngõ Bí Mật", "001234567890"
        db.session.add(Entry(ref="draft", kind=entry.kind, title="Bản nháp", slug="ban-nhap", status=EntryStatus.DRAFT))
        db.session.commit()
        records_export(tmp_path / "out.jsonl")
    text = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    for secret in ("0912345678", "Ngõ Bí Mật", "001234567890", "Bản nháp"):
        assert secret not in text


def test_seventy_entry_file_imports_then_changes_nothing(app, runner):
    result = runner.invoke(args=["import-records", str(DATA / "import_70.jsonl")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Entry.id)).where(Entry.status == EntryStatus.PUBLISHED)) == 70
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Unit, Topic, Award)]
    result = runner.invoke(args=["import-records", str(DATA / "import_70.jsonl")])
    assert result.exit_code == 0, result.output
    assert "0 tạo mới" in result.output or "0 created" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 70
        assert [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Unit, Topic, Award)] == counts
