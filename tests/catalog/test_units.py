"""Pure modules: working days and vote arithmetic, at and around the thresholds."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.workflow.voting import Rule, Tally, explain, vote_outcome
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


ALL = "all_members"
PRESENT = "present"


@pytest.mark.parametrize("agree, disagree, abstain, eligible, participants, threshold, denominator, quorum, passed", [
    # 90% of all 13 members: 11 is 84.6%, 12 is 92.3%.
    (11, 2, 0, 13, 13, "90", ALL, "50", False),
    (12, 1, 0, 13, 13, "90", ALL, "50", True),
    # Exactly at the threshold passes ("at least").
    (9, 1, 0, 10, 10, "90", ALL, "50", True),
    (8, 2, 0, 10, 10, "90", ALL, "50", False),
    # 2/3 as 66.67%: 6 of 9 is 66.666…% and does not reach 66.67; 66.66 does.
    (6, 3, 0, 9, 9, "66.67", ALL, "50", False),
    (6, 3, 0, 9, 9, "66.66", ALL, "50", True),
    # Against all members, absences count against; against those present, they don't.
    (7, 0, 0, 10, 7, "75", ALL, "50", False),
    (7, 0, 0, 10, 7, "75", PRESENT, "50", True),
    # Abstentions count in the denominator.
    (5, 0, 3, 8, 8, "66", PRESENT, "50", False),
    # Quorum: 5 of 10 at a 50% quorum is enough, 4 is not — even if all agree.
    (5, 0, 0, 10, 5, "50", PRESENT, "50", True),
    (4, 0, 0, 10, 4, "50", PRESENT, "50", False),
    # Conflicts shrink the eligible count: 4 of 4 eligible (2 conflicted out of 6).
    (4, 0, 0, 4, 4, "90", ALL, "50", True),
    # Nobody eligible or present: never passes.
    (0, 0, 0, 0, 0, "50", ALL, "0", False),
    (0, 0, 0, 5, 0, "50", PRESENT, "0", False),
])
def test_vote_outcome(agree, disagree, abstain, eligible, participants, threshold, denominator, quorum, passed):
    tally = Tally(agree, disagree, abstain, eligible, participants)
    rule = Rule(Decimal(threshold), denominator, Decimal(quorum))
    assert vote_outcome(tally, rule).passed is passed


def test_explanation_in_words(app):
    tally = Tally(11, 2, 0, 13, 13)
    rule = Rule(Decimal("90"), ALL, Decimal("50"))
    record = vote_outcome(tally, rule).as_record(tally, rule)
    with app.test_request_context("/?lang=en"):
        assert explain(record) == "11 of 13 members agreed, 84.6%, threshold 90% of all members: not passed"
    tally = Tally(3, 0, 0, 10, 3)
    rule = Rule(Decimal("50"), PRESENT, Decimal("50"))
    record = vote_outcome(tally, rule).as_record(tally, rule)
    with app.test_request_context("/?lang=en"):
        assert explain(record) == "3 of 10 members took part, below the quorum of 50%: not passed"


def test_percentages_follow_the_locale(app):
    tally = Tally(11, 2, 0, 13, 13)
    rule = Rule(Decimal("66.67"), ALL, Decimal("50"))
    record = vote_outcome(tally, rule).as_record(tally, rule)
    with app.test_request_context("/?lang=vi"):
        text = explain(record)
    assert "84,6" in text and "66,67" in text
