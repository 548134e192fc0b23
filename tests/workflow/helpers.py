"""Set-ups shared by the workflow tests, through the domain functions (the pages are tested in the journey)."""
from __future__ import annotations

from datetime import date

from registry.accounts.models import User
from registry.catalog.models import Unit
from registry.entries.models import EntryKind
from registry.extensions import db
from registry.workflow import ballots
from registry.workflow.actions import nomination_transition
from registry.workflow.dossiers import attachment_add, nomination_create, nomination_submit, nomination_update
from registry.workflow.models import AttachmentKind, Nomination, Round

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def users(world, *keys) -> list[User]:
    return [db.session.get(User, world.users[k]) for k in keys]


def complete_nomination(world, *, unit_id: int | None = None, title: str = "Phạm Văn Hùng") -> Nomination:
    """A complete dossier, submitted (call inside an app or request context)."""
    officer, = users(world, "officer")
    nomination = nomination_create(round_=db.session.get(Round, world.round),
                                   unit=db.session.get(Unit, unit_id or world.group), actor=officer,
                                   kind=EntryKind.INDIVIDUAL, title=title)
    submit_complete(nomination, actor=officer, fields={"summary": "Cứu người đuối nước.",
                                                        "private_phone": "0987654321"})
    return nomination


def submit_complete(nomination: Nomination, *, actor: User, fields: dict | None = None) -> None:
    """Fill in the report and the proposal letter (and ``fields``), attach the documents, submit."""
    nomination_update(nomination, fields={
        "report": "Thành tích xuất sắc.", "letter_number": "12/TTr", "letter_date": date.today(),
        "letter_signer": "Nguyễn B", **(fields or {}),
    }, actor=actor)
    for kind in (AttachmentKind.PROPOSAL_LETTER, AttachmentKind.MINUTES):
        attachment_add(nomination, kind=kind, data=PDF, filename=f"{kind.value}.pdf", actor=actor)
    nomination_submit(nomination, actor=actor)


def nomination_in_vote(world, *, present: tuple[str, ...] = ("chair", "member1", "member2", "member3"),
                       **kwargs) -> Nomination:
    """A complete dossier, accepted, on a session's agenda with the given members present, vote open."""
    nomination = complete_nomination(world, **kwargs)
    open_vote(world, nomination, present=present)
    return nomination


def open_vote(world, nomination: Nomination, *,
              present: tuple[str, ...] = ("chair", "member1", "member2", "member3")) -> None:
    """Accept a submitted dossier, put it on a session's agenda with the given members present, open the vote."""
    secretary, = users(world, "secretary")
    nomination_transition(nomination, "accept", actor=secretary)
    session = ballots.session_create(nomination.round, held_on=date.today(), place="Hội trường")
    ballots.session_assign(session, [nomination])
    ballots.session_set_attendance(session, {world.users[k] for k in present})
    ballots.vote_open(nomination, actor=secretary)


def pass_vote(world, nomination: Nomination) -> None:
    """Every member votes for the open nomination; the secretary closes the vote."""
    from registry.workflow.models import VoteChoice

    for key in ("chair", "member1", "member2", "member3"):
        ballots.vote_cast(nomination, voter=users(world, key)[0], choice=VoteChoice.AGREE)
    ballots.vote_close(nomination, actor=users(world, "secretary")[0])


def decide(world, nominations: list[Nomination], *, number: int):
    """Record the commune's decision ``number`` for nominations that passed."""
    from registry.workflow.decisions import decision_record
    from registry.workflow.models import NumberingStyle

    return decision_record(round_=nominations[0].round, issuer=db.session.get(Unit, world.commune),
                           style=NumberingStyle.STATE, number=number, symbol="QĐ-UBND", signed_on=date.today(),
                           signer="Lê C", signer_position="Chủ tịch", legal_basis="", term=None,
                           actor=users(world, "secretary")[0], nominations=nominations)


def carry_to_publication(world, nomination: Nomination, *, number: int) -> None:
    """From submitted to published: accepted, voted for by everyone, decided under ``number``, published."""
    from registry.workflow.decisions import nomination_publish

    open_vote(world, nomination)
    pass_vote(world, nomination)
    decide(world, [nomination], number=number)
    nomination_publish(nomination, actor=users(world, "secretary")[0])
