"""A photo that is not public is not in the public photo store: its address answers 404 to anyone, and only
those who keep its entry see it, through an address that checks who asks."""
from __future__ import annotations

import io
import re

from registry.entries.models import Entry, Photo, PhotoConsent
from registry.entries.photos import held_photo_dir, photo_dir
from registry.extensions import db
from tests.support.clients import client_for, post
from tests.support.files import jpeg_bytes


def _entry_with_a_photo_of_people(client, world) -> int:
    r = post(client, "/desk/entries/new", {"kind": "individual", "title": "Lê Văn Tám", "unit": f"#{world.group}",
                                           "story": "Chuyện."}, token_from="/desk/entries/new")
    entry_id = int(re.search(r"/desk/entries/(\d+)/edit", r.headers["Location"]).group(1))
    post(client, f"/desk/entries/{entry_id}/publish", token_from=f"/desk/entries/{entry_id}/edit")
    post(client, f"/desk/entries/{entry_id}/photos",
         {"photos": [(io.BytesIO(jpeg_bytes(color=(91, 17, 200))), "anh.jpg")], "shows_people": "y"},
         token_from=f"/desk/entries/{entry_id}/photos", content_type="multipart/form-data")
    return entry_id


def _photo(app, entry_id) -> Photo:
    with app.app_context():
        photo = db.session.get(Entry, entry_id).all_photos[0]
        db.session.expunge(photo)
        return photo


def _where(app, sha: str) -> tuple[bool, bool]:
    with app.app_context():
        return (photo_dir() / sha[:2] / sha).is_dir(), (held_photo_dir() / sha[:2] / sha).is_dir()


def test_a_photo_waiting_for_consent_is_held_and_shown_only_to_its_keepers(app, world):
    officer = client_for(app, world, "officer")
    entry_id = _entry_with_a_photo_of_people(officer, world)
    photo = _photo(app, entry_id)
    assert not photo.is_public
    assert _where(app, photo.sha256) == (False, True)
    public_url = f"/media/photos/{photo.sha256}/thumb.webp"
    held_url = f"/media/held/{photo.id}/thumb.webp"
    anonymous, other = client_for(app, world, None), client_for(app, world, "other_officer")
    assert anonymous.get(public_url).status_code == 404
    assert anonymous.get(held_url).status_code == 302
    assert other.get(held_url).status_code == 404
    seen = officer.get(held_url)
    assert seen.status_code == 200 and seen.mimetype == "image/webp"
    assert "no-store" in seen.headers["Cache-Control"]
    # The editor's page shows it through the checked address, never the public one.
    page = officer.get(f"/desk/entries/{entry_id}/photos").get_data(as_text=True)
    assert held_url in page and public_url not in page


def test_consent_moves_it_to_the_public_store_and_withdrawal_takes_it_back(app, world):
    officer = client_for(app, world, "officer")
    anonymous = client_for(app, world, None)
    entry_id = _entry_with_a_photo_of_people(officer, world)
    photo = _photo(app, entry_id)
    post(officer, f"/desk/entries/{entry_id}/photos/{photo.id}",
         {f"p{photo.id}-alt": "Anh Tám nhận giấy khen tại hội trường phường", f"p{photo.id}-shows_people": "y"},
         token_from=f"/desk/entries/{entry_id}/photos")
    post(officer, f"/desk/entries/{entry_id}/photos/{photo.id}/consents",
         {f"c{photo.id}-given_by": "Lê Văn Tám", f"c{photo.id}-given_on": "2026-11-30"},
         token_from=f"/desk/entries/{entry_id}/photos")
    assert _photo(app, entry_id).is_public
    assert _where(app, photo.sha256) == (True, False)
    public_url = f"/media/photos/{photo.sha256}/thumb.webp"
    assert anonymous.get(public_url).status_code == 200
    with app.app_context():
        consent_id = db.session.query(PhotoConsent).one().id
    post(officer, f"/desk/entries/{entry_id}/photos/{photo.id}/consents/{consent_id}/withdraw",
         {"note": "Gọi điện ngày 1/12"}, token_from=f"/desk/entries/{entry_id}/photos")
    assert _where(app, photo.sha256) == (False, True)
    assert anonymous.get(public_url).status_code == 404
    assert officer.get(f"/media/held/{photo.id}/thumb.webp").status_code == 200


def test_upkeep_repairs_a_picture_left_in_the_public_store(app, world):
    from registry.entries.photo_store import photo_files_upkeep

    officer = client_for(app, world, "officer")
    photo = _photo(app, _entry_with_a_photo_of_people(officer, world))
    with app.app_context():
        # As after a crash between the commit and the move: the picture is back in the public store.
        (held_photo_dir() / photo.sha256[:2] / photo.sha256).rename(photo_dir() / photo.sha256[:2] / photo.sha256)
        photo_files_upkeep()
    assert _where(app, photo.sha256) == (False, True)
