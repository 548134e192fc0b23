"""Dates for people are Việt Nam's dates: around midnight UTC, and as offices write them."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from registry.platform import vietnam_time
from registry.platform.vietnam_time import official_date, table_date, today_in_vietnam, vietnam_date


@pytest.mark.parametrize("utc, day", [
    (datetime(2021, 12, 19, 16, 59, tzinfo=UTC), date(2021, 12, 19)),  # 23:59 in Hà Nội
    (datetime(2021, 12, 19, 17, 0, tzinfo=UTC), date(2021, 12, 20)),   # midnight in Hà Nội, still the 19th in UTC
    (datetime(2021, 12, 20, 0, 0, tzinfo=UTC), date(2021, 12, 20)),    # 07:00 in Hà Nội: a decision of that day
    (datetime(2021, 12, 31, 18, 30), date(2022, 1, 1)),                # naive is UTC, as stored; a new year in Hà Nội
])
def test_today_is_the_day_in_vietnam(utc, day):
    assert today_in_vietnam(utc) == day
    assert vietnam_date(utc) == day


@pytest.mark.parametrize("day, written", [
    (date(2021, 12, 20), "ngày 20 tháng 12 năm 2021"),
    (date(2021, 1, 5), "ngày 05 tháng 01 năm 2021"),   # days below 10 and months 1, 2 take a leading zero
    (date(2021, 2, 28), "ngày 28 tháng 02 năm 2021"),
    (date(2021, 3, 9), "ngày 09 tháng 3 năm 2021"),
])
def test_official_documents_write_dates_in_words(day, written):
    assert official_date(day) == written
    assert official_date(day, lead=False) == written.removeprefix("ngày ")


def test_tables_write_day_month_year():
    assert table_date(date(2021, 12, 20)) == "20/12/2021"
    assert table_date(datetime(2021, 12, 19, 17, 30)) == "20/12/2021"  # a stored UTC moment, dated in Việt Nam


@pytest.fixture
def late_evening_utc(monkeypatch):
    """The clock at 23:30 UTC: already 06:30 the next morning in Việt Nam."""
    moment = datetime.combine(datetime.now(UTC).date(), time(23, 30), UTC)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(vietnam_time, "datetime", Frozen)
    return moment


def test_a_dossier_submitted_at_dawn_in_hanoi_is_dated_that_day(app, world, late_evening_utc):
    from registry.extensions import db
    from tests.support.world import complete_nomination

    with app.test_request_context("/"):
        nomination = complete_nomination(world)
        db.session.commit()
        assert nomination.submitted_on == late_evening_utc.date() + timedelta(days=1)


def test_pages_show_vietnamese_dates(app, world):
    from registry.extensions import db
    from registry.workflow.models import Round

    with app.test_request_context("/"):
        round_ = db.session.get(Round, world.round)
        round_.opens_on, round_.closes_on = date(2026, 1, 5), date(2026, 12, 31)
        db.session.commit()
    from tests.support.clients import client_for

    client = client_for(app, world, "admin")
    client.set_cookie("lang", "vi")
    page = client.get("/admin/rounds").get_data(as_text=True)
    assert "05/01/2026 – 31/12/2026" in page
