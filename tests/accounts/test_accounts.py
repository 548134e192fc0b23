"""Accounts: sign-in and its throttle, sessions ended by a password change, create-user, user management."""
from __future__ import annotations

import sqlalchemy as sa

from registry import create_app
from registry.accounts.models import Role, User
from registry.extensions import db
from tests.support.clients import PASSWORD, client_for, csrf, post


def sign_in(client, email, password):
    return client.post("/account/login", data={"csrf_token": csrf(client, "/account/login"), "email": email,
                                               "password": password})


def test_sign_in_and_out(app, world):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert client.get("/desk/").status_code == 302
    r = sign_in(client, "Officer@Example.org ", PASSWORD)
    assert r.status_code == 302 and r.headers["Location"].endswith("/desk/")
    assert "My unit's nominations" in client.get("/desk/").get_data(as_text=True)
    post(client, "/account/logout")
    assert client.get("/desk/").status_code == 302


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_no_longer_works(app, world):
    browser = client_for(app, world, "member1")
    stolen = browser.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    post(browser, "/account/logout")
    assert browser.get("/desk/").status_code == 302
    # The copy, replayed with the same browser string, signs nobody in.
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = replay.get("/desk/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_signing_out_on_the_phone_leaves_the_desktop_signed_in_until_asked(app, world):
    from registry.accounts.sign_ins import SignIn

    desktop, phone = client_for(app, world, "member1"), client_for(app, world, "member1")
    html = desktop.get("/account/sign-ins").get_data(as_text=True)
    assert html.count("This device") == 1 and "Sign out on every other device" in html
    post(phone, "/account/logout")
    assert desktop.get("/desk/").status_code == 200
    phone = client_for(app, world, "member1")
    r = post(desktop, "/account/sign-ins/end-others", token_from="/account/sign-ins", follow_redirects=True)
    assert "You are signed out on every other device." in r.get_data(as_text=True)
    assert phone.get("/desk/").status_code == 302
    assert desktop.get("/desk/").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SignIn.id))) == 1
        # Kept as a hash only: the database does not hold what the cookie carries.
        token_hash = db.session.scalar(sa.select(SignIn.token_hash))
    with desktop.session_transaction() as session:
        assert session["sign_in"] != token_hash and len(token_hash) == 64


def test_a_sign_in_older_than_the_session_lifetime_has_ended(app, world):
    from datetime import timedelta

    from registry.accounts.sign_ins import SignIn

    browser = client_for(app, world, "member1")
    with app.app_context():
        for row in db.session.scalars(sa.select(SignIn)):
            row.created_at -= timedelta(days=31, minutes=1)
        db.session.commit()
    assert browser.get("/desk/").status_code == 302


def test_wrong_password_keeps_the_email_and_says_so(app, world):
    client = client_for(app, None, None)
    r = sign_in(client, "officer@example.org", "wrong password!")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "The e-mail address or the password is not right." in html
    assert 'value="officer@example.org"' in html
    assert 'aria-describedby="password-error"' in html


def test_next_is_only_a_local_path(app, world):
    client = client_for(app, None, None)
    token = csrf(client, "/account/login")
    r = client.post("/account/login?next=https://evil.example/", data={
        "csrf_token": token, "email": "officer@example.org", "password": PASSWORD})
    assert r.headers["Location"].endswith("/desk/")


def test_session_cookie_flags(app, world):
    client = client_for(app, None, None)
    r = sign_in(client, "officer@example.org", PASSWORD)
    cookie = r.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie



def test_cookies_are_secure_behind_https(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "i"))
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    config = create_app({"TESTING": True}).config
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_PROTECTION"] == "strong"


def test_password_change_signs_out_every_other_session(app, world):
    laptop, phone = client_for(app, world, "member1"), client_for(app, world, "member1")
    assert phone.get("/desk/").status_code == 200
    r = post(laptop, "/account/password", {"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "at least 10 characters" in r.get_data(as_text=True)
    r = post(laptop, "/account/password", {"current": PASSWORD, "new": "a much longer secret", "confirm": "a much longer secret"})
    assert r.status_code == 302
    assert laptop.get("/desk/").status_code == 200   # this browser stays signed in
    assert phone.get("/desk/").status_code == 302    # the other one is signed out


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "root@example.org", "--name", "Quản trị",
                                 "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
        assert user.is_admin and "a long enough password" not in user.password_hash
    weak = runner.invoke(args=["create-user", "--email", "x@example.org", "--name", "X", "--password", "short"])
    assert weak.exit_code != 0
    dup = runner.invoke(args=["create-user", "--email", "ROOT@example.org", "--name", "Y",
                              "--password", "another long password"])
    assert dup.exit_code != 0 and "Đã có người dùng" in dup.output


def test_default_hashing_is_scrypt(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "i"))
    app = create_app({"TESTING": True})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert app.config["PASSWORD_MIN_LENGTH"] == 10


def test_admin_creates_a_user_with_roles_and_can_disable_them(app, world):
    admin = client_for(app, world, "admin")
    r = post(admin, "/admin/users/new", {
        "email": "new@example.org", "name": "Võ Thị Lan", "password": "short", "active": "y",
        "officer_units": "Thành phố Hà Nội › Phường Ba Đình", "member_of": world.council,
        
    })
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "at least 10 characters" in html and 'value="Võ Thị Lan"' in html
    r = post(admin, "/admin/users/new", {
        "email": "new@example.org", "name": "Võ Thị Lan", "password": "long enough password", "active": "y",
        "officer_units": "Phường Không Có", "member_of": world.council, 
    })
    assert "No unit is called" in r.get_data(as_text=True)
    r = post(admin, "/admin/users/new", {
        "email": "new@example.org", "name": "Võ Thị Lan", "password": "long enough password", "active": "y",
        "officer_units": "Thành phố Hà Nội › Phường Ba Đình", "member_of": world.council,
        
    })
    assert r.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert {(r.role, r.unit_id, r.council_id) for r in user.roles} == {
            (Role.UNIT_OFFICER, world.commune, None), (Role.MEMBER, None, world.council)}
        uid = user.id
    lan = client_for(app, None, None)
    assert sign_in(lan, "new@example.org", "long enough password").status_code == 302
    r = post(admin, f"/admin/users/{uid}", {
        "email": "new@example.org", "name": "Võ Thị Lan", "password": "", "officer_units": "",
        
    })
    assert r.status_code == 302
    assert lan.get("/desk/").status_code == 302  # disabled: signed out
    assert sign_in(lan, "new@example.org", "long enough password").status_code == 200


def test_admin_manages_councils_rounds_and_holidays(app, world):
    admin = client_for(app, world, "admin")
    r = post(admin, "/admin/councils/new", {"name": "Hội đồng TĐKT phường Hoàn Kiếm", "unit": f"#{world.other_commune}"})
    assert r.status_code == 302
    r = post(admin, "/admin/rounds/new", {
        "name": "Đợt đột xuất", "title_id": 1, "level": "commune", "award_kind": "sudden", "council_id": world.council,
        "year": 2026, "opens_on": "2026-03-10", "closes_on": "2026-03-01", "ballot": "open",
        "threshold_percent": "66.67", "denominator": "present", "quorum_percent": "50", "consultation_days": 0,
        "processing_days": 5, "prerequisite_title_id": 0, "prerequisite_years": 0,
    })
    assert "The closing date is before the opening date." in r.get_data(as_text=True)
    r = post(admin, "/admin/holidays", {"day": "2026-09-02", "name": "Quốc khánh"})
    assert r.status_code == 302
    assert "Quốc khánh" in admin.get("/admin/holidays").get_data(as_text=True)


def test_admin_manages_units_and_the_title_catalogue(app, world):
    admin = client_for(app, world, "admin")
    r = post(admin, "/admin/units/new", {"name": "Chi hội Phụ nữ tổ 5", "parent": f"#{world.group}",
                                         "kind": "womens_union", "level": ""})
    assert r.status_code == 302
    html = admin.get("/admin/units?q=Chi hội").get_data(as_text=True)
    assert "Chi hội Phụ nữ tổ 5 — Tổ dân phố số 5 — Phường Ba Đình — Thành phố Hà Nội" in html
    r = post(admin, f"/admin/units/{world.commune}", {"name": "Phường Ba Đình", "parent": f"#{world.group}",
                                                      "kind": "administrative", "level": "commune"})
    assert "A unit cannot be placed under itself." in r.get_data(as_text=True)
    r = post(admin, f"/admin/units/{world.other_commune}", {
        "name": "Phường Hoàn Kiếm (cũ)", "parent": f"#{world.province}", "kind": "administrative",
        "level": "commune", "valid_to": "2025-06-30", "successor": f"#{world.commune}"})
    assert r.status_code == 302
    with app.app_context():
        from registry.catalog.models import Unit
        unit = db.session.get(Unit, world.other_commune)
        assert unit.successor_id == world.commune and [f.name for f in unit.former_names] == ["Phường Hoàn Kiếm"]
    r = post(admin, "/admin/titles/new", {"name": "Gương sáng Dân vận khéo", "category": "local_programme",
                                          "applies_to": ["individual", "collective"], "default_level": "commune"})
    assert r.status_code == 302
    with app.app_context():
        from registry.catalog.models import AwardTitle
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Gương sáng Dân vận khéo"))
        assert title.applies_to == ["individual", "collective"]
    r = post(admin, "/admin/titles/new", {"name": "Gương sáng Dân vận khéo", "category": "local_programme"})
    assert "A title with this name already exists." in r.get_data(as_text=True)


def test_a_person_may_hold_roles_in_several_councils(app, world):
    admin = client_for(app, world, "admin")
    post(admin, "/admin/councils/new", {"name": "Hội đồng TĐKT thành phố", "unit": f"#{world.province}"})
    with app.app_context():
        from registry.workflow.models import Council
        city = db.session.scalar(sa.select(Council.id).where(Council.name == "Hội đồng TĐKT thành phố"))
    r = post(admin, f"/admin/users/{world.users['member1']}", {
        "email": "member1@example.org", "name": "Member1", "active": "y",
        "member_of": [world.council, city], "secretary_of": [city]})
    assert r.status_code == 302
    with app.app_context():
        user = db.session.get(User, world.users["member1"])
        assert {(r.role, r.council_id) for r in user.roles} == {
            (Role.MEMBER, world.council), (Role.MEMBER, city), (Role.SECRETARY, city)}
    html = admin.get(f"/admin/users/{world.users['member1']}").get_data(as_text=True)
    assert html.count("checked") == 4  # active + three council roles


def test_throttle_counts_per_visitor_behind_a_proxy(app, world):
    from registry.platform import proxies

    app.config.update(TRUSTED_PROXY_COUNT=1, LOGIN_RATE_LIMIT="2 per minute")
    proxies.init_app(app)
    first, second = client_for(app, None, None), client_for(app, None, None)

    def attempt(client, address):
        token = csrf(client, "/account/login")
        return client.post("/account/login", data={"csrf_token": token, "email": "x@example.org", "password": "no"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt(first, "203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert attempt(second, "198.51.100.9") == 200  # another visitor behind the same proxy is not blocked


def test_unit_field_keeps_the_exact_unit_when_names_repeat(app, world):
    from registry.catalog.models import Unit, UnitKind
    from registry.catalog.unit_picker import unit_lookup

    with app.app_context():
        twin_root = Unit(name="Thành phố Hà Nội", slug="ha-noi-2", kind=UnitKind.ADMINISTRATIVE)
        db.session.add(twin_root)
        db.session.flush()
        twin = Unit(name="Phường Ba Đình", slug="ba-dinh-2", kind=UnitKind.ADMINISTRATIVE, parent=twin_root)
        db.session.add(twin)
        db.session.commit()
        unit, candidates, problem = unit_lookup("Phường Ba Đình")
        assert unit is None and len(candidates) == 2
    admin = client_for(app, world, "admin")
    html = admin.get(f"/admin/councils/{world.council}").get_data(as_text=True)
    # The name and path are shown, never a number; the choice travels in a hidden field beside it.
    assert 'value="Phường Ba Đình — Thành phố Hà Nội"' in html
    assert f'name="unit-choice" value="{world.commune}"' in html
    r = post(admin, f"/admin/councils/{world.council}", {"name": "Hội đồng TĐKT phường Ba Đình",
                                                          "unit": "Phường Ba Đình — Thành phố Hà Nội",
                                                          "unit-choice": str(world.commune)})
    assert r.status_code == 302
    with app.app_context():
        from registry.workflow.models import Council
        assert db.session.get(Council, world.council).unit_id == world.commune


def test_admin_form_choices_speak_the_visitors_language(app, world):
    """Labels of select options are translated per request, not frozen when the form class was defined."""
    admin = client_for(app, world, "admin")
    english = admin.get("/admin/units/new").get_data(as_text=True)
    assert '<option value="province">Province</option>' in english
    assert '<option value="province">Provincial level</option>' in admin.get("/admin/titles/new").get_data(as_text=True)
    admin.set_cookie("lang", "vi")
    vietnamese = admin.get("/admin/units/new").get_data(as_text=True)
    assert '<option value="province">Tỉnh, thành phố</option>' in vietnamese
    titles = admin.get("/admin/titles/new").get_data(as_text=True)
    assert '<option value="province">Cấp tỉnh</option>' in titles
    assert '<label for="applies-individual">Cá nhân</label>' in titles
