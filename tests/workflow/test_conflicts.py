"""Conflicts of interest are narrow, proposed to the secretary with their reason, and recorded either way."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from registry.accounts.models import Role
from registry.accounts.operations import user_add_role
from registry.catalog.models import AwardTitle, Unit
from registry.entries.models import EntryKind
from registry.extensions import db
from registry.workflow import ballots
from registry.workflow.actions import WorkflowError, nomination_transition
from registry.workflow.dossiers import nomination_create
from registry.workflow.models import AuditEvent, ConflictGrounds, Nomination, Round, VoteChoice
from tests.support.clients import client_for, post
from tests.support.world import make_world, submit_complete, users

A = VoteChoice.AGREE


def on_agenda(world, *, kind=EntryKind.INDIVIDUAL, title="Phạm Văn Hùng", unit_id=None, present=None):
    """A submitted dossier of the group (or ``unit_id``), accepted and on a session's agenda; the vote not open."""
    officer, secretary = users(world, "officer", "secretary")
    unit = db.session.get(Unit, unit_id or world.group)
    if kind == EntryKind.COLLECTIVE:
        round_ = db.session.get(Round, world.round)
        round_.title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Tập thể lao động tiên tiến"))
    nomination = nomination_create(round_=db.session.get(Round, world.round), unit=unit, actor=officer,
                                   kind=kind, title=title)
    submit_complete(nomination, actor=officer)
    nomination_transition(nomination, "accept", actor=secretary)
    session = ballots.session_create(nomination.round, held_on=date.today(), place="Hội trường")
    ballots.session_assign(session, [nomination])
    keys = present or ("chair", "member1", "member2", "member3")
    ballots.session_set_attendance(session, {world.users[k] for k in keys})
    return nomination


def test_the_communes_own_leaders_are_not_in_conflict_on_its_nominations(app):
    """The issue's council: the chair's and the Front chairman's own unit is the commune the council serves."""
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        chair, member1, secretary, officer = users(world, "chair", "member1", "secretary", "officer")
        chair.unit_id = member1.unit_id = secretary.unit_id = world.commune
        user_add_role(officer, Role.UNIT_OFFICER, unit_id=world.commune)
        for unit_id in (world.group, world.commune):
            nomination = on_agenda(world, unit_id=unit_id)
            assert ballots.conflict_proposals(nomination) == []
            assert len(ballots.eligible_members(nomination)) == 4
            assert not ballots.conflicted(secretary, nomination)
            ballots.vote_open(nomination, actor=secretary)
            assert ballots.can_vote_on(chair, nomination) and ballots.can_vote_on(member1, nomination)


@pytest.mark.parametrize("setup, grounds", [
    ("collective", ConflictGrounds.COLLECTIVE),
    ("nominee", ConflictGrounds.NOMINEE),
    ("signer", ConflictGrounds.NOMINATING_UNIT),
    ("unit_head", ConflictGrounds.NOMINATING_UNIT),
])
def test_a_narrow_conflict_is_proposed_with_its_reason_and_holds_the_vote_until_decided(app, setup, grounds):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        member2, secretary = users(world, "member2", "secretary")
        kind = EntryKind.COLLECTIVE if setup == "collective" else EntryKind.INDIVIDUAL
        if setup in ("collective", "unit_head"):
            member2.unit_id = world.group
        title = member2.name if setup == "nominee" else "Tổ dân phố số 5"
        nomination = on_agenda(world, kind=kind, title=title)
        if setup == "signer":
            nomination.letter_signer = f"  {member2.name.upper()} "
        assert ballots.conflict_proposals(nomination) == [(member2, grounds)]
        # Proposed, not imposed: the member is still eligible, and the vote waits for the secretary.
        assert ballots.is_eligible(member2, nomination)
        with pytest.raises(WorkflowError, match="proposed conflicts"):
            ballots.vote_open(nomination, actor=secretary)
        ballots.conflict_decide(nomination, member=member2, recuse=True, actor=secretary, note="Tổ trưởng")
        assert ballots.conflict_proposals(nomination) == []
        assert not ballots.is_eligible(member2, nomination)
        assert ballots.conflicts(nomination) == [(member2, f"{grounds.label} (Tổ trưởng)")]
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.nomination_id == nomination.id,
                                                               AuditEvent.action == "recuse")).one()
        assert event.actor_id == secretary.id and member2.name in event.comment and str(grounds.label) in event.comment
        ballots.vote_open(nomination, actor=secretary)
        with pytest.raises(WorkflowError):
            ballots.vote_cast(nomination, voter=member2, choice=A)


def test_the_secretary_may_find_no_conflict_and_the_member_votes(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        member2, secretary, chair = users(world, "member2", "secretary", "chair")
        member2.unit_id = world.group
        nomination = on_agenda(world)
        with pytest.raises(WorkflowError):
            ballots.conflict_decide(nomination, member=member2, recuse=False, actor=chair)
        ballots.conflict_decide(nomination, member=member2, recuse=False, actor=secretary)
        assert ballots.conflict_proposals(nomination) == [] and ballots.conflicts(nomination) == []
        assert db.session.scalar(sa.select(AuditEvent.comment).where(
            AuditEvent.nomination_id == nomination.id, AuditEvent.action == "keep_in_vote")).startswith(member2.name)
        ballots.vote_open(nomination, actor=secretary)
        ballots.vote_cast(nomination, voter=member2, choice=A)
        # A member may still declare a personal reason of their own; here they have voted already.
        with pytest.raises(WorkflowError):
            ballots.conflict_declare(nomination, member=member2, reason="Người thân")


def test_secretary_decides_on_the_page_and_nobody_else_can(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        member2, = users(world, "member2")
        member2.unit_id = world.group
        nid = on_agenda(world).id
        db.session.commit()
    member = client_for(app, world, "member1")
    page = member.get(f"/nominations/{nid}?lang=en").get_data(as_text=True)
    assert "Possible conflicts of interest" in page and "Record the decision on this conflict" not in page
    assert post(member, f"/council/nominations/{nid}/conflicts/decide",
                {"member": world.users["member2"], "recuse": "yes"}).status_code == 403
    secretary = client_for(app, world, "secretary")
    page = secretary.get(f"/nominations/{nid}?lang=en").get_data(as_text=True)
    assert "Member2: the member leads the unit that wrote the dossier" in page.replace("<strong>", "").replace(
        "</strong>", "")
    r = post(secretary, f"/council/nominations/{nid}/conflicts/decide",
             {"member": world.users["member2"], "recuse": "yes", "note": "Tổ trưởng"}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "Member2 is recused from this vote" in text
    assert "Recused a member from the vote" in text
    with app.app_context():
        assert ballots.recused_ids(db.session.get(Nomination, nid)) == {world.users["member2"]}


def test_the_secretary_who_does_not_vote_is_never_told_of_a_conflict(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        secretary, = users(world, "secretary")
        secretary.unit_id = world.group
        nid = on_agenda(world).id
        ballots.vote_open(db.session.get(Nomination, nid), actor=secretary)
        db.session.commit()
    page = client_for(app, world, "secretary").get(f"/nominations/{nid}?lang=en").get_data(as_text=True)
    assert "recused" not in page.lower().replace("recused from this vote (they", "")
    assert "conflict of interest and do not vote" not in page
