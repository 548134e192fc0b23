"""The demo data set: what it covers, that its units are real ones, and that its photos say they are drawn by flag only."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from registry.demo import DEMO_DIR

HAI_PHONG, HA_NOI = "Thành phố Hải Phòng", "Thành phố Hà Nội"
# The Long Biên wards the news covers, as they stand since 1 July 2025 (Phúc Đồng was split among these).
LONG_BIEN_SUCCESSORS = {"Phường Long Biên", "Phường Bồ Đề", "Phường Phúc Lợi", "Phường Việt Hưng"}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    lines = (Path(DEMO_DIR) / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def unit_paths(record: dict) -> list[list[str]]:
    return [record["unit"], *(r["unit"] for r in record.get("replications", []))]


def mentions_illustration(text: str) -> bool:
    folded = unicodedata.normalize("NFC", text).casefold()
    return "minh họa" in folded or "minh hoạ" in folded


def test_the_demo_covers_hong_bang_and_phuc_dong_before_and_after_the_reform(records):
    paths = [(r["year"], r["unit"]) for r in records]
    # Hồng Bàng, Hải Phòng: under the former district, and under the ward that carries its name since 2025.
    assert any(p[:2] == [HAI_PHONG, "Quận Hồng Bàng"] and y < 2025 for y, p in paths)
    assert any(p[:2] == [HAI_PHONG, "Phường Hồng Bàng"] and y >= 2025 for y, p in paths)
    # Phúc Đồng, Long Biên: its own models under the former district, and a successor ward's since 2025.
    phuc_dong = [r for r in records if r["unit"][:3] == [HA_NOI, "Quận Long Biên", "Phường Phúc Đồng"]]
    assert len(phuc_dong) >= 2 and all(r["year"] < 2025 for r in phuc_dong)
    assert any(p[0] == HA_NOI and p[1] in LONG_BIEN_SUCCESSORS and y >= 2025 for y, p in paths)


def test_units_of_hai_phong_and_long_bien_are_real_ones_of_their_time(records):
    from vietnam_provinces import Province, Ward
    from vietnamadminunits.database import query

    provinces = {int(p.code): p.name for p in Province.iter_all()}
    current = {(provinces[int(w.province_code)], w.name) for w in Ward.iter_all()}
    former = {(r["province"], r["district"], r["ward"])
              for r in query("SELECT province, district, ward FROM admin_units_legacy")}
    former_districts = {(p, d) for p, d, _ in former}
    checked = 0
    for record in records:
        for path in unit_paths(record):
            if path[0] == HAI_PHONG or "Quận Long Biên" in path or (len(path) > 1 and path[1] in LONG_BIEN_SUCCESSORS):
                checked += 1
                if path[1].startswith(("Quận ", "Huyện ")):
                    assert (path[0], path[1]) in former_districts, path
                    if len(path) > 2 and path[2].startswith(("Phường ", "Xã ")):
                        assert (path[0], path[1], path[2]) in former, path
                else:
                    assert (path[0], path[1]) in current, path
                    if path is record["unit"]:  # an entry under a ward of the new map dates from its time
                        assert record["year"] >= 2025, (record["ref"], path)
    assert checked >= 15


def test_demo_photos_are_flagged_drawings_and_no_text_carries_the_note(records):
    for record in records:
        texts = [record["title"], record.get("summary", ""), record.get("body", "")]
        for photo in record.get("photos", []):
            assert photo.get("illustration"), (record["ref"], photo["path"])
            texts += [photo.get("alt", ""), photo.get("caption", ""), photo.get("credit", "")]
        assert not any(mentions_illustration(t) for t in texts), record["ref"]


def test_fictional_people_are_said_to_be_fictional_and_no_phone_or_address_is_given(records):
    for record in records:
        if record["kind"] == "individual":
            assert "hư cấu" in record["body"], record["ref"]
        assert not set(record) & {"private_phone", "private_address", "private_id_number", "phone", "address"}
