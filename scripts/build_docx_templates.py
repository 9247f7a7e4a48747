#!/usr/bin/env python
"""Build the Decree-30 .docx templates (Jinja tags for docxtpl) with python-docx.

    .venv/bin/python scripts/build_docx_templates.py

The generated file is committed (thidua/campaigns/docx/plan.docx); rerun this
after changing the layout. DECREE30.md gives every size, case and position.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
FONT = "Times New Roman"


def set_font(run, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def para(
    container,
    text: str,
    size: float,
    *,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    indent: float | None = None,
    after: float = 0,
    rule: bool = False,
    rule_indent: float = 2.2,
):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    if indent is not None:
        fmt.first_line_indent = Cm(indent)
    if text:
        set_font(p.add_run(text), size, bold=bold, italic=italic)
    if rule:
        short_rule(container, rule_indent)
    return p


def short_rule(container, indent_cm: float) -> None:
    """A centred rule under the text above: the bottom border of a tiny, indented paragraph."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    if True:
        ppr = p._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr.append(borders)
        fmt.left_indent = Cm(indent_cm)
        fmt.right_indent = Cm(indent_cm)


def borderless(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def set_widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))


def clear_cell(cell) -> None:
    for p in list(cell.paragraphs):
        p._element.getparent().remove(p._element)


def page_number_header(section) -> None:
    """Arabic page numbers centred in the top margin, none on page 1."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    set_font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def build_plan(path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    page_number_header(section)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    doc.paragraphs[0]._element.getparent().remove(doc.paragraphs[0]._element) if doc.paragraphs else None

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(header)
    set_widths(header, [7.5, 9.0])
    left, right = header.rows[0].cells
    clear_cell(left)
    clear_cell(right)
    para(left, "{{ parent_body }}", 12)
    para(left, "{{ issuer_body }}", 12, bold=True, rule=True, rule_indent=2.4)
    para(left, "Số: {{ number }}", 13)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    para(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True, rule=True, rule_indent=1.6)
    para(right, "{{ place_date }}", 14, italic=True)

    para(doc, "", 14, after=6)
    para(doc, "{{ doc_kind }}", 14, bold=True)
    para(doc, "{{ title }}", 14, bold=True, rule=True, rule_indent=6.0)
    para(doc, "", 6, after=6)
    para(doc, "{%p for line in legal_basis %}", 14)
    para(doc, "{{ line }}", 14, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.27, after=6)
    para(doc, "{%p endfor %}", 14)
    para(doc, "{%p for line in body %}", 14)
    para(doc, "{{ line }}", 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.27, after=6)
    para(doc, "{%p endfor %}", 14)
    para(doc, "{%p for section in sections %}", 14)
    para(doc, "{{ section.heading }}", 14, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.27, after=6)
    para(doc, "{%p for line in section.lines %}", 14)
    para(doc, "{{ line }}", 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.27, after=6)
    para(doc, "{%p endfor %}", 14)
    para(doc, "{%p endfor %}", 14)

    footer = doc.add_table(rows=1, cols=2)
    borderless(footer)
    set_widths(footer, [8.0, 8.5])
    left, right = footer.rows[0].cells
    clear_cell(left)
    clear_cell(right)
    para(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(left, "{%p for line in recipients %}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(left, "{{ line }}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(left, "{%p endfor %}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(right, "{{ capacity }}", 14, bold=True)
    para(right, "{{ position }}", 14, bold=True)
    for _ in range(4):
        para(right, "", 14)
    para(right, "{{ signer }}", 14, bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


if __name__ == "__main__":
    build_plan(ROOT / "thidua" / "campaigns" / "docx" / "plan.docx")
    print("built thidua/campaigns/docx/plan.docx")
    sys.exit(0)
