"""Working-day arithmetic: Saturdays, Sundays and configured public holidays are not working days."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


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


def holidays_configured() -> set[date]:
    """The holidays of the running app: the HOLIDAYS config (ISO dates) plus the holiday table."""
    import sqlalchemy as sa
    from flask import current_app

    from registry.extensions import db
    from registry.workflow.models import Holiday

    days = {date.fromisoformat(d) for d in current_app.config.get("HOLIDAYS", ())}
    days.update(db.session.scalars(sa.select(Holiday.day)))
    return days
