"""Fixtures of the workflow tests: a small world of units, a council, people with roles, a round."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.accounts.models import Role
from registry.accounts.operations import user_add_role, user_create
from registry.catalog.models import AwardLevel, AwardTitle, Unit, UnitKind
from registry.entries.models import AwardKind
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from registry.workflow.models import BallotKind, Council, Denominator, Round

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app(tmp_path, monkeypatch):
    """An app with the schema created, cheap password hashing and English pages."""
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SEARCH_SYNC": True})
    with app.app_context():
        db.create_all()
        from registry.catalog.seed import catalogues_load

        catalogues_load()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_indexes()


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


@pytest.fixture
def world(app) -> World:
    return make_world(app)


def login(client, user_id: int) -> None:
    """Sign a test client in through the sign-in form."""
    from registry.accounts.models import User

    with client.application.app_context():
        email = db.session.get(User, user_id).email
    client.set_cookie("lang", "en")
    token = csrf(client, "/account/login")
    response = client.post("/account/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def client_for(app, world: World | None, who: str | None):
    """A test client signed in as ``who`` (None: a citizen), reading English pages."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    if who:
        login(client, world.users[who])
    return client


def csrf(client, url: str | None = None) -> str:
    """Read the CSRF token from a form page, as a browser would (the sign-out button carries one)."""
    for page in ([url] if url else ["/", "/account/login"]):
        html = client.get(page).get_data(as_text=True)
        if match := CSRF_RE.search(html):
            return match.group(1)
    raise AssertionError(f"no CSRF token on {url or 'the home or sign-in page'}")


def post(client, url: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """POST a form with a real CSRF token."""
    data = dict(data or {})
    data["csrf_token"] = csrf(client, token_from)
    return client.post(url, data=data, **kwargs)
