"""Vote arithmetic: whether a nomination passes under a round's rule, explained in words."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import ngettext


@dataclass(frozen=True)
class Tally:
    """Counts for one nomination. ``eligible`` excludes members with a conflict of interest."""

    agree: int
    disagree: int
    abstain: int
    eligible: int
    # Eligible members who took part: present at the session or voting in writing.
    participants: int


@dataclass(frozen=True)
class Rule:
    threshold_percent: Decimal
    denominator: str  # "all_members" or "present"
    quorum_percent: Decimal


@dataclass(frozen=True)
class Outcome:
    passed: bool
    quorum_met: bool
    denominator_count: int
    agree_percent: Decimal

    def as_record(self, tally: Tally, rule: Rule) -> dict:
        """A JSON-able record of the tally, the rule and the outcome, kept with the nomination."""
        return {
            **asdict(tally),
            "threshold_percent": str(rule.threshold_percent),
            "denominator": rule.denominator,
            "quorum_percent": str(rule.quorum_percent),
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "denominator_count": self.denominator_count,
            "agree_percent": str(self.agree_percent),
        }


def _at_least(part: int, whole: int, percent: Decimal) -> bool:
    # Exact: part/whole >= percent/100, without floating point ("at least 90%" includes 90%).
    return Decimal(part) * 100 >= Decimal(percent) * whole


def vote_outcome(tally: Tally, rule: Rule) -> Outcome:
    """Apply the rule: quorum of eligible members first, then agree votes against the threshold."""
    quorum_met = tally.eligible > 0 and _at_least(tally.participants, tally.eligible, rule.quorum_percent)
    denominator = tally.eligible if rule.denominator == "all_members" else tally.participants
    percent = (
        (Decimal(tally.agree) * 100 / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if denominator else Decimal("0")
    )
    passed = quorum_met and denominator > 0 and _at_least(tally.agree, denominator, rule.threshold_percent)
    return Outcome(passed=passed, quorum_met=quorum_met, denominator_count=denominator, agree_percent=percent)


def _percent(value) -> str:
    from flask_babel import format_decimal

    return format_decimal(Decimal(str(value)), format="#,##0.##")


def explain(record: dict) -> str:
    """Say the result in words: "11 of 13 members agreed, 84.6%, threshold 90% of all members: not passed"."""
    verdict = _("passed") if record["passed"] else _("not passed")
    if not record["quorum_met"]:
        return _(
            "%(participants)s of %(eligible)s members took part, below the quorum of %(quorum)s%%: %(verdict)s",
            participants=record["participants"], eligible=record["eligible"],
            quorum=_percent(record["quorum_percent"]), verdict=verdict,
        )
    agreed = ngettext(
        "%(agree)s of %(num)s member agreed", "%(agree)s of %(num)s members agreed", record["denominator_count"],
        agree=record["agree"],
    )
    if record["denominator"] == "all_members":
        rule = _("threshold %(threshold)s%% of all members", threshold=_percent(record["threshold_percent"]))
    else:
        rule = _("threshold %(threshold)s%% of the members taking part", threshold=_percent(record["threshold_percent"]))
    return _("%(agreed)s, %(percent)s%%, %(rule)s: %(verdict)s",
             agreed=agreed, percent=_percent(record["agree_percent"]), rule=rule, verdict=verdict)
