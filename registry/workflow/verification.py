"""Awards anyone can verify: each award's code, its public verification address and QR code, and its decision record.

The code is random (registry.entries.models.new_verification_code), printed on the certificate and checked at
``/verify/<code>``. The decision record is what the public may know of how an award was given: the decision,
the vote in numbers (never names), the number of consultation comments, and any revocation.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import segno
import sqlalchemy as sa
from flask import url_for

from registry.entries.models import VERIFICATION_ALPHABET, VERIFICATION_LENGTH, Award, EntryStatus
from registry.extensions import db
from registry.workflow.models import ConsultationComment, Nomination

# Letters people type for others that look alike: read them as the sign the alphabet keeps.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_code(text: str | None) -> str | None:
    """The code as stored, from what someone typed (any case, spaces or dashes); None if it cannot be one."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum()).translate(_LOOKALIKES)
    if len(cleaned) != VERIFICATION_LENGTH or any(ch not in VERIFICATION_ALPHABET for ch in cleaned):
        return None
    return cleaned


def format_code(code: str) -> str:
    """The code as printed: two groups of five (ABCDE-FGHJK)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def award_by_code(text: str | None) -> Award | None:
    """The award a typed code names, if its entry is public; None for a made-up or mistyped code."""
    code = normalise_code(text)
    if code is None:
        return None
    award = db.session.scalar(sa.select(Award).where(Award.verification_code == code))
    if award is None or award.entry.status != EntryStatus.PUBLISHED:
        return None
    return award


def verification_url(award: Award) -> str:
    """The public address that verifies ``award`` (for certificates and QR codes)."""
    return url_for("verification.show", code=format_code(award.verification_code), _external=True)


def award_qr_svg(award: Award, *, scale: int = 4) -> str:
    """An SVG QR code of the award's verification address, to print on its certificate or show on a page."""
    qr = segno.make(verification_url(award), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, nl=False, border=2,
            title=format_code(award.verification_code))
    return out.getvalue().decode("utf-8")


@dataclass(frozen=True)
class DecisionRecord:
    """What anyone may know of how one award was given (numbers only: no voter's name, ever)."""

    award: Award
    code: str | None
    url: str | None
    # The vote as recorded when it closed (numbers and the rule), or None for an award recorded from outside.
    vote: dict | None
    secret_ballot: bool | None
    comments: int | None

    @property
    def revoked(self) -> bool:
        return self.award.is_revoked

    @property
    def decision_date(self) -> date | None:
        return self.award.decision_date


VOTE_NUMBERS = ("members", "eligible", "present", "recused", "written", "agree", "disagree", "abstain", "participants",
                "denominator", "denominator_count", "threshold_percent", "exclusive", "recused_leave_denominator",
                "quorum_percent", "quorum_met", "agree_percent", "passed")


def _public_vote(result: dict | None) -> dict | None:
    # Only the counts and the rule: a record never carries names, and nothing else is let out.
    if not result:
        return None
    return {key: result[key] for key in VOTE_NUMBERS if key in result}


def decision_records(awards: Iterable[Award]) -> dict[int, DecisionRecord]:
    """The decision record of each award, by award id, in two queries whatever their number."""
    awards = list(awards)
    ids = [a.id for a in awards if a.id is not None]
    nominations = {n.award_id: n for n in db.session.scalars(
        sa.select(Nomination).where(Nomination.award_id.in_(ids)))} if ids else {}
    counts = dict(db.session.execute(
        sa.select(ConsultationComment.nomination_id, sa.func.count())
        .where(ConsultationComment.nomination_id.in_([n.id for n in nominations.values()]))
        .group_by(ConsultationComment.nomination_id)
    ).all()) if nominations else {}
    records = {}
    for award in awards:
        nomination = nominations.get(award.id)
        code = award.verification_code
        records[award.id] = DecisionRecord(
            award=award, code=format_code(code) if code else None, url=verification_url(award) if code else None,
            vote=_public_vote(nomination.vote_result) if nomination else None,
            secret_ballot=(nomination.vote_result or {}).get("ballot") == "secret" if nomination else None,
            comments=counts.get(nomination.id, 0) if nomination else None,
        )
    return records


def decision_record_json(record: DecisionRecord) -> dict:
    """The decision record for the API and other programs."""
    return {
        "verification_code": record.code,
        "verification_url": record.url,
        "vote": record.vote,
        "ballot": None if record.secret_ballot is None else ("secret" if record.secret_ballot else "open"),
        "consultation_comments": record.comments,
    }
