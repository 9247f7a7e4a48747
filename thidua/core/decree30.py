"""One Decree-30 document layer: every generated .docx (plans now; reports, minutes, decisions,
certificates next) is described as data and laid out here, the same way for all.

A caller builds a ``Document`` (header bodies, number, place and date, kind and summary,
legal grounds, body blocks, signers, recipients, appendices, state) and calls ``render``.
Text is set as Word runs by python-docx, so "&" and "<" stay text (no template, no
entities); rich text from the editor becomes paragraphs and bold/italic runs through
``html_blocks``. Sizes, cases and positions follow ../shared/docs/DECREE30.md (Decree
30/2020/NĐ-CP, Appendix I; QĐ 933/QĐ-TLĐ for union bodies).

The header's line breaks are decided here, not left to the word processor: names are
measured with Times New Roman's advance widths (Liberation Serif is metric-compatible),
and a name too long for its column is split at a word boundary, preferring the place
("LIÊN ĐOÀN LAO ĐỘNG / TỈNH BẮC KẠN"), so no word is left alone on a line.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Literal

from django.utils import timezone
from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Page (A4 portrait) and the header/footer tables: 170 mm wide, 5 mm into the left margin, so the
# motto (87.7 mm at 12 pt bold) fits the right column on one line with the cell margins.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
LEFT_COLUMN_MM, RIGHT_COLUMN_MM = 72.0, 98.0
CELL_MARGIN_MM = 1.9  # Word's default left and right cell margin (0.19 cm)
TABLE_INDENT_MM = -5.0
FIRST_LINE_INDENT = Mm(12.7)
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"

# Advance widths (1/1000 em) of Times New Roman / Liberation Serif for the letters of headers.
# Accented letters take their base letter's width (NFD); unknown characters count as "N".
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -.,:/()&"
_REGULAR = dict(
    zip(
        _LETTERS,
        (
            *(722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611),
            *(722, 722, 944, 722, 722, 611),
            *(444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278),
            *(500, 500, 722, 500, 500, 444),
            *(500,) * 10,
            *(250, 333, 250, 250, 278, 278, 333, 333, 778),
        ),
        strict=True,
    )
)
_BOLD = dict(
    zip(
        _LETTERS,
        (
            *(722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667),
            *(722, 722, 1000, 722, 722, 667),
            *(500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333),
            *(556, 500, 722, 500, 500, 444),
            *(500,) * 10,
            *(250, 333, 250, 250, 333, 278, 333, 333, 833),
        ),
        strict=True,
    )
)
# Words a long body name is best broken before: the place or sector it belongs to.
_BREAK_BEFORE = ("TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "XÃ", "PHƯỜNG", "THỊ TRẤN", "NGÀNH", "VIỆT NAM")

_DASHES = ("-", "–", "—")

State = Literal["draft", "final", "recalled"]


def text_width_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of a header line in Times New Roman."""
    table = _BOLD if bold else _REGULAR
    units = 0
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        base = {"Đ": "D", "đ": "d"}.get(base, base)
        units += table.get(base, table["N"])
    return units / 1000 * size_pt * 25.4 / 72


def header_lines(text: str, width_mm: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """``text`` as the lines a header column shows: one line if it fits, else broken where intended.

    Two lines are chosen among every word boundary: both must fit; a break before a place
    word wins, then the most even pair (so no lone "NAM" or "KẠN"). Longer names go greedy.
    """
    text = " ".join(text.split())
    if text_width_mm(text, size_pt, bold=bold) <= width_mm:
        return [text]
    words = text.split(" ")
    best: tuple[float, list[str]] | None = None
    for cut in range(1, len(words)):
        if words[cut] in _DASHES:  # "HỘI ĐỒNG THI ĐUA –" / "KHEN THƯỞNG": a line never starts with a dash
            continue
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        widths = [text_width_mm(line, size_pt, bold=bold) for line in (first, second)]
        if max(widths) > width_mm:
            continue
        preferred = any(second.upper().startswith(word) for word in _BREAK_BEFORE)
        score = abs(widths[0] - widths[1]) - (40 if preferred else 0)
        if best is None or score < best[0]:
            best = (score, [first, second])
    if best is not None:
        return best[1]
    lines: list[str] = []
    for word in words:
        if lines and text_width_mm(f"{lines[-1]} {word}", size_pt, bold=bold) <= width_mm:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def date_line(place: str, day: dt.date | None) -> str:
    """ "Bắc Kạn, ngày 16 tháng 10 năm 2018": days below 10 and January, February zero-padded.

    Without a day (a draft) the blanks stay for the clerk: "Bắc Kạn, ngày    tháng    năm 2026".
    """
    if day is None:
        return f"{place}, ngày      tháng      năm {timezone.localdate().year}"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


# --- the document as data -------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    """A body paragraph, justified with a first-line indent; ``label`` numbers it ("1.", "a)", "-")."""

    runs: tuple[Run, ...]
    label: str = ""
    bold: bool = False
    italic: bool = False

    @classmethod
    def of(cls, text: str, **kwargs: Any) -> Para:
        return cls(runs=(Run(text),), **kwargs)


@dataclass(frozen=True)
class Heading:
    """A numbered heading: level 1 "I. MỤC ĐÍCH, YÊU CẦU" (upper case), level 2 "1. Nội dung"."""

    label: str
    text: str
    level: int = 1


@dataclass(frozen=True)
class Table:
    """A bordered data table. ``widths`` are relative column widths (equal when empty);
    the columns listed in ``numeric`` hold figures and are right-aligned."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    numeric: tuple[int, ...] = ()


Block = Para | Heading | Table


@dataclass(frozen=True)
class Signer:
    """A signature block: "TM. BAN THƯỜNG VỤ" / "CHỦ TỊCH" / space / "Triệu Thị Mai"."""

    capacity: str  # "TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH", "TL. CHỦ TỊCH" or ""
    position: str
    name: str


@dataclass(frozen=True)
class Appendix:
    """ "Phụ lục I", its title and "(Kèm theo Kế hoạch số … ngày … của …)", then its blocks."""

    number: str
    title: str
    reference: str
    blocks: tuple[Block, ...] = ()


@dataclass
class Document:
    parent_body: str
    issuer_body: str
    symbol: str  # "KH-LĐLĐ": the number's part after the sequence
    sequence: int | None  # None on a draft: the number is given when the document is issued
    place: str
    day: dt.date | None  # None on a draft
    kind: str  # "KẾ HOẠCH"
    summary: str  # trích yếu
    legal_basis: Sequence[str] = ()
    body: Sequence[Block] = ()
    signers: Sequence[Signer] = ()
    recipients: Sequence[str] = ()
    appendices: Sequence[Appendix] = ()
    state: State = "final"
    state_note: str = ""  # why a recalled document was recalled, and when
    # A decision names its authority between the summary and the grounds ("BAN THƯỜNG VỤ LIÊN ĐOÀN
    # LAO ĐỘNG TỈNH BẮC KẠN") and enacts after them ("QUYẾT ĐỊNH:"); other kinds leave both empty.
    authority: str = ""
    enacting: str = ""
    author: str = ""
    keywords: str = ""
    created: dt.datetime | None = None

    @property
    def number_line(self) -> str:
        sequence = f"{self.sequence:02d}" if self.sequence else " " * 6
        return f"Số: {sequence}/{self.symbol}"


# --- rich text to blocks ----------------------------------------------------------------


class _Blocks(HTMLParser):
    """Cleaned editor HTML (nh3 allow-list) as paragraphs of runs; lists become "-" paragraphs."""

    BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "blockquote", "div"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # "&amp;" arrives as "&": never printed as an entity
        self.blocks: list[Para] = []
        self.runs: list[Run] = []
        self.bold = 0
        self.italic = 0
        self.label = ""
        self.heading = False

    def _flush(self) -> None:
        runs = _trim(self.runs)
        if runs:
            self.blocks.append(Para(runs=runs, label=self.label, bold=self.heading))
        self.runs, self.label, self.heading = [], "", False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK_TAGS:
            self._flush()
            self.label = "-" if tag == "li" else ""
            self.heading = tag in ("h2", "h3", "h4")
        elif tag == "br":
            # A line break in a justified paragraph would stretch the line: it starts a paragraph.
            label = self.label
            self._flush()
            self.label = "" if label == "-" else label
        elif tag in ("b", "strong"):
            self.bold += 1
        elif tag in ("i", "em"):
            self.italic += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCK_TAGS:
            self._flush()
        elif tag in ("b", "strong"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("i", "em"):
            self.italic = max(0, self.italic - 1)

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if data[:1].isspace():
            text = " " + text
        if data[-1:].isspace() and text.strip():
            text += " "
        if text.strip() or (text and self.runs):
            self.runs.append(Run(text, bold=self.bold > 0, italic=self.italic > 0))


def _trim(runs: list[Run]) -> tuple[Run, ...]:
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    while merged and not merged[0].text.strip():
        merged.pop(0)
    while merged and not merged[-1].text.strip():
        merged.pop()
    if merged:
        merged[0] = Run(merged[0].text.lstrip(), merged[0].bold, merged[0].italic)
        merged[-1] = Run(merged[-1].text.rstrip(), merged[-1].bold, merged[-1].italic)
    return tuple(Run(" ".join(r.text.split(" ")), r.bold, r.italic) for r in merged)


def html_blocks(html: str | None) -> list[Para]:
    """Paragraphs (with bold/italic runs) of stored rich text."""
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    parser._flush()
    return parser.blocks


def text_blocks(text: str | None, **kwargs: Any) -> list[Para]:
    """Plain text with line breaks: one paragraph per line."""
    return [Para.of(line.strip(), **kwargs) for line in (text or "").splitlines() if line.strip()]


def roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def letter(index: int) -> str:
    """Points as Vietnamese legal texts letter them: a, b, c, d, đ, e, g … (no f, j, w, z)."""
    letters = "abcdđeghiklmnopqrstuvxy"
    return letters[index] if index < len(letters) else f"{letters[-1]}{index}"


# --- layout ---------------------------------------------------------------------------------


def _fonts(element: Any) -> None:
    _font_properties(element.get_or_add_rPr())


def _font_properties(r_pr: Any) -> None:
    """Times New Roman for every script, and Vietnamese as the language (Word spell-checks in vi)."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _run(paragraph: Any, text: str, size: float, *, bold: bool = False, italic: bool = False) -> Any:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = FONT
    run.bold = bold
    run.italic = italic
    _fonts(run._r)
    return run


def _paragraph(
    container: Any,
    text: str = "",
    size: float = 14,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    indent: Any = None,
    before: float = 0,
    after: float = 0,
    keep_next: bool = False,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.0
    if indent is not None:
        fmt.first_line_indent = indent
    if keep_next:
        fmt.keep_with_next = True
    if text:
        _run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def _rule(container: Any, width_mm: float, length_mm: float) -> None:
    """A centred rule ``length_mm`` long: the bottom border of an empty, indented paragraph."""
    paragraph = _paragraph(container, size=2)
    paragraph.paragraph_format.line_spacing = Pt(2)
    side = max(0.0, (width_mm - length_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _box(paragraph: Any) -> None:
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "2"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(document: Any, widths_mm: Sequence[float], rows: int = 1, *, borders: bool = False) -> Any:
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    if not borders:
        edges = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:val"), "nil")
            edges.append(element)
        tbl_pr.append(edges)
    else:
        table.style = document.styles["Table Grid"]
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(int(Mm(TABLE_INDENT_MM if not borders else 0).twips)))
    indent.set(qn("w:type"), "dxa")
    tbl_pr.append(indent)
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            for paragraph in list(cell.paragraphs):
                paragraph._element.getparent().remove(paragraph._element)
    return table


def _page_numbers(section: Any) -> None:
    """Arabic page numbers centred in the top margin, from page 2 (Decree 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _run(paragraph, "", 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _fonts(normal.element)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    r_pr = r_pr.find(qn("w:rPr")) if r_pr is not None else None
    if r_pr is not None:
        _font_properties(r_pr)


def _header(document: Any, doc: Document) -> None:
    left_width = LEFT_COLUMN_MM - 2 * CELL_MARGIN_MM
    right_width = RIGHT_COLUMN_MM - 2 * CELL_MARGIN_MM
    table = _table(document, (LEFT_COLUMN_MM, RIGHT_COLUMN_MM), rows=2)
    left, right = table.rows[0].cells
    for line in header_lines(doc.parent_body.upper(), left_width, 12):
        _paragraph(left, line, 12)
    issuer = header_lines(doc.issuer_body.upper(), left_width, 12, bold=True)
    for line in issuer:
        _paragraph(left, line, 12, bold=True)
    widest = max(text_width_mm(line, 12, bold=True) for line in issuer)
    _rule(left, left_width, widest * 0.4)
    _paragraph(right, MOTTO, 12, bold=True)
    _paragraph(right, SLOGAN, 13, bold=True)
    _rule(right, right_width, text_width_mm(SLOGAN, 13, bold=True))
    # The number and the place-date line share a row: they stand level whatever is above them.
    number_cell, date_cell = table.rows[1].cells
    _paragraph(number_cell, doc.number_line, 13, before=6)
    _paragraph(date_cell, date_line(doc.place, doc.day), 13, italic=True, before=6)


def _state_mark(document: Any, doc: Document) -> None:
    if doc.state == "final":
        return
    text = "DỰ THẢO" if doc.state == "draft" else "ĐÃ THU HỒI"
    mark = _paragraph(document, text, 14, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=6)
    _box(mark)
    if doc.state_note:
        _paragraph(document, doc.state_note, 12, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=6)


def _blocks(document: Any, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            text = block.text.upper() if block.level == 1 else block.text
            _paragraph(
                document,
                f"{block.label} {text}".strip(),
                14,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                indent=FIRST_LINE_INDENT,
                before=6 if block.level == 1 else 0,
                after=6,
                keep_next=True,
            )
        elif isinstance(block, Table):
            _data_table(document, block)
        else:
            paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=FIRST_LINE_INDENT, after=6)
            if block.label:
                _run(paragraph, f"{block.label} ", 14, bold=block.bold, italic=block.italic)
            for run in block.runs:
                _run(paragraph, run.text, 14, bold=run.bold or block.bold, italic=run.italic or block.italic)


def _data_table(document: Any, block: Table) -> None:
    usable = 165.0
    first = 12.0 if block.headers and block.headers[0] in ("STT", "TT") else None
    count = len(block.headers)
    if block.widths:
        weights = sum(block.widths)
        widths = [usable * weight / weights for weight in block.widths]
    elif first and count > 1:
        widths = [first] + [(usable - first) / (count - 1)] * (count - 1)
    else:
        widths = [usable / count] * count
    table = _table(document, widths, rows=1 + len(block.rows), borders=True)
    for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
        _paragraph(cell, header, 12, bold=True)
    # Building a run through python-docx costs ~2 ms (a decision's list has thousands of cells): the
    # first cell of each alignment is built so, the others are copies of it with their own text.
    prototypes: dict[Any, Any] = {}
    for row, values in zip(table.rows[1:], block.rows, strict=True):
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            if index in block.numeric:
                align = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                align = WD_ALIGN_PARAGRAPH.CENTER if index == 0 and first else WD_ALIGN_PARAGRAPH.LEFT
            prototype = prototypes.get(align)
            if prototype is None or not _plain(value):
                paragraph = _paragraph(cell, value, 12, align=align)
                if prototype is None and value and _plain(value):
                    prototypes[align] = paragraph._p
                continue
            copy = deepcopy(prototype)
            text = copy.find(f"{qn('w:r')}/{qn('w:t')}")
            text.text = value
            cell._tc.append(copy)
    _paragraph(document, size=6, after=6)


def _plain(value: str) -> bool:
    """Text python-docx writes as one ``w:t`` without ``xml:space`` (no tab, break or edge spaces)."""
    return bool(value) and value == value.strip() and not any(char in value for char in "\t\n\r")


def _keep_rows_whole(table: Any) -> None:
    """A signature block is never split across pages (the name would sit alone on the next one)."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)


def _signatures(document: Any, doc: Document) -> None:
    def sign(cell: Any, signer: Signer, pad: int = 0) -> None:
        # ``pad`` more empty lines above the name: two blocks side by side keep their names level.
        if signer.capacity:
            _paragraph(cell, signer.capacity.upper(), 14, bold=True, keep_next=True)
        _paragraph(cell, signer.position.upper(), 14, bold=True, keep_next=True)
        for _ in range(4 + pad):
            _paragraph(cell, "", 14, keep_next=True)
        _paragraph(cell, signer.name, 14, bold=True)

    def recipients(cell: Any) -> None:
        _paragraph(cell, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        lines = [line.strip().lstrip("-").strip().rstrip(";.") for line in doc.recipients if line.strip()]
        for index, line in enumerate(lines):
            end = "." if index == len(lines) - 1 else ";"
            _paragraph(cell, f"- {line}{end}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)

    _paragraph(document, size=6, after=6)
    if len(doc.signers) >= 2:  # minutes: two signers side by side, recipients (if any) below
        table = _table(document, (85.0, 85.0))
        _keep_rows_whole(table)
        pair = doc.signers[:2]
        tallest = max(bool(signer.capacity) for signer in pair)
        for cell, signer in zip(table.rows[0].cells, pair, strict=True):
            sign(cell, signer, pad=int(tallest) - int(bool(signer.capacity)))
        if doc.recipients:
            _paragraph(document, size=6, after=6)
            recipients(_table(document, (LEFT_COLUMN_MM + RIGHT_COLUMN_MM,)).rows[0].cells[0])
        return
    table = _table(document, (80.0, 90.0))
    _keep_rows_whole(table)
    left, right = table.rows[0].cells
    if doc.recipients:
        recipients(left)
    else:
        _paragraph(left)
    if doc.signers:
        sign(right, doc.signers[0])
    else:
        _paragraph(right)


def _appendix(document: Any, appendix: Appendix) -> None:
    # A decision's list ("DANH SÁCH … kèm theo Quyết định") has no "Phụ lục" line: empty ``number``.
    if appendix.number:
        paragraph = _paragraph(document, f"Phụ lục {appendix.number}", 14, bold=True)
        paragraph.paragraph_format.page_break_before = True
        _paragraph(document, appendix.title.upper(), 14, bold=True)
    else:
        paragraph = _paragraph(document, appendix.title.upper(), 14, bold=True)
        paragraph.paragraph_format.page_break_before = True
    _paragraph(document, f"({appendix.reference})", 14, italic=True, after=6)
    _rule(document, 165.0, 30.0)
    _paragraph(document, size=6, after=6)
    _blocks(document, appendix.blocks)


def _properties(document: Any, doc: Document) -> None:
    properties = document.core_properties
    created = doc.created or timezone.now()
    properties.author = doc.author or doc.issuer_body
    properties.last_modified_by = doc.author or doc.issuer_body
    properties.title = f"{doc.kind.capitalize()} {doc.summary}"[:255]
    properties.subject = doc.summary[:255]
    properties.keywords = doc.keywords
    properties.language = LANGUAGE
    properties.created = created.replace(tzinfo=None)
    properties.modified = created.replace(tzinfo=None)
    properties.revision = 1
    properties.comments = ""
    properties.category = doc.kind.capitalize()


def render(doc: Document) -> bytes:
    """The .docx bytes of ``doc``."""
    document = new_docx()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(10)
    _styles(document)
    _page_numbers(section)
    body = document.element.body
    for paragraph in list(document.paragraphs):
        body.remove(paragraph._element)

    _state_mark(document, doc)
    _header(document, doc)
    _paragraph(document, size=14, after=6)
    _paragraph(document, doc.kind.upper(), 14, bold=True, keep_next=True)
    _paragraph(document, doc.summary, 14, bold=True, keep_next=True)
    _rule(document, 165.0, 40.0)
    _paragraph(document, size=6, after=6)
    if doc.authority:
        _paragraph(document, doc.authority.upper(), 14, bold=True, after=6, keep_next=True)
    basis = [line.strip().rstrip(";.") for line in doc.legal_basis if line.strip()]
    for index, line in enumerate(basis):
        end = "." if index == len(basis) - 1 else ";"
        _paragraph(
            document,
            f"{line}{end}",
            14,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            indent=FIRST_LINE_INDENT,
            after=6,
        )
    if doc.enacting:
        _paragraph(document, doc.enacting, 14, bold=True, before=6, after=6, keep_next=True)
    _blocks(document, doc.body)
    _signatures(document, doc)
    for appendix in doc.appendices:
        _appendix(document, appendix)
    _properties(document, doc)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = [
    "DOCX_MIME",
    "Appendix",
    "Block",
    "Document",
    "Heading",
    "Para",
    "Run",
    "Signer",
    "Table",
    "date_line",
    "header_lines",
    "html_blocks",
    "letter",
    "render",
    "roman",
    "text_blocks",
    "text_width_mm",
]
