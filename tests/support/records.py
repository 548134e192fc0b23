"""Import records and data sets: a valid record with overrides, the search entries, private markers."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from registry.entries.models import Entry
from registry.entries.records import records_import
from registry.extensions import db
from tests.support.files import write_jsonl


def load_search_entries(app: Flask, folder: Path) -> Flask:
    """Import a rice ATM, a cultural house, a green shipper and a rescuer into ``app``; return it."""
    records = [
        record("atm", title="Cây ATM gạo", year=2020, unit=["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"],
               summary="Máy phát gạo miễn phí cho người khó khăn.", topics=["An sinh xã hội"], awards=[]),
        record("nvh", kind="collective", title="Nhà văn hóa tổ dân phố số 5", year=2022,
               unit=["Thành phố Hà Nội", "Quận Nam Từ Liêm"], topics=["Văn hóa"], awards=[],
               body="Ủy ban nhân dân phường hỗ trợ sửa nhà văn hóa."),
        record("shipper", year=2021),
        record("hoa", kind="individual", title="Nguyễn Thị Hoà", year=2023, unit=["Thành phố Hồ Chí Minh"],
               topics=["Cứu người"], awards=[], body="Chị cứu em bé đuối nước."),
    ]
    with app.app_context():
        records_import(write_jsonl(folder / "in.jsonl", records))
        db.session.commit()
    return app


def record(ref: str, **overrides) -> dict:
    """A valid import record, with overrides."""
    base = {
        "ref": ref,
        "kind": "initiative",
        "title": "Shipper xanh",
        "unit": ["Thành phố Hà Nội", "Quận Long Biên", "Quận đoàn Long Biên"],
        "year": 2021,
        "summary": "Đoàn viên chở hàng thiết yếu miễn phí cho người dân trong thời gian giãn cách.",
        "body": "Trong đợt giãn cách năm 2021, **Quận đoàn Long Biên** lập đội *Shipper xanh*.",
        "topics": ["Phòng, chống dịch Covid-19", "An sinh xã hội"],
        "awards": [{"title": "Người tốt, việc tốt", "level": "district", "year": 2021, "decision": "1234/QĐ-UBND"}],
    }
    base.update(overrides)
    return base


# Unique strings planted in private fields: none may ever leave the database.
PRIVATE_MARKERS = ("PRIVPHONE-7731", "PRIVADDR-Hẻm-Bí-Mật", "PRIVID-0000999")


def entry_id(app, ref: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Entry.id).where(Entry.ref == ref))
