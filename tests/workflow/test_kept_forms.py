"""Typing across an ended session: kept only for the user who was signed in and may edit the dossier,
bounded, for a day; anyone else gets nothing stored and their text back with a plain word."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.accounts.models import User, new_session_token
from registry.extensions import db
from registry.platform.columns import utcnow
from registry.workflow.models import Nomination, PendingForm
from tests.support import databases
from tests.support.apps import app_release
from tests.support.clients import PASSWORD, client_for, csrf
from tests.support.world import new_draft, version_of

REPORT = "Ba trang báo cáo thành tích gõ trong một giờ."
SAME_SITE = {"Origin": "http://localhost"}


def end_session(app, world, client, how: str, who: str = "officer") -> None:
    """End the browser's session the ways it ends without signing out."""
    if how == "new address":
        # SESSION_PROTECTION "strong": a laptop moving from the office Wi-Fi to a phone's hotspot.
        client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    else:
        # A password changed (or, later, a sign-out) elsewhere ends every other session of the user.
        with app.app_context():
            db.session.get(User, world.users[who]).session_token = new_session_token()
            db.session.commit()


def dossier(version, report=REPORT, **extra) -> dict:
    return {"version": version, "kind": "individual", "title": "Trần Thị Hạnh", "report": report, "save": "1",
            **extra}


def kept_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PendingForm))


def sign_in_again(client, location: str, email: str = "officer@example.org"):
    return client.post(location, data={"csrf_token": csrf(client, "/account/login"), "email": email,
                                       "password": PASSWORD})


@pytest.mark.parametrize("how", ["new address", "password changed elsewhere"])
@pytest.mark.parametrize("token", ["from the page", "stale"])
def test_typing_survives_an_ended_session_and_comes_back_once_after_signing_in(app, world, how, token):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    page_token = csrf(officer, f"/nominations/{nid}/edit")
    end_session(app, world, officer, how)
    r = officer.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={
        **dossier(version_of(app, nid)), "csrf_token": page_token if token == "from the page" else "stale"})
    assert r.status_code == 302 and "/account/login" in r.headers["Location"], r.status_code
    assert kept_count(app) == 1
    with app.app_context():
        kept = db.session.scalar(sa.select(PendingForm))
        assert (kept.user_id, kept.nomination_id) == (world.users["officer"], nid)
        assert "save" not in kept.data and "csrf_token" not in kept.data  # only the dossier's own fields
    r = sign_in_again(officer, r.headers["Location"])
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/nominations/{nid}/edit")
    html = officer.get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert REPORT in html and "has been restored" in html
    assert "has been restored" not in officer.get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert kept_count(app) == 0
    with app.app_context():
        assert db.session.get(Nomination, nid).report in ("", None)  # restored to the form, not saved


def test_a_visitor_who_never_signed_in_has_nothing_kept_and_is_told_so_with_the_text_back(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    stranger = client_for(app, world, None)
    for target in (nid, nid + 1000):  # the same answer whether the dossier exists or not
        for token in ({}, {"csrf_token": csrf(stranger, "/account/login")}):
            r = stranger.post(f"/nominations/{target}/edit", headers=SAME_SITE,
                              data={**dossier(1, story="x" * 400_000, junk="y" * 400_000), **token},
                              content_type="multipart/form-data")
            html = r.get_data(as_text=True)
            assert r.status_code == 401 and "Nothing was saved" in html and "neither saved nor kept" in html
            assert REPORT in html and "y" * 100 not in html  # the dossier's own fields come back, nothing else
            assert r.headers["Cache-Control"] == "private, no-store"
            assert f"/account/login?next=/nominations/{target}/edit" in html
    assert kept_count(app) == 0
    # The officer whose cookie was lost (a restarted browser) is in the same place: nothing kept.
    officer.delete_cookie("session")
    r = officer.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={**dossier(1), "csrf_token": "stale"})
    assert r.status_code == 401 and REPORT in r.get_data(as_text=True) and kept_count(app) == 0


def test_the_not_kept_page_speaks_vietnamese(app, world):
    stranger = app.test_client()
    html = stranger.post("/nominations/1/edit", headers=SAME_SITE, data=dossier(1)).get_data(as_text=True)
    assert "Chưa có gì được lưu" in html and 'lang="vi"' in html


def test_signing_out_ends_the_trace_so_nothing_is_kept_afterwards(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    page_token = csrf(officer, f"/nominations/{nid}/edit")
    officer.post("/account/logout", data={"csrf_token": page_token})
    r = officer.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={**dossier(1), "csrf_token": page_token})
    assert r.status_code == 401 and kept_count(app) == 0


def test_nothing_is_kept_for_a_dossier_the_former_user_may_not_edit_or_from_another_site(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    other = client_for(app, world, "other_officer")
    end_session(app, world, other, "new address")
    r = other.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={**dossier(1), "csrf_token": "stale"})
    assert r.status_code == 401 and kept_count(app) == 0
    end_session(app, world, officer, "new address")
    r = officer.post(f"/nominations/{nid}/edit", data={**dossier(1, report="injected"), "csrf_token": "x"},
                     headers={"Origin": "https://evil.example"})
    assert r.status_code == 401 and "injected" not in r.get_data(as_text=True) and kept_count(app) == 0


def test_a_kept_form_is_bounded_in_size_and_count_and_never_dropped_for_a_newer_one(app, world):
    app.config.update(KEPT_FORM_MAX_BYTES=20_000, KEPT_FORMS_PER_USER=2)
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    browsers = [client_for(app, world, "officer") for _ in range(4)]
    for browser in browsers:
        end_session(app, world, browser, "new address")
    # Too large for a dossier: not kept, and the text comes back with the reason.
    r = browsers[0].post(f"/nominations/{nid}/edit", headers=SAME_SITE,
                         data={**dossier(1, story="Đ" * 15_000), "csrf_token": "stale"})
    html = r.get_data(as_text=True)
    assert r.status_code == 401 and "larger than a dossier form can hold" in html and "ĐĐĐĐ" in html
    assert kept_count(app) == 0
    # The same browser typing again replaces its own earlier form; other browsers add theirs up to the quota.
    for browser, report in ((browsers[0], "một"), (browsers[0], "hai"), (browsers[1], "ba")):
        r = browser.post(f"/nominations/{nid}/edit", headers=SAME_SITE,
                         data={**dossier(1, report=report), "csrf_token": "stale"})
        assert r.status_code == 302
    assert kept_count(app) == 2
    r = browsers[2].post(f"/nominations/{nid}/edit", headers=SAME_SITE,
                         data={**dossier(1, report="bốn"), "csrf_token": "stale"})
    html = r.get_data(as_text=True)
    assert r.status_code == 401 and "2 forms of yours are already waiting" in html and "bốn" in html
    with app.app_context():
        reports = sorted(d["report"] for d in db.session.scalars(sa.select(PendingForm.data)))
    assert reports == ["ba", "hai"]


def test_a_kept_form_goes_back_only_to_its_user_and_expires_within_a_day(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    browsers = {"shared": client_for(app, world, "officer"), "own": client_for(app, world, "officer")}
    for browser in browsers.values():
        end_session(app, world, browser, "new address")
        r = browser.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={**dossier(1), "csrf_token": "stale"})
        assert r.status_code == 302
    assert kept_count(app) == 2
    # A colleague who may edit the dossier too signs in on the shared browser: the form is not theirs.
    with app.app_context():
        from registry.accounts.models import Role
        from registry.accounts.operations import user_add_role

        user_add_role(db.session.get(User, world.users["outsider"]), Role.UNIT_OFFICER, unit_id=world.group)
        db.session.commit()
    assert sign_in_again(browsers["shared"], "/account/login", "outsider@example.org").status_code == 302
    assert "has been restored" not in browsers["shared"].get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert kept_count(app) == 1  # the shared browser's form is dropped as another account signs in there
    with app.app_context():
        assert db.session.scalar(sa.select(PendingForm.user_id)) == world.users["officer"]
    # A day later the form is gone, for its own user too.
    with app.app_context():
        db.session.execute(sa.update(PendingForm).values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
        db.session.commit()
    assert sign_in_again(browsers["own"], "/account/login").status_code == 302
    assert "has been restored" not in browsers["own"].get(f"/nominations/{nid}/edit").get_data(as_text=True)
    assert kept_count(app) == 0


def test_a_signed_in_user_whose_form_expired_gets_the_text_back_and_nothing_is_stored(app, world):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    r = officer.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={**dossier(1), "csrf_token": "old tab"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "This form had expired" in html and REPORT in html
    assert kept_count(app) == 0
    with app.app_context():
        assert db.session.get(Nomination, nid).report in ("", None)
    # Someone who may not edit the dossier only hears that the form had expired.
    other = client_for(app, world, "other_officer")
    r = other.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data={**dossier(1), "csrf_token": "old tab"})
    assert r.status_code == 400 and REPORT not in r.get_data(as_text=True)


def test_a_read_only_database_refuses_to_keep_the_form_with_a_503(app, world, tmp_path, monkeypatch):
    officer = client_for(app, world, "officer")
    nid = new_draft(app, world, officer)
    end_session(app, world, officer, "new address")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app_release(app)
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", app.instance_path)  # the same secret key signs the cookie
    if databases.on_postgres():
        readonly = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": "-c default_transaction_read_only=on"}}})
    else:
        readonly = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI":
                               f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"})
    client = readonly.test_client()
    client.set_cookie("lang", "en")
    client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    client.set_cookie("session", officer.get_cookie("session").value)
    for token in ("stale", None):  # the expired-token path (an error handler) and the view's own
        data = {**dossier(1), **({"csrf_token": token} if token else {})}
        if token is None:
            data["csrf_token"] = csrf(client, "/account/login")
        r = client.post(f"/nominations/{nid}/edit", headers=SAME_SITE, data=data)
        assert r.status_code == 503 and "Nothing was saved" in r.get_data(as_text=True), r.status_code
    app_release(readonly)
    assert kept_count(app) == 0
