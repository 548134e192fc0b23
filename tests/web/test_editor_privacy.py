"""A photo held back for want of consent never leaves the editor: no public page, search, API answer, feed,
download or records export carries it, while the entry's consented photo goes everywhere photos go."""
from __future__ import annotations

import io
import re

from registry.entries.models import Entry, Photo
from registry.extensions import db
from tests.support.clients import client_for, post
from tests.support.files import jpeg_bytes


def entry_with_two_photos(app, world) -> tuple[int, str, str]:
    """A published entry with a described landscape (public) and a photo of a recognisable person (no consent)."""
    officer = client_for(app, world, "officer")
    r = post(officer, "/desk/entries/new", {"kind": "initiative", "title": "Vườn rau sạch tổ 5",
                                            "unit": f"#{world.group}", "summary": "Mô hình vườn rau."},
             token_from="/desk/entries/new")
    entry_id = int(re.search(r"/desk/entries/(\d+)/edit", r.headers["Location"]).group(1))
    photos_url = f"/desk/entries/{entry_id}/photos"
    for color, people in (((20, 160, 20), False), ((160, 20, 20), True)):
        data = {"photos": [(io.BytesIO(jpeg_bytes(color=color)), "a.jpg")]}
        if people:
            data["shows_people"] = "y"
        post(officer, photos_url, data, token_from=photos_url, content_type="multipart/form-data")
    with app.app_context():
        landscape, person = db.session.get(Entry, entry_id).all_photos
        ids = (landscape.id, person.id)
        shas = (landscape.sha256, person.sha256)
    post(officer, f"{photos_url}/{ids[0]}", {f"p{ids[0]}-alt": "Luống rau cải xanh trong vườn tổ 5"},
         token_from=photos_url)
    post(officer, f"{photos_url}/{ids[1]}", {f"p{ids[1]}-alt": "Bà Hoa tưới rau trong vườn",
                                            f"p{ids[1]}-shows_people": "y"}, token_from=photos_url)
    post(officer, f"/desk/entries/{entry_id}/publish", token_from=f"/desk/entries/{entry_id}/edit")
    return entry_id, shas[0], shas[1]


def test_a_photo_without_consent_is_in_no_public_answer(app, world, runner, tmp_path):
    entry_id, public_sha, held_sha = entry_with_two_photos(app, world)
    with app.app_context():
        assert [p.is_public for p in db.session.get(Entry, entry_id).all_photos] == [True, False]
    citizen = client_for(app, world, None)
    answers = {}
    for url in (f"/entries/{entry_id}", "/entries", "/", f"/units/{world.group}", "/search?q=vuon+rau",
                f"/api/v1/entries/{entry_id}", "/api/v1/entries", "/api/v1/search?q=vuon+rau",
                "/api/v1/entries?format=jsonl", "/api/v1/entries?format=csv", "/feeds/entries.atom",
                f"/feeds/units/{world.group}.atom"):
        response = citizen.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        answers[url] = response.get_data(as_text=True)
        assert held_sha not in answers[url], url
    # The consented photo does go where photos go: the check above is not vacuous.
    assert public_sha in answers[f"/entries/{entry_id}"] and public_sha in answers[f"/api/v1/entries/{entry_id}"]
    out = tmp_path / "export.jsonl"
    result = runner.invoke(args=["export-records", str(out)])
    assert result.exit_code == 0, result.output
    exported = out.read_text(encoding="utf-8")
    assert "Vườn rau sạch" in exported and held_sha not in exported and public_sha in exported


def test_the_held_back_photo_shows_to_the_unit_only(app, world):
    entry_id, _public_sha, held_sha = entry_with_two_photos(app, world)
    with app.app_context():
        held_id = db.session.query(Photo).filter_by(sha256=held_sha).one().id
    page = client_for(app, world, "officer").get(f"/desk/entries/{entry_id}/photos").get_data(as_text=True)
    # Shown to its keepers through the address that checks who asks, never by its public address.
    assert f"/media/held/{held_id}/" in page and held_sha not in page
    assert client_for(app, world, "other_officer").get(f"/desk/entries/{entry_id}/photos").status_code == 404
    with app.app_context():
        assert db.session.query(Photo).filter_by(sha256=held_sha).one().is_public is False
