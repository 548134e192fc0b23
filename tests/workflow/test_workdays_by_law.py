"""Việt Nam's public holidays by law are preloaded for the working-day clocks, lunar ones included; the extra days
off stay editable by administrators."""
from __future__ import annotations

from datetime import date

from registry.extensions import db
from registry.workflow.models import Holiday
from registry.workflow.workdays import add_working_days, holidays_by_law, holidays_configured
from tests.support.clients import client_for, post


def test_the_lunar_and_fixed_holidays_are_known():
    days = dict(holidays_by_law(2026))
    assert days[date(2026, 2, 17)] == "Tết Nguyên Đán"            # the first day of the lunar year
    assert date(2026, 4, 26) in days                               # the Hùng Kings' day, 10th of the 3rd lunar month
    assert date(2026, 4, 27) in days                               # ... which fell on a Sunday: Monday off
    assert {date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)} <= set(days)
    assert dict(holidays_by_law(2027))[date(2027, 2, 6)] == "Tết Nguyên Đán"
    assert "Lunar New Year" in dict(holidays_by_law(2026, "en")).values()


def test_working_day_clocks_skip_tet_without_any_entry(app):
    with app.app_context():
        off = holidays_configured()
        # Tết 2026: Mon 16 to Fri 20 February are off; ten working days from Fri 13 February end on 6 March.
        assert add_working_days(date(2026, 2, 13), 10, off) == date(2026, 3, 6)


def test_administrators_see_holidays_by_law_and_add_extra_days_off(app, world):
    admin = client_for(app, world, "admin")
    admin.set_cookie("lang", "vi")
    page = admin.get("/admin/holidays").get_data(as_text=True)
    assert "Ngày nghỉ lễ theo luật" in page and "Quốc khánh" in page
    response = post(admin, "/admin/holidays", {"day": "2026-01-02", "name": "Nghỉ bù"}, token_from="/admin/holidays")
    assert response.status_code == 302
    with app.app_context():
        assert date(2026, 1, 2) in holidays_configured()
        assert db.session.query(Holiday).filter_by(day=date(2026, 1, 2)).one().name == "Nghỉ bù"
