"""Photos in the entry editor: several at once, described, ordered, a cover, removed and brought back; consent for
people who can be recognised (a guardian's for a minor), and withdrawal that unpublishes at once."""
from __future__ import annotations

import io
import re

from registry.entries.models import Entry, Photo, PhotoConsent
from registry.extensions import db
from tests.support.clients import client_for, post
from tests.support.files import PDF, jpeg_bytes


def new_entry(app, world, client, *, publish=True) -> int:
    r = post(client, "/desk/entries/new", {"kind": "individual", "title": "Lê Văn Tám", "unit": f"#{world.group}",
                                           "story": "Chuyện."}, token_from="/desk/entries/new")
    entry_id = int(re.search(r"/desk/entries/(\d+)/edit", r.headers["Location"]).group(1))
    if publish:
        post(client, f"/desk/entries/{entry_id}/publish", token_from=f"/desk/entries/{entry_id}/edit")
    return entry_id


def upload(client, entry_id, colors, **flags):
    files = [(io.BytesIO(jpeg_bytes(color=c)), f"anh-{i}.jpg") for i, c in enumerate(colors)]
    data = {"photos": files, **{k: "y" for k, v in flags.items() if v}}
    return post(client, f"/desk/entries/{entry_id}/photos", data, token_from=f"/desk/entries/{entry_id}/photos",
                content_type="multipart/form-data")


def photos_of(app, entry_id) -> list[Photo]:
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        photos = [p for p in entry.all_photos if p.removed_at is None]
        for p in photos:
            db.session.expunge(p)
        return photos


def describe(client, entry_id, photo_id, alt, **extra):
    data = {f"p{photo_id}-alt": alt, **{f"p{photo_id}-{k}": v for k, v in extra.items()}}
    return post(client, f"/desk/entries/{entry_id}/photos/{photo_id}", data,
                token_from=f"/desk/entries/{entry_id}/photos")


def test_several_photos_at_once_wait_for_a_description(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client)
    page = client.get(f"/desk/entries/{entry_id}/photos").get_data(as_text=True)
    assert re.search(r'<input type="file" id="photos" name="photos" multiple accept="image/\*" capture', page)
    assert "js/photo-drop.js" in page
    r = upload(client, entry_id, [(200, 0, 0), (0, 200, 0), (0, 0, 200)])
    assert r.status_code == 302
    photos = photos_of(app, entry_id)
    assert len(photos) == 3 and not any(p.is_public for p in photos)
    assert "Unpublished: needs a description" in client.get(f"/desk/entries/{entry_id}/photos").get_data(as_text=True)
    r = describe(client, entry_id, photos[0].id, "ảnh")
    assert r.status_code == 422 and "not just that it is a photo" in r.get_data(as_text=True)
    r = describe(client, entry_id, photos[0].id, "Anh Tám kéo em bé lên bờ kênh", caption="Kênh Nhiêu Lộc")
    assert r.status_code == 302
    assert photos_of(app, entry_id)[0].is_public


def test_an_illustration_must_say_so(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client)
    upload(client, entry_id, [(10, 10, 10)], is_illustration=True)
    photo = photos_of(app, entry_id)[0]
    r = describe(client, entry_id, photo.id, "Người thanh niên cứu em bé", is_illustration="y")
    assert r.status_code == 422 and "illustration" in r.get_data(as_text=True)
    assert describe(client, entry_id, photo.id, "Tranh minh họa: người thanh niên cứu em bé",
                    is_illustration="y").status_code == 302


def test_reorder_and_cover_without_javascript(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client)
    upload(client, entry_id, [(200, 0, 0), (0, 200, 0), (0, 0, 200)])
    a, b, c = [p.id for p in photos_of(app, entry_id)]
    url = f"/desk/entries/{entry_id}/photos"
    post(client, f"{url}/{c}/move", {"step": "up"}, token_from=url)
    assert [p.id for p in photos_of(app, entry_id)] == [a, c, b]
    post(client, f"{url}/{b}/cover", token_from=url)
    assert [p.id for p in photos_of(app, entry_id)] == [b, a, c]
    post(client, f"{url}/{b}/move", {"step": "down"}, token_from=url)
    assert [p.id for p in photos_of(app, entry_id)] == [a, b, c]


def test_remove_and_undo(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client)
    upload(client, entry_id, [(200, 0, 0), (0, 200, 0)])
    a, b = [p.id for p in photos_of(app, entry_id)]
    describe(client, entry_id, a, "Anh Tám trước cửa nhà văn hóa")
    url = f"/desk/entries/{entry_id}/photos"
    post(client, f"{url}/{a}/remove", token_from=url)
    assert [p.id for p in photos_of(app, entry_id)] == [b]
    assert "Bring it back" in client.get(url).get_data(as_text=True)
    post(client, f"{url}/{a}/bring-back", token_from=url)
    photos = photos_of(app, entry_id)
    assert [p.id for p in photos] == [b, a] and photos[1].is_public


def test_a_photo_of_people_stays_unpublished_until_consent(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client)
    upload(client, entry_id, [(90, 90, 90)], shows_people=True)
    photo = photos_of(app, entry_id)[0]
    describe(client, entry_id, photo.id, "Anh Tám nhận giấy khen tại hội trường phường", shows_people="y")
    assert not photos_of(app, entry_id)[0].is_public
    url = f"/desk/entries/{entry_id}/photos/{photo.id}/consents"
    r = post(client, url, {f"c{photo.id}-given_by": "Lê Văn Tám", f"c{photo.id}-given_on": "2026-11-30",
                           f"c{photo.id}-document": (io.BytesIO(PDF), "dong-y.pdf")},
             token_from=f"/desk/entries/{entry_id}/photos", content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    assert photos_of(app, entry_id)[0].is_public
    with app.app_context():
        consent = db.session.query(PhotoConsent).one()
        assert consent.file_type == "pdf" and consent.filename == "dong-y.pdf"
    form_url = f"/desk/entries/{entry_id}/photos/{photo.id}/consents/{consent.id}/form"
    download = client.get(form_url)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Cache-Control"] == "private, no-store"
    assert client_for(app, world, "other_officer").get(form_url).status_code == 404
    assert client_for(app, world, None).get(form_url).status_code == 302
    with app.app_context():
        from registry.workflow.documents import document_path, unnamed_documents

        # The signed form is kept privately, and upkeep never takes it for a leftover upload.
        assert document_path(consent.sha256, "pdf").is_file()
        assert document_path(consent.sha256, "pdf") not in unnamed_documents()


def test_a_minor_needs_a_guardians_consent(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client)
    upload(client, entry_id, [(90, 90, 90)], shows_minor=True)
    photo = photos_of(app, entry_id)[0]
    assert photo.shows_people and photo.shows_minor
    describe(client, entry_id, photo.id, "Em Lan cùng bạn nhặt rác ven hồ", shows_people="y", shows_minor="y")
    url = f"/desk/entries/{entry_id}/photos/{photo.id}/consents"
    r = post(client, url, {f"c{photo.id}-given_by": "Nguyễn Thị Lan", f"c{photo.id}-given_on": "2026-11-30"},
             token_from=f"/desk/entries/{entry_id}/photos")
    assert r.status_code == 422 and "parent or guardian" in r.get_data(as_text=True)
    assert not photos_of(app, entry_id)[0].is_public
    r = post(client, url, {f"c{photo.id}-given_by": "Nguyễn Văn Hải (bố)", f"c{photo.id}-by_guardian": "y",
                           f"c{photo.id}-given_on": "2026-11-30"}, token_from=f"/desk/entries/{entry_id}/photos")
    assert r.status_code == 302
    assert photos_of(app, entry_id)[0].is_public


def test_withdrawn_consent_unpublishes_at_once(app, world):
    client = client_for(app, world, "officer")
    citizen = client_for(app, world, None)
    entry_id = new_entry(app, world, client)
    upload(client, entry_id, [(90, 90, 90)], shows_people=True)
    photo = photos_of(app, entry_id)[0]
    describe(client, entry_id, photo.id, "Anh Tám nhận giấy khen tại hội trường phường", shows_people="y")
    post(client, f"/desk/entries/{entry_id}/photos/{photo.id}/consents",
         {f"c{photo.id}-given_by": "Lê Văn Tám", f"c{photo.id}-given_on": "2026-11-30"},
         token_from=f"/desk/entries/{entry_id}/photos")
    assert photo.sha256 in citizen.get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        consent_id = db.session.query(PhotoConsent).one().id
    post(client, f"/desk/entries/{entry_id}/photos/{photo.id}/consents/{consent_id}/withdraw",
         {"note": "Gọi điện ngày 1/12"}, token_from=f"/desk/entries/{entry_id}/photos")
    # The same citizen, whose page the cache kept a moment ago, no longer sees it.
    assert photo.sha256 not in citizen.get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert photo.sha256 not in citizen.get(f"/api/v1/entries/{entry_id}").get_data(as_text=True)
    assert not photos_of(app, entry_id)[0].is_public


def test_another_units_officer_cannot_touch_the_photos(app, world):
    client = client_for(app, world, "officer")
    entry_id = new_entry(app, world, client, publish=False)
    upload(client, entry_id, [(90, 90, 90)])
    photo = photos_of(app, entry_id)[0]
    other = client_for(app, world, "other_officer")
    for path in (f"photos/{photo.id}/remove", f"photos/{photo.id}/cover", f"photos/{photo.id}",
                 f"photos/{photo.id}/consents", "photos"):
        assert post(other, f"/desk/entries/{entry_id}/{path}", {}, token_from="/desk/").status_code == 404
    # A photo id of one entry cannot be reached through another entry the officer does keep.
    r = post(other, "/desk/entries/new", {"kind": "collective", "title": "Chi hội phụ nữ Hoàn Kiếm",
                                          "unit": f"#{world.other_commune}"}, token_from="/desk/entries/new")
    mine = int(re.search(r"/desk/entries/(\d+)/edit", r.headers["Location"]).group(1))
    assert post(other, f"/desk/entries/{mine}/photos/{photo.id}/remove", token_from="/desk/").status_code == 404
    assert photos_of(app, entry_id)[0].removed_at is None
