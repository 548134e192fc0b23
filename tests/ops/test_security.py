"""Security headers, the password policy, lockout after failed sign-ins and their audit, the throttles."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.extensions import db
from registry.login_audit import LoginAttempt, LoginOutcome
from tests.workflow.conftest import PASSWORD, client_for, csrf, post

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
    """The CSP forbids inline code; JSON-LD data blocks are the one kind of <script> allowed (never executed)."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text, re.I):
            if 'type="application/ld+json"' not in match.group(1):
                offenders.append(f"{path.name}: {match.group(0)}")
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
    from registry.accounts import AccountError, user_set_password
    from registry.workflow_models import User

    with app.test_request_context("/?lang=en"):
        user = db.session.get(User, world.users["officer"])
        with pytest.raises(AccountError, match=problem):
            user_set_password(user, password)


def test_good_passwords_pass(app, world):
    from registry.security import password_policy_problem

    with app.test_request_context("/?lang=en"):
        for password in (PASSWORD, "Hoa sen nở 2025", "tre-xanh-xanh-tự-bao-giờ"):
            assert password_policy_problem(password, email="officer@example.org", name="Officer") is None


def test_change_password_form_shows_the_policy(app, world):
    client = client_for(app, world, "officer")
    r = post(client, "/account/password", {"current": PASSWORD, "new": "officer-rocks-1", "confirm": "officer-rocks-1"},
             token_from="/account/password")
    assert "must not contain your e-mail name" in r.get_data(as_text=True)


def test_account_locks_after_repeated_failures_and_unlocks_after_the_window(app, world):
    app.config.update(LOGIN_ACCOUNT_RATE_LIMIT="100 per minute", LOGIN_RATE_LIMIT="100 per minute",
                      LOGIN_LOCKOUT_THRESHOLD=5, LOGIN_LOCKOUT_MINUTES=15)
    client = client_for(app, None, None)
    for i in range(5):
        assert "is not right" in sign_in(client, "secretary@example.org", f"wrong guess {i}").get_data(as_text=True)
    # Now even the right password is refused, with a clear reason.
    r = sign_in(client, "secretary@example.org", PASSWORD)
    assert r.status_code == 200 and "locked for 15 more minutes" in r.get_data(as_text=True)
    # Another account is not affected.
    assert sign_in(client_for(app, None, None), "officer@example.org", PASSWORD).status_code == 302
    # Fifteen minutes later, the lock has passed.
    with app.app_context():
        db.session.execute(sa.update(LoginAttempt).values(at=LoginAttempt.at - timedelta(minutes=16)))
        db.session.commit()
    assert sign_in(client_for(app, None, None), "secretary@example.org", PASSWORD).status_code == 302


def test_unknown_addresses_lock_the_same_way(app, world):
    app.config.update(LOGIN_ACCOUNT_RATE_LIMIT="100 per minute", LOGIN_RATE_LIMIT="100 per minute")
    client = client_for(app, None, None)
    for i in range(5):
        sign_in(client, "nobody@example.org", f"guess {i} here")
    assert "locked" in sign_in(client, "nobody@example.org", "guess 6 here").get_data(as_text=True)


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
    assert {"registry.auth.views.login.login", "registry.consultation_views.comment.comment", "api"} <= limited
    client = client_for(app, None, None)
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    codes = [sign_in(client, f"x{i}@example.org", "wrong guess here").status_code for i in range(3)]
    assert codes[-1] == 429
