"""Security headers, the password policy, lockout after failed sign-ins and their audit, the throttles."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.accounts.login_audit import LoginAttempt, LoginOutcome
from registry.extensions import db
from tests.support.clients import PASSWORD, client_for, csrf, post

ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, email, password):
    return client.post("/account/login", data={"csrf_token": csrf(client, "/account/login"), "email": email,
                                               "password": password})


@pytest.mark.parametrize("path", ["/", "/entries", "/api/v1/entries", "/feeds/entries.atom", "/healthz",
                                  "/account/login", "/no-such-page", "/static/css/site.css"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'",
                      "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_hsts_only_over_tls_including_behind_a_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "i"))
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    client = create_app({"TESTING": True}).test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    hsts = client.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")
    assert "max-age=" in client.get("/healthz", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_templates_hold_no_inline_script_or_style():
    """The CSP forbids inline code: JSON-LD data blocks (never executed) and empty elements loading a script vendored
    under static/ (no CDN) are the only kinds of <script> allowed."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.I | re.S):
            data_block = 'type="application/ld+json"' in match.group(1)
            static_file = re.search(r"src=\"\{\{ url_for\('static', filename='[^']+\.js'\) \}\}\"", match.group(1))
            if not (data_block or (static_file and not match.group(2).strip())):
                offenders.append(f"{path.name}: {match.group(0)[:80]}")
        if re.search(r"\sstyle\s*=", text, re.I) or re.search(r"<style\b", text, re.I):
            offenders.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+\s*=", text, re.I) or "javascript:" in text:
            offenders.append(f"{path.name}: inline event handler")
    assert not offenders, offenders


@pytest.mark.parametrize("password, problem", [
    ("short1!", "at least 10 characters"),
    ("abcdefghijklmn", "too simple"),
    ("1234567890123", "too simple"),
    ("aaaaaaaaaaaaa1", "too simple"),
    ("Password2024", "most common"),
    ("matkhau123456", "most common"),
    ("my officer pass 1", "must not contain"),
    ("Nguyen Officer 2025", "must not contain"),
])
def test_weak_passwords_are_refused_with_the_reason(app, world, password, problem):
    from registry.accounts.models import User
    from registry.accounts.operations import AccountError, user_set_password

    with app.test_request_context("/?lang=en"):
        user = db.session.get(User, world.users["officer"])
        with pytest.raises(AccountError, match=problem):
            user_set_password(user, password)


def test_good_passwords_pass(app, world):
    from registry.accounts.passwords import password_policy_problem

    with app.test_request_context("/?lang=en"):
        for password in (PASSWORD, "Hoa sen nở 2025", "tre-xanh-xanh-tự-bao-giờ"):
            assert password_policy_problem(password, email="officer@example.org", name="Officer") is None


def test_change_password_form_shows_the_policy(app, world):
    client = client_for(app, world, "officer")
    r = post(client, "/account/password", {"current": PASSWORD, "new": "officer-rocks-1", "confirm": "officer-rocks-1"},
             token_from="/account/password")
    assert "must not contain your e-mail name" in r.get_data(as_text=True)


ATTACKER, OWNER_ELSEWHERE = "203.0.113.7", "198.51.100.9"
MEMBER = "member1@example.org"


def attempt(client, email, password, address):
    """A sign-in from ``address``; returns the status and the page (or where it redirects)."""
    response = client.post("/account/login", environ_base={"REMOTE_ADDR": address}, data={
        "csrf_token": csrf(client, "/account/login"), "email": email, "password": password})
    return response.status_code, response.get_data(as_text=True)


def time_passes(app, seconds):
    """Move every attempt back in time (in Python: SQLite would subtract a number from the date's text)."""
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginAttempt)):
            row.at -= timedelta(seconds=seconds)
        db.session.commit()


@pytest.fixture
def throttle(app, world):
    """The sign-in throttle at its defaults, without the coarse per-address request limit in the way."""
    app.config.update(LOGIN_RATE_LIMIT="1000 per minute")
    return app


def test_an_attacker_slows_down_their_own_address_never_the_owner(throttle, world):
    app = throttle
    phone = client_for(app, None, None)
    assert attempt(phone, MEMBER, PASSWORD, ATTACKER)[0] == 302  # the owner's phone, once, on the same network
    post(phone, "/account/logout")
    attacker = client_for(app, None, None)
    pages = [attempt(attacker, MEMBER, f"wrong guess {i}", ATTACKER)[1] for i in range(5)]
    assert all("The e-mail address or the password is not right." in page for page in pages)
    assert "Please wait" not in pages[3] and "Please wait 30 seconds before trying again." in pages[4]
    # From the attacker's address, even the right password is not checked now.
    status, page = attempt(attacker, MEMBER, PASSWORD, ATTACKER)
    assert status == 200 and "Too many wrong passwords for this account from your address." in page
    # The council member signs in from another address, or on the phone that signed in before from the same one.
    assert attempt(client_for(app, None, None), MEMBER, PASSWORD, OWNER_ELSEWHERE)[0] == 302
    assert attempt(phone, MEMBER, PASSWORD, ATTACKER)[0] == 302
    # The phone's success gives the attacker no fresh allowance.
    assert "Too many wrong passwords" in attempt(attacker, MEMBER, "wrong guess 6", ATTACKER)[1]


def test_the_wait_doubles_with_each_further_wrong_password(throttle, world):
    app = throttle
    attacker = client_for(app, None, None)
    for i in range(4):
        attempt(attacker, MEMBER, f"wrong guess {i}", ATTACKER)
    waits = []
    for seconds in (31, 61, 0):
        waits.append(attempt(attacker, MEMBER, "one more guess", ATTACKER)[1])
        time_passes(app, seconds)
    assert "Please wait 30 seconds" in waits[0] and "Please wait 1 minute " in waits[1] and "Please wait 2 minutes" in waits[2]
    # A refused attempt does not make the wait longer; once it has passed, the right password works.
    assert "Please wait 2 minutes" in attempt(attacker, MEMBER, PASSWORD, ATTACKER)[1]
    time_passes(app, 121)
    assert attempt(attacker, MEMBER, PASSWORD, ATTACKER)[0] == 302


def test_addresses_of_one_ipv6_subscriber_count_as_one(throttle, world):
    from registry.accounts.login_audit import client_network

    assert client_network("2001:db8:1:2:aaaa::1") == client_network("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_network("::ffff:203.0.113.7") == "203.0.113.7" and client_network("203.0.113.7") == "203.0.113.7"
    attacker = client_for(throttle, None, None)
    for i in range(5):
        attempt(attacker, MEMBER, f"wrong guess {i}", f"2001:db8:1:2::{i + 1}")
    assert "Too many wrong passwords" in attempt(attacker, MEMBER, PASSWORD, "2001:db8:1:2::77")[1]
    assert attempt(attacker, MEMBER, PASSWORD, "2001:db8:1:3::1")[0] == 302


def test_one_address_guessing_many_accounts_waits_for_all_of_them(throttle, world):
    sprayer = client_for(throttle, None, None)
    for i in range(20):
        attempt(sprayer, f"person{i}@example.org", "Summer2025!", ATTACKER)
    status, page = attempt(sprayer, "officer@example.org", PASSWORD, ATTACKER)
    assert status == 200 and "Too many wrong passwords from your address." in page
    assert attempt(client_for(throttle, None, None), "officer@example.org", PASSWORD, OWNER_ELSEWHERE)[0] == 302


def test_guessing_from_many_addresses_slows_unknown_devices_but_not_the_owners_own(throttle, world):
    app = throttle
    app.config["LOGIN_ACCOUNT_FREE_FAILURES"] = 8
    desktop = client_for(app, None, None)
    assert attempt(desktop, MEMBER, PASSWORD, OWNER_ELSEWHERE)[0] == 302
    post(desktop, "/account/logout")
    botnet = client_for(app, None, None)
    for i in range(8):
        attempt(botnet, MEMBER, f"wrong guess {i}", f"192.0.2.{i + 1}")
    status, page = attempt(client_for(app, None, None), MEMBER, PASSWORD, "192.0.2.200")
    assert status == 200 and "from many addresses" in page and "a device you have signed in from before" in page
    # The owner's desktop still gets in, but under attack its own wrong passwords are slowed down at once.
    assert "Please wait 30 seconds" in attempt(desktop, MEMBER, "a typo", OWNER_ELSEWHERE)[1]
    assert "Too many wrong passwords on this device." in attempt(desktop, MEMBER, PASSWORD, OWNER_ELSEWHERE)[1]
    time_passes(app, 31)
    assert attempt(desktop, MEMBER, PASSWORD, OWNER_ELSEWHERE)[0] == 302


def test_the_owner_is_told_once_in_the_app_and_by_mail(throttle, world, monkeypatch):
    import smtplib

    from tests.support.mail import FakeSMTP

    app = throttle
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config["MAIL_SERVER"] = "smtp.example.org"
    attacker = client_for(app, None, None)
    for i in range(8):
        attempt(attacker, MEMBER, f"wrong guess {i}", ATTACKER)
        time_passes(app, 250)  # each wait has passed (30 s, 1, 2, 4 minutes): every guess is a failure
    assert [(to, subject) for to, subject, _body in FakeSMTP.sent] == [
        (MEMBER, "Cơ sở dữ liệu điển hình: nhiều lần nhập sai mật khẩu vào tài khoản của bạn")]
    assert ATTACKER in FakeSMTP.sent[0][2] and "/account/notices" in FakeSMTP.sent[0][2]
    owner = client_for(app, None, None)
    assert attempt(owner, MEMBER, PASSWORD, "127.0.0.1")[0] == 302  # the test client's own address, as it browses on
    assert "Someone entered wrong passwords for your account: see your notices." in owner.get("/desk/").get_data(as_text=True)
    notices = owner.get("/account/notices").get_data(as_text=True)
    assert notices.count(f"the last from the address {ATTACKER}") == 1
    # Nobody is told about guesses at an address that has no account.
    for i in range(5):
        attempt(attacker, "nobody@example.org", f"wrong guess {i}", OWNER_ELSEWHERE)
    with app.app_context():
        from registry.accounts.models import Notification

        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_an_attempt_is_on_record_before_its_password_is_checked(throttle, world, monkeypatch):
    """So that guesses sent at the same moment count each other instead of all slipping under the limit."""
    from registry.web.auth import views

    seen = []

    def checking(email, password):
        with throttle.app_context(), db.engine.connect() as other:  # what a concurrent request would read
            seen.append(other.execute(sa.select(sa.func.count(LoginAttempt.id))).scalar())

    monkeypatch.setattr(views, "user_authenticate", checking)
    attempt(client_for(throttle, None, None), MEMBER, "first guess", ATTACKER)
    attempt(client_for(throttle, None, None), MEMBER, "second guess", ATTACKER)
    assert seen == [1, 2]


def test_unknown_addresses_are_throttled_the_same_way(throttle, world):
    client = client_for(throttle, None, None)
    for i in range(5):
        attempt(client, "nobody@example.org", f"guess {i} here", ATTACKER)
    assert "Too many wrong passwords for this account from your address." in attempt(
        client, "nobody@example.org", "guess 6 here", ATTACKER)[1]


def test_failed_sign_ins_are_audited_and_shown_to_administrators_only(app, world):
    client = client_for(app, None, None)
    sign_in(client, "member1@example.org", "not my password")
    sign_in(client, "ghost@example.org", "not my password")
    with app.app_context():
        rows = db.session.execute(sa.select(LoginAttempt.email, LoginAttempt.outcome, LoginAttempt.user_id)
                                  .order_by(LoginAttempt.id)).all()
    assert (("member1@example.org", LoginOutcome.BAD_PASSWORD, world.users["member1"]) in rows
            and ("ghost@example.org", LoginOutcome.UNKNOWN_EMAIL, None) in rows)
    html = client_for(app, world, "admin").get("/admin/sign-ins?failed=1").get_data(as_text=True)
    assert "ghost@example.org" in html and "Unknown e-mail address" in html and "Wrong password" in html
    assert "not my password" not in html
    assert client_for(app, world, "secretary").get("/admin/sign-ins").status_code == 403
    assert client_for(app, None, None).get("/admin/sign-ins").status_code == 302


def test_throttles_exist_on_sign_in_comments_and_the_api(app, world):
    """Each throttle is exercised in its own test; here we check none has been lost from the routes."""
    from registry.extensions import limiter

    manager = limiter.limit_manager
    limited = set(manager._decorated_limits) | set(manager._blueprint_limits)
    assert {"registry.web.auth.views.login.login", "registry.web.consultation.views.comment.comment", "api"} <= limited
    client = client_for(app, None, None)
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    codes = [sign_in(client, f"x{i}@example.org", "wrong guess here").status_code for i in range(3)]
    assert codes[-1] == 429
