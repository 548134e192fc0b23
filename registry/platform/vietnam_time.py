"""People's dates are Việt Nam's dates (Asia/Ho_Chi_Minh, UTC+7): "today", and how a date is written.

Times are stored in UTC; a date a person sees, types or gets by default is the day in Việt Nam, so a decision
made at 07:00 in Hà Nội (00:00 UTC) is dated that day. Official documents write "ngày 05 tháng 01 năm 2021"
(Decree 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero); tables write "05/01/2021".
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now_in_vietnam(now: datetime | None = None) -> datetime:
    """The current time (or ``now``; naive means UTC, as stored) on Việt Nam's clock."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(VIETNAM)


def today_in_vietnam(now: datetime | None = None) -> date:
    """Today's date in Việt Nam: the date every person-facing "today" uses."""
    return now_in_vietnam(now).date()


def vietnam_date(moment: datetime) -> date:
    """The date in Việt Nam of a stored moment (naive means UTC)."""
    return now_in_vietnam(moment).date()


def _as_day(value: date | datetime) -> date:
    return vietnam_date(value) if isinstance(value, datetime) else value


def official_date(value: date | datetime, locale: str = "vi", *, lead: bool = True) -> str:
    """A date as an official document writes it: "ngày 20 tháng 12 năm 2021" ("December 20, 2021" in English);
    without ``lead`` the word "ngày" is left to the sentence around it ("Họp ngày %(date)s")."""
    day = _as_day(value)
    if locale != "vi":
        return format_date(day, format="long")
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    written = f"{day.day:02d} tháng {month} năm {day.year}"
    return f"ngày {written}" if lead else written


def table_date(value: date | datetime) -> str:
    """A date as a table or a form shows it: 20/12/2021."""
    return _as_day(value).strftime("%d/%m/%Y")


def date_for_people(value: date | datetime | None, format: str = "table") -> str:  # noqa: A002 - the filter's word
    """The `date` template filter: "20/12/2021" in tables (the default, in Vietnamese), "20 tháng 12 năm 2021"
    with ``"long"`` (for a sentence that already says "ngày"); English keeps its own medium and long forms."""
    from registry.platform.i18n import current_language

    if value is None:
        return ""
    locale = current_language()
    if format == "long":
        return official_date(value, locale, lead=False)
    if locale == "vi":
        return table_date(value)
    return format_date(_as_day(value), format="medium")
