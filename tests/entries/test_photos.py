"""Tests for the photo pipeline (registry/photos.py); every fixture image is generated here."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import ExifTags, Image, ImageCms

from registry.entries import photos
from registry.entries.photos import (
    RENDITION_WIDTHS,
    PhotoError,
    Rendition,
    StoredImage,
    rendition_path,
    srcset,
    store_image,
)
from tests.support.files import encode, png_with_size

MARKER = b"registry-secret-marker"


# ---------------------------------------------------------------- helpers


def two_tone(size: tuple[int, int], left=(220, 20, 20), right=(20, 20, 220)) -> Image.Image:
    """Left half one colour, right half another, so orientation is observable."""
    img = Image.new("RGB", size, left)
    img.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return img


def noise(size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        fourcc, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks.append(fourcc)
        pos += 8 + size + (size & 1)
    return chunks




def reject(data, code: str, **kwargs) -> PhotoError:
    with pytest.raises(PhotoError) as info:
        store_image(data, root=kwargs.pop("root"), **kwargs)
    assert info.value.code == code
    return info.value


@pytest.fixture
def app():
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield app


# ---------------------------------------------------------------- rejections


def test_text_file_is_not_an_image(tmp_path):
    err = reject(b"Hello, this is a plain text file.\n" * 20, "not_image", root=tmp_path)
    assert "JPEG" in str(err)
    assert stored_files(tmp_path) == []


def test_empty_file(tmp_path):
    reject(b"", "empty", root=tmp_path)
    reject(io.BytesIO(b""), "empty", root=tmp_path)


def test_truncated_jpeg(tmp_path):
    data = encode(noise((256, 256)), "JPEG", quality=90)
    reject(data[: len(data) // 2], "truncated", root=tmp_path)
    assert stored_files(tmp_path) == []


def test_truncated_png(tmp_path):
    data = encode(noise((128, 128)), "PNG")
    reject(data[: len(data) // 2], "truncated", root=tmp_path)


def test_over_byte_limit(tmp_path, app):
    data = encode(noise((64, 64)), "PNG")
    reject(data, "too_large_bytes", root=tmp_path, max_bytes=len(data) - 1)
    assert stored_files(tmp_path) == []
    store_image(data, root=tmp_path, max_bytes=len(data))
    err = reject(encode(noise((600, 400)), "PNG"), "too_large_bytes", root=tmp_path, max_bytes=512 * 1024)
    assert str(err) == "The file is too large. The maximum size is 0.5 MB."


def test_default_byte_limit_message(tmp_path, app):
    err = reject(b"\0" * (photos.DEFAULT_MAX_BYTES + 1), "too_large_bytes", root=tmp_path)
    assert str(err) == "The file is too large. The maximum size is 15 MB."


class CountingStream(io.RawIOBase):
    """An endless stream that records how much was read from it."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "an unbounded read would slurp the whole upload"
        size = min(size, 4096)  # short reads, as sockets do
        self.consumed += size
        return b"\xff" * size


def test_stream_read_is_bounded(tmp_path):
    stream = CountingStream()
    reject(stream, "too_large_bytes", root=tmp_path, max_bytes=50_000)
    assert stream.consumed == 50_001


def test_stream_upload_accepted(tmp_path):
    data = encode(two_tone((40, 30)), "PNG")
    stored = store_image(io.BytesIO(data), root=tmp_path)
    assert (stored.width, stored.height) == (40, 30)


def test_pixel_limit_per_call(tmp_path, app):
    data = encode(two_tone((200, 100)), "PNG")
    before = Image.MAX_IMAGE_PIXELS
    err = reject(data, "too_many_pixels", root=tmp_path, max_pixels=19_999)
    assert "0.02" in str(err)
    assert store_image(data, root=tmp_path, max_pixels=20_000).width == 200
    assert Image.MAX_IMAGE_PIXELS == before


def test_bomb_header_far_over_pillow_limit(tmp_path):
    # 100000 x 100000 declared: Pillow itself raises DecompressionBombError.
    reject(png_with_size(100_000, 100_000), "too_many_pixels", root=tmp_path)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bomb_between_pillow_warning_and_error(tmp_path):
    # 10000 x 10000 = 100 MP: Pillow only warns; we must still refuse, even with a generous max_pixels.
    data = encode(Image.new("1", (10_000, 10_000)), "PNG")
    assert len(data) < 100_000
    reject(data, "too_many_pixels", root=tmp_path)
    reject(data, "too_many_pixels", root=tmp_path, max_pixels=10**9)


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_bomb_warning_escalated_to_error(tmp_path):
    reject(png_with_size(10_000, 10_000), "too_many_pixels", root=tmp_path, max_pixels=10**9)


def test_bomb_with_pillow_global_limit_disabled(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    reject(png_with_size(100_000, 100_000), "too_many_pixels", root=tmp_path)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")],
)
def test_refused_raster_formats(tmp_path, app, fmt, name):
    err = reject(encode(two_tone((32, 32)), fmt), "unsupported_format", root=tmp_path)
    assert name in str(err)
    assert stored_files(tmp_path) == []


def test_svg_refused(tmp_path):
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    reject(svg, "unsupported_format", root=tmp_path)


def test_filename_extension_is_irrelevant(tmp_path):
    # A GIF is a GIF whatever it is called; store_image never sees a name at all.
    stream = io.BytesIO(encode(two_tone((16, 16)), "GIF"))
    stream.name = "holiday.jpg"
    reject(stream, "unsupported_format", root=tmp_path)


def test_html_then_png_polyglot_rejected(tmp_path):
    html = b"<html><body><script>alert(1)</script></body></html>\n"
    reject(html + encode(two_tone((32, 32)), "PNG"), "not_image", root=tmp_path)


def test_messages_render_outside_and_inside_app_context(tmp_path, app):
    err = reject(b"not an image", "not_image", root=tmp_path)
    assert str(err).startswith("The file is not an image we can read (JPEG, PNG, WebP")
    assert isinstance(err, ValueError)


# ---------------------------------------------------------------- polyglots that decode


def assert_clean(root: Path, stored: StoredImage, *forbidden: bytes) -> None:
    files = stored_files(root)
    assert sorted(f.name for f in files) == ["large.webp", "medium.webp", "original.webp", "thumb.webp"]
    for f in files:
        data = f.read_bytes()
        for needle in forbidden:
            assert needle not in data, (f.name, needle)
        assert set(webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}, f.name
        with Image.open(f) as im:
            assert im.format == "WEBP"
            assert not im.getexif()
            assert not {"exif", "xmp", "icc_profile"} & set(im.info)


def test_jpeg_with_zip_appended_is_accepted_without_payload(tmp_path):
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("payload.txt", MARKER * 10)
    data = encode(two_tone((300, 200)), "JPEG") + zipped.getvalue()
    stored = store_image(data, root=tmp_path)
    assert stored.format == "JPEG"
    assert_clean(tmp_path, stored, b"PK\x03\x04", b"PK\x05\x06", MARKER)


def test_png_with_html_after_iend_is_accepted_without_payload(tmp_path):
    data = encode(two_tone((300, 200)), "PNG") + b"<script>" + MARKER + b"</script>"
    stored = store_image(data, root=tmp_path)
    assert stored.format == "PNG"
    assert_clean(tmp_path, stored, b"<script>", MARKER)


# ---------------------------------------------------------------- metadata and orientation


def test_exif_orientation_applied(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # display rotated 90 degrees clockwise
    data = encode(two_tone((120, 80)), "JPEG", exif=exif, quality=95)
    stored = store_image(data, root=tmp_path)
    assert (stored.width, stored.height) == (80, 120)
    original = stored.renditions["original"]
    assert (original.width, original.height) == (80, 120)
    with Image.open(tmp_path / original.path) as im:
        assert im.size == (80, 120)
        assert not im.getexif()
        top, bottom = im.convert("RGB").getpixel((40, 10)), im.convert("RGB").getpixel((40, 110))
    assert top[0] > 150 and top[2] < 100  # the left (red) half is now on top
    assert bottom[2] > 150 and bottom[0] < 100


def test_metadata_stripped(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.ImageDescription] = MARKER.decode()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 1.0, 42.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 51.0, 15.0)
    gps[ExifTags.GPS.GPSProcessingMethod] = b"ASCII\0\0\0GPS"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>' + MARKER + b"</rdf:RDF></x:xmpmeta>"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(two_tone((900, 600)), "JPEG", exif=exif, xmp=xmp, icc_profile=icc)
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries the metadata
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert b"Exif" in data and b"GPS" in data and MARKER in data

    stored = store_image(data, root=tmp_path)
    assert_clean(tmp_path, stored, b"Exif", b"GPS", b"SecretCam", MARKER, b"xmpmeta", b"ICCP")


def test_png_text_and_exif_stripped(tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER.decode())
    info.add_itxt("XML:com.adobe.xmp", MARKER.decode())
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    data = encode(two_tone((100, 60)), "PNG", pnginfo=info, exif=exif)
    stored = store_image(data, root=tmp_path)
    assert_clean(tmp_path, stored, MARKER, b"SecretCam", b"Exif")


def test_broken_icc_profile_does_not_reject(tmp_path):
    data = encode(two_tone((60, 40)), "JPEG", icc_profile=b"not really an icc profile" * 8)
    stored = store_image(data, root=tmp_path)
    assert_clean(tmp_path, stored, b"not really")


# ---------------------------------------------------------------- renditions


def rendition_sizes(stored: StoredImage) -> dict[str, tuple[int, int]]:
    return {name: (r.width, r.height) for name, r in stored.renditions.items()}


def assert_files_match(root: Path, stored: StoredImage) -> None:
    for name, r in stored.renditions.items():
        assert r.name == name
        assert r.path == f"{stored.sha256[:2]}/{stored.sha256}/{name}.webp"
        assert rendition_path(root, stored.sha256, name) == (root / r.path).resolve()
        with Image.open(root / r.path) as im:
            assert im.format == "WEBP"
            assert im.size == (r.width, r.height)


def test_derivative_sizes(tmp_path):
    stored = store_image(encode(two_tone((2000, 1000)), "JPEG"), root=tmp_path)
    assert (stored.width, stored.height) == (2000, 1000)
    assert rendition_sizes(stored) == {
        "original": (2000, 1000),
        "thumb": (320, 160),
        "medium": (800, 400),
        "large": (1600, 800),
    }
    assert_files_match(tmp_path, stored)


def test_small_image_never_upscaled(tmp_path):
    stored = store_image(encode(two_tone((500, 300)), "JPEG"), root=tmp_path)
    assert rendition_sizes(stored) == {
        "original": (500, 300),
        "thumb": (320, 192),
        "medium": (500, 300),
        "large": (500, 300),
    }
    assert_files_match(tmp_path, stored)
    tiny = store_image(encode(two_tone((10, 7)), "PNG"), root=tmp_path)
    assert set(rendition_sizes(tiny).values()) == {(10, 7)}
    assert_files_match(tmp_path, tiny)


def test_tall_image_keeps_aspect_ratio(tmp_path):
    stored = store_image(encode(two_tone((400, 3000)), "PNG"), root=tmp_path)
    assert rendition_sizes(stored)["thumb"] == (320, 2400)
    assert rendition_sizes(stored)["medium"] == (400, 3000)


def test_idempotent_store(tmp_path):
    data = encode(noise((900, 500)), "JPEG")
    first = store_image(data, root=tmp_path)
    files = stored_files(tmp_path)
    stamps = {f: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}
    second = store_image(io.BytesIO(data), root=tmp_path)
    assert second == first
    assert stored_files(tmp_path) == files
    assert {f: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files} == stamps
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_hash_ignores_metadata_and_repairs_missing_files(tmp_path):
    img = two_tone((64, 48))
    plain = store_image(encode(img, "PNG"), root=tmp_path)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    tagged = store_image(encode(img, "PNG", exif=exif), root=tmp_path)
    assert tagged.sha256 == plain.sha256
    # Same pixels in another lossless container, too.
    assert store_image(encode(img, "WEBP", lossless=True), root=tmp_path).sha256 == plain.sha256
    (tmp_path / plain.renditions["thumb"].path).unlink()
    store_image(encode(img, "PNG"), root=tmp_path)
    assert (tmp_path / plain.renditions["thumb"].path).is_file()
    assert len(stored_files(tmp_path)) == 4


def test_png_with_alpha(tmp_path):
    img = Image.new("RGBA", (100, 80), (0, 128, 0, 255))
    img.paste((0, 0, 0, 0), (0, 0, 50, 80))
    stored = store_image(encode(img, "PNG"), root=tmp_path)
    assert stored.format == "PNG"
    for r in stored.renditions.values():
        with Image.open(tmp_path / r.path) as im:
            assert im.mode == "RGBA"
            assert im.getpixel((0, 0))[3] == 0
            assert im.getpixel((r.width - 1, 0))[3] == 255


def test_opaque_alpha_is_dropped(tmp_path):
    img = two_tone((50, 40))
    rgba = store_image(encode(img.convert("RGBA"), "PNG"), root=tmp_path)
    rgb = store_image(encode(img, "PNG"), root=tmp_path)
    assert rgba.sha256 == rgb.sha256
    with Image.open(tmp_path / rgb.renditions["original"].path) as im:
        assert im.mode == "RGB"


def test_palette_images(tmp_path):
    pal = two_tone((120, 90)).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    stored = store_image(encode(pal, "PNG"), root=tmp_path)
    assert (stored.width, stored.height) == (120, 90)
    with Image.open(tmp_path / stored.renditions["original"].path) as im:
        assert im.mode == "RGB"

    transparent = pal.copy()
    transparent.info["transparency"] = transparent.getpixel((0, 0))
    stored = store_image(encode(transparent, "PNG"), root=tmp_path)
    with Image.open(tmp_path / stored.renditions["original"].path) as im:
        assert im.mode == "RGBA"
        assert im.getpixel((0, 0))[3] == 0
        assert im.getpixel((119, 0))[3] == 255


def test_grayscale_and_16_bit_png(tmp_path):
    gray = Image.linear_gradient("L").resize((64, 64))
    store_image(encode(gray, "PNG"), root=tmp_path)
    deep = Image.new("I;16", (64, 64), 32768)
    stored = store_image(encode(deep, "PNG"), root=tmp_path)
    with Image.open(tmp_path / stored.renditions["original"].path) as im:
        value = im.convert("L").getpixel((10, 10))
    assert 100 < value < 160  # mid grey, not clipped to white


def test_cmyk_jpeg(tmp_path):
    stored = store_image(encode(two_tone((80, 60)).convert("CMYK"), "JPEG"), root=tmp_path)
    with Image.open(tmp_path / stored.renditions["original"].path) as im:
        assert im.mode == "RGB"
        assert im.getpixel((5, 5))[0] > 150


def test_webp_input(tmp_path):
    stored = store_image(encode(two_tone((90, 60)), "WEBP", quality=90), root=tmp_path)
    assert stored.format == "WEBP"
    assert (stored.width, stored.height) == (90, 60)


def test_mpo_is_reported_as_jpeg(tmp_path):
    first, second = two_tone((64, 48)), two_tone((64, 48), left=(0, 200, 0))
    data = encode(first, "MPO", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(data)) as check:
        assert check.format == "MPO"
    assert store_image(data, root=tmp_path).format == "JPEG"


@pytest.mark.skipif(not photos.HEIF_SUPPORTED, reason="pillow-heif not installed")
def test_heic_input(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    data = encode(two_tone((96, 64)), "HEIF", quality=90, exif=exif)
    stored = store_image(data, root=tmp_path)
    assert stored.format == "HEIF"
    assert (stored.width, stored.height) == (96, 64)
    assert_clean(tmp_path, stored, b"SecretCam", b"Exif")


# ---------------------------------------------------------------- rendition_path and srcset

SHA = "ab" * 32


def test_rendition_path_valid(tmp_path):
    path = rendition_path(tmp_path, SHA, "thumb")
    assert path == tmp_path.resolve() / "ab" / SHA / "thumb.webp"
    assert path.is_relative_to(tmp_path.resolve())


@pytest.mark.parametrize(
    ("sha", "name"),
    [
        ("../x", "thumb"),
        ("../" * 21 + "a", "thumb"),
        (SHA.upper(), "thumb"),
        ("g" * 64, "thumb"),
        (SHA[:-1], "thumb"),
        (SHA + "a", "thumb"),
        (SHA + "\n", "thumb"),
        ("", "thumb"),
        (SHA, "../original"),
        (SHA, "thumb.webp"),
        (SHA, "secret"),
        (SHA, ""),
        (SHA, "/etc/passwd"),
    ],
)
def test_rendition_path_rejects(tmp_path, sha, name):
    with pytest.raises(PhotoError) as info:
        rendition_path(tmp_path, sha, name)
    assert info.value.code == "invalid_reference"


def fake_url(sha: str, name: str) -> str:
    return f"/photos/{sha}/{name}.webp"


def test_srcset_from_stored_image(tmp_path):
    stored = store_image(encode(two_tone((2000, 1000)), "JPEG"), root=tmp_path)
    s = stored.sha256
    assert srcset(s, stored, fake_url) == (
        f"/photos/{s}/thumb.webp 320w, /photos/{s}/medium.webp 800w, /photos/{s}/large.webp 1600w"
    )


def test_srcset_from_dict_skips_missing_and_duplicate_widths():
    assert srcset(SHA, {"thumb": (320, 200), "large": (1600, 1000)}, fake_url) == (
        f"/photos/{SHA}/thumb.webp 320w, /photos/{SHA}/large.webp 1600w"
    )
    small = {"original": (500, 300), "thumb": (320, 192), "medium": (500, 300), "large": (500, 300)}
    assert srcset(SHA, small, fake_url) == f"/photos/{SHA}/thumb.webp 320w, /photos/{SHA}/medium.webp 500w"
    assert srcset(SHA, {}, fake_url) == ""


def test_public_constants_and_types():
    assert RENDITION_WIDTHS == {"thumb": 320, "medium": 800, "large": 1600}
    r = Rendition("thumb", 1, 2, "x")
    with pytest.raises(AttributeError):
        r.width = 3  # type: ignore[misc]


def test_very_wide_image_fits_webp_limits(tmp_path):
    stored = store_image(encode(two_tone((20_000, 100)), "PNG"), root=tmp_path)
    assert (stored.width, stored.height) == (20_000, 100)
    assert rendition_sizes(stored)["original"] == (16_383, 82)
    assert_files_match(tmp_path, stored)


def test_limits_in_messages_follow_the_locale(tmp_path):
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "vi")
    data = encode(noise((600, 400)), "PNG")
    with pytest.raises(PhotoError) as info:
        store_image(data, root=tmp_path, max_bytes=512 * 1024)
    with app.test_request_context():
        assert "0,5 MB" in str(info.value)
    assert "0.5 MB" in str(info.value)  # rendered again outside any app: plain formatting
