"""Vote arithmetic at and around every boundary: "all members" counts them all, recused and absent included."""
from __future__ import annotations

from decimal import Decimal

import pytest

from registry.workflow.voting import Rule, Tally, explain, vote_outcome

ALL = "all_members"
PRESENT = "present"


def rule(threshold, denominator=ALL, quorum="50", *, leave_out=False, exclusive=False) -> Rule:
    return Rule(Decimal(threshold), denominator, Decimal(quorum), recused_leave_denominator=leave_out,
                exclusive=exclusive)


@pytest.mark.parametrize("tally, the_rule, denominator, passed", [
    # 90% of all 13 members: 11 is 84.6%, 12 is 92.3%.
    (Tally(11, 2, 0, members=13, participants=13), rule("90"), 13, False),
    (Tally(12, 1, 0, members=13, participants=13), rule("90"), 13, True),
    # Exactly at the threshold passes "at least", not "more than"; one short passes neither.
    (Tally(9, 1, 0, members=10, participants=10), rule("90"), 10, True),
    (Tally(8, 2, 0, members=10, participants=10), rule("90"), 10, False),
    (Tally(2, 2, 0, members=4, participants=4), rule("50"), 4, True),
    (Tally(2, 2, 0, members=4, participants=4), rule("50", exclusive=True), 4, False),
    (Tally(3, 1, 0, members=4, participants=4), rule("50", exclusive=True), 4, True),
    # 2/3 as 66.67%: 6 of 9 is 66.666…% and does not reach 66.67; 66.66 does.
    (Tally(6, 3, 0, members=9, participants=9), rule("66.67"), 9, False),
    (Tally(6, 3, 0, members=9, participants=9), rule("66.66"), 9, True),
    # Against all members, absences count against; against those taking part, they don't.
    (Tally(7, 0, 0, members=10, participants=7), rule("75"), 10, False),
    (Tally(7, 0, 0, members=10, participants=7), rule("75", PRESENT), 7, True),
    # Abstentions count in the denominator.
    (Tally(5, 0, 3, members=8, participants=8), rule("66", PRESENT), 8, False),
    # Quorum: 5 of 10 at a 50% quorum is enough, 4 is not, even if all agree.
    (Tally(5, 0, 0, members=10, participants=5), rule("50", PRESENT), 5, True),
    (Tally(4, 0, 0, members=10, participants=4), rule("50", PRESENT), 4, False),
    # The council of 3 with one recused: 2 agree are 2 of 3 (66.7%), never "2 of 2, 100%".
    (Tally(2, 0, 0, members=3, participants=2, recused=1, present=3), rule("100"), 3, False),
    (Tally(2, 0, 0, members=3, participants=2, recused=1, present=3), rule("50"), 3, True),
    # ... and one person alone never passes "50% of all members" of 3.
    (Tally(1, 0, 0, members=3, participants=1, recused=2, present=3), rule("50"), 3, False),
    # Only when the round's rule explicitly leaves recused members out do they leave the denominator.
    (Tally(1, 0, 0, members=3, participants=1, recused=2, present=3), rule("50", leave_out=True), 1, True),
    (Tally(4, 0, 0, members=6, participants=4, recused=2, present=6), rule("90"), 6, False),
    (Tally(4, 0, 0, members=6, participants=4, recused=2, present=6), rule("90", leave_out=True), 4, True),
    # Recused members present count for the quorum (they attend), not for those taking part in the vote.
    (Tally(2, 0, 0, members=4, participants=2, recused=1, present=3), rule("50", PRESENT, "75"), 2, True),
    (Tally(2, 0, 0, members=4, participants=2, recused=0, present=2), rule("50", PRESENT, "75"), 2, False),
    # Written votes of absent members count as taking part, and for the quorum.
    (Tally(3, 0, 0, members=5, participants=3, present=1, written=2), rule("50", quorum="60"), 5, True),
    (Tally(3, 0, 0, members=5, participants=3, present=1, written=1), rule("50", quorum="60"), 5, False),
    # 2 of 5 never passes "more than 50% of all members", however few came.
    (Tally(2, 0, 1, members=5, participants=3, present=3), rule("50", exclusive=True), 5, False),
    (Tally(2, 0, 1, members=5, participants=3, present=3), rule("50", PRESENT, exclusive=True), 3, True),
    # Nobody on the council or taking part: never passes.
    (Tally(0, 0, 0, members=0, participants=0), rule("50", quorum="0"), 0, False),
    (Tally(0, 0, 0, members=5, participants=0), rule("50", PRESENT, "0"), 0, False),
])
def test_vote_outcome(tally, the_rule, denominator, passed):
    outcome = vote_outcome(tally, the_rule)
    assert outcome.denominator_count == denominator
    assert outcome.passed is passed


def record_of(tally, the_rule):
    return vote_outcome(tally, the_rule).as_record(tally, the_rule)


def test_explanation_names_every_number(app):
    record = record_of(Tally(2, 1, 1, members=5, participants=4, recused=1, present=4, written=1),
                       rule("50", exclusive=True))
    with app.test_request_context("/?lang=en"):
        assert explain(record) == (
            "Council of 5 members: 4 present, 1 recused, 1 written votes; agree 2, disagree 1, abstain 1. "
            "Threshold: more than 50% of all members (5): 2 of 5 agreed, 40%: not passed")
    record = record_of(Tally(2, 0, 0, members=3, participants=2, recused=1, present=3), rule("50", leave_out=True))
    with app.test_request_context("/?lang=en"):
        assert "at least 50% of all members not recused (2): 2 of 2 agreed, 100%: passed" in explain(record)
    record = record_of(Tally(3, 0, 0, members=9, participants=3, present=3), rule("50", PRESENT))
    with app.test_request_context("/?lang=en"):
        assert explain(record).endswith("Quorum: 50% of all members, 3 took part, not reached: not passed")


def test_explanation_in_vietnamese(app):
    record = record_of(Tally(2, 0, 0, members=3, participants=2, recused=1, present=3), rule("66.67"))
    with app.test_request_context("/?lang=vi"):
        text = explain(record)
    assert text.startswith("Hội đồng có 3 thành viên")
    assert "66,67" in text and "66,7" in text and "2/3" in text and "không được thông qua" in text


def test_a_result_recorded_before_every_number_was_kept_still_reads(app):
    record = {"agree": 11, "disagree": 2, "abstain": 0, "eligible": 13, "participants": 13,
              "threshold_percent": "90", "denominator": ALL, "quorum_percent": "50", "passed": False,
              "quorum_met": True, "denominator_count": 13, "agree_percent": "84.6"}
    with app.test_request_context("/?lang=en"):
        assert explain(record) == "11 of 13 members agreed, 84.6%, threshold 90% of all members: not passed"
