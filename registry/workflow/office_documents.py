"""Office documents as offices have them: Word (.docx, .doc), OpenDocument text (.odt) and Excel (.xlsx),
recognised by what is inside the file, never by its name.

- .docx and .xlsx are ZIP packages whose ``[Content_Types].xml`` names the main part's content type;
- .odt is a ZIP package whose first entry, ``mimetype``, holds its media type;
- .doc is an OLE2 compound file (its header) holding a ``WordDocument`` stream.
Macro-enabled packages (.docm, .xlsm) and packages that would unpack far beyond their size are refused.
"""
from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from flask_babel import lazy_gettext as _l

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_STREAM = "WordDocument".encode("utf-16-le")

# file type → (extension, media type), in the order people are told what they may send
OFFICE_TYPES = {
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ("doc", "application/msword"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# file type → the program people know it by (the name is the same in every language)
OFFICE_PROGRAMS = {"docx": "Word", "doc": "Word", "odt": "OpenDocument", "xlsx": "Excel"}
# The content type of an OOXML package's main part → its file type.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
MACRO_MAIN_PARTS = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A package unpacking to more than this many times its own size (and over 50 MB) is a ZIP bomb, not a report.
MAX_EXPANSION, MAX_UNPACKED = 100, 50 * 1024 * 1024
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


class OfficeFileError(ValueError):
    """What is wrong with an office file, for the person who sent it."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def looks_like_office_file(raw: bytes) -> bool:
    """Whether the bytes start as a ZIP package or an OLE2 compound file (then `office_file_type` decides)."""
    return raw.startswith(ZIP_MAGIC) or raw.startswith(OLE2_MAGIC)


def office_file_type(raw: bytes, name: str) -> str:
    """Return "docx", "xlsx", "odt" or "doc" for an office document, or raise OfficeFileError saying why not."""
    if raw.startswith(OLE2_MAGIC):
        if WORD_STREAM in raw:
            return "doc"
        raise OfficeFileError(_l("“%(name)s” is an old Office file that is not a Word document (.doc). Save it as "
                                 ".docx, .xlsx or PDF and send it again.", name=name))
    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
        entries = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise OfficeFileError(_l("The document “%(name)s” is incomplete or damaged.", name=name)) from None
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED and unpacked > MAX_EXPANSION * len(raw):
        raise OfficeFileError(_l("The document “%(name)s” unpacks to far more than its size: it is refused.",
                                 name=name))
    names = {entry.filename for entry in entries}
    try:
        if entries and entries[0].filename == "mimetype":
            if package.read("mimetype").strip() == ODT_MIMETYPE:
                return "odt"
            raise OfficeFileError(_l("“%(name)s” is an OpenDocument file but not a text document (.odt).",
                                     name=name))
        if "[Content_Types].xml" in names:
            main = _ooxml_main_part(package.read("[Content_Types].xml"))
            if main in OOXML_MAIN_PARTS:
                return OOXML_MAIN_PARTS[main]
            if main in MACRO_MAIN_PARTS:
                raise OfficeFileError(_l("“%(name)s” contains macros, which are not accepted. Save it as a plain "
                                         "document (.docx or .xlsx) and send it again.", name=name))
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, RuntimeError):
        raise OfficeFileError(_l("The document “%(name)s” is incomplete or damaged.", name=name)) from None
    raise OfficeFileError(_l("“%(name)s” is a ZIP archive, not a Word, OpenDocument or Excel document.", name=name))


def _ooxml_main_part(content_types: bytes) -> str | None:
    root = ElementTree.fromstring(content_types)
    for override in root.iter(f"{CONTENT_TYPES_NS}Override"):
        content_type = override.get("ContentType", "")
        if content_type in OOXML_MAIN_PARTS or content_type in MACRO_MAIN_PARTS:
            return content_type
    return None
