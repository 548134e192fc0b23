"""Photo upload pipeline: validate, normalise, strip metadata and store WebP renditions.

Decisions (kept here so reviewers don't have to reverse-engineer them):

* Accepted inputs are whatever Pillow *detects* as JPEG (incl. MPO, the
  multi-picture JPEG many phones write), PNG or WebP, plus HEIC/HEIF when the
  optional ``pillow-heif`` package is installed.  The filename is never looked
  at.  Animated PNG/WebP are accepted; only the first frame is kept.
* The content hash is the SHA-256 of the *normalised pixels* (after EXIF
  orientation, colour conversion to sRGB and mode normalisation, prefixed by
  mode and size), not of the uploaded bytes.  The same picture uploaded with
  different metadata therefore maps to the same files.  A Pillow/libjpeg
  upgrade that decodes a few pixels differently yields a new hash, which only
  costs a duplicate copy, never a broken link.
* Every stored file, including ``original``, is re-encoded WebP written from
  a metadata-free image: no EXIF (GPS included), XMP or ICC chunk survives.
  An embedded ICC profile that isn't sRGB is converted to sRGB first (so e.g.
  Display-P3 phone photos keep their colours), then dropped; WebP without a
  profile is rendered as sRGB by browsers.
* Everything is WebP, there is no JPEG fallback: every browser we support
  decodes WebP.
* Layout: ``<root>/<sha[:2]>/<sha>/<name>.webp``.  Files are written through a
  temporary file in ``<root>/.tmp/`` and ``os.replace`` (``registry.platform.staging``)
  so readers never see partial files, and
  existing files are reused, which makes ``store_image`` idempotent and safe
  to run concurrently for the same picture.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app, has_app_context
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from registry.platform.staging import write_whole

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without littlecms: ICC profiles are dropped unconverted.
    ImageCms = None  # type: ignore[assignment]

try:
    from pillow_heif import register_heif_opener
except ImportError:
    HEIF_SUPPORTED = False
else:
    register_heif_opener()
    HEIF_SUPPORTED = True

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "HEIF_SUPPORTED",
    "RENDITION_NAMES",
    "RENDITION_WIDTHS",
    "PhotoError",
    "Rendition",
    "StoredImage",
    "encode_original",
    "rendition_path",
    "srcset",
    "store_image",
]

RENDITION_WIDTHS: dict[str, int] = {"thumb": 320, "medium": 800, "large": 1600}
RENDITION_NAMES: tuple[str, ...] = ("original", *RENDITION_WIDTHS)

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000

# libwebp cannot encode a side longer than this.
WEBP_MAX_SIDE = 16383

ORIGINAL_QUALITY = 90
DERIVATIVE_QUALITY = 80
# The original is big and rarely served, so it gets a fast method; the small
# derivatives are served constantly and encode in milliseconds, so they get
# libwebp's default (better compression).
ORIGINAL_METHOD = 2
DERIVATIVE_METHOD = 4

_OPEN_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP") + (("HEIF",) if HEIF_SUPPORTED else ())
# MPO is what Pillow reports for JPEGs carrying a multi-picture index.
_ACCEPTED_FORMATS: dict[str, str] = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
if HEIF_SUPPORTED:
    _ACCEPTED_FORMATS["HEIF"] = "HEIF"
ACCEPTED_FORMATS_LABEL = "JPEG, PNG, WebP" + (", HEIC" if HEIF_SUPPORTED else "")

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_HASH_STRIP_ROWS = 256

# Errors Pillow raises while parsing or decoding damaged data.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


class PhotoError(ValueError):
    """A rejected upload; ``message`` is a lazy translatable string for the user."""

    def __init__(self, code: str, message: LazyString | str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Rendition:
    """One stored WebP file of a photo."""

    name: str
    width: int
    height: int
    path: str  # relative to the storage root, posix separators


@dataclass(frozen=True)
class StoredImage:
    """A stored photo: pixel hash, oriented size, detected input format and its renditions."""

    sha256: str
    width: int
    height: int
    format: str
    renditions: dict[str, Rendition]


class _Number:
    """Formats a number for the active locale when the message is rendered, not when raised."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __str__(self) -> str:
        if has_app_context() and "babel" in current_app.extensions:
            from flask_babel import format_decimal

            return str(format_decimal(self.value, format="#,##0.##"))
        return f"{self.value:,.2f}".rstrip("0").rstrip(".")

    def __repr__(self) -> str:
        return f"_Number({self.value!r})"


def _read_bounded(data: bytes | bytearray | memoryview | BinaryIO, max_bytes: int) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    limit = max_bytes + 1
    chunks: list[bytes] = []
    total = 0
    # read(n) may legally return fewer than n bytes before EOF, so loop.
    while total < limit:
        chunk = data.read(limit - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _sniff_unsupported(data: bytes) -> str | None:
    """Name well-known image formats we refuse, so the user gets a precise message."""
    head = data[:1024]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<") and b"<svg" in head.lower():
        return "SVG"
    return None


def _megapixels(pixels: int) -> _Number:
    return _Number(round(pixels / 1_000_000, 2))


def _too_many_pixels(max_pixels: int) -> PhotoError:
    return PhotoError(
        "too_many_pixels",
        _l(
            "The image has too many pixels. The maximum is %(max)s megapixels.",
            max=_megapixels(max_pixels),
        ),
    )


def _unsupported(fmt: str) -> PhotoError:
    return PhotoError(
        "unsupported_format",
        _l(
            "%(format)s images are not accepted. "
            "Please upload a photo in one of these formats: %(formats)s.",
            format=fmt,
            formats=ACCEPTED_FORMATS_LABEL,
        ),
    )


def _truncated() -> PhotoError:
    return PhotoError(
        "truncated",
        _l("The image file is incomplete or damaged. Please try uploading it again."),
    )


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning is only raised when the warnings filter escalates it.
        raise _too_many_pixels(max_pixels) from None
    except UnidentifiedImageError:
        refused = _sniff_unsupported(data)
        if refused is not None:
            raise _unsupported(refused) from None
        raise PhotoError(
            "not_image",
            _l(
                "The file is not an image we can read (%(formats)s).",
                formats=ACCEPTED_FORMATS_LABEL,
            ),
        ) from None
    except _DECODE_ERRORS:
        raise _truncated() from None

    if img.format not in _ACCEPTED_FORMATS:
        img.close()
        raise _unsupported(str(img.format))

    # Our own per-call limit; Pillow's global MAX_IMAGE_PIXELS only warns
    # between 1x and 2x, so anything it would warn about is rejected here too.
    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:
        limit = min(limit, int(Image.MAX_IMAGE_PIXELS))
    width, height = img.size
    if width < 1 or height < 1:
        img.close()
        raise _truncated()
    if width * height > limit:
        img.close()
        raise _too_many_pixels(limit)
    return img


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc or ImageCms is None or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(src).lower().replace(" ", ""):
            return img
        out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            img, src, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile is not worth rejecting a photo over; fall back to dropping it.
        return img
    return converted if converted is not None else img


def _normalise_mode(img: Image.Image) -> Image.Image:
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # A plain convert() clips 16-bit values at 255, which turns the picture white.
        img = img.convert("I").point(lambda v: v / 257).convert("L")
    if img.mode in ("RGB", "RGBA"):
        pass
    elif img.mode in ("P", "PA", "LA", "La", "RGBa", "1", "L") and img.has_transparency_data:
        img = img.convert("RGBA")
    else:
        img = img.convert("RGB")
    if img.mode == "RGBA":
        alpha_min, _ = img.getchannel("A").getextrema()
        if alpha_min == 255:
            # Fully opaque alpha only costs bytes and would split the hash of identical pictures.
            img = img.convert("RGB")
    return img


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str, int, int]:
    with _open(data, max_pixels) as img:
        detected = _ACCEPTED_FORMATS[str(img.format)]
        icc = img.info.get("icc_profile")
        try:
            # Relies on ImageFile.LOAD_TRUNCATED_IMAGES keeping its default
            # (False); with it set, Pillow silently pads truncated files.
            img.load()
        except _DECODE_ERRORS:
            raise _truncated() from None
        try:
            oriented = ImageOps.exif_transpose(img)
        except (SyntaxError, ValueError, TypeError, KeyError, IndexError, OSError, struct.error):
            # Malformed EXIF: keep the pixels as stored rather than refusing the photo.
            oriented = img.copy()
    width, height = oriented.size
    result = _normalise_mode(_to_srgb(oriented, icc))
    # Nothing from the upload's metadata may reach an encoder.
    result.info = {}
    return result, detected, width, height


def _pixel_hash(img: Image.Image) -> str:
    digest = hashlib.sha256(f"{img.mode} {img.width}x{img.height}\n".encode("ascii"))
    # Hash in strips so a 40-megapixel image doesn't need a second full copy in memory.
    for top in range(0, img.height, _HASH_STRIP_ROWS):
        bottom = min(top + _HASH_STRIP_ROWS, img.height)
        digest.update(img.crop((0, top, img.width, bottom)).tobytes())
    return digest.hexdigest()


def _fit(width: int, height: int, max_width: int) -> tuple[int, int]:
    scale = min(1.0, max_width / width, WEBP_MAX_SIDE / width, WEBP_MAX_SIDE / height)
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _rendition_sizes(width: int, height: int) -> dict[str, tuple[int, int]]:
    sizes = {"original": _fit(width, height, WEBP_MAX_SIDE)}
    for name, target in RENDITION_WIDTHS.items():
        sizes[name] = _fit(width, height, target)
    return sizes


def _relative_path(sha256: str, name: str) -> str:
    return f"{sha256[:2]}/{sha256}/{name}.webp"


def _write_webp(img: Image.Image, dest: Path, *, root: Path, quality: int, method: int) -> None:
    write_whole(dest, root=root, mode=0o644,
                write=lambda fh: img.save(fh, format="WEBP", quality=quality, method=method))


def _decode_upload(
    data: bytes | BinaryIO, max_bytes: int, max_pixels: int
) -> tuple[Image.Image, str, int, int]:
    raw = _read_bounded(data, max_bytes)
    if not raw:
        raise PhotoError("empty", _l("The file is empty."))
    if len(raw) > max_bytes:
        raise PhotoError(
            "too_large_bytes",
            _l(
                "The file is too large. The maximum size is %(max)s MB.",
                max=_Number(round(max_bytes / (1024 * 1024), 2)),
            ),
        )
    return _decode(raw, max_pixels)


def encode_original(
    data: bytes | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[str, bytes]:
    """Validate an upload and return its pixel hash and its metadata-free WebP ``original``; store nothing.

    For pictures kept elsewhere than the public photo store (dossier documents): the same checks,
    the same hash and the same bytes as ``store_image``'s ``original`` rendition.
    """
    img, _detected, _width, _height = _decode_upload(data, max_bytes, max_pixels)
    sha = _pixel_hash(img)
    size = _fit(img.width, img.height, WEBP_MAX_SIDE)
    frame = img if img.size == size else img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    frame.save(buffer, format="WEBP", quality=ORIGINAL_QUALITY, method=ORIGINAL_METHOD)
    return sha, buffer.getvalue()


def photo_dir() -> Path:
    """Return the folder where photos are stored by content hash."""
    return Path(current_app.config["PHOTO_DIR"])


def held_photo_dir() -> Path:
    """Return the private folder for the pictures of photos that are not public (same layout as photo_dir)."""
    return Path(current_app.config["PHOTO_HELD_DIR"])


def photo_files_place(sha256: str, *, public: bool) -> None:
    """Keep a picture's renditions in the public store when some public photo shows it, else in the held store.

    A move is a rename on one file system; where a copy is already in the target, the other one is dropped.
    """
    if _SHA256_RE.fullmatch(sha256 or "") is None:
        return
    source_root, target_root = (held_photo_dir(), photo_dir()) if public else (photo_dir(), held_photo_dir())
    source, target = source_root / sha256[:2] / sha256, target_root / sha256[:2] / sha256
    if not source.is_dir():
        return
    if target.is_dir():
        shutil.rmtree(source, ignore_errors=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        source.rename(target)
    except OSError:
        shutil.copytree(source, target)
        shutil.rmtree(source, ignore_errors=True)


def stored_rendition(sha256: str, name: str) -> Path:
    """The file of a rendition wherever it is kept (public or held); raise PhotoError for a bad reference."""
    public = rendition_path(photo_dir(), sha256, name)
    return public if public.is_file() else rendition_path(held_photo_dir(), sha256, name)


def store_image(
    data: bytes | BinaryIO,
    *,
    root: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> StoredImage:
    """Validate an upload, store metadata-free WebP renditions; raise PhotoError if refused."""
    img, detected, width, height = _decode_upload(data, max_bytes, max_pixels)
    sha = _pixel_hash(img)
    sizes = _rendition_sizes(img.width, img.height)
    renditions = {
        name: Rendition(name, w, h, _relative_path(sha, name)) for name, (w, h) in sizes.items()
    }

    root = Path(root)
    folder = root / sha[:2] / sha
    folder.mkdir(parents=True, exist_ok=True)

    # Each rendition is resized from the previous, larger one: much cheaper
    # than resizing the full original three times, with no visible loss.
    source = img
    for name in RENDITION_NAMES:
        rendition = renditions[name]
        dest = root / rendition.path
        size = (rendition.width, rendition.height)
        if dest.is_file():
            continue
        if name == "original":
            frame = img
            if img.size != size:
                frame = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            _write_webp(frame, dest, root=root, quality=ORIGINAL_QUALITY, method=ORIGINAL_METHOD)
            continue
        if source.size != size:
            if source.width < size[0] or source.height < size[1]:
                source = img
            source = source.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        _write_webp(source, dest, root=root, quality=DERIVATIVE_QUALITY, method=DERIVATIVE_METHOD)

    return StoredImage(
        sha256=sha, width=width, height=height, format=detected, renditions=renditions
    )


def rendition_path(root: Path, sha256: str, name: str) -> Path:
    """Return one rendition's file under ``root``; raise PhotoError for a bad sha or name."""
    if (
        not isinstance(sha256, str)
        or not isinstance(name, str)
        or _SHA256_RE.fullmatch(sha256) is None
        or name not in RENDITION_NAMES
    ):
        raise PhotoError("invalid_reference", _l("This photo does not exist."))
    base = Path(root).resolve()
    path = (base / _relative_path(sha256, name)).resolve()
    if not path.is_relative_to(base):
        raise PhotoError("invalid_reference", _l("This photo does not exist."))
    return path


def srcset(
    sha256: str,
    renditions: Mapping[str, tuple[int, int]] | StoredImage,
    url_for_rendition: Callable[[str, str], str],
) -> str:
    """Build an ``srcset`` value ("url 320w, ...") from the thumb/medium/large present."""
    if isinstance(renditions, StoredImage):
        sizes = {n: (r.width, r.height) for n, r in renditions.renditions.items()}
    else:
        sizes = dict(renditions)
    parts: list[str] = []
    widest = 0
    for name in sorted(RENDITION_WIDTHS, key=RENDITION_WIDTHS.__getitem__):
        if name not in sizes:
            continue
        width = int(sizes[name][0])
        # Small images have several renditions of the same width; a repeated
        # width descriptor makes the whole srcset invalid.
        if width <= widest:
            continue
        widest = width
        parts.append(f"{url_for_rendition(sha256, name)} {width}w")
    return ", ".join(parts)
