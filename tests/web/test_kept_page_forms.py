"""Any form page of the working side sent after the session ended keeps what was typed for the user who was
signed in: after signing in again they find the form filled in as typed, to check and save again; nothing is
saved for them, files and passwords are never kept, and another account signing in on the browser gets nothing."""
from __future__ import annotations

import html as htmllib
import io
import re

import sqlalchemy as sa

from registry.accounts.models import User, new_session_token
from registry.entries.models import Entry
from registry.extensions import db
from registry.workflow.models import PendingForm
from tests.entries.test_editor import create, created_id, version_of
from tests.support.clients import PASSWORD, client_for, csrf
from tests.support.world import passed_nomination

TITLE = "Trần Thị Hạnh (bà Tư)"
STORY = "Chị đã cứu hai em nhỏ đuối nước.\n\nSau đó chị mở lớp dạy bơi miễn phí cho trẻ em trong tổ."
RESTORED = "is back in the form below"


def end_session(app, world, client, how: str = "new address", who: str = "officer") -> None:
    """The session ends without signing out: a new network address, or the password changed elsewhere."""
    if how == "new address":
        client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    else:
        with app.app_context():
            db.session.get(User, world.users[who]).session_token = new_session_token()
            db.session.commit()


def sign_in(client, location: str, email: str = "officer@example.org"):
    return client.post(location, data={"csrf_token": csrf(client, "/account/login"), "email": email,
                                       "password": PASSWORD})


def kept(app) -> list[PendingForm]:
    with app.app_context():
        return list(db.session.scalars(sa.select(PendingForm)))


def typed_edit(world, version: str, **extra) -> dict:
    return {"kind": "individual", "title": TITLE, "unit": f"#{world.group}", "year": "2024",
            "summary": "Cứu người.", "story": STORY, "version": version, "save": "1", **extra}


def field_value(page: str, name: str) -> str:
    """What a text field or text area of the page holds."""
    if match := re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S):
        return htmllib.unescape(match.group(1))
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return htmllib.unescape(match.group(1)) if match else ""


def test_the_entry_editor_sent_after_the_session_ended_comes_back_filled_in_after_signing_in(app, world):
    officer = client_for(app, world, "officer")
    entry_id = created_id(create(officer, world))
    url = f"/desk/entries/{entry_id}/edit"
    version, token = version_of(app, entry_id), csrf(officer, url)
    end_session(app, world, officer)
    r = officer.post(url, data={**typed_edit(world, version), "csrf_token": token,
                                "photo": (io.BytesIO(b"\xff\xd8 not kept"), "a.jpg")},
                     content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].startswith("/account/login?next=")
    [row] = kept(app)
    assert (row.user_id, row.path, row.nomination_id) == (world.users["officer"], url, None)
    assert row.data["title"] == [TITLE] and "csrf_token" not in row.data and "photo" not in row.data
    r = sign_in(officer, r.headers["Location"])
    assert r.status_code == 302 and r.headers["Location"] == url
    page = officer.get(url).get_data(as_text=True)
    assert field_value(page, "title") == TITLE and field_value(page, "story") == STORY
    assert RESTORED in page and "Nothing has been saved yet" in page
    assert field_value(page, "csrf_token") != token  # a fresh token, never the old one
    with app.app_context():
        assert db.session.get(Entry, entry_id).title == "Trần Thị Hạnh"  # restored to the form, not saved
    assert kept(app) == []
    again = officer.get(url).get_data(as_text=True)  # handed back once
    assert RESTORED not in again and field_value(again, "title") == "Trần Thị Hạnh"
    # Saving the restored form works like any save.
    r = officer.post(url, data={**typed_edit(world, version), "csrf_token": csrf(officer, url)})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Entry, entry_id).title == TITLE


def test_the_message_is_vietnamese(app, world):
    officer = client_for(app, world, "officer")
    officer.set_cookie("lang", "vi")
    entry_id = created_id(create(officer, world))
    url = f"/desk/entries/{entry_id}/edit"
    version, token = version_of(app, entry_id), csrf(officer, url)
    end_session(app, world, officer, "password changed elsewhere")
    r = officer.post(url, data={**typed_edit(world, version), "csrf_token": token})
    sign_in(officer, r.headers["Location"])
    page = officer.get(url).get_data(as_text=True)
    assert "Chưa có gì được lưu" in page and field_value(page, "story") == STORY


def test_a_new_entry_comes_back_as_typed_over_the_pages_own_defaults(app, world):
    officer = client_for(app, world, "officer")
    token = csrf(officer, "/desk/entries/new")
    end_session(app, world, officer)
    r = officer.post("/desk/entries/new", data={"kind": "collective", "title": TITLE, "unit": f"#{world.group}",
                                                "story": STORY, "csrf_token": token})
    sign_in(officer, r.headers["Location"])
    page = officer.get("/desk/entries/new").get_data(as_text=True)
    assert field_value(page, "title") == TITLE and RESTORED in page
    assert re.search(r'<option[^>]*selected[^>]*value="collective"|<option[^>]*value="collective"[^>]*selected', page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0


def test_another_account_signing_in_on_the_browser_never_sees_the_kept_form(app, world):
    officer = client_for(app, world, "officer")
    entry_id = created_id(create(officer, world))
    url = f"/desk/entries/{entry_id}/edit"
    version, token = version_of(app, entry_id), csrf(officer, url)
    end_session(app, world, officer)
    r = officer.post(url, data={**typed_edit(world, version), "csrf_token": token})
    assert len(kept(app)) == 1
    # An administrator (who may open every entry) signs in on the same browser: the form is dropped.
    r = sign_in(officer, r.headers["Location"], "admin@example.org")
    assert r.status_code == 302
    page = officer.get(url).get_data(as_text=True)
    assert TITLE not in page and RESTORED not in page
    assert kept(app) == []


def test_a_kept_form_goes_only_to_its_page_and_only_if_its_user_may_open_it(app, world):
    officer = client_for(app, world, "officer")
    entry_id = created_id(create(officer, world))
    url = f"/desk/entries/{entry_id}/edit"
    version, token = version_of(app, entry_id), csrf(officer, url)
    end_session(app, world, officer)
    r = officer.post(url, data={**typed_edit(world, version), "csrf_token": token})
    sign_in(officer, r.headers["Location"])
    assert RESTORED not in officer.get("/desk/entries/new").get_data(as_text=True)  # another page: not there
    # Meanwhile the officer lost the right to edit entries of the unit: the page refuses, nothing is shown.
    with app.app_context():
        user = db.session.get(User, world.users["officer"])
        user.roles.clear()
        db.session.commit()
    r = officer.get(url)
    assert r.status_code in (403, 404) and TITLE not in r.get_data(as_text=True)


def test_passwords_and_other_sites_forms_are_never_kept_nor_a_signed_out_users(app, world):
    admin = client_for(app, world, "admin")
    token = csrf(admin, "/admin/users/new")
    end_session(app, world, admin, who="admin")
    r = admin.post("/admin/users/new", data={"email": "moi@example.org", "name": "Người Mới",
                                             "password": "a secret password", "csrf_token": token})
    assert r.status_code == 302
    [row] = kept(app)
    assert row.data["name"] == ["Người Mới"] and not any("password" in name for name in row.data)
    # Sent by another site: nothing kept (the usual sign-in redirect).
    officer = client_for(app, world, "officer")
    token = csrf(officer, "/desk/entries/new")
    end_session(app, world, officer)
    r = officer.post("/desk/entries/new", data={"title": "injected", "csrf_token": token},
                     headers={"Origin": "https://evil.example"})
    assert r.status_code == 302 and len(kept(app)) == 1
    # Signed out on purpose (another tab): nobody to keep it for.
    signed_out = client_for(app, world, "officer")
    token = csrf(signed_out, "/desk/entries/new")
    signed_out.post("/account/logout", data={"csrf_token": token})
    r = signed_out.post("/desk/entries/new", data={"title": TITLE, "csrf_token": csrf(signed_out, "/account/login")})
    assert r.status_code == 302 and "/account/login" in r.headers["Location"] and len(kept(app)) == 1


def test_a_council_form_is_kept_too_and_bounded_in_size(app, world):
    app.config.update(KEPT_FORM_MAX_BYTES=4_000)
    with app.test_request_context("/?lang=en"):
        ready = passed_nomination(world, title="Nguyễn Văn An").id
        db.session.commit()
    secretary = client_for(app, world, "secretary")
    url = f"/council/rounds/{world.round}/decisions/new"
    token = csrf(secretary, url)
    end_session(app, world, secretary, who="secretary")
    data = {"nominations": str(ready), "issuer": f"#{world.commune}", "style": "state", "number": "12",
            "symbol": "QĐ-UBND", "signed_on": "2026-03-02", "signer": "Nguyễn Văn Bình",
            "signer_position": "Chủ tịch UBND", "csrf_token": token}
    r = secretary.post(url, data={**data, "legal_basis": "Đ" * 3_000})
    page = r.get_data(as_text=True)
    assert r.status_code == 401 and "larger than a form can hold" in page and "ĐĐĐ" in page and kept(app) == []
    r = secretary.post(url, data=data)
    assert r.status_code == 302
    sign_in(secretary, r.headers["Location"], "secretary@example.org")
    page = secretary.get(url).get_data(as_text=True)
    assert RESTORED in page and field_value(page, "signer") == "Nguyễn Văn Bình"
    assert field_value(page, "number") == "12" and field_value(page, "signed_on") == "2026-03-02"
