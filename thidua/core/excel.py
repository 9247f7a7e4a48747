"""Excel exports that look made by a careful clerk; one helper used by every export.

Every sheet has the same layout::

    1      the document's name (bold, centred across the table)
    2…     what it concerns: the unit, plan or period (one line each)
    n      "Ngày xuất: dd/mm/yyyy HH:MM" (local time)
    n+1    (blank)
    n+2    header: bold, filled, wrapped; frozen, filtered and repeated on every printed page
    n+3…   the rows, typed: integers "#,##0", rates as real percentages, real dates and months

Columns are as wide as their longest value (capped; longer text wraps). Pages are A4, landscape
when the table is wide, fitted to the page width, numbered in the footer.

Write-only mode keeps memory flat whatever the number of rows (normal mode held ~85 MiB of
cells for 20,000 members), but it writes the column widths before the first row. So rows are
typed and measured as they stream in, kept pickled in a spooled temporary file (in memory up
to ``SPOOL_IN_MEMORY``, on disk beyond), then written once the widths are known. The spool
costs a few per cent of the time openpyxl spends writing the cells; the grid on every cell
costs more (see ``_Row``).
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 cannot carry: openpyxl refuses them (IllegalCharacterError).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
CELL_LIMIT = 32767  # characters Excel holds in a cell; a longer one makes it "repair" the file

FONT = "Calibri"  # the workbook's default font; named so that every program shows the same
LINE_HEIGHT = 15  # points per line of 11 pt text
MIN_WIDTH = 6
MAX_WIDTH = 64  # characters; longer text wraps inside the column
HEADER_FIT = 24  # a header up to this long sets its column's width; a longer one wraps
WIDE_COLUMNS = 6  # more columns than this print landscape
WIDE_CHARACTERS = 100  # and so does a table wider than this (A4 portrait holds ~95 at 11 pt)
SPOOL_IN_MEMORY = 16 * 1024 * 1024
SPOOL_CHUNK = 1000  # rows pickled together (one row at a time costs 3× more)


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Aware datetimes become local wall-clock time (Excel has no time zones); characters XML
    cannot carry are dropped.
    """
    if isinstance(value, str):
        if _ILLEGAL.search(value):
            value = _ILLEGAL.sub("", value)
        if len(value) >= CELL_LIMIT:
            value = value[: CELL_LIMIT - 2] + "…"
        if value.startswith(_FORMULA_START):
            return "'" + value
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


# --- formats ----------------------------------------------------------------------------


def _text_length(value: Any) -> int:
    return max((len(line) for line in str(value).splitlines()), default=0)


def _same(value: Any) -> Any:
    return value


def _as_date(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def _first_of_month(value: Any) -> Any:
    return dt.date(value.year, value.month, 1) if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Format:
    """How a column's cells are typed, shown (an Excel number format) and measured."""

    code: str
    length: Callable[[Any], int] = _text_length  # characters the value takes on screen
    prepare: Callable[[Any], Any] = _same  # the value Excel stores
    kinds: tuple[type, ...] = (object,)  # values it applies to; others are shown as they are

    def __repr__(self) -> str:
        return f"Format({self.code!r})"


_NUMBER = (int, float, Decimal)
_DATE = (dt.date,)

TEXT = Format("General")
INTEGER = Format("#,##0", lambda v: len(f"{v:,.0f}"), kinds=_NUMBER)
YEAR = Format("0", lambda v: len(f"{v:.0f}"), kinds=_NUMBER)  # years, codes: no thousands separator
DECIMAL = Format("#,##0.00", lambda v: len(f"{v:,.2f}"), kinds=_NUMBER)
# A rate is given as a fraction: 0.855 shows 85.5%.
PERCENT = Format("0.0%", lambda v: len(f"{v * 100:.1f}%"), kinds=_NUMBER)
DATE = Format("DD/MM/YYYY", lambda v: 10, _as_date, kinds=_DATE)
DATETIME = Format("DD/MM/YYYY HH:MM", lambda v: 16, kinds=_DATE)
MONTH = Format("MM/YYYY", lambda v: 7, _first_of_month, kinds=_DATE)  # a real date, the 1st of the month


def infer_format(value: Any) -> Format:
    """The format of a value whose column says nothing."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | dt.date):
        return TEXT
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float | Decimal):
        return DECIMAL
    if isinstance(value, dt.datetime):
        return DATETIME
    return DATE


def _typed(value: Any, fmt: Format | None) -> tuple[Any, Format]:
    """The value to store and its format; text in a number column stays text."""
    if not isinstance(value, str | int | float | Decimal | dt.date | None):
        value = str(value)  # a lazy translation, a model: what the page would show
    value = safe_cell(value)
    if value is None or value == "":
        return None, TEXT
    fmt = _format_of(value, fmt)
    return fmt.prepare(value), fmt


def _format_of(value: Any, fmt: Format | None) -> Format:
    if fmt is None or isinstance(value, str) or not isinstance(value, fmt.kinds):
        return infer_format(value)
    return fmt


# --- what a sheet says ------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """A column of an export: its header and, when the values alone do not say it, its format."""

    text: str
    fmt: Format | None = None


@dataclass(frozen=True)
class Title:
    """The title rows: the document's name and what it concerns (unit, plan, period), one line each."""

    name: str
    about: Sequence[str] = field(default_factory=tuple)


def scope_line(names: Iterable[str]) -> str:
    """ "Phạm vi: …" for the units an export covers (none named: the whole system)."""
    names = [name for name in names if name]
    if not names:
        return _("Phạm vi: toàn hệ thống")
    return _("Phạm vi: %(units)s") % {"units": "; ".join(names)}


def exported_line() -> str:
    return _("Ngày xuất: %(moment)s") % {"moment": timezone.localtime().strftime("%d/%m/%Y %H:%M")}


def page_footer() -> str:
    # &P and &N are Excel's page number and page count.
    return _("Trang %(page)s / %(pages)s") % {"page": "&P", "pages": "&N"}


# --- streaming rows through a spool -----------------------------------------------------


class _Spool:
    """Rows kept pickled while they are measured: memory stays flat, disk takes big exports."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - closed in __iter__
        self.chunk: list[list[Any]] = []
        self.count = 0

    def add(self, row: list[Any]) -> None:
        self.chunk.append(row)
        self.count += 1
        if len(self.chunk) >= SPOOL_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self.chunk:
            pickle.dump(self.chunk, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunk = []

    def __iter__(self) -> Iterator[list[Any]]:
        self._flush()
        self.file.seek(0)
        with self.file:
            while True:
                try:
                    # Our own rows, written above in this process: nothing foreign is unpickled.
                    chunk = pickle.load(self.file)  # noqa: S301
                except EOFError:
                    return
                yield from chunk


# --- styles -----------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)


class _Row:
    """Data cells, styled once and reused row after row.

    Every cell, empty ones too, has the table's thin grid (a printed table needs its lines)
    and sits at the top of its row (a wrapped neighbour makes the row tall). Building and
    styling a cell per value made the export 2.2 times slower than plain values; openpyxl
    writes each row before ``append`` returns (it reuses one cell the same way), so one
    styled cell per column and format is enough, and costs about 1.3 times plain values.
    """

    def __init__(self, sheet: Any, columns: Sequence[Header], wraps: Sequence[bool]) -> None:
        self.sheet = sheet
        self.columns = columns
        self.wraps = wraps
        self.cells: dict[tuple[int, str], Cell] = {}

    def cells_of(self, values: Sequence[Any]) -> list[Cell]:
        row = []
        for index, value in enumerate(values):
            fmt = TEXT if value is None else _format_of(value, self.columns[index].fmt)
            cell = self.cells.get((index, fmt.code))
            if cell is None:
                cell = WriteOnlyCell(self.sheet)
                cell.number_format = fmt.code
                cell.alignment = _TOP_WRAP if self.wraps[index] else _TOP
                cell.border = _GRID
                self.cells[(index, fmt.code)] = cell
            cell.value = value
            row.append(cell)
        return row


def _styled(sheet: Any, value: Any, *, font: Font | None = None, alignment: Alignment | None = None) -> Cell:
    cell = WriteOnlyCell(sheet, value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def lines_needed(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (greedy, by words).

    Neither Excel nor LibreOffice reliably grows a row for wrapped text when opening a file
    (merged title cells never), so rows that wrap get their height from this estimate. A
    digit is the width unit and lower-case letters are narrower: a line holds about 10% more
    characters than the width (LibreOffice put 72 in a column 64 wide).
    """
    capacity = max(int((width - 1) * 1.1), 1)
    lines = 0
    for paragraph in str(text).splitlines() or [""]:
        lines += 1
        used = 0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > capacity:
                lines += 1
                used = 0
            used += len(word) + (1 if used else 0)
            while used > capacity:  # a word longer than the line breaks inside itself
                lines += 1
                used -= capacity
    return lines


# --- the sheet --------------------------------------------------------------------------


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def add_sheet(
    workbook: Workbook,
    sheet_name: str,
    headers: Sequence[str | Header],
    rows: Iterable[Sequence[Any]],
    *,
    title: Title,
) -> None:
    """Write one sheet: title rows, a frozen and filtered header, typed rows, print setup."""
    columns = [h if isinstance(h, Header) else Header(str(h)) for h in headers]
    count = len(columns)
    longest = [0] * count
    multiline = [False] * count
    spool = _Spool()
    for row in rows:
        values: list[Any] = []
        for index, (raw, column) in enumerate(zip(row, columns, strict=False)):
            value, fmt = _typed(raw, column.fmt)
            if value is not None:
                longest[index] = max(longest[index], fmt.length(value))
                if isinstance(value, str) and "\n" in value:
                    multiline[index] = True
            values.append(value)
        spool.add(values)

    widths = [
        min(MAX_WIDTH, max(MIN_WIDTH, most, _header_width(column.text)) + 2)
        for most, column in zip(longest, columns, strict=True)
    ]
    wraps = [most + 2 > MAX_WIDTH or lines for most, lines in zip(longest, multiline, strict=True)]
    wrapping = [index for index, wrap in enumerate(wraps) if wrap]

    sheet = workbook.create_sheet(title=_sheet_name(sheet_name))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(max(count, 1))
    table_width = sum(widths)

    lines = [title.name, *(line for line in title.about if line), exported_line()]
    header_row = len(lines) + 2
    first_data = header_row + 1
    sheet.freeze_panes = f"A{first_data}"
    _page_setup(sheet, wide=count > WIDE_COLUMNS or table_width > WIDE_CHARACTERS)

    # Title rows: merged across the table, wrapped, tall enough for the text they hold.
    for number, text in enumerate(lines, start=1):
        is_name = number == 1
        font = Font(name=FONT, size=14, bold=True) if is_name else Font(name=FONT, italic=number == len(lines))
        height = lines_needed(text, table_width / (1.3 if is_name else 1.0)) * (21 if is_name else LINE_HEIGHT)
        sheet.row_dimensions[number].height = height
        cell = _styled(
            sheet,
            safe_cell(text),
            font=font,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
        sheet.append([cell])
        if count > 1:
            sheet.merged_cells.add(f"A{number}:{last}{number}")
    sheet.append([])

    header_font = Font(name=FONT, bold=True)
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_lines = max((lines_needed(c.text, w) for c, w in zip(columns, widths, strict=True)), default=1)
    if header_lines > 1:
        sheet.row_dimensions[header_row].height = header_lines * LINE_HEIGHT
    header_cells = []
    for column in columns:
        cell = _styled(sheet, safe_cell(column.text), font=header_font, alignment=header_alignment)
        cell.fill = _HEADER_FILL
        cell.border = _GRID
        header_cells.append(cell)
    sheet.append(header_cells)

    data = _Row(sheet, columns, wraps)
    for number, values in enumerate(spool, start=first_data):
        tall = max((lines_needed(values[i], widths[i]) for i in wrapping if isinstance(values[i], str)), default=1)
        if tall > 1:
            sheet.row_dimensions[number].height = tall * LINE_HEIGHT
        sheet.append(data.cells_of(values))
        if tall > 1:
            del sheet.row_dimensions[number]  # written with the row: memory stays flat

    last_row = header_row + spool.count
    sheet.auto_filter.ref = f"A{header_row}:{last}{last_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _header_width(text: str) -> int:
    words = max((len(word) for word in text.split()), default=0)
    return max(words, min(len(text), HEADER_FIT))


def _sheet_name(name: str) -> str:
    # Excel forbids these in a sheet's name and allows 31 characters.
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip("'")
    return cleaned[:31] or "Sheet"


def _page_setup(sheet: Any, *, wide: bool) -> None:
    setup = sheet.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if wide else Worksheet.ORIENTATION_PORTRAIT
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = page_footer()
    sheet.oddFooter.center.size = 9


def build_workbook(
    sheet_name: str, headers: Sequence[str | Header], rows: Iterable[Sequence[Any]], *, title: Title
) -> Workbook:
    workbook = new_workbook()
    add_sheet(workbook, sheet_name, headers, rows, title=title)
    return workbook


def xlsx_response(
    filename: str, sheet_name: str, headers: Sequence[str | Header], rows: Iterable[Sequence[Any]], *, title: Title
) -> HttpResponse:
    return workbook_response(filename, build_workbook(sheet_name, headers, rows, title=title))


def workbook_response(filename: str, workbook: Workbook) -> HttpResponse:
    response = HttpResponse(content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


# --- reading an export back (tests, scripts) ---------------------------------------------


def header_row(sheet: Any) -> int:
    """The row number of a sheet's header: the first row after the title block's blank row.

    Works for sheets read in normal or read-only mode.
    """
    seen_title = blank_before = False
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        filled = any(value not in (None, "") for value in row)
        if filled:
            if not seen_title:
                seen_title = True
            elif blank_before:
                return number
        blank_before = not filled
    raise ValueError("no header row")


def read_table(sheet: Any) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """(header, rows) of an exported sheet, below its title rows."""
    start = header_row(sheet)
    rows = list(sheet.iter_rows(min_row=start, values_only=True))
    return list(rows[0]), [tuple(row) for row in rows[1:]]
