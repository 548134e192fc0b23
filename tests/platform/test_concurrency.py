"""Two processes on one database: concurrent votes and edits lose nothing, count once, and say so clearly."""
from __future__ import annotations

import multiprocessing
from datetime import date

import sqlalchemy as sa

from registry.extensions import db
from registry.workflow.models import Ballot, Nomination, NominationState, VoteRecord
from tests.support.apps import app_release
from tests.support.databases import on_postgres
from tests.support.workers import post_in_step
from tests.support.world import draft_nomination, nomination_in_vote, version_of

# A fork server imports the app once; each process then starts from it in a fraction of a second,
# with no database connection or index handle inherited from the test process.
SPAWN = multiprocessing.get_context("forkserver")
SPAWN.set_forkserver_preload(["registry", "registry.workflow.ballots", "registry.web.nominations.views", "tests.support.workers"])


def run_in_step(app, *requests) -> list[tuple[int, int, str]]:
    """Run each (user_id, url, data, hold) request in its own process, meeting just before the write."""
    app_release(app)
    barrier, out = SPAWN.Barrier(len(requests)), SPAWN.Queue()
    processes = [SPAWN.Process(target=post_in_step, args=(app.instance_path, app.config["SQLALCHEMY_DATABASE_URI"] if on_postgres() else None,
                                                               user_id, url, data, hold, barrier, out))
                 for user_id, url, data, hold in requests]
    for process in processes:
        process.start()
    results = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert all(status != -1 for _, status, _ in results), results
    return results


def open_vote(app, world) -> int:
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        db.session.commit()
        return nomination.id


def counts(app, nid: int) -> tuple[int, int]:
    with app.app_context():
        records = db.session.scalar(sa.select(sa.func.count(VoteRecord.id)).where(VoteRecord.nomination_id == nid))
        ballots = db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.nomination_id == nid))
        return records, ballots


VOTE = ("registry.workflow.ballots", "vote_cast")


def test_one_member_voting_from_two_processes_counts_once(app, world):
    nid = open_vote(app, world)
    member = world.users["member2"]
    url = f"/council/nominations/{nid}/vote"
    results = run_in_step(app, (member, url, {"choice": "agree"}, VOTE), (member, url, {"choice": "disagree"}, VOTE))
    texts = sorted(text for _, _, text in results)
    assert sum("Your vote is recorded." in t for t in texts) == 1
    assert sum("This vote has already been cast." in t for t in texts) == 1
    assert counts(app, nid) == (1, 1)


def test_two_members_voting_at_the_same_moment_are_both_counted(app, world):
    nid = open_vote(app, world)
    url = f"/council/nominations/{nid}/vote"
    results = run_in_step(app, (world.users["member1"], url, {"choice": "agree"}, VOTE),
                          (world.users["member2"], url, {"choice": "disagree"}, VOTE))
    assert all("Your vote is recorded." in text for _, _, text in results)
    assert counts(app, nid) == (2, 2)


def test_a_vote_racing_the_close_is_either_counted_or_refused_never_lost(app, world):
    nid = open_vote(app, world)
    results = run_in_step(
        app,
        (world.users["member1"], f"/council/nominations/{nid}/vote", {"choice": "agree"}, VOTE),
        (world.users["secretary"], f"/council/nominations/{nid}/do/close_vote", {}, ("registry.workflow.ballots", "vote_close")),
    )
    by_user = {user: text for user, _, text in results}
    voted = "Your vote is recorded." in by_user[world.users["member1"]]
    closed = "Someone else acted on this nomination at the same time" not in by_user[world.users["secretary"]]
    assert voted != closed, "exactly one of the two goes through; the other is told to look again"
    if not voted:
        assert "The vote on this nomination is not open." in by_user[world.users["member1"]]
    with app.app_context():
        nomination = db.session.get(Nomination, nid)
        records, ballots = counts(app, nid)
        assert records == ballots == (1 if voted else 0)
        if closed:
            result = nomination.vote_result
            assert nomination.state in (NominationState.PASSED, NominationState.NOT_PASSED)
            assert result["agree"] + result["disagree"] + result["abstain"] == ballots
        else:
            assert nomination.state == NominationState.IN_VOTE


def test_two_editors_in_two_processes_one_saves_the_other_is_told(app, world):
    nid = draft_nomination(app, world, title="Trần Thị Hạnh")
    version = version_of(app, nid)
    base = {"version": str(version), "kind": "individual", "title": "Trần Thị Hạnh", "save": "1",
            "letter_date": date.today().isoformat()}
    url = f"/nominations/{nid}/edit"
    hold = ("registry.web.nominations.views", "nomination_update")
    officer_id = world.users["officer"]
    results = run_in_step(app, (officer_id, url, {**base, "report": "Bản thứ nhất."}, hold),
                          (officer_id, url, {**base, "report": "Bản thứ hai."}, hold))
    statuses = sorted(status for _, status, _ in results)
    assert statuses == [302, 409], statuses
    loser = next(text for _, status, text in results if status == 409)
    assert "Someone else changed this dossier" in loser
    with app.app_context():
        saved = db.session.get(Nomination, nid)
        assert saved.version == version + 1
        # The winner's text whole; the loser's text is still in their form, not half-written over it.
        assert saved.report in ("Bản thứ nhất.", "Bản thứ hai.")
        assert ("Bản thứ hai." if saved.report == "Bản thứ nhất." else "Bản thứ nhất.") in loser


def test_one_decision_number_given_twice_at_once_is_refused_clearly_once(app, world):
    from tests.support.world import passed_nomination

    with app.test_request_context("/?lang=en"):
        first, second = passed_nomination(world), passed_nomination(world, title="Hoàng Thị Thu")
        db.session.commit()
        chosen = first.id, second.id
    url = f"/council/rounds/{world.round}/decisions/new"
    form = {"issuer": f"#{world.commune}", "style": "state", "number": "5", "symbol": "QĐ-UBND",
            "signed_on": date.today().isoformat(), "signer": "Nguyễn Văn A", "signer_position": "Chủ tịch"}
    # Both requests have found number 5 free (the check comes before the nominations are checked) before either
    # writes it.
    hold = ("registry.workflow.decisions", "ready_for_decision")
    secretary = world.users["secretary"]
    results = run_in_step(app, (secretary, url, {**form, "nominations": [chosen[0]]}, hold),
                          (secretary, url, {**form, "nominations": [chosen[1]]}, hold))
    assert sorted(status for _, status, _ in results) == [200, 302], [(s, t[-300:]) for _, s, t in results]
    loser = next(text for _, status, text in results if status == 200)
    assert "Number 5 is already used by this issuer in this series. The next free number is 6." in loser
    assert 'id="number-error"' in loser
    with app.app_context():
        decided = db.session.scalars(sa.select(Nomination.state).where(Nomination.id.in_(chosen))).all()
        assert sorted(s.value for s in decided) == sorted([NominationState.DECIDED.value, NominationState.PASSED.value])
