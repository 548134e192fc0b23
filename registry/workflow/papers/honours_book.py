"""The yearly honours book of a unit: every live award of the year to its published entries (the unit's and
those of the units below it), each with its photo, citation and decision, ready to print or edit."""
from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from docx.shared import Mm
from flask_babel import force_locale
from PIL import Image

from registry.catalog.models import Unit
from registry.catalog.selectors import unit_descendant_ids
from registry.entries.models import Award, Entry, EntryStatus, Photo
from registry.entries.photos import PhotoError, photo_dir, rendition_path
from registry.extensions import db
from registry.workflow.papers.frame import (
    Paper,
    add_header,
    add_text,
    body_name,
    cell_text,
    issuing_lines,
    new_document,
    place_of,
    set_widths,
    vietnam_today,
    vn_date,
)
from registry.workflow.papers.wording import KIND_LABELS


@dataclass
class HonoursItem:
    award: Award
    photo: Photo | None
    name: str
    kind_and_unit: str
    title_line: str
    citation: str
    decision_line: str


@dataclass
class HonoursBook:
    unit: Unit
    year: int
    frame: Paper
    heading: str
    subtitle: str
    items: list[HonoursItem]
    filename: str


def honours_awards(unit: Unit, year: int) -> list[Award]:
    """Live awards of ``year`` to published entries of the unit and the units below it, by title then name."""
    return list(db.session.scalars(
        sa.select(Award).join(Entry, Entry.id == Award.entry_id)
        .where(Entry.unit_id.in_(unit_descendant_ids(unit.id)), Entry.status == EntryStatus.PUBLISHED,
               Award.year == year, Award.revoked_on.is_(None))
        .order_by(Award.title_id, Entry.title_sort, Award.id)))


def decision_line(award: Award) -> str:
    """"Quyết định số 12/QĐ-UBND ngày 20 tháng 12 năm 2021 của Ủy ban nhân dân phường Ba Đình"."""
    parts = ["Quyết định"]
    if award.decision_number:
        parts.append(f"số {award.decision_number}")
    if award.decision_date:
        parts.append(vn_date(award.decision_date))
    if award.issuer:
        parts.append(f"của {body_name(award.issuer)}")
    return " ".join(parts) if len(parts) > 1 else ""


def honours_book(unit: Unit, year: int) -> HonoursBook:
    """The honours book of ``unit`` for ``year`` (always in Vietnamese)."""
    with force_locale("vi"):
        items = []
        for award in honours_awards(unit, year):
            entry = award.entry
            items.append(HonoursItem(
                award=award, photo=entry.photos[0] if entry.photos else None, name=entry.title,
                kind_and_unit=" — ".join(filter(None, [KIND_LABELS.get(entry.kind, ""),
                                                       entry.unit.name if entry.unit else ""])),
                title_line=f"{award.title.name} ({award.level.label}), năm {award.year}",
                citation=" ".join((entry.summary or "").split()), decision_line=decision_line(award),
            ))
        superior, issuer = issuing_lines(unit)
        frame = Paper(superior=superior, issuer=issuer, number="",
                      place_date=f"{place_of(unit)}, {vn_date(vietnam_today())}", kind="SỔ VÀNG", summary="",
                      filename="")
        return HonoursBook(
            unit=unit, year=year, frame=frame, heading=f"SỔ VÀNG NĂM {year}",
            subtitle=f"Những tập thể, cá nhân, mô hình được khen thưởng của {unit.name}",
            items=items, filename=f"so-vang-{unit.slug}-{year}.docx",
        )


def photo_jpeg(photo: Photo) -> bytes | None:
    """The photo's medium rendition as JPEG (Word does not read WebP), or None if its file is missing."""
    name = "medium" if "medium" in (photo.renditions or {}) else "original"
    try:
        path = rendition_path(photo_dir(), photo.sha256, name)
    except PhotoError:
        return None
    if not path.exists():
        return None
    with Image.open(path) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=85)
        return buffer.getvalue()


def honours_document(book: HonoursBook):
    """The honours book as a Word file: the head, then one block per award with its photo."""
    document = new_document()
    add_header(document, book.frame)
    document.add_paragraph()
    add_text(document, book.heading, bold=True, size=16, align="center")
    add_text(document, book.subtitle, bold=True, align="center", space_after=12)
    if not book.items:
        add_text(document, "Chưa có khen thưởng nào được công bố trong năm.", italic=True, align="center")
    for index, item in enumerate(book.items, start=1):
        table = document.add_table(rows=1, cols=2)
        set_widths(table, [45, 120])
        picture = item.photo and photo_jpeg(item.photo)
        left, right = table.cell(0, 0), table.cell(0, 1)
        if picture:
            cell_text(left, "").add_run().add_picture(io.BytesIO(picture), width=Mm(42))
        else:
            cell_text(left, "")
        cell_text(right, f"{index}. {item.name}", bold=True)
        for text, italic in ((item.kind_and_unit, False), (item.title_line, False), (item.citation, True),
                             (item.decision_line, False)):
            if text:
                add_text(right, text, italic=italic, size=13, align="justify", space_after=3)
        document.add_paragraph()
    return document
