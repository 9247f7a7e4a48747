"""Certificates (Giấy khen, Bằng khen, titles) of a decision as one print-ready PDF, with reportlab.

``certificates_pdf(decision)`` draws one A4 landscape page per recipient (``DecisionLine``): a
decorative border, an emblem at the top (a neutral round union-style emblem drawn here — a cog
around a star and an open book — not any organisation's registered logo), the national motto,
the deciding body and the award in red, the recipient, their position and unit, the
achievement; bottom left the decision's number and date and the gold-book number; bottom right
the place and date, the signer's capacity, position and name, with room for the seal.

Offices that print on pre-printed blanks give an award kind a ``CertificateLayout``: then
``certificates_pdf(decision, blank=True)`` prints only the text fields, each at its position
(millimetres from the sheet's top-left corner: ``x`` is the left edge, the centre or the right
edge as ``align`` says, ``y`` the top of the first line), and ``layout_test_pdf`` prints one
sample page on a millimetre grid with every field's box labelled, to hold against a blank.

Text is set in Liberation Serif (metric-compatible with Times New Roman, full Vietnamese
coverage), embedded as subsets with a ToUnicode map so the words can be searched and copied.
Long names and achievements wrap, then shrink, then are cut with "…": nothing crosses the border.
The border and the emblem are drawn once as form XObjects that every page reuses, and lines are
read in chunks, so a 500-recipient decision holds only the small per-page text streams.
"""

from __future__ import annotations

import functools
import io
import json
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from thidua.core import decree30
from thidua.recognition.documents import decider, decision_reference, printed_award
from thidua.recognition.models import AwardDecision, AwardKind, CertificateLayout, DecisionLine

PDF_MIME = "application/pdf"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)  # 841.89 × 595.28 pt
MM = 72 / 25.4
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 297.0, 210.0

RED = (0.76, 0.07, 0.07)
GOLD = (0.78, 0.60, 0.16)
NAVY = (0.06, 0.13, 0.36)
BLACK = (0, 0, 0)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),  # Debian/Ubuntu fonts-liberation2
    Path("/usr/share/fonts/truetype/liberation"),  # fonts-liberation (1.x, also Vietnamese)
    Path("/usr/share/fonts/liberation-serif"),  # Fedora
)
FACES = {
    "regular": ("CertSerif", "LiberationSerif-Regular.ttf"),
    "bold": ("CertSerif-Bold", "LiberationSerif-Bold.ttf"),
    "italic": ("CertSerif-Italic", "LiberationSerif-Italic.ttf"),
    "bolditalic": ("CertSerif-BoldItalic", "LiberationSerif-BoldItalic.ttf"),
}
ASCENT = 0.891  # Liberation Serif's ascent (1/em): the top of a line to its baseline
LEADING = 1.22

# The field of a blank, its face, and how many lines it may wrap to.
FIELD_STYLE: dict[str, tuple[str, int]] = {
    "recipient": ("bold", 2),
    "position": ("regular", 1),
    "unit": ("regular", 2),
    "achievement": ("italic", 3),
    "decision": ("bolditalic", 1),
    "gold_book": ("bolditalic", 1),
    "date_line": ("italic", 1),
    "signer": ("bold", 1),
}
# Where the fields of the drawn certificate stand (mm from the top-left corner), as a starting
# point for a blank: an administrator moves them with the test print.
DEFAULT_POSITIONS: dict[str, dict[str, Any]] = {
    "recipient": {"x": 148.5, "y": 100.0, "size": 24, "align": "center", "width": 225.0},
    "position": {"x": 148.5, "y": 112.0, "size": 14, "align": "center", "width": 225.0},
    "unit": {"x": 148.5, "y": 118.5, "size": 14, "align": "center", "width": 225.0},
    "achievement": {"x": 148.5, "y": 128.0, "size": 15, "align": "center", "width": 225.0},
    "decision": {"x": 22.0, "y": 174.0, "size": 12, "align": "left", "width": 115.0},
    "gold_book": {"x": 22.0, "y": 180.5, "size": 12, "align": "left", "width": 115.0},
    "date_line": {"x": 219.0, "y": 147.0, "size": 13, "align": "center", "width": 120.0},
    "signer": {"x": 219.0, "y": 182.0, "size": 14, "align": "center", "width": 120.0},
}
ALIGNS = ("left", "center", "right")
SIZE_RANGE = (6.0, 72.0)
SAMPLE = {
    "recipient": "Nguyễn Thị Hương",
    "position": "Chủ tịch Công đoàn cơ sở",
    "unit": "Trường Trung học cơ sở Nam Mẫu, huyện Ba Bể",
    "achievement": "Đã có thành tích xuất sắc trong phong trào thi đua “Lao động giỏi, lao động sáng tạo” năm 2026",
    "decision": "Quyết định số 05/QĐ-LĐLĐ ngày 20/12/2026",
    "gold_book": "Số sổ vàng: 125",
    "date_line": "Bắc Kạn, ngày 20 tháng 12 năm 2026",
    "signer": "Triệu Thị Mai",
}


# --- fonts and text fitting ---------------------------------------------------------------------


@functools.cache
def fonts() -> dict[str, str]:
    """Register Liberation Serif once; {face: reportlab font name}. A clear error when it is missing."""
    for directory in FONT_DIRS:
        if all((directory / file).is_file() for _name, file in FACES.values()):
            break
    else:
        raise ImproperlyConfigured(
            "Certificates need the Liberation Serif fonts (Vietnamese glyphs), looked for in "
            + ", ".join(str(d) for d in FONT_DIRS)
            + ": apt-get install fonts-liberation2"
        )
    names = {}
    for face, (name, file) in FACES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(directory / file)))
        names[face] = name
    pdfmetrics.registerFontFamily(
        "CertSerif", normal=names["regular"], bold=names["bold"], italic=names["italic"], boldItalic=names["bolditalic"]
    )
    return names


def _width(text: str, face: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, fonts()[face], size)


def _wrap(text: str, face: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        while _width(word, face, size) > width and len(word) > 1:  # a word wider than the box: cut it
            cut = len(word) - 1
            while cut > 1 and _width(word[:cut], face, size) > width:
                cut -= 1
            if lines and not lines[-1]:
                lines[-1] = word[:cut]
            else:
                lines.append(word[:cut])
            word = word[cut:]
        if lines and _width(f"{lines[-1]} {word}", face, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def fit(text: str, face: str, width: float, size: float, min_size: float, max_lines: int) -> tuple[float, list[str]]:
    """``text`` in at most ``max_lines`` lines of ``width`` points: wrapped at ``size``, shrunk down to
    ``min_size`` if need be, and the last line cut with "…" if even that is not enough."""
    fitted, lines = _fit(text or "", face, width, size, min_size, max_lines)
    return fitted, list(lines)


# Most of a decision's pages repeat the same strings (issuer, achievement, date, signer): measured once.
@functools.lru_cache(maxsize=2048)
def _fit(
    text: str, face: str, width: float, size: float, min_size: float, max_lines: int
) -> tuple[float, tuple[str, ...]]:
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not text:
        return size, ()
    current = size
    while True:
        lines = _wrap(text, face, current, width)
        if len(lines) <= max_lines or current <= min_size:
            break
        current = max(min_size, current - 0.5)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _width(f"{last}…", face, current) > width:
            last = last[:-1].rstrip()
        lines[-1] = f"{last}…"
    return current, tuple(lines)


def _draw_lines(
    canvas: Canvas, lines: list[str], face: str, size: float, x: float, baseline: float, align: str
) -> float:
    """Draw ``lines`` from ``baseline`` down; returns the baseline after the last line."""
    canvas.setFont(fonts()[face], size)
    for line in lines:
        if align == "left":
            canvas.drawString(x, baseline, line)
        elif align == "right":
            canvas.drawRightString(x, baseline, line)
        else:
            canvas.drawCentredString(x, baseline, line)
        baseline -= size * LEADING
    return baseline


# --- the drawn certificate -----------------------------------------------------------------------


def _border(canvas: Canvas) -> None:
    """A red frame, a gold band of diamonds, a thin inner rule and corner ornaments (one XObject)."""
    width, height = PAGE_WIDTH, PAGE_HEIGHT
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(4)
    canvas.rect(18, 18, width - 36, height - 36)
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(1.2)
    canvas.rect(26, 26, width - 52, height - 52)
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(0.6)
    canvas.rect(33, 33, width - 66, height - 66)
    canvas.setFillColorRGB(*GOLD)
    step = 18.0

    def diamond(cx: float, cy: float, r: float) -> None:
        path = canvas.beginPath()
        path.moveTo(cx, cy + r)
        path.lineTo(cx + r, cy)
        path.lineTo(cx, cy - r)
        path.lineTo(cx - r, cy)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)

    band = 22.0  # between the outer frame and the gold rule
    count = int((width - 2 * 40) // step)
    start = (width - count * step) / 2
    for index in range(count + 1):
        diamond(start + index * step, band, 2.2)
        diamond(start + index * step, height - band, 2.2)
    count = int((height - 2 * 40) // step)
    start = (height - count * step) / 2
    for index in range(count + 1):
        diamond(band, start + index * step, 2.2)
        diamond(width - band, start + index * step, 2.2)
    for cx, cy in ((33, 33), (width - 33, 33), (33, height - 33), (width - 33, height - 33)):
        canvas.setFillColorRGB(*GOLD)
        diamond(cx, cy, 9)
        canvas.setFillColorRGB(*RED)
        canvas.circle(cx, cy, 3, stroke=0, fill=1)
        # Two short gold rules running from the corner along the inner frame.
        canvas.setStrokeColorRGB(*GOLD)
        canvas.setLineWidth(0.8)
        sx = 1 if cx < width / 2 else -1
        sy = 1 if cy < height / 2 else -1
        canvas.line(cx + sx * 12, cy + sy * 5, cx + sx * 70, cy + sy * 5)
        canvas.line(cx + sx * 5, cy + sy * 12, cx + sx * 5, cy + sy * 70)


def _emblem(canvas: Canvas, cx: float, cy: float, radius: float) -> None:
    """A neutral round emblem: a red cog around a white disc with a gold star over an open book."""
    teeth, outer, inner = 18, radius, radius * 0.86
    path = canvas.beginPath()
    for index in range(teeth * 4):
        angle = math.pi / 2 + index * 2 * math.pi / (teeth * 4)
        r = outer if index % 4 in (1, 2) else inner
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if index == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.setFillColorRGB(*RED)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.circle(cx, cy, radius * 0.74, stroke=0, fill=1)
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(1.2)
    canvas.circle(cx, cy, radius * 0.66, stroke=1, fill=0)
    # The star.
    star = canvas.beginPath()
    r_out, r_in, sy = radius * 0.36, radius * 0.15, cy + radius * 0.12
    for index in range(10):
        r = r_out if index % 2 == 0 else r_in
        angle = math.pi / 2 + index * math.pi / 5
        x, y = cx + r * math.cos(angle), sy + r * math.sin(angle)
        if index == 0:
            star.moveTo(x, y)
        else:
            star.lineTo(x, y)
    star.close()
    canvas.setFillColorRGB(*GOLD)
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(0.5)
    canvas.drawPath(star, stroke=1, fill=1)
    # The open book under it.
    by, bw, bh = cy - radius * 0.42, radius * 0.44, radius * 0.2
    for side in (-1, 1):
        page = canvas.beginPath()
        page.moveTo(cx, by)
        page.lineTo(cx + side * bw, by + bh * 0.35)
        page.lineTo(cx + side * bw, by + bh * 1.35)
        page.lineTo(cx, by + bh)
        page.close()
        canvas.setFillColorRGB(*RED)
        canvas.drawPath(page, stroke=0, fill=1)


def _define_forms(canvas: Canvas) -> None:
    canvas.beginForm("certificate-border")
    _border(canvas)
    canvas.endForm()
    canvas.beginForm("certificate-emblem")
    _emblem(canvas, PAGE_WIDTH / 2, PAGE_HEIGHT - 72, 30)
    canvas.endForm()


@dataclass(frozen=True)
class _Common:
    """What every page of a decision prints alike."""

    decider: str
    reference: str
    date_line: str
    capacity: str
    position: str
    signer: str
    mark: str  # "DỰ THẢO" on a draft, "ĐÃ THU HỒI" on a revoked decision


def _common(decision: AwardDecision) -> _Common:
    draft = decision.number is None
    mark = ""
    if decision.status == AwardDecision.Status.REVOKED:
        mark = "ĐÃ THU HỒI"
    elif draft:
        mark = "DỰ THẢO"
    return _Common(
        decider=decider(decision),
        reference=decision_reference(decision),
        date_line=decree30.date_line(decision.place, None if draft else decision.issued_on),
        capacity=(decision.signer_capacity or "").upper(),
        position=(decision.signer_position or "").upper(),
        signer=decision.signer_name,
        mark=mark,
    )


def _fields(line: DecisionLine, common: _Common, decision: AwardDecision) -> dict[str, str]:
    unit = line.unit_name
    if not line.is_individual and unit.strip() == line.recipient_name.strip():
        unit = ""
    gold = f"Số sổ vàng: {line.gold_book}" if line.gold_book is not None else "Số sổ vàng: ……"
    return {
        "recipient": line.recipient_name,
        "position": line.position if line.is_individual else "",
        "unit": unit,
        "achievement": line.achievement or decision.achievement,
        "decision": common.reference,
        "gold_book": gold,
        "date_line": common.date_line,
        "signer": common.signer,
    }


# The recipient, position, unit and achievement: (field, face, colour, size, most lines, gap above).
_BLOCK = (
    ("recipient", "bold", NAVY, 26.0, 2, 0.7),
    ("position", "regular", BLACK, 14.0, 1, -0.1),
    ("unit", "regular", BLACK, 14.0, 2, -0.1),
    ("achievement", "italic", BLACK, 15.0, 3, 0.35),
)
BLOCK_FLOOR = 182.0  # the lowest baseline of the block: above the date line (166 pt) on the right


def _block_layout(
    fields: dict[str, str], top: float, usable: float, scales: tuple[float, float], cut: bool
) -> tuple[list[tuple[list[str], str, tuple[float, float, float], float, float]], bool]:
    """The block with the name at ``scales[0]`` and the rest at ``scales[1]`` of their sizes:
    [(lines, face, colour, size, first baseline)] and whether it is whole (nothing cut with "…").
    ``cut``: allow cutting to the most lines instead of failing."""
    placed: list[tuple[list[str], str, tuple[float, float, float], float, float]] = []
    baseline = top
    whole = True
    for key, face, colour, base, most, gap in _BLOCK:
        if not fields.get(key):
            continue
        size = max(base * (scales[0] if key == "recipient" else scales[1]), 8.0)
        width = usable - (20 if key == "achievement" else 0)
        size, lines = fit(fields[key], face, width, size, size, most)
        if lines and lines[-1].endswith("…"):
            whole = False
            if not cut:
                return placed, False
        first = baseline - size * gap if placed else top - size * gap
        placed.append((lines, face, colour, size, first))
        baseline = first - len(lines) * size * LEADING
    return placed, whole


def _centre_block(canvas: Canvas, fields: dict[str, str], top: float, usable: float) -> None:
    """Draw the block as large as fits between ``top`` and ``BLOCK_FLOOR``: shrink the smaller lines
    first (to 70 %), then the name too; only at the smallest sizes cut the last line with "…"."""
    steps = [1.0 - step * 0.05 for step in range(9)]  # 1.0 … 0.6
    scales = [(1.0, body) for body in steps if body >= 0.7] + [(name, 0.7) for name in steps[1:]]
    scales.append((0.6, 0.62))
    chosen = None
    for scale in scales:
        placed, whole = _block_layout(fields, top, usable, scale, cut=False)
        if whole and placed and _last_baseline(placed) >= BLOCK_FLOOR:
            chosen = placed
            break
    if chosen is None:
        chosen, _whole = _block_layout(fields, top, usable, scales[-1], cut=True)
        while chosen and _last_baseline(chosen) < BLOCK_FLOOR:
            lines, face, colour, size, first = chosen[-1]
            if len(lines) > 1:  # drop the last line of the lowest field and mark the cut
                kept = lines[:-1]
                kept[-1] = kept[-1].rstrip(" …") + "…"
                chosen[-1] = (kept, face, colour, size, first)
            else:
                chosen.pop()  # at worst the achievement is left out rather than print over the signature
    for lines, face, colour, size, first in chosen:
        canvas.setFillColorRGB(*colour)
        _draw_lines(canvas, lines, face, size, PAGE_WIDTH / 2, first, "center")
    canvas.setFillColorRGB(*BLACK)


def _last_baseline(placed: list[tuple[list[str], str, tuple[float, float, float], float, float]]) -> float:
    lines, _face, _colour, size, first = placed[-1]
    return first - (len(lines) - 1) * size * LEADING


def _certificate_page(canvas: Canvas, line: DecisionLine, common: _Common, decision: AwardDecision) -> None:
    fields = _fields(line, common, decision)
    middle = PAGE_WIDTH / 2
    canvas.doForm("certificate-border")
    canvas.doForm("certificate-emblem")
    if common.mark:  # behind everything, light: a draft or revoked certificate cannot pass for a real one
        canvas.setFillColorRGB(0.88, 0.88, 0.88)
        canvas.setFont(fonts()["bold"], 96)
        canvas.drawCentredString(middle, PAGE_HEIGHT / 2 - 60, common.mark)

    canvas.setFillColorRGB(*BLACK)
    _draw_lines(canvas, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], "bold", 13, middle, PAGE_HEIGHT - 124, "center")
    _draw_lines(canvas, [decree30.SLOGAN], "bold", 13, middle, PAGE_HEIGHT - 141, "center")
    slogan = _width(decree30.SLOGAN, "bold", 13)
    canvas.setStrokeColorRGB(*BLACK)
    canvas.setLineWidth(0.6)
    canvas.line(middle - slogan / 2, PAGE_HEIGHT - 145, middle + slogan / 2, PAGE_HEIGHT - 145)

    usable = PAGE_WIDTH - 2 * 70
    canvas.setFillColorRGB(*RED)
    size, lines = fit(common.decider, "bold", usable, 16, 11, 2)
    y = _draw_lines(canvas, lines, "bold", size, middle, PAGE_HEIGHT - 176, "center")
    canvas.setFillColorRGB(*BLACK)
    verb = "TẶNG DANH HIỆU" if line.kind.category == AwardKind.Category.TITLE else "TẶNG"
    y = _draw_lines(canvas, [verb], "bold", 14, middle, y - 8, "center")
    canvas.setFillColorRGB(*RED)
    size, lines = fit(printed_award(line.kind), "bold", usable, 36, 18, 2)
    y = _draw_lines(canvas, lines, "bold", size, middle, y - size * 0.95, "center")

    _centre_block(canvas, fields, y, usable)

    # Bottom left: the decision and the gold book.
    left, left_width = 64.0, 300.0
    for key, baseline in (("decision", 76.0), ("gold_book", 59.0)):
        size, lines = fit(fields[key], "bolditalic", left_width, 12.5, 9, 1)
        _draw_lines(canvas, lines, "bolditalic", size, left, baseline, "left")
    # Bottom right: place and date, capacity, position, (seal and signature), name.
    right, right_width = 620.0, 300.0
    size, lines = fit(fields["date_line"], "italic", right_width, 13, 10, 1)
    _draw_lines(canvas, lines, "italic", size, right, 166, "center")
    baseline = 148.0
    for text in (common.capacity, common.position):
        if text:
            size, lines = fit(text, "bold", right_width, 13, 10, 1)
            baseline = _draw_lines(canvas, lines, "bold", size, right, baseline, "center")
    size, lines = fit(fields["signer"], "bold", right_width, 14, 10, 1)
    _draw_lines(canvas, lines, "bold", size, right, 64, "center")


# --- pre-printed blanks --------------------------------------------------------------------------


def _box(spec: dict[str, Any]) -> tuple[float, float]:
    """The left and right edge (mm) of a field's box."""
    x, width = float(spec["x"]), float(spec["width"])
    if spec["align"] == "left":
        return x, x + width
    if spec["align"] == "right":
        return x - width, x
    return x - width / 2, x + width / 2


def _field(canvas: Canvas, name: str, text: str, spec: dict[str, Any]) -> int:
    """Draw one field of a blank at its position; returns the number of lines drawn."""
    face, max_lines = FIELD_STYLE[name]
    size = float(spec["size"])
    size, lines = fit(text, face, float(spec["width"]) * MM, size, max(SIZE_RANGE[0], size * 0.6), max_lines)
    baseline = PAGE_HEIGHT - float(spec["y"]) * MM - ASCENT * size
    _draw_lines(canvas, lines, face, size, float(spec["x"]) * MM, baseline, spec["align"])
    return len(lines)


def _blank_page(canvas: Canvas, fields: dict[str, str], positions: dict[str, dict[str, Any]]) -> None:
    canvas.setFillColorRGB(*BLACK)
    for name, spec in positions.items():
        if fields.get(name):
            _field(canvas, name, fields[name], spec)


def _number(value: Any, field: str, key: str, errors: list[str]) -> float | None:
    if isinstance(value, bool) or value is None:
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    else:
        number = None
    if number is None or not math.isfinite(number):
        errors.append(
            _("Trường “%(field)s”: “%(key)s” phải là một số (milimét hoặc cỡ chữ), không phải “%(value)s”.")
            % {"field": field, "key": key, "value": str(value)[:40]}
        )
        return None
    return number


def validate_positions(data: Any) -> dict[str, dict[str, Any]]:
    """The positions of a blank, checked and completed with ``DEFAULT_POSITIONS``.

    ``data``: {field: {"x": mm, "y": mm, "size": pt, "align": "left|center|right", "width": mm}}
    (a dict, or its JSON text). Every problem is reported, in Vietnamese, in one ``ValidationError``.
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data or "{}")
        except ValueError:
            raise ValidationError(_("Bố cục phải là JSON hợp lệ."), code="json") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(_("Bố cục phải là một bảng {trường: {x, y, size, align, width}}."), code="shape")
    errors: list[str] = []
    out: dict[str, dict[str, Any]] = {}
    for field in data:
        if field not in CertificateLayout.FIELDS:
            errors.append(
                _("Không có trường “%(field)s” trên giấy khen; các trường: %(fields)s.")
                % {"field": str(field)[:40], "fields": ", ".join(CertificateLayout.FIELDS)}
            )
    for field in CertificateLayout.FIELDS:
        spec = data.get(field, {})
        if not isinstance(spec, dict):
            errors.append(_("Trường “%(field)s” phải có x, y, size, align, width.") % {"field": field})
            continue
        unknown = set(spec) - {"x", "y", "size", "align", "width"}
        if unknown:
            errors.append(
                _("Trường “%(field)s”: không hiểu “%(keys)s”.") % {"field": field, "keys": ", ".join(sorted(unknown))}
            )
        merged = {**DEFAULT_POSITIONS[field], **spec}
        numbers = {key: _number(merged[key], field, key, errors) for key in ("x", "y", "size", "width")}
        align = merged["align"]
        if align not in ALIGNS:
            errors.append(_("Trường “%(field)s”: căn lề phải là left, center hoặc right.") % {"field": field})
            continue
        if any(value is None for value in numbers.values()):
            continue
        x, y, size, width = (float(numbers[key] or 0) for key in ("x", "y", "size", "width"))
        if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
            errors.append(
                _("Trường “%(field)s”: cỡ chữ phải từ %(low)s đến %(high)s.")
                % {"field": field, "low": int(SIZE_RANGE[0]), "high": int(SIZE_RANGE[1])}
            )
        if width <= 0:
            errors.append(_("Trường “%(field)s”: độ rộng phải lớn hơn 0.") % {"field": field})
            continue
        spec_out = {"x": x, "y": y, "size": size, "align": align, "width": width}
        left, right = _box(spec_out)
        bottom = y + size / MM * LEADING
        if left < 0 or right > PAGE_WIDTH_MM or y < 0 or bottom > PAGE_HEIGHT_MM:
            errors.append(
                _(
                    "Trường “%(field)s” nằm ngoài trang A4 ngang (297 × 210 mm): "
                    "từ %(left)s đến %(right)s mm theo chiều ngang, %(top)s mm theo chiều dọc."
                )
                % {"field": field, "left": f"{left:g}", "right": f"{right:g}", "top": f"{y:g}"}
            )
            continue
        out[field] = spec_out
    if errors:
        raise ValidationError(errors, code="positions")
    return out


def _layouts(decision: AwardDecision) -> dict[int, dict[str, dict[str, Any]]]:
    kinds = decision.lines.values_list("kind_id", flat=True).distinct()
    found: dict[int, dict[str, dict[str, Any]]] = {}
    for layout in CertificateLayout.objects.filter(kind_id__in=kinds):
        try:
            found[layout.kind_id] = validate_positions(layout.positions)
        except ValidationError:
            found[layout.kind_id] = validate_positions({})  # a broken layout prints at the defaults
    return found


# --- entry points --------------------------------------------------------------------------------


def _canvas(buffer: io.BytesIO, title: str, author: str) -> Canvas:
    fonts()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("Thi Đua")
    return canvas


def _lines(decision: AwardDecision) -> Iterator[DecisionLine]:
    return decision.lines.select_related("kind", "member", "unit").order_by("order", "pk").iterator(chunk_size=200)


def certificates_pdf(decision: AwardDecision, *, blank: bool = False) -> bytes:
    """One page per recipient of ``decision``. ``blank``: for award kinds with a ``CertificateLayout``
    print only the text fields at its positions (kinds without one still get the full certificate)."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"Giấy khen, Bằng khen – {decision.document_number}", decision.issuer.name)
    common = _common(decision)
    layouts = _layouts(decision) if blank else {}
    forms = False
    pages = 0
    for line in _lines(decision):
        pages += 1
        positions = layouts.get(line.kind_id)
        if positions is not None:
            _blank_page(canvas, _fields(line, common, decision), positions)
        else:
            if not forms:
                _define_forms(canvas)
                forms = True
            _certificate_page(canvas, line, common, decision)
        canvas.showPage()
    if not pages:  # a decision without lines still gives a valid PDF (one empty page)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _grid(canvas: Canvas) -> None:
    canvas.setLineWidth(0.2)
    for mm in range(0, 298, 5):
        canvas.setStrokeColorRGB(*((0.55, 0.55, 0.55) if mm % 10 == 0 else (0.85, 0.85, 0.85)))
        canvas.line(mm * MM, 0, mm * MM, PAGE_HEIGHT)
    for mm in range(0, 211, 5):
        canvas.setStrokeColorRGB(*((0.55, 0.55, 0.55) if mm % 10 == 0 else (0.85, 0.85, 0.85)))
        canvas.line(0, PAGE_HEIGHT - mm * MM, PAGE_WIDTH, PAGE_HEIGHT - mm * MM)
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    canvas.setFont(fonts()["regular"], 6)
    for mm in range(10, 297, 10):
        canvas.drawCentredString(mm * MM, PAGE_HEIGHT - 2 * MM - 4, str(mm))
    for mm in range(10, 210, 10):
        canvas.drawString(1.2 * MM, PAGE_HEIGHT - mm * MM - 2, str(mm))


def layout_test_pdf(kind: AwardKind, positions: Any = None) -> bytes:
    """One test page for a blank of ``kind``: a millimetre grid, each field's box labelled with its
    name and position, and sample text where it will print. ``positions`` (unsaved edits) are
    checked by ``validate_positions``; by default the kind's saved layout, else the defaults."""
    if positions is None:
        layout = CertificateLayout.objects.filter(kind=kind).first()
        positions = layout.positions if layout else {}
    checked = validate_positions(positions)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"In thử bố cục – {kind.name}", "Thi Đua")
    _grid(canvas)
    canvas.setFillColorRGB(*RED)
    canvas.setFont(fonts()["bold"], 8)
    canvas.drawString(
        12 * MM,
        PAGE_HEIGHT - 8 * MM,
        f"IN THỬ BỐ CỤC: {kind.name} — đặt lên phôi, soi ngược sáng; vị trí tính bằng mm từ góc trên bên trái",
    )
    for name, spec in checked.items():
        _face, max_lines = FIELD_STYLE[name]
        left, right = _box(spec)
        top = float(spec["y"])
        height = max_lines * float(spec["size"]) * LEADING / MM
        canvas.setStrokeColorRGB(0.1, 0.35, 0.8)
        canvas.setLineWidth(0.6)
        canvas.setDash(2, 2)
        canvas.rect(left * MM, PAGE_HEIGHT - (top + height) * MM, (right - left) * MM, height * MM)
        canvas.setDash()
        canvas.setFillColorRGB(0.1, 0.35, 0.8)
        canvas.setFont(fonts()["regular"], 6.5)
        label = f"{name} (x={spec['x']:g}, y={spec['y']:g}, {spec['size']:g} pt, {spec['align']})"
        canvas.drawString(left * MM + 1, PAGE_HEIGHT - top * MM + 1.5, label)
        canvas.setFillColorRGB(*BLACK)
        _field(canvas, name, SAMPLE[name], spec)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificates_pdf_response(decision: AwardDecision, *, blank: bool = False) -> HttpResponse:
    """The certificates as a download with a safe ASCII file name."""
    response = HttpResponse(certificates_pdf(decision, blank=blank), content_type=PDF_MIME)
    number = f"{decision.number:02d}-QD-{decision.year}" if decision.number is not None else f"du-thao-{decision.pk}"
    suffix = "-in-phoi" if blank else ""
    response["Content-Disposition"] = f'attachment; filename="giay-khen-{number}{suffix}.pdf"'
    return response


__all__ = [
    "DEFAULT_POSITIONS",
    "PDF_MIME",
    "certificates_pdf",
    "certificates_pdf_response",
    "fit",
    "fonts",
    "layout_test_pdf",
    "validate_positions",
]
