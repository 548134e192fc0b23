"""Working-day arithmetic: Saturdays, Sundays and public holidays are not working days.

Việt Nam's public holidays by law (Labour Code 2019, art. 112: New Year, the lunar Tết days, the Hùng Kings'
day, 30 April, 1 May, National Day, and the days off given in their place) come preloaded from the `holidays`
package, which computes the lunar ones; the extra days off decided each year (bridge days swapped for a
Saturday) are kept by administrators in the holiday table, and the HOLIDAYS setting may add more.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_calendars

# Years around today whose holidays by law are counted: periods reach back to a dossier's submission.
YEARS_BACK, YEARS_AHEAD = 10, 2


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    """True if ``day`` is Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """Return the working day that ends a period of ``days`` working days counted from the day after ``start``.

    A consultation opened on a Friday for 10 working days closes on the Friday two weeks later;
    with 0 days the period ends on ``start`` itself.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    off = set(holidays)
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


def working_days_between(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """Count the working days after ``start`` up to and including ``end`` (0 if end is not after start)."""
    off = set(holidays)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, off):
            count += 1
    return count


@lru_cache(maxsize=64)
def _holidays_by_law(year: int, language: str) -> tuple[tuple[date, str], ...]:
    calendar = holiday_calendars.country_holidays("VN", years=year, language="vi" if language == "vi" else "en_US")
    return tuple(sorted(calendar.items()))


def holidays_by_law(year: int, language: str = "vi") -> list[tuple[date, str]]:
    """Việt Nam's public holidays of ``year`` by law, lunar ones and days off in their place included, named."""
    return list(_holidays_by_law(year, language))


def holidays_configured() -> set[date]:
    """The holidays of the running app: the holidays by law (years around today in Việt Nam), the HOLIDAYS
    config (ISO dates) and the extra days off administrators entered."""
    import sqlalchemy as sa
    from flask import current_app

    from registry.extensions import db
    from registry.platform.vietnam_time import today_in_vietnam
    from registry.workflow.models import Holiday

    this_year = today_in_vietnam().year
    days = {day for year in range(this_year - YEARS_BACK, this_year + YEARS_AHEAD + 1)
            for day, _name in _holidays_by_law(year, "vi")}
    days.update(date.fromisoformat(d) for d in current_app.config.get("HOLIDAYS", ()))
    days.update(db.session.scalars(sa.select(Holiday.day)))
    return days
