"""A ward numbers all its decisions in one register: the number proposed is the next free one of that register."""
from __future__ import annotations

from datetime import date

import pytest

from registry.catalog.models import AwardTitle, Unit
from registry.entries.models import Award, AwardLevel, Entry, EntryKind, EntryStatus
from registry.extensions import db
from registry.platform.columns import utcnow
from registry.workflow.actions import WorkflowError
from registry.workflow.decisions import next_decision_number, register_set
from registry.workflow.models import NumberingStyle
from tests.support.clients import client_for, post
from tests.support.world import decide, make_world, passed_nomination, users

STATE = NumberingStyle.STATE


def outside_award(world, number: str, *, on: date) -> None:
    """An award whose decision the ward signed outside the council (imported or typed in)."""
    entry = Entry(kind=EntryKind.INDIVIDUAL, title="Đinh Văn Tâm", slug="dinh-van-tam", status=EntryStatus.PUBLISHED,
                  published_at=utcnow())
    db.session.add(entry)
    db.session.add(Award(entry=entry, title=db.session.get(AwardTitle, 1), level=AwardLevel.COMMUNE, year=on.year,
                         decision_number=number, decision_date=on, issuer_id=world.commune))
    db.session.flush()


def test_the_next_number_follows_every_decision_of_the_issuers_register(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        year = date.today().year
        assert next_decision_number(world.commune, STATE, str(year)) == 1
        outside_award(world, "4511/QĐ-UBND", on=date(year, 3, 2))
        outside_award(world, "88/QĐ-UBND", on=date(year - 1, 12, 30))  # last year's register
        assert next_decision_number(world.commune, STATE, str(year)) == 4512
        register_set(issuer=db.session.get(Unit, world.commune), style=STATE, series=str(year), last_number=4600,
                     actor=users(world, "secretary")[0])
        assert next_decision_number(world.commune, STATE, str(year)) == 4601
        # Another issuer's register is its own.
        assert next_decision_number(world.other_commune, STATE, str(year)) == 1


def test_a_number_given_outside_is_refused_with_what_it_was_given_to(app):
    world = make_world(app)
    with app.test_request_context("/?lang=vi"):
        outside_award(world, "4511/QĐ-UBND", on=date.today())
        nomination = passed_nomination(world)
        with pytest.raises(WorkflowError) as refused:
            decide(world, [nomination], number=4511)
        message = str(refused.value)
        assert "Số 4511" in message and "4512" in message and "Đinh Văn Tâm" in message
        assert decide(world, [nomination], number=4512).reference == "4512/QĐ-UBND"


def test_the_secretary_sets_where_the_register_stands_and_the_form_proposes_the_next(app):
    world = make_world(app)
    with app.test_request_context("/?lang=en"):
        passed_nomination(world)
        db.session.commit()
    secretary = client_for(app, world, "secretary")
    url = f"/council/rounds/{world.round}/decisions"
    r = post(secretary, f"{url}/register", {"year": date.today().year, "last_number": 311}, token_from=f"{url}/new",
             follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "stands at 311; the next number proposed is 312" in text
    assert 'name="number" type="number" value="312"' in text or 'value="312"' in text
    assert post(client_for(app, world, "member1"), f"{url}/register",
                {"year": date.today().year, "last_number": 5}).status_code == 403
