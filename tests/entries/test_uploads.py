"""Every kind of bad file, sent through the real upload forms: a clear message, and nothing stored."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from registry.entries.models import Photo
from registry.extensions import db
from registry.workflow.models import Attachment
from tests.support.clients import client_for, post
from tests.support.files import PDF, jpeg_bytes, png_with_size
from tests.support.world import draft_nomination

LIMIT = 200_000  # bytes, for photos and documents alike in these tests
JPEG = jpeg_bytes()
GIF = (lambda b: (Image.new("P", (8, 8)).save(b, "GIF"), b.getvalue())[1])(io.BytesIO())

# (case, bytes, file name, message expected for a photo, message expected for a document)
BAD_FILES = [
    ("wrong type: text named .jpg", b"just some words, not a picture\n" * 20, "photo.jpg",
     "not an image we can read", "not a document we accept"),
    ("wrong type: GIF", GIF, "anim.gif", "GIF images are not accepted", "not a document we accept"),
    ("wrong type: executable", b"MZ\x90\x00" + b"\x00" * 400, "setup.exe",
     "not an image we can read", "not a document we accept"),
    ("truncated JPEG", JPEG[: len(JPEG) // 3], "cut.jpg", "incomplete or damaged", "incomplete or damaged"),
    ("truncated PDF", PDF[:20], "cut.pdf", None, "incomplete or damaged"),
    ("decompression bomb", png_with_size(100_000, 100_000), "bomb.png", "too many pixels", "too many pixels"),
    ("huge", b"\xff\xd8\xff" + b"\x00" * (LIMIT + 10), "huge.jpg", "too large", "too large"),
    ("zero bytes", b"", "empty.jpg", "The file is empty.", "is empty"),
    ("polyglot: JPEG header over HTML", b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>" * 3, "x.jpg",
     "incomplete or damaged", "incomplete or damaged"),
    ("polyglot: HTML hiding a PDF", b"<html><body>hi</body></html>\n" + PDF, "doc.pdf",
     "not an image we can read", "not a document we accept"),
    ("path tricks in the name", b"not an image at all" * 10, "../../../../etc/cron.d/evil.jpg",
     "not an image we can read", "not a document we accept"),
]


@pytest.fixture
def dossier(app, world):
    """A draft dossier of the officer's unit, with small upload limits."""
    app.config.update(PHOTO_MAX_BYTES=LIMIT, ATTACHMENT_MAX_BYTES=LIMIT)
    return draft_nomination(app, world, title="Lê Thị Mai")


def stored(app) -> tuple[int, int, list[Path]]:
    with app.app_context():
        photos = db.session.scalar(sa.select(sa.func.count(Photo.id)))
        attachments = db.session.scalar(sa.select(sa.func.count(Attachment.id)))
    files = [p for key in ("PHOTO_DIR", "ATTACHMENT_DIR") for p in Path(app.config[key]).rglob("*") if p.is_file()]
    return photos, attachments, files


def flashes(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def upload(client, nid: int, route: str, data: bytes, name: str):
    fields = {"photo": (io.BytesIO(data), name), "alt": "Ảnh chân dung"} if route == "photos" else \
        {"file": (io.BytesIO(data), name), "kind": "minutes"}
    return post(client, f"/nominations/{nid}/{route}", fields, content_type="multipart/form-data",
                follow_redirects=True, token_from=f"/nominations/{nid}/edit")


@pytest.mark.parametrize("route", ["photos", "attachments"])
@pytest.mark.parametrize("case, data, name, photo_message, document_message", BAD_FILES,
                         ids=[c[0] for c in BAD_FILES])
def test_bad_files_are_refused_with_a_clear_message(app, world, dossier, route, case, data, name, photo_message,
                                                    document_message):
    message = photo_message if route == "photos" else document_message
    if message is None:
        pytest.skip("not a photo case")
    officer = client_for(app, world, "officer")
    before = stored(app)
    response = upload(officer, dossier, route, data, name)
    assert response.status_code == 200
    assert message in flashes(response.get_data(as_text=True)), (case, flashes(response.get_data(as_text=True))[:800])
    assert stored(app) == before, case


def test_a_request_over_the_server_limit_is_413_and_nothing_is_stored(app, world, dossier):
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    officer = client_for(app, world, "officer")
    before = stored(app)
    response = post(officer, f"/nominations/{dossier}/photos",
                    {"photo": (io.BytesIO(b"\xff" * 150_000), "big.jpg"), "alt": "x"},
                    content_type="multipart/form-data", token_from=f"/nominations/{dossier}/edit")
    assert response.status_code == 413 and "File too large" in response.get_data(as_text=True)
    assert stored(app) == before


def test_a_good_file_with_a_tricky_name_is_kept_under_its_hash_with_a_clean_name(app, world, dossier):
    officer = client_for(app, world, "officer")
    response = upload(officer, dossier, "attachments", PDF, "../../../etc/biên bản\x00.pdf")
    assert "The document is attached." in flashes(response.get_data(as_text=True))
    with app.app_context():
        attachment = db.session.scalar(sa.select(Attachment))
        assert attachment.filename == "biên bản.pdf"
    _, _, files = stored(app)
    root = Path(app.instance_path)
    assert files and all(f.resolve().is_relative_to(root) for f in files)


def test_an_image_with_a_payload_appended_is_stored_without_it(app, world, dossier):
    """A valid picture carrying a hidden archive or page: only the re-encoded pixels are kept."""
    officer = client_for(app, world, "officer")
    payload = b"PK\x03\x04<html><script>alert('x')</script></html>"
    response = upload(officer, dossier, "photos", JPEG + payload, "holiday.jpg")
    assert "The photo is added." in flashes(response.get_data(as_text=True))
    _, _, files = stored(app)
    assert files and not any(b"<script>" in f.read_bytes() or b"PK\x03\x04" in f.read_bytes() for f in files)
