"""Review, conflicts of interest and the vote: once-only ballots, secret ballots that never leak, closing."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.workflow import ballots
from registry.workflow.actions import WorkflowError
from registry.workflow.models import (
    Ballot,
    BallotKind,
    Denominator,
    Nomination,
    NominationState,
    VoteChoice,
    VoteRecord,
)
from tests.support.clients import client_for, post
from tests.support.world import make_world, nomination_in_vote, users

A, D, X = VoteChoice.AGREE, VoteChoice.DISAGREE, VoteChoice.ABSTAIN


def cast(world, nomination, votes: dict[str, VoteChoice]) -> None:
    for key, choice in votes.items():
        voter, = users(world, key)
        ballots.vote_cast(nomination, voter=voter, choice=choice)


@pytest.mark.parametrize("leave_out, passed", [(False, False), (True, True)])
def test_declared_conflict_removes_the_member_from_the_vote_not_from_all_members(app, leave_out, passed):
    """3 of 4 agree with one recused: 75% of all members; 100% of the members not recused only if the round says so."""
    world = make_world(app, threshold="100", denominator=Denominator.ALL_MEMBERS)
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        nomination.round.recused_leave_denominator = leave_out
        member3, secretary = users(world, "member3", "secretary")
        ballots.conflict_declare(nomination, member=member3, reason="Người thân của tôi.")
        with pytest.raises(WorkflowError):
            ballots.vote_cast(nomination, voter=member3, choice=A)
        cast(world, nomination, {"chair": A, "member1": A, "member2": A})
        record = ballots.vote_close(nomination, actor=secretary)
        assert (record["members"], record["recused"], record["agree"]) == (4, 1, 3)
        assert record["denominator_count"] == (3 if leave_out else 4)
        assert record["passed"] is passed
        assert nomination.state == (NominationState.PASSED if passed else NominationState.NOT_PASSED)


def test_each_member_votes_once_even_from_two_tabs(app):
    world = make_world(app)
    with app.app_context():
        nomination = nomination_in_vote(world)
        db.session.commit()
        nid = nomination.id
    tab1, tab2 = client_for(app, world, "member1"), client_for(app, world, "member1")
    assert post(tab1, f"/council/nominations/{nid}/vote", {"choice": "agree"}).status_code == 302
    r = post(tab2, f"/council/nominations/{nid}/vote", {"choice": "disagree"}, follow_redirects=True)
    assert "You cannot vote on this nomination" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.nomination_id == nid)) == 1
        # And the database itself refuses a second record, whatever the page checks.
        member1, = users(world, "member1")
        with pytest.raises(WorkflowError):
            ballots.vote_cast(db.session.get(Nomination, nid), voter=member1, choice=D)


def test_concurrent_votes_of_the_same_member_count_once(app):
    world = make_world(app)
    with app.app_context():
        nomination = nomination_in_vote(world)
        db.session.commit()
        nid = nomination.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote(choice):
        with app.app_context():
            item = db.session.get(Nomination, nid)
            voter, = users(world, "member2")
            barrier.wait()
            try:
                ballots.vote_cast(item, voter=voter, choice=choice)
                db.session.commit()
                outcomes.append("ok")
            except WorkflowError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(c,)) for c in (A, D)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "refused"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(VoteRecord.id)).where(VoteRecord.nomination_id == nid)) == 1
        assert db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.nomination_id == nid)) == 1


def test_written_votes_only_where_the_rules_allow_and_only_for_absent_members(app):
    world = make_world(app, written=True, denominator=Denominator.PRESENT, quorum="75", threshold="75")
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world, present=("chair", "member1"))
        secretary, member1, member2 = users(world, "secretary", "member1", "member2")
        with pytest.raises(WorkflowError, match="in person"):
            ballots.vote_cast(nomination, voter=member1, choice=A, recorded_by=secretary)
        with pytest.raises(WorkflowError, match="secretary"):
            ballots.vote_cast(nomination, voter=member2, choice=A, recorded_by=member1)
        ballots.vote_cast(nomination, voter=member2, choice=A, recorded_by=secretary)
        cast(world, nomination, {"chair": A, "member1": D})
        # 3 of 4 took part (2 present + 1 written) = 75% quorum; 2 of 3 agreed = 66.7% < 75%.
        record = ballots.vote_close(nomination, actor=secretary)
        assert (record["participants"], record["agree"], record["passed"]) == (3, 2, False)
        assert nomination.state == NominationState.NOT_PASSED


def test_written_votes_refused_when_the_rules_do_not_allow_them(app):
    world = make_world(app, written=False)
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world, present=("chair",))
        secretary, member2 = users(world, "secretary", "member2")
        with pytest.raises(WorkflowError, match="written"):
            ballots.vote_cast(nomination, voter=member2, choice=A, recorded_by=secretary)


def test_quorum_not_met_means_not_passed_with_the_reason_in_words(app):
    world = make_world(app, quorum="75", threshold="50")
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world, present=("chair", "member1"))
        cast(world, nomination, {"chair": A, "member1": A})
        record = ballots.vote_close(nomination, actor=users(world, "secretary")[0])
        assert not record["passed"] and not record["quorum_met"]
        from registry.workflow.voting import explain
        assert explain(record) == ("Council of 4 members: 2 present, 0 recused, 0 written votes; agree 2, disagree 0, "
                                   "abstain 0. Quorum: 75% of all members, 2 took part, not reached: not passed")


def _secret_round_closed(app, world):
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        cast(world, nomination, {"chair": A, "member1": D, "member2": X, "member3": A})
        ballots.vote_close(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
        return nomination.id, nomination.session_id


def test_secret_ballot_stores_no_voter_and_shows_only_tallies(app):
    world = make_world(app, ballot=BallotKind.SECRET)
    nid, session_id = _secret_round_closed(app, world)
    with app.app_context():
        rows = db.session.scalars(sa.select(Ballot).where(Ballot.nomination_id == nid)).all()
        assert len(rows) == 4 and all(b.voter_id is None and b.sealed is None for b in rows)
        # No time, no sequence: the columns say nothing but the choice (sealed until the vote closed).
        assert {c.name for c in Ballot.__table__.columns} == {"id", "nomination_id", "choice", "sealed", "voter_id"}
        assert all(len(b.id) == 32 for b in rows)
        if db.engine.dialect.name == "sqlite":
            # SQLite's hidden rowid would keep the arrival order; the table has none.
            with pytest.raises(sa.exc.OperationalError):
                db.session.execute(sa.text("SELECT rowid FROM ballot")).all()
            db.session.rollback()
    names = ["Chair", "Member1", "Member2", "Member3"]
    for who in ("secretary", "chair", "member1", "admin", "officer"):
        client = client_for(app, world, who)
        pages = [client.get(f"/nominations/{nid}").get_data(as_text=True),
                 client.get(f"/council/sessions/{session_id}/minutes").get_data(as_text=True)]
        for html in pages:
            for choice in ("Agree", "Disagree", "Abstain"):
                for name in names:
                    assert f"{choice}: {name}" not in html, (who, choice, name)
        if who in ("secretary", "chair", "member1"):
            assert "Agree: 2 · Disagree: 1 · Abstain: 1" in pages[0]
    citizen = client_for(app, world, None)
    assert citizen.get(f"/nominations/{nid}").status_code == 302
    # The API serves the public showcase only: nothing about nominations or ballots.
    api_rules = [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert api_rules and not [r for r in api_rules if "nomination" in r or "ballot" in r or "vote" in r]


def test_open_ballot_shows_the_names(app):
    world = make_world(app, ballot=BallotKind.OPEN)
    nid, session_id = _secret_round_closed(app, world)
    html = client_for(app, world, "secretary").get(f"/council/sessions/{session_id}/minutes").get_data(as_text=True)
    assert "Agree: Chair, Member3" in html and "Disagree: Member1" in html and "Abstain: Member2" in html


def test_running_tallies_stay_hidden_while_the_vote_is_open(app):
    world = make_world(app)
    with app.app_context():
        nomination = nomination_in_vote(world)
        cast(world, nomination, {"chair": A, "member1": D})
        db.session.commit()
        nid = nomination.id
    html = client_for(app, world, "secretary").get(f"/nominations/{nid}").get_data(as_text=True)
    assert "2 of 4 eligible members have voted." in html
    assert "Agree: 1" not in html and "Disagree: 1" not in html


def test_review_notes_and_conflicts_through_the_pages(app):
    world = make_world(app)
    with app.app_context():
        from registry.workflow.actions import nomination_transition
        from tests.support.world import complete_nomination

        nomination = complete_nomination(world)
        nomination_transition(nomination, "accept", actor=users(world, "secretary")[0])
        db.session.commit()
        nid = nomination.id
    member = client_for(app, world, "member2")
    post(member, f"/council/nominations/{nid}/notes", {"body": "Hồ sơ đầy đủ, thành tích rõ."})
    post(member, f"/council/nominations/{nid}/conflict", {"reason": "Cùng cơ quan."})
    html = client_for(app, world, "chair").get(f"/nominations/{nid}").get_data(as_text=True)
    assert "Hồ sơ đầy đủ, thành tích rõ." in html and "Cùng cơ quan." in html
    # The unit never sees the council's notes.
    assert "Hồ sơ đầy đủ" not in client_for(app, world, "officer").get(f"/nominations/{nid}").get_data(as_text=True)
    # The member with a conflict no longer waits for a review or vote on their desk.
    assert "Phạm Văn Hùng" not in member.get("/desk/").get_data(as_text=True)
    assert "Phạm Văn Hùng" in client_for(app, world, "member1").get("/desk/").get_data(as_text=True)


def test_a_nomination_sent_back_to_review_is_voted_on_afresh(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        from registry.workflow.actions import nomination_transition

        nomination = nomination_in_vote(world)
        secretary, = users(world, "secretary")
        cast(world, nomination, {"chair": A, "member1": A, "member2": A})
        first = ballots.vote_close(nomination, actor=secretary)
        assert first["passed"]
        nomination_transition(nomination, "back_to_review", actor=secretary, comment="Có phản ánh mới.")
        ballots.vote_open(nomination, actor=secretary)
        assert ballots.tally(nomination).agree == 0 and nomination.vote_result is None
        cast(world, nomination, {"chair": D, "member1": D, "member2": A})
        second = ballots.vote_close(nomination, actor=secretary)
        assert (second["agree"], second["disagree"], second["passed"]) == (1, 2, False)
        comments = [e.comment for e in nomination.events if e.action == "close_vote"]
        assert len(comments) == 2 and "passed" in comments[0] and "not passed" in comments[1]
