"""A new round starts from its award title's rules, pre-filled from the catalogue with the legal basis beside each
value, not from blank fields."""
from __future__ import annotations

import re

import sqlalchemy as sa

from registry.catalog.models import AwardTitle
from registry.catalog.seed import catalogues_load
from registry.extensions import db
from tests.support.clients import client_for


def _title_id(app, name: str) -> int:
    with app.app_context():
        if not db.session.scalar(sa.select(AwardTitle.id).where(AwardTitle.name == name)):
            catalogues_load()
            db.session.commit()
        return db.session.scalar(sa.select(AwardTitle.id).where(AwardTitle.name == name))


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected', select).group(0)


def test_a_high_title_starts_with_a_secret_ballot_of_all_members(app, world):
    title_id = _title_id(app, "Chiến sĩ thi đua cấp tỉnh")
    admin = client_for(app, world, "admin")
    admin.set_cookie("lang", "vi")
    html = admin.get(f"/admin/rounds/new?title_id={title_id}").get_data(as_text=True)
    assert 'value="Chiến sĩ thi đua cấp tỉnh' in html                      # the round's name
    assert 'value="secret"' in _selected(html, "ballot")
    assert 'value="all_members"' in _selected(html, "denominator")
    assert re.search(r'name="threshold_percent"[^>]*value="90(\.00)?"', html)
    assert 'value="3"' in re.search(r'<input[^>]*name="prerequisite_years"[^>]*>', html).group(0)
    assert "Căn cứ: Luật Thi đua, khen thưởng" in html                      # the basis beside the values
    assert "Nghị định 98/2023/NĐ-CP" in html


def test_a_grassroots_title_starts_with_the_councils_usual_rules(app, world):
    title_id = _title_id(app, "Giấy khen")
    admin = client_for(app, world, "admin")
    html = admin.get(f"/admin/rounds/new?title_id={title_id}").get_data(as_text=True)
    assert 'value="open"' in _selected(html, "ballot")
    assert re.search(r'name="threshold_percent"[^>]*value="66.67"', html)
    assert re.search(r'name="processing_days"[^>]*value="10"', html)


def test_without_a_title_the_page_offers_to_start_from_one(app, world):
    admin = client_for(app, world, "admin")
    html = admin.get("/admin/rounds/new").get_data(as_text=True)
    assert 'name="title_id"' in html and 'method="get"' in html
