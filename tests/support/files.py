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


def zip_package(entries: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    """A ZIP package with these entries (``stored_first`` uncompressed and first, as OpenDocument wants)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        if stored_first:
            package.writestr(zipfile.ZipInfo(stored_first), entries[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != stored_first:
                package.writestr(name, data)
    return buffer.getvalue()


def ooxml(main_content_type: str, main_part: str) -> bytes:
    """A minimal Office Open XML package whose main part has this content type (.docx, .xlsx, .docm …)."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{main_part}" ContentType="{main_content_type}"/></Types>')
    return zip_package({"[Content_Types].xml": types.encode(), main_part: b"<x/>"})


DOCX = ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/document.xml")
XLSX = ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/workbook.xml")
DOCM = ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml")
ODT = zip_package({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
                  stored_first="mimetype")
ODS = zip_package({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
                  stored_first="mimetype")
# An OLE2 compound file's header, then a directory naming the WordDocument stream (as .doc files have).
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 1000
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 1000
PLAIN_ZIP = zip_package({"notes.txt": b"hello"})
