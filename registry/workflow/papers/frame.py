"""The Decree 30/2020/NĐ-CP frame every paper shares: header, number, place and date, signature, annex; as a
Word file (python-docx) and as data for the print page (templates/papers/paper.html)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from registry.catalog.models import Unit, UnitKind

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
FONT = "Times New Roman"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Decree 30, Annex I: top 20–25 mm, bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The words that name an administrative level, longest first ("Thành phố" before "Thị").
LEVEL_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")
_PEOPLES_COMMITTEE = "Ủy ban nhân dân"


def vietnam_today() -> date:
    """Today in Việt Nam (UTC+7): a paper printed at 06:00 in Hà Nội is dated that day."""
    return datetime.now(VIETNAM).date()


def vn_date(day: date) -> str:
    """"ngày 05 tháng 3 năm 2021": a 0 before days below 10 and before months 1 and 2 (Decree 30, Annex I)."""
    d = f"{day.day:02d}"
    m = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def without_level_word(name: str) -> str:
    """"Phường Long Biên" → "Long Biên"; a name without a level word is kept."""
    for word in LEVEL_WORDS:
        if name.lower().startswith(word.lower() + " "):
            return name[len(word) + 1:].strip()
    return name


def locality_of(unit: Unit) -> Unit:
    """The nearest administrative unit at or above ``unit`` (a school's commune, a union's district)."""
    for node in reversed(unit.path()):
        if node.kind in (UnitKind.ADMINISTRATIVE, UnitKind.PEOPLES_COMMITTEE):
            return node
    return unit


def place_of(unit: Unit) -> str:
    """The place written before the date: the issuer's locality without its level word."""
    locality = locality_of(unit)
    name = locality.name
    if name.lower().startswith(lower_first(_PEOPLES_COMMITTEE).lower() + " "):
        name = name[len(_PEOPLES_COMMITTEE) + 1:]
    return without_level_word(name)


def body_name(unit: Unit) -> str:
    """The body that speaks for a unit: a locality speaks through its people's committee."""
    if unit.kind == UnitKind.ADMINISTRATIVE:
        return f"{_PEOPLES_COMMITTEE} {lower_first(unit.name)}"
    return unit.name


def issuing_lines(unit: Unit) -> tuple[str | None, str]:
    """The superior body (or None) and the issuing body, as the header writes them."""
    if unit.kind in (UnitKind.ADMINISTRATIVE, UnitKind.PEOPLES_COMMITTEE) or unit.parent is None:
        return None, body_name(unit).upper()
    return body_name(unit.parent).upper(), unit.name.upper()


def head_title(position: str) -> str:
    """The head's title a deputy signs for: "Phó Chủ tịch" → "Chủ tịch"."""
    position = position.strip()
    if position.lower().startswith("phó "):
        rest = position[4:].strip()
        for word in ("thường trực",):
            if rest.lower().endswith(" " + word):
                rest = rest[: -len(word) - 1]
        return rest[:1].upper() + rest[1:]
    return position


def signature_lines(position: str, *, collective: str | None = None) -> list[str]:
    """The authority lines above the signature (Decree 30): "TM." for a collective body, "KT." when a deputy
    signs for the head, then the signer's own position."""
    position = position.strip() or "Chủ tịch"
    lines = [f"TM. {collective.upper()}"] if collective else []
    if position.lower().startswith("phó "):
        lines.append(f"KT. {head_title(position).upper()}")
    lines.append(position.upper())
    return lines


@dataclass
class Para:
    """A paragraph of the body: ``kind`` is body, center, heading, article (a bold lead) or note."""

    text: str
    kind: str = "body"
    lead: str = ""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths_mm: list[int] = field(default_factory=list)


@dataclass
class Signature:
    lines: list[str]
    name: str


@dataclass
class Annex:
    heading: str
    subtitle: str
    blocks: list[Para | Table]


@dataclass
class Paper:
    """One administrative document in the Decree 30 layout, ready for the print page or a Word file."""

    superior: str | None
    issuer: str
    number: str          # "Số: 12/QĐ-UBND" (or "Số:      /BB-HĐTĐKT" for the office to fill in)
    place_date: str      # "Long Biên, ngày 20 tháng 12 năm 2021"
    kind: str            # "QUYẾT ĐỊNH"
    summary: str         # the trích yếu: "Về việc …"
    filename: str
    addressee: str = ""  # "Kính gửi: …" (proposals)
    authority: str = ""  # "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH" (decisions)
    bases: list[str] = field(default_factory=list)
    body: list[Para | Table] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    annex: Annex | None = None
    party: bool = False

    @property
    def national_title(self) -> str:
        return PARTY_TITLE if self.party else NATIONAL_TITLE

    @property
    def motto(self) -> str:
        return MOTTO


# --- Word ---------------------------------------------------------------------------------------

def new_document(*, landscape: bool = False) -> Document:
    """An empty A4 document with the decree's margins and Times New Roman 14 pt."""
    document = Document()
    section = document.sections[0]
    width, height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    for name in ("Normal", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(14)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(0)
    normal.space_before = Pt(0)
    return document


def add_text(container, text: str, *, bold: bool = False, italic: bool = False, size: float = 14,
             align: str = "left", space_after: float = 0, first_indent_mm: float = 0, lead: str = ""):
    """A paragraph in ``container`` (document or table cell); returns it."""
    paragraph = container.add_paragraph()
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                           "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    if first_indent_mm:
        fmt.first_line_indent = Mm(first_indent_mm)
    if lead:
        run = paragraph.add_run(lead + " ")
        run.bold, run.font.size = True, Pt(size)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def cell_text(cell, text: str, **kwargs):
    """Write into a cell's first (empty) paragraph, then add the rest below it."""
    paragraph = add_text(cell, text, **kwargs)
    empty = cell.paragraphs[0]
    if empty is not paragraph and not empty.text:
        empty._element.getparent().remove(empty._element)
    return paragraph


def short_rule(container, width_mm: float, cell_width_mm: float) -> None:
    """The short line under the motto and the issuer's name: a bottom border on a narrow empty paragraph."""
    paragraph = container.add_paragraph()
    side = max(0.0, (cell_width_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    paragraph.paragraph_format.space_after = Pt(6)
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)
    run = paragraph.add_run()
    run.font.size = Pt(2)


def set_widths(table, widths_mm: list[float]) -> None:
    """Fix the column widths, in the grid (read by LibreOffice) and in each cell (read by Word)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        column.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def add_header(document, paper: Paper, *, with_number: bool = True, text_width_mm: float = 165) -> None:
    """The two-column head: issuer and number on the left, national title, motto, place and date on the right."""
    left, right = 68, text_width_mm - 68
    table = document.add_table(rows=2 if with_number else 1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, [left, right])
    cell = table.cell(0, 0)
    if paper.superior:
        cell_text(cell, paper.superior, size=13, align="center")
        add_text(cell, paper.issuer, bold=True, size=13, align="center")
    else:
        cell_text(cell, paper.issuer, bold=True, size=13, align="center")
    short_rule(cell, 25, left)
    cell = table.cell(0, 1)
    cell_text(cell, paper.national_title, bold=True, size=13, align="center")
    if not paper.party:
        add_text(cell, MOTTO, bold=True, size=14, align="center")
        short_rule(cell, 58, right)
    if with_number:
        cell_text(table.cell(1, 0), paper.number, size=13, align="center")
        cell_text(table.cell(1, 1), paper.place_date, italic=True, size=14, align="center")


def add_blocks(document, blocks: list[Para | Table]) -> None:
    for block in blocks:
        if isinstance(block, Table):
            add_grid(document, block)
        elif block.kind == "center":
            add_text(document, block.text, align="center", space_after=6)
        elif block.kind == "heading":
            add_text(document, block.text, bold=True, align="left", space_after=6)
        elif block.kind == "note":
            add_text(document, block.text, italic=True, align="justify", space_after=6, first_indent_mm=10)
        else:
            add_text(document, block.text, align="justify", space_after=6, first_indent_mm=10,
                     lead=block.lead)


def add_grid(document, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, table.headers):
        cell_text(cell, text, bold=True, size=13, align="center")
    for row in table.rows:
        cells = grid.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row)):
            cell_text(cell, text, size=13, align="center" if index == 0 else "left")
    if table.widths_mm:
        set_widths(grid, table.widths_mm)
    document.add_paragraph()


def add_signatures(document, paper: Paper, text_width_mm: float = 165) -> None:
    """Recipients on the left and the signer on the right, or two signers side by side (minutes)."""
    table = document.add_table(rows=1, cols=2)
    set_widths(table, [text_width_mm / 2, text_width_mm / 2])
    left, right = table.cell(0, 0), table.cell(0, 1)
    if paper.recipients:
        cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12)
        for line in paper.recipients:
            add_text(left, line, size=11)
    signatures = list(paper.signatures)
    if len(signatures) == 2 and not paper.recipients:
        _sign(left, signatures.pop(0))
    if signatures:
        _sign(right, signatures[0])


def _sign(cell, signature: Signature) -> None:
    first = True
    for line in signature.lines:
        (cell_text if first else add_text)(cell, line, bold=True, size=14, align="center")
        first = False
    for _line in range(4):
        add_text(cell, "", size=14)
    add_text(cell, signature.name, bold=True, size=14, align="center")


def paper_document(paper: Paper) -> Document:
    """The paper as a Word document."""
    document = new_document()
    add_header(document, paper)
    document.add_paragraph()
    add_text(document, paper.kind, bold=True, align="center")
    if paper.summary:
        add_text(document, paper.summary, bold=True, align="center")
        short_rule(document, 40, 165)
    if paper.addressee:
        add_text(document, paper.addressee, align="center", space_after=6)
    if paper.authority:
        add_text(document, paper.authority, bold=True, align="center", space_after=6)
    for basis in paper.bases:
        add_text(document, basis, italic=True, align="justify", space_after=3, first_indent_mm=10)
    add_blocks(document, paper.body)
    add_signatures(document, paper)
    if paper.annex:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        add_header(document, paper, with_number=False)
        document.add_paragraph()
        add_text(document, paper.annex.heading, bold=True, align="center")
        add_text(document, paper.annex.subtitle, italic=True, align="center", space_after=12)
        add_blocks(document, paper.annex.blocks)
    return document


def document_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
