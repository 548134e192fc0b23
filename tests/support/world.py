"""World builders: a province, a commune and a group, a council with its people, a round; nominations carried to any state through the domain functions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from registry.accounts.models import Role, User
from registry.accounts.operations import user_add_role, user_create
from registry.catalog.models import AwardLevel, AwardTitle, Unit, UnitKind
from registry.entries.models import AwardKind, Entry, EntryKind
from registry.entries.operations import photo_attach
from registry.entries.photos import photo_dir, store_image
from registry.extensions import db
from registry.workflow import ballots
from registry.workflow.actions import nomination_transition
from registry.workflow.decisions import decision_record, nomination_publish
from registry.workflow.dossiers import attachment_add, nomination_create, nomination_submit, nomination_update
from registry.workflow.models import (
    Attachment,
    AttachmentKind,
    BallotKind,
    Council,
    Denominator,
    Nomination,
    NominationState,
    NumberingStyle,
    Round,
    VoteChoice,
)
from tests.support.clients import PASSWORD, post
from tests.support.files import PDF, jpeg_bytes


@dataclass
class World:
    province: int
    commune: int
    group: int
    other_commune: int
    council: int
    round: int
    users: dict[str, int]


def make_world(app, *, ballot=BallotKind.SECRET, threshold="50", denominator=Denominator.ALL_MEMBERS,
               quorum="50", written=False, consultation_days=0, award_kind=AwardKind.ACHIEVEMENT,
               members=3) -> World:
    """Province › commune › residential group; a commune council with a secretary, a chair and members."""
    with app.app_context():
        province = Unit(name="Thành phố Hà Nội", slug="ha-noi", kind=UnitKind.ADMINISTRATIVE)
        commune = Unit(name="Phường Ba Đình", slug="ba-dinh", kind=UnitKind.ADMINISTRATIVE, parent=province)
        group = Unit(name="Tổ dân phố số 5", slug="to-5", kind=UnitKind.RESIDENTIAL_GROUP, parent=commune)
        other = Unit(name="Phường Hoàn Kiếm", slug="hoan-kiem", kind=UnitKind.ADMINISTRATIVE, parent=province)
        db.session.add_all([province, commune, group, other])
        db.session.flush()
        council = Council(name="Hội đồng TĐKT phường Ba Đình", unit_id=commune.id)
        db.session.add(council)
        db.session.flush()
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Chiến sĩ thi đua cơ sở"))
        today = date.today()
        round_ = Round(
            name="Đợt xét 2025", title_id=title.id, level=AwardLevel.COMMUNE, award_kind=award_kind,
            council_id=council.id, year=today.year, opens_on=today - timedelta(days=10),
            closes_on=today + timedelta(days=10), ballot=ballot, threshold_percent=Decimal(threshold),
            denominator=denominator, quorum_percent=Decimal(quorum), written_votes_allowed=written,
            consultation_days=consultation_days, processing_days=10,
        )
        db.session.add(round_)
        users = {}

        def person(key, roles, unit_id=None):
            user = user_create(email=f"{key}@example.org", name=key.replace("_", " ").title(), password=PASSWORD,
                               unit_id=unit_id)
            for role, scope in roles:
                user_add_role(user, role, **scope)
            users[key] = user.id

        person("admin", [(Role.ADMINISTRATOR, {})])
        person("officer", [(Role.UNIT_OFFICER, {"unit_id": group.id})])
        person("other_officer", [(Role.UNIT_OFFICER, {"unit_id": other.id})])
        person("secretary", [(Role.SECRETARY, {"council_id": council.id})])
        person("chair", [(Role.CHAIR, {"council_id": council.id})])
        for i in range(1, members + 1):
            person(f"member{i}", [(Role.MEMBER, {"council_id": council.id})])
        person("outsider", [])
        db.session.commit()
        return World(province.id, commune.id, group.id, other.id, council.id, round_.id, users)


def new_draft(app, world, client, title="Trần Thị Hạnh") -> int:
    """A new draft dossier made through the form, as the signed-in officer of ``client``; its id."""
    r = post(client, "/nominations/new", {"round_id": world.round, "unit": f"#{world.group}", "subject": "new",
                                          "kind": "individual", "title": title})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(re.search(r"/nominations/(\d+)/edit", r.headers["Location"]).group(1))


def draft_nomination(app, world, *, title: str) -> int:
    """A new individual's draft dossier of the group's officer, made through the domain; its id."""
    with app.test_request_context("/?lang=en"):
        officer, = users(world, "officer")
        nomination = nomination_create(round_=db.session.get(Round, world.round),
                                       unit=db.session.get(Unit, world.group), actor=officer,
                                       kind=EntryKind.INDIVIDUAL, title=title)
        db.session.commit()
        return nomination.id


def version_of(app, nid):
    with app.app_context():
        return db.session.get(Nomination, nid).version


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

    return decision_record(round_=nominations[0].round, issuer=db.session.get(Unit, world.commune),
                           style=NumberingStyle.STATE, number=number, symbol="QĐ-UBND", signed_on=date.today(),
                           signer="Lê C", signer_position="Chủ tịch", legal_basis="", term=None,
                           actor=users(world, "secretary")[0], nominations=nominations)


def carry_to_publication(world, nomination: Nomination, *, number: int) -> None:
    """From submitted to published: accepted, voted for by everyone, decided under ``number``, published."""

    open_vote(world, nomination)
    pass_vote(world, nomination)
    decide(world, [nomination], number=number)
    nomination_publish(nomination, actor=users(world, "secretary")[0])


def earlier_release_layout(app, world) -> dict:
    """What a dossier looked like before: its pictures stored as public photos, one of them also an entry's photo."""
    with app.test_request_context("/?lang=en"):
        officer, = users(world, "officer")
        nomination = nomination_create(round_=db.session.get(Round, world.round),
                                       unit=db.session.get(Unit, world.group), actor=officer,
                                       kind=EntryKind.INDIVIDUAL, title="Hồ sơ cũ")
        only = store_image(jpeg_bytes(color=(1, 2, 3)), root=photo_dir()).sha256
        shared = store_image(jpeg_bytes(color=(200, 200, 9)), root=photo_dir()).sha256
        for sha in (only, shared):
            nomination.attachments.append(Attachment(kind=AttachmentKind.OTHER, filename="scan.jpg", file_type="image",
                                                     sha256=sha, size=1000, uploaded_by_id=officer.id))
        entry = Entry(kind=EntryKind.INDIVIDUAL, title="Ảnh công khai", slug="anh", status="draft")
        db.session.add(entry)
        assert photo_attach(entry, jpeg_bytes(color=(200, 200, 9)), alt="ảnh").sha256 == shared
        db.session.commit()
        original = (photo_dir() / only[:2] / only / "original.webp").read_bytes()
        return {"nomination": nomination.id, "only": only, "shared": shared, "original": original}


def passed_nomination(world, **kwargs) -> Nomination:
    nomination = nomination_in_vote(world, **kwargs)
    for key in ("chair", "member1", "member2", "member3"):
        voter, = users(world, key)
        ballots.vote_cast(nomination, voter=voter, choice=VoteChoice.AGREE)
    ballots.vote_close(nomination, actor=users(world, "secretary")[0])
    assert nomination.state == NominationState.PASSED
    return nomination


def picker_units(app, world: World) -> dict[str, int]:
    """Units the pickers must tell apart: a ward and the district abolished into it, namesakes in two provinces, and
    two units of the same name under the officer's group (one directly, one under a branch)."""
    from datetime import date as _date

    with app.app_context():
        hanoi = db.session.get(Unit, world.province)
        group = db.session.get(Unit, world.group)
        ward = Unit(name="Phường Long Biên", slug="long-bien", kind=UnitKind.ADMINISTRATIVE, parent=hanoi)
        district = Unit(name="Quận Long Biên", slug="quan-long-bien", kind=UnitKind.ADMINISTRATIVE, parent=hanoi,
                        valid_to=_date(2025, 6, 30), successor=ward)
        phu_tho = Unit(name="Tỉnh Phú Thọ", slug="phu-tho", kind=UnitKind.ADMINISTRATIVE)
        tan_lap_hn = Unit(name="Xã Tân Lập", slug="tan-lap", kind=UnitKind.ADMINISTRATIVE, parent=hanoi)
        tan_lap_pt = Unit(name="Xã Tân Lập", slug="tan-lap-2", kind=UnitKind.ADMINISTRATIVE, parent=phu_tho)
        branch = Unit(name="Chi hội Cựu chiến binh", slug="ccb", kind=UnitKind.VETERANS, parent=group)
        team_here = Unit(name="Tổ tự quản", slug="to-tu-quan", kind=UnitKind.OTHER, parent=group)
        team_branch = Unit(name="Tổ tự quản", slug="to-tu-quan-2", kind=UnitKind.OTHER, parent=branch)
        db.session.add_all([ward, district, phu_tho, tan_lap_hn, tan_lap_pt, branch, team_here, team_branch])
        db.session.commit()
        return {"ward": ward.id, "district": district.id, "tan_lap_hn": tan_lap_hn.id, "tan_lap_pt": tan_lap_pt.id,
                "branch": branch.id, "team_here": team_here.id, "team_branch": team_branch.id}
