"""A small published data set for the open-data tests, with private markers and a revoked award."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from registry.entries.models import Award, Entry
from registry.entries.records import records_import
from registry.extensions import db
from tests.conftest import jpeg_bytes, record, write_jsonl

# Unique strings planted in private fields: none may ever leave the database.
PRIVATE_MARKERS = ("PRIVPHONE-7731", "PRIVADDR-Hẻm-Bí-Mật", "PRIVID-0000999")


def entry_id(app, ref: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Entry.id).where(Entry.ref == ref))


@pytest.fixture
def dataset(app, tmp_path):
    """Four published entries across units, kinds, topics and years; one revoked award; private markers."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.jpg").write_bytes(jpeg_bytes())
    records = [
        record("shipper", photos=[{"path": "p/a.jpg", "alt": "Shipper xanh giao gạo", "credit": "Quận đoàn Long Biên",
                                   "licence": "CC BY 4.0"}],
               replications=[{"unit": ["Thành phố Hà Nội", "Quận Hoàn Kiếm", "Quận đoàn Hoàn Kiếm"], "since": 2022}]),
        record("atm", title="Cây ATM gạo", year=2020, unit=["Thành phố Hà Nội", "Quận Long Biên", "Phường Ngọc Lâm"],
               topics=["An sinh xã hội"], awards=[]),
        record("hoa", kind="individual", title="Nguyễn Thị Hoa", year=2023,
               unit=["Thành phố Hồ Chí Minh", "Phường Sài Gòn"], topics=["Cứu người"],
               summary="Chị Hoa cứu một em bé khỏi đuối nước.",
               awards=[{"title": "Giấy khen", "level": "commune", "year": 2023, "kind": "sudden",
                        "decision": "15/QĐ-UBND", "decision_date": "2023-06-02"}]),
        record("bich-hoa", kind="collective", title="Tuyến đường bích họa", year=2019,
               unit=["Thành phố Hà Nội", "Huyện Đan Phượng", "Xã Tân Hội"], topics=["Văn hóa"],
               awards=[{"title": "Bằng khen của Chủ tịch UBND cấp tỉnh", "level": "province", "year": 2020,
                        "decision": "4512/QĐ-UBND", "decision_date": "2020-09-15"},
                       {"title": "Giấy khen", "level": "district", "year": 2020, "decision": "88/QĐ-UBND"}]),
    ]
    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", records))
        hoa = db.session.scalar(sa.select(Entry).where(Entry.ref == "hoa"))
        hoa.private_phone, hoa.private_address, hoa.private_id_number = PRIVATE_MARKERS
        revoked = db.session.scalar(sa.select(Award).where(Award.decision_number == "88/QĐ-UBND"))
        revoked.revoked_on, revoked.revocation_decision = date(2024, 3, 1), "77/QĐ-UBND"
        revoked.revocation_reason = "Kê khai không trung thực"
        db.session.commit()
    return app
