"""Pure modules: working days, around weekends and holidays (vote arithmetic: tests/workflow/test_voting.py)."""
from __future__ import annotations

from datetime import date

import pytest

from registry.workflow.workdays import add_working_days, is_working_day, working_days_between

TET = {date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20)}


@pytest.mark.parametrize("start, days, holidays, expected", [
    (date(2026, 3, 2), 0, set(), date(2026, 3, 2)),          # no consultation: the same day
    (date(2026, 3, 2), 1, set(), date(2026, 3, 3)),          # Monday + 1 = Tuesday
    (date(2026, 3, 6), 1, set(), date(2026, 3, 9)),          # Friday + 1 skips the weekend
    (date(2026, 3, 6), 10, set(), date(2026, 3, 20)),        # ten working days = two weeks
    (date(2026, 3, 7), 5, set(), date(2026, 3, 13)),         # opened on a Saturday
    (date(2026, 2, 13), 5, TET, date(2026, 2, 27)),          # the Tết week does not count
    (date(2026, 4, 29), 2, {date(2026, 4, 30), date(2026, 5, 1)}, date(2026, 5, 5)),
])
def test_add_working_days(start, days, holidays, expected):
    assert add_working_days(start, days, holidays) == expected


def test_working_days_between_and_is_working_day():
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 20)) == 10
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 27), TET) == 5
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == 0
    assert not is_working_day(date(2026, 3, 7)) and is_working_day(date(2026, 3, 9))
    assert not is_working_day(date(2026, 2, 17), TET)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)
