"""Files the tests upload: small JPEGs and PNGs made on the fly, a minimal PDF, JSON Lines."""
from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

from PIL import Image


def jpeg_bytes(size=(640, 400), color=(200, 40, 40)) -> bytes:
    """A small JPEG made on the fly."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as JSON Lines."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    """An image as the bytes of a file in ``fmt``."""
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def png_with_size(width: int, height: int) -> bytes:
    """A tiny valid PNG whose IHDR is patched to declare another size (a decompression bomb header)."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
