"""The four entries the app's search tests look for, on either search backend."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from registry.entries.records import records_import
from registry.extensions import db
from tests.conftest import record, write_jsonl


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
