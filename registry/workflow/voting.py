"""Vote arithmetic: whether a nomination passes under a round's rule, explained with every number."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import ngettext


@dataclass(frozen=True)
class Tally:
    """Counts for one nomination.

    ``members`` is the whole council (members and chair), recused ones included. ``present`` counts members at
    the session (recused ones too: they attend, they do not vote); ``written`` the absent members who voted in
    writing; ``participants`` the members who may vote and took part (present or in writing, not recused).
    """

    agree: int
    disagree: int
    abstain: int
    members: int
    participants: int
    recused: int = 0
    present: int | None = None
    written: int = 0

    @property
    def attending(self) -> int:
        """Members taking part in the meeting for the quorum: present (recused included) or voting in writing."""
        present = self.participants + self.recused - self.written if self.present is None else self.present
        return present + self.written


@dataclass(frozen=True)
class Rule:
    threshold_percent: Decimal
    denominator: str  # "all_members" or "present"
    quorum_percent: Decimal
    # An explicit option of the round: recused members leave an "all members" denominator.
    recused_leave_denominator: bool = False
    # "More than" the threshold instead of "at least" it.
    exclusive: bool = False


@dataclass(frozen=True)
class Outcome:
    passed: bool
    quorum_met: bool
    denominator_count: int
    agree_percent: Decimal

    def as_record(self, tally: Tally, rule: Rule) -> dict:
        """A JSON-able record of the tally, the rule and the outcome, kept with the nomination."""
        counts = asdict(tally)
        counts["present"] = tally.attending - tally.written
        return {
            **counts,
            "threshold_percent": str(rule.threshold_percent),
            "denominator": rule.denominator,
            "quorum_percent": str(rule.quorum_percent),
            "recused_leave_denominator": rule.recused_leave_denominator,
            "exclusive": rule.exclusive,
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "denominator_count": self.denominator_count,
            "agree_percent": str(self.agree_percent),
        }


def _reaches(part: int, whole: int, percent: Decimal, *, exclusive: bool = False) -> bool:
    # Exact: part/whole >= (or >) percent/100, without floating point ("at least 90%" includes 90%).
    if exclusive:
        return Decimal(part) * 100 > Decimal(percent) * whole
    return Decimal(part) * 100 >= Decimal(percent) * whole


def denominator_count(tally: Tally, rule: Rule) -> int:
    """All members (recused included unless the rule says otherwise), or the members taking part in the vote."""
    if rule.denominator == "all_members":
        return tally.members - (tally.recused if rule.recused_leave_denominator else 0)
    return tally.participants


def vote_outcome(tally: Tally, rule: Rule) -> Outcome:
    """Apply the rule: the quorum of all members first, then agree votes against the threshold and its denominator."""
    quorum_met = tally.members > 0 and _reaches(tally.attending, tally.members, rule.quorum_percent)
    denominator = denominator_count(tally, rule)
    percent = (
        (Decimal(tally.agree) * 100 / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if denominator else Decimal("0")
    )
    passed = quorum_met and denominator > 0 and _reaches(tally.agree, denominator, rule.threshold_percent,
                                                          exclusive=rule.exclusive)
    return Outcome(passed=passed, quorum_met=quorum_met, denominator_count=denominator, agree_percent=percent)


def _percent(value) -> str:
    from flask_babel import format_decimal

    return format_decimal(Decimal(str(value)), format="#,##0.##")


def _threshold_words(record: dict) -> str:
    threshold, count = _percent(record["threshold_percent"]), record["denominator_count"]
    exclusive = record.get("exclusive", False)
    if record["denominator"] != "all_members":
        if exclusive:
            return _("more than %(threshold)s%% of the members taking part in the vote (%(count)d)",
                     threshold=threshold, count=count)
        return _("at least %(threshold)s%% of the members taking part in the vote (%(count)d)",
                 threshold=threshold, count=count)
    if record.get("recused_leave_denominator"):
        if exclusive:
            return _("more than %(threshold)s%% of all members not recused (%(count)d)",
                     threshold=threshold, count=count)
        return _("at least %(threshold)s%% of all members not recused (%(count)d)", threshold=threshold, count=count)
    if exclusive:
        return _("more than %(threshold)s%% of all members (%(count)d)", threshold=threshold, count=count)
    return _("at least %(threshold)s%% of all members (%(count)d)", threshold=threshold, count=count)


def explain(record: dict) -> str:
    """Say the result with every number: members, present, recused, written votes, the votes, threshold, denominator.

    "Council of 5 members: 4 present, 1 recused, 1 written vote; agree 2, disagree 1, abstain 1. Threshold: more
    than 50% of all members (5): 2 of 5 agreed, 40%: not passed."
    """
    if "members" not in record:
        return _explain_earlier(record)
    verdict = _("passed") if record["passed"] else _("not passed")
    council = ngettext("Council of %(num)d member", "Council of %(num)d members", record["members"])
    attendance = _("%(present)d present, %(recused)d recused, %(written)d written votes",
                   present=record["present"], recused=record["recused"], written=record["written"])
    votes = _("agree %(agree)d, disagree %(disagree)d, abstain %(abstain)d",
              agree=record["agree"], disagree=record["disagree"], abstain=record["abstain"])
    if not record["quorum_met"]:
        return _("%(council)s: %(attendance)s; %(votes)s. Quorum: %(quorum)s%% of all members, %(taking)d took part, "
                 "not reached: %(verdict)s",
                 council=council, attendance=attendance, votes=votes, quorum=_percent(record["quorum_percent"]),
                 taking=record["present"] + record["written"], verdict=verdict)
    return _("%(council)s: %(attendance)s; %(votes)s. Threshold: %(rule)s: %(agree)d of %(count)d agreed, "
             "%(percent)s%%: %(verdict)s",
             council=council, attendance=attendance, votes=votes, rule=_threshold_words(record),
             agree=record["agree"], count=record["denominator_count"], percent=_percent(record["agree_percent"]),
             verdict=verdict)


def _explain_earlier(record: dict) -> str:
    """A result recorded before every number was kept (counted among the members without a conflict)."""
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
