"""Secret ballots read the way an attacker would: statements sent, raw pages, the WAL, xmin, row order and ids.

The attacker holds copies of the database (a backup, the SQLite file and its -wal, PostgreSQL's pages read
with pageinspect), taken while the vote is open and after it closed, and tries to pair the members who voted
with the choices. Where a test opens the sealed ballots with the app's own key, it plays the worse attacker
who holds the server's secret key as well: even then a single copy must not pair anyone with a choice.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from registry.accounts.models import Notification
from registry.extensions import db
from registry.platform.data_version import current_versions
from registry.workflow import ballots
from registry.workflow.models import AuditEvent, BallotKind, Nomination, VoteChoice
from tests.support.clients import client_for, post
from tests.support.world import make_world, nomination_in_vote, users

A, D, X = VoteChoice.AGREE, VoteChoice.DISAGREE, VoteChoice.ABSTAIN
WORDS = tuple(c.value for c in VoteChoice)


def _sqlite_files(app) -> tuple[Path, Path]:
    path = Path(sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    return path, path.with_name(path.name + "-wal")


def _raw(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def _flatten(value) -> list:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _flatten(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flatten(item)]
    return [value]


def _pageinspect() -> bool:
    """On PostgreSQL, whether this session may read raw pages (pageinspect, a superuser's tool)."""
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        return True
    except sa.exc.DBAPIError:
        return False


def _heap_versions(table: str) -> list[tuple[int, bytes]]:
    """Every row version in the table's pages, live or deleted and not yet vacuumed: (xmin, raw data)."""
    blocks = db.session.scalar(sa.text(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int"))
    out = []
    for block in range(blocks):
        out += [(int(xmin), bytes(data or b"")) for xmin, data in db.session.execute(sa.text(
            f"SELECT t_xmin::text, t_data FROM heap_page_items(get_raw_page('{table}', {block})) WHERE lp_flags = 1"
        ))]
    return out


def _ballot_rows(nid: int) -> list[dict]:
    """The ballot rows as a database reader sees them; on PostgreSQL with their xmin and ctid."""
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT *, xmin::text::bigint AS xmin FROM ballot WHERE nomination_id = :n ORDER BY ballot.ctid"
    else:
        sql = "SELECT * FROM ballot WHERE nomination_id = :n"
    return [dict(row._mapping) for row in db.session.execute(sa.text(sql), {"n": nid})]


def _record_rows(nid: int) -> list[dict]:
    """The "has voted" rows in the order they were written (their ids are a sequence)."""
    xmin = ", xmin::text::bigint AS xmin" if db.engine.dialect.name == "postgresql" else ""
    return [dict(row._mapping) for row in db.session.execute(
        sa.text(f"SELECT *{xmin} FROM vote_record WHERE nomination_id = :n ORDER BY id"), {"n": nid})]


def _opened(row: dict, nid: int) -> str:
    """What a ballot row says, to someone who also holds the server's secret key."""
    if row["choice"] is not None:
        return row["choice"]
    from registry.workflow.ballot_box import unseal

    return unseal(row["sealed"], nomination_id=nid).value


def test_the_choice_never_reaches_the_database_while_the_vote_is_open(app, log_lines):  # noqa: F811
    world = make_world(app, ballot=BallotKind.SECRET)
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        db.session.commit()
        nid = nomination.id
        versions = dict(current_versions())
        events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        notices = db.session.scalar(sa.select(sa.func.count(Notification.id)))
        engine = db.engine
    if engine.dialect.name == "sqlite":
        before = b"".join(_raw(p) for p in _sqlite_files(app))
    sent: list = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    members = {"chair": "agree", "member1": "disagree", "member2": "abstain", "member3": "agree"}
    clients = {who: client_for(app, world, who) for who in members}
    log_lines.clear()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        for who, choice in members.items():
            response = post(clients[who], f"/council/nominations/{nid}/vote", {"choice": choice},
                            token_from=f"/nominations/{nid}", follow_redirects=True)
            assert "Your vote is recorded." in response.get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    # Nothing sent to the database names a choice: not the WAL, not a log, not a deleted row can hold one.
    assert sent
    for statement, parameters in sent:
        assert not any(f"'{word}'" in statement for word in WORDS), statement
        assert not [v for v in _flatten(parameters) if isinstance(v, str) and v in WORDS], (statement, parameters)
    # Nor does anything else the app keeps: its log lines, the timeline, notices, the data version.
    assert not [line for line in log_lines if any(word in line.lower() for word in WORDS)]
    with app.test_request_context("/?lang=en"):
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == notices
        assert dict(current_versions()) == versions
        rows = _ballot_rows(nid)
        assert len(rows) == 4 and all(r["choice"] is None and r["voter_id"] is None for r in rows)
        # Sealed, each one of the same length, so its size does not tell "agree" from "disagree".
        assert len({r["sealed"] for r in rows}) == 4 and len({len(r["sealed"]) for r in rows}) == 1
        assert sorted(_opened(r, nid) for r in rows) == sorted(members.values())
        if db.engine.dialect.name == "sqlite":
            after = b"".join(_raw(p) for p in _sqlite_files(app))
            # The words are in the schema (the CHECK constraint), never once more in the file or its WAL.
            assert [after.count(w.encode()) for w in WORDS] == [before.count(w.encode()) for w in WORDS]
        elif _pageinspect():
            for _xmin, data in _heap_versions("ballot"):
                assert not any(word.encode() in data for word in WORDS)
            db.session.rollback()
    # Members still see that they voted, and how many have; never a running count of the choices.
    html = clients["chair"].get(f"/nominations/{nid}").get_data(as_text=True)
    assert "You have voted." in html and "4 of 4 eligible members have voted." in html
    assert "Agree: " not in html


def _large_council_votes(app, *, members: int = 20) -> tuple[object, int, list[str]]:
    """A council of ``members`` eligible members voting one by one: the first half agree, the rest disagree.

    Each vote is its own transaction, as from the pages. Returns the world, the nomination id and the truth:
    the choices in the order of the "has voted" rows, which is what a join on order would try to recover.
    """
    world = make_world(app, ballot=BallotKind.SECRET, members=members - 1)
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        db.session.commit()
        nid = nomination.id
        voters = ballots.eligible_members(nomination)
        assert len(voters) == members
        truth = []
        for i, voter in enumerate(voters):
            choice = A if i < members // 2 else D
            ballots.vote_cast(db.session.get(Nomination, nid), voter=voter, choice=choice)
            db.session.commit()
            truth.append((voter.id, choice.value))
    by_record = dict(truth)
    with app.app_context():
        order = [r["user_id"] for r in _record_rows(nid)]
    return world, nid, [by_record[user_id] for user_id in order]


def _sqlite_physical_order(app, tmp_path: Path, ids: list[str]) -> list[str]:
    """Ballot ids in the order their bytes lie in a copy of the database and its WAL, as a backup holds them."""
    source, wal = _sqlite_files(app)
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(source, copy)
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + "-wal"))
    con = sqlite3.connect(copy)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    raw = copy.read_bytes()
    offsets = {ballot_id: raw.find(ballot_id.encode()) for ballot_id in ids}
    assert all(offset >= 0 for offset in offsets.values())
    return sorted(ids, key=offsets.__getitem__)


def _assert_no_pairing(truth: list[str], sequence: list[str], channel: str) -> None:
    """Pairing the i-th voter with the i-th ballot of a channel, either way round, must not give the truth.

    With 10 "agree" then 10 "disagree", a random order matches by chance once in 92,378 tries each way.
    """
    assert sorted(sequence) == sorted(truth)
    assert sequence != truth and sequence[::-1] != truth, f"{channel} pairs every voter with their choice"


def test_no_id_order_page_position_or_transaction_id_pairs_a_voter_with_a_ballot(app, tmp_path):
    _world, nid, truth = _large_council_votes(app)
    with app.app_context():
        rows = _ballot_rows(nid)
        records = _record_rows(nid)
        opened = {r["id"]: _opened(r, nid) for r in rows}
        _assert_no_pairing(truth, [opened[i] for i in sorted(opened)], "the ballot ids' order")
        if db.engine.dialect.name == "sqlite":
            physical = _sqlite_physical_order(app, tmp_path, list(opened))
            _assert_no_pairing(truth, [opened[i] for i in physical], "the ballots' places in the file")
        else:
            _assert_no_pairing(truth, [opened[r["id"]] for r in rows], "the ballots' ctid order")
            # No transaction wrote both a "has voted" row and a ballot, and the ballots share one xmin,
            # so sorting by xmin tells nothing about who voted when.
            assert not {r["xmin"] for r in records} & {r["xmin"] for r in rows}
            assert len({r["xmin"] for r in rows}) == 1
            if _pageinspect():
                # Nor does any deleted row version still in the pages, until VACUUM.
                written = {r["xmin"] for r in records}
                assert not [xmin for xmin, _ in _heap_versions("ballot") if xmin in written]
            db.session.rollback()


def test_copies_taken_during_and_after_the_vote_cannot_be_combined(app, tmp_path):
    world, nid, truth = _large_council_votes(app)
    with app.app_context():
        during = _ballot_rows(nid)
        seen = {r["id"] for r in during} | {r["sealed"] for r in during if r.get("sealed")}
    with app.test_request_context("/?lang=en"):
        record = ballots.vote_close(db.session.get(Nomination, nid), actor=users(world, "secretary")[0])
        db.session.commit()
        assert (record["agree"], record["disagree"]) == (10, 10)
    with app.app_context():
        after = _ballot_rows(nid)
        records = _record_rows(nid)
        assert sorted(r["choice"] for r in after) == sorted(truth)
        assert all(r["voter_id"] is None and r.get("sealed") is None for r in after)
        # Nothing of the sealed box (an id, a sealed ballot) carries over into the counted ballots.
        assert not seen & ({r["id"] for r in after} | {r["choice"] for r in after})
        _assert_no_pairing(truth, [r["choice"] for r in sorted(after, key=lambda r: r["id"])], "the counted ids' order")
        if db.engine.dialect.name == "sqlite":
            db_file, wal = _sqlite_files(app)
            # The WAL was checkpointed and cut to nothing: it keeps no earlier page of the box.
            assert _raw(wal) == b""
            raw = _raw(db_file)
            # And what was deleted is zeroed in the file (secure_delete), not left in free space.
            assert not [value for value in seen if value.encode() in raw]
            physical = _sqlite_physical_order(app, tmp_path, [r["id"] for r in after])
            by_id = {r["id"]: r["choice"] for r in after}
            _assert_no_pairing(truth, [by_id[i] for i in physical], "the counted ballots' places in the file")
        else:
            _assert_no_pairing(truth, [r["choice"] for r in after], "the counted ballots' ctid order")
            assert len({r["xmin"] for r in after}) == 1
            assert not {r["xmin"] for r in records} & {r["xmin"] for r in after}
            if _pageinspect():
                written = {r["xmin"] for r in records}
                versions = _heap_versions("ballot")
                assert not [xmin for xmin, _ in versions if xmin in written]
                # Deleted row versions of the box hold sealed ballots only, never a choice in the clear.
                counted = {r["xmin"] for r in after}
                assert not [data for xmin, data in versions
                            if xmin not in counted and any(w.encode() in data for w in WORDS)]
            db.session.rollback()


def test_a_ballot_box_that_does_not_match_the_voters_is_not_counted(app):
    world = make_world(app, ballot=BallotKind.SECRET)
    with app.test_request_context("/?lang=en"):
        nomination = nomination_in_vote(world)
        for who, choice in (("chair", A), ("member1", D)):
            ballots.vote_cast(nomination, voter=users(world, who)[0], choice=choice)
        db.session.commit()
        nid = nomination.id
        # Someone with write access to the database slips a ballot out of the box.
        victim = db.session.scalar(sa.text("SELECT id FROM ballot WHERE nomination_id = :n LIMIT 1"), {"n": nid})
        db.session.execute(sa.text("DELETE FROM ballot WHERE id = :i"), {"i": victim})
        db.session.commit()
        from registry.workflow.actions import WorkflowError

        with pytest.raises(WorkflowError, match="do not match"):
            ballots.vote_close(db.session.get(Nomination, nid), actor=users(world, "secretary")[0])
        db.session.rollback()
        assert db.session.get(Nomination, nid).vote_result is None


def test_a_ballot_sealed_for_another_nomination_or_under_another_key_is_not_counted(app):
    world = make_world(app, ballot=BallotKind.SECRET)
    with app.test_request_context("/?lang=en"):
        from registry.workflow.actions import WorkflowError

        first, second = nomination_in_vote(world), nomination_in_vote(world, title="Lê Thị Mai")
        ballots.vote_cast(first, voter=users(world, "chair")[0], choice=A)
        ballots.vote_cast(second, voter=users(world, "chair")[0], choice=D)
        db.session.commit()
        ids = first.id, second.id
        secretary, = users(world, "secretary")
        # Ballots swapped between two boxes (the counts still match) cannot be opened in either.
        rows = db.session.execute(sa.text("SELECT id, sealed FROM ballot WHERE nomination_id IN (:a, :b) "
                                          "ORDER BY nomination_id"), {"a": ids[0], "b": ids[1]}).all()
        swap = "UPDATE ballot SET sealed = :s WHERE id = :i"
        db.session.execute(sa.text(swap), [{"i": rows[0].id, "s": rows[1].sealed},
                                           {"i": rows[1].id, "s": rows[0].sealed}])
        db.session.commit()
        for nid in ids:
            with pytest.raises(WorkflowError, match="cannot be opened"):
                ballots.vote_close(db.session.get(Nomination, nid), actor=secretary)
            db.session.rollback()
        db.session.execute(sa.text(swap), [{"i": rows[0].id, "s": rows[0].sealed},
                                           {"i": rows[1].id, "s": rows[1].sealed}])
        db.session.commit()
        # A new SECRET_KEY cannot open ballots sealed under the old one, unless the old one is kept as a fallback.
        old = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "a new key for the server " + "x" * 40
        with pytest.raises(WorkflowError, match="cannot be opened"):
            ballots.vote_close(db.session.get(Nomination, ids[0]), actor=secretary)
        db.session.rollback()
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        record = ballots.vote_close(db.session.get(Nomination, ids[0]), actor=secretary)
        assert (record["agree"], record["disagree"]) == (1, 0)


@pytest.mark.parametrize("before, after", [(BallotKind.SECRET, BallotKind.OPEN), (BallotKind.OPEN, BallotKind.SECRET)])
def test_a_round_whose_ballot_kind_changes_during_the_vote_counts_every_ballot_and_names_no_secret_one(
        app, before, after):
    world = make_world(app, ballot=before)
    with app.test_request_context("/?lang=en"):
        from registry.workflow.models import Round

        nomination = nomination_in_vote(world)
        for who, choice in (("chair", A), ("member1", D)):
            ballots.vote_cast(nomination, voter=users(world, who)[0], choice=choice)
        db.session.get(Round, world.round).ballot = after  # an administrator edits the round meanwhile
        ballots.vote_cast(nomination, voter=users(world, "member2")[0], choice=A)
        record = ballots.vote_close(nomination, actor=users(world, "secretary")[0])
        db.session.commit()
        assert (record["agree"], record["disagree"]) == (2, 1)
        named = {r["voter_id"] for r in _ballot_rows(nomination.id)} - {None}
        # Only a ballot cast in the open, in a round that is open at the close, keeps its voter's name.
        assert named == ({world.users["member2"]} if after == BallotKind.OPEN else set())


@pytest.mark.sqlite_only("SQLite's WAL is what the scrub truncates")
def test_the_wal_is_cut_when_the_close_is_committed_even_after_another_box_was_shaken(app, log_lines):
    # A vote closed, then another member votes on another dossier (a savepoint of its own) before the commit:
    # releasing that savepoint commits nothing, so the scrub waits for the commit and cuts the WAL then.
    world = make_world(app, ballot=BallotKind.SECRET)
    with app.test_request_context("/?lang=en"):
        closing, still_open = nomination_in_vote(world), nomination_in_vote(world, title="Lê Thị Mai")
        for key in ("chair", "member1", "member2", "member3"):
            ballots.vote_cast(closing, voter=users(world, key)[0], choice=A)
        db.session.commit()
        ballots.vote_close(closing, actor=users(world, "secretary")[0])
        ballots.vote_cast(still_open, voter=users(world, "chair")[0], choice=D)
        db.session.commit()
    assert _raw(_sqlite_files(app)[1]) == b""
    assert not [line for line in log_lines if "could not be truncated" in line]
