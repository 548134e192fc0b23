"""Set-ups shared by the workflow tests, through the domain functions (the pages are tested in the journey)."""
from __future__ import annotations

from datetime import date

from registry import ballots
from registry.dossiers import attachment_add, nomination_create, nomination_submit, nomination_update
from registry.extensions import db
from registry.models import EntryKind, Unit
from registry.workflow import nomination_transition
from registry.workflow_models import AttachmentKind, Nomination, Round, User

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def users(world, *keys) -> list[User]:
    return [db.session.get(User, world.users[k]) for k in keys]


def complete_nomination(world, *, unit_id: int | None = None, title: str = "Phạm Văn Hùng") -> Nomination:
    """A complete dossier, submitted (call inside an app or request context)."""
    officer, = users(world, "officer")
    nomination = nomination_create(round_=db.session.get(Round, world.round),
                                   unit=db.session.get(Unit, unit_id or world.group), actor=officer,
                                   kind=EntryKind.INDIVIDUAL, title=title)
    nomination_update(nomination, fields={
        "summary": "Cứu người đuối nước.", "report": "Thành tích xuất sắc.", "letter_number": "12/TTr",
        "letter_date": date.today(), "letter_signer": "Nguyễn B", "private_phone": "0987654321",
    }, actor=officer)
    for kind in (AttachmentKind.PROPOSAL_LETTER, AttachmentKind.MINUTES):
        attachment_add(nomination, kind=kind, data=PDF, filename=f"{kind.value}.pdf", actor=officer)
    nomination_submit(nomination, actor=officer)
    return nomination


def nomination_in_vote(world, *, present: tuple[str, ...] = ("chair", "member1", "member2", "member3"),
                       **kwargs) -> Nomination:
    """A complete dossier, accepted, on a session's agenda with the given members present, vote open."""
    nomination = complete_nomination(world, **kwargs)
    secretary, = users(world, "secretary")
    nomination_transition(nomination, "accept", actor=secretary)
    session = ballots.session_create(nomination.round, held_on=date.today(), place="Hội trường")
    ballots.session_assign(session, [nomination])
    ballots.session_set_attendance(session, {world.users[k] for k in present})
    ballots.vote_open(nomination, actor=secretary)
    return nomination
