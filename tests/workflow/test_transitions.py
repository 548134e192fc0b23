"""The transition table, move by move: every action from every state, for every role."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.accounts.models import User
from registry.catalog.models import Unit
from registry.entries.models import EntryKind
from registry.extensions import db
from registry.workflow.actions import ACTIONS, SECRETARY, UNIT, WorkflowError, can_transition, nomination_transition
from registry.workflow.dossiers import nomination_create
from registry.accounts.models import Notification
from registry.workflow.models import AuditEvent, Nomination, NominationState, Round
from tests.support import databases
from tests.support.apps import app_release
from tests.support.world import make_world

ROLES = ["officer", "other_officer", "secretary", "chair", "member1", "admin", "outsider"]
# Who may make each kind of move: the nominating unit's officer, or the council's secretary.
ACTORS = {UNIT: {"officer"}, SECRETARY: {"secretary"}}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    path = tmp_path_factory.mktemp("transitions")
    mp = pytest.MonkeyPatch()
    mp.setenv("REGISTRY_INSTANCE_PATH", str(path / "instance"))
    url = databases.use_new_database(mp, empty=True)
    app = create_app({"TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SEARCH_SYNC": False})
    with app.app_context():
        db.create_all()
        from registry.catalog.seed import catalogues_load

        catalogues_load()
        db.session.commit()
    world = make_world(app)
    with app.app_context():
        officer = db.session.get(User, world.users["officer"])
        nomination = nomination_create(round_=db.session.get(Round, world.round), unit=db.session.get(Unit, world.group),
                                       actor=officer, kind=EntryKind.INDIVIDUAL, title="Lê Thị Mai")
        db.session.commit()
        nid = nomination.id
    yield app, world, nid
    app_release(app)
    mp.undo()
    databases.drop_database(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_move_for_every_role(setup, action, role):
    app, world, nid = setup
    transition = ACTIONS[action]
    with app.test_request_context("/?lang=en"):
        user = db.session.get(User, world.users[role])
        for state in NominationState:
            nomination = db.session.get(Nomination, nid)
            nomination.state = state
            nomination.return_reason = "—"  # a returned dossier always carries its reason
            db.session.flush()
            expected = state in transition.sources and role in ACTORS[transition.actor]
            assert can_transition(user, nomination, action) is expected, (action, state, role)
            events_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
            if expected:
                event = nomination_transition(nomination, action, actor=user, comment="lý do",
                                              target=transition.targets[-1])
                assert nomination.state == transition.targets[-1]
                assert (event.from_state, event.to_state, event.actor_id, event.comment) == (
                    state.value, transition.targets[-1].value, user.id, "lý do")
            else:
                with pytest.raises(WorkflowError):
                    nomination_transition(nomination, action, actor=user, comment="lý do")
                assert nomination.state == state
                assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events_before
            db.session.rollback()


@pytest.mark.parametrize("action", [a for a, t in ACTIONS.items() if t.needs_comment])
def test_moves_that_need_a_reason_refuse_an_empty_one(setup, action):
    app, world, nid = setup
    transition = ACTIONS[action]
    who = "officer" if transition.actor == UNIT else "secretary"
    with app.test_request_context("/?lang=en"):
        nomination = db.session.get(Nomination, nid)
        nomination.state = sorted(transition.sources)[0]
        nomination.return_reason = "—"
        with pytest.raises(WorkflowError, match="reason"):
            nomination_transition(nomination, action, actor=db.session.get(User, world.users[who]), comment="  ")
        db.session.rollback()


def test_a_move_notifies_those_concerned_and_not_the_actor(setup):
    app, world, nid = setup
    with app.test_request_context("/?lang=en"):
        nomination = db.session.get(Nomination, nid)
        nomination.state = NominationState.DRAFT
        nomination_transition(nomination, "submit", actor=db.session.get(User, world.users["officer"]))
        notified = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.nomination_id == nid)))
        assert notified == {world.users["secretary"]}
        nomination_transition(nomination, "return", actor=db.session.get(User, world.users["secretary"]),
                              comment="Thiếu biên bản.")
        notified = set(db.session.scalars(sa.select(Notification.user_id).where(
            Notification.nomination_id == nid, Notification.action == "return")))
        assert notified == {world.users["officer"]}
        assert nomination.return_reason == "Thiếu biên bản."
        db.session.rollback()


def test_audit_events_are_append_only(setup):
    app, world, nid = setup
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.nomination_id == nid))
        event.comment = "rewritten"
        with pytest.raises(WorkflowError):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.nomination_id == nid))
        db.session.delete(event)
        with pytest.raises(WorkflowError):
            db.session.flush()
        db.session.rollback()


def test_every_step_has_a_timeline_label():
    from registry.workflow.actions import ACTION_LABELS

    assert set(ACTION_LABELS) == set(ACTIONS) | {"create", "recuse", "keep_in_vote"}
