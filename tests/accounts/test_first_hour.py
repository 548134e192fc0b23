"""The first hour: an empty registry offers to create its administrator (from this machine, or with the token
printed on the console); demo accounts, one per role, change their one-time password at the first sign-in."""
from __future__ import annotations

import re

import sqlalchemy as sa

from registry.accounts.models import Role, User
from registry.extensions import db
from registry.web.auth.views import SETUP_TOKEN_KEY
from tests.support.clients import CSRF_RE, csrf

PASSWORD = "một mật khẩu dài 2026"


def _setup_post(client, url="/account/login", **extra):
    token = CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)
    return client.post("/account/login", data={"csrf_token": token, "name": "Nguyễn Văn Quản",
                                               "email": "quantri@phuong.gov.vn", "password": PASSWORD,
                                               "confirm": PASSWORD, "first_administrator": "1", **extra})


def test_an_empty_registry_offers_to_create_its_administrator_from_this_machine(app):
    client = app.test_client()
    client.set_cookie("lang", "vi")
    page = client.get("/account/login").get_data(as_text=True)
    assert "Tạo tài khoản quản trị đầu tiên" in page
    response = _setup_post(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200  # signed in as the administrator
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.is_admin and user.roles[0].role == Role.ADMINISTRATOR
    other = app.test_client()
    assert "Tạo tài khoản quản trị" not in other.get("/account/login?lang=vi").get_data(as_text=True)
    _setup_post(other)  # now a sign-in attempt, never a second administrator
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_from_another_machine_the_console_token_is_needed(app, capsys):
    remote = app.test_client()
    remote.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert remote.get("/account/login").status_code == 403
    printed = capsys.readouterr().err
    token = app.extensions[SETUP_TOKEN_KEY]
    assert f"setup_token={token}" in printed
    form = remote.get(f"/account/login?setup_token={token}").get_data(as_text=True)
    fields = {"csrf_token": CSRF_RE.search(form).group(1), "name": "Nguyễn Văn Quản", "email": "quantri@phuong.gov.vn",
              "password": PASSWORD, "confirm": PASSWORD, "first_administrator": "1"}
    assert remote.post("/account/login", data=fields).status_code == 403
    assert remote.post("/account/login", data={**fields, "setup_token": "guessed"}).status_code == 403
    response = remote.post("/account/login", data={**fields, "setup_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_demo_accounts_must_choose_their_own_password_first(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "DEMO" in result.output
    accounts = re.findall(r"^\s+(.+?)\s{2,}(\S+@demo\.invalid)\s+(\S+)$", result.output, flags=re.M)
    assert len(accounts) == 6
    with app.app_context():
        roles = {r.role for u in db.session.scalars(sa.select(User)) for r in u.roles}
        assert roles == set(Role)
    _label, email, password = accounts[1]
    client = app.test_client()
    response = client.post("/account/login", data={"csrf_token": csrf(client, "/account/login"), "email": email,
                                                   "password": password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert client.get("/desk/").headers["Location"].endswith("/account/password")  # nothing else first
    token = csrf(client, "/account/password")
    response = client.post("/account/password", data={"csrf_token": token, "current": password,
                                                      "new": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200
