"""The council's pages: the review note travels with the ballot; written votes are for members not present."""
from __future__ import annotations

import sqlalchemy as sa

from registry.extensions import db
from registry.workflow.models import Nomination, ReviewNote, VoteRecord
from tests.support.clients import client_for, post
from tests.support.world import make_world, nomination_in_vote


def _in_vote(app, world, **kwargs) -> int:
    with app.test_request_context("/?lang=en"):
        nid = nomination_in_vote(world, **kwargs).id
        db.session.commit()
        return nid


def _notes(app, nid) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ReviewNote.body).where(ReviewNote.nomination_id == nid)))


def test_the_note_typed_beside_the_ballot_is_saved_with_the_vote(app):
    world = make_world(app)
    nid = _in_vote(app, world)
    member = client_for(app, world, "member1")
    page = member.get(f"/nominations/{nid}?lang=en").get_data(as_text=True)
    # One form: the ballot and its note; the separate note form is not offered while the member may vote.
    assert 'id="vote-note"' in page and 'id="note-body"' not in page
    r = post(member, f"/council/nominations/{nid}/vote", {"choice": "agree", "note": "Thành tích rõ ràng."},
             follow_redirects=True)
    assert "Your vote is recorded. Your note is saved." in r.get_data(as_text=True)
    assert _notes(app, nid) == ["Thành tích rõ ràng."]


def test_the_note_alone_or_without_a_choice_is_kept(app):
    world = make_world(app)
    nid = _in_vote(app, world)
    member = client_for(app, world, "member2")
    r = post(member, f"/council/nominations/{nid}/vote", {"note": "Cần xem lại biên bản.", "note_only": "y"},
             follow_redirects=True)
    assert "Your note is saved." in r.get_data(as_text=True)
    r = post(member, f"/council/nominations/{nid}/vote", {"note": "Quên chọn phiếu."}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "Your note is saved." in text and "Choose agree, disagree or abstain." in text
    assert _notes(app, nid) == ["Cần xem lại biên bản.", "Quên chọn phiếu."]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(VoteRecord.id)).where(VoteRecord.nomination_id == nid)) == 0


def test_written_votes_list_only_members_not_present_who_have_not_voted(app):
    world = make_world(app, written=True)
    nid = _in_vote(app, world, present=("chair", "member1"))
    secretary = client_for(app, world, "secretary")
    page = secretary.get(f"/nominations/{nid}?lang=en").get_data(as_text=True)
    form = page[page.index('id="wv-member"'):page.index("</select>", page.index('id="wv-member"'))]
    assert "Member2" in form and "Member3" in form and "Chair" not in form and "Member1" not in form
    assert "Record the written vote of a member absent from the session" in page
    # A present member cannot be recorded as voting in writing, whatever is posted.
    r = post(secretary, f"/council/nominations/{nid}/written-vote",
             {"member": world.users["member1"], "choice": "agree"}, follow_redirects=True)
    assert "Choose the member and their vote." in r.get_data(as_text=True)
    for key in ("member2", "member3"):
        post(secretary, f"/council/nominations/{nid}/written-vote", {"member": world.users[key], "choice": "agree"})
    page = secretary.get(f"/nominations/{nid}?lang=en").get_data(as_text=True)
    assert 'id="wv-member"' not in page and 'id="no-written-votes"' in page
    with app.app_context():
        assert db.session.get(Nomination, nid) is not None
