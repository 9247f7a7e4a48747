"""Reading a pledge list from Excel: every problem reported by row and column, nothing written.

A file goes through these steps; each one refuses with a Vietnamese message, never an exception:

1. The upload: its size, and its first bytes (an .xls, or an .xlsx saved with a password, is an
   OLE2 file, not a zip).
2. The zip: every member's declared size and compression ratio, before anything is unpacked.
   Only the parts a reader needs are unpacked, each with its own cap; ``zipfile`` stops at the
   declared size and checks the CRC, so a member that lies about its size is refused as damaged.
3. The first worksheet's XML is scanned before a parser sees it: the number of rows (empty ones
   included) and the box the cells span are capped; its ``<dimension>`` is never believed.
4. python-calamine (Rust) reads a re-packed copy holding only the parts checked above: 50,000
   rows in 1.3 s where openpyxl's streaming reader takes 12.8 s, which keeps the whole import
   past ten times django-import-export's speed (bench/registrations.py). calamine builds
   the whole box of used cells at once (one cell at XFD1048576 asks for 512 GiB and aborts the
   process), which is why step 3 must bound it first. A sheet not written the way Excel,
   LibreOffice, Google Sheets and the usual libraries write it (prefixed tags, cells without an
   address) cannot be bounded cheaply, so openpyxl's streaming reader reads it instead, at most
   ``MAX_COLUMNS`` wide.
5. Rows are matched in memory against the unit's members. Formulas are never evaluated: the
   value Excel saved with the file is read, and a formula saved without one is an error.
   Empty rows, the template's example row and a signature block under the table are skipped
   and said so; every other problem is an error naming the row, the column and the real cause.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from defusedxml.ElementTree import fromstring as parse_xml
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.properties import PageSetupProperties
from python_calamine import CalamineWorkbook

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.campaigns.models import Title
from thidua.core.text import clean_text, fold
from thidua.members.models import Member
from thidua.units.models import Unit

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024  # all members together, as declared
MAX_SHEET_BYTES = 64 * 1024 * 1024  # 60,000 rows written with inline strings take ~25 MB
MAX_STREAMED_BYTES = 24 * 1024 * 1024  # a sheet openpyxl must read (~10 s at most)
MAX_STRINGS_BYTES = 32 * 1024 * 1024
MAX_PART_BYTES = 4 * 1024 * 1024  # workbook, relationships, styles, content types
MAX_RATIO = 500  # uncompressed / compressed, for members above 1 MiB; real sheets stay under ~50
MAX_ROWS = 60_000  # rows of data
MAX_SHEET_ROWS = 100_000  # <row> elements of the sheet, empty ones included
MAX_CELLS = 2_000_000  # rows × columns of the box calamine allocates (32 bytes a cell)
MAX_COLUMNS = 64  # how wide the streaming reader reads
MAX_SECONDS = 30.0  # reading and matching one file; 50,000 rows take about 3 s
HEADER_SCAN_ROWS = 15
MAX_ERRORS = 500
YEAR_RANGE = (1900, 2100)

# Column key -> accepted header spellings (folded).
COLUMNS = {
    "number": ("stt", "tt", "so thu tu"),
    "full_name": ("ho va ten", "ho ten"),
    "birth_year": ("nam sinh",),
    "date_of_birth": ("ngay sinh", "ngay sinh (dd/mm/yyyy)"),
    "id_number": ("so cccd", "cccd", "so can cuoc", "so can cuoc cong dan"),
    "title": ("danh hieu dang ky", "danh hieu"),
    "commitment": ("cam ket", "noi dung cam ket"),
}
REQUIRED = ("full_name", "birth_year", "title")
TEMPLATE_HEADERS = ["STT", "Họ và tên", "Năm sinh", "Ngày sinh (dd/mm/yyyy)", "Số CCCD", "Danh hiệu đăng ký", "Cam kết"]
LABELS = {
    "number": "STT",
    "full_name": "Họ và tên",
    "birth_year": "Năm sinh",
    "date_of_birth": "Ngày sinh",
    "id_number": "Số CCCD",
    "title": "Danh hiệu đăng ký",
    "commitment": "Cam kết",
}
# Longest text kept per column: the model's field length. Longer is an error, never cut.
MAX_LENGTH = {"full_name": 120, "commitment": 500, "title": 200}
EXAMPLE_MARK = "VÍ DỤ"
ID_DIGITS = 12  # a citizen ID (CCCD) has 12 digits, the first ones a province code starting with 0

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# Lines of the signature block clerks put under a table (folded): "Người lập biểu",
# "TM. BAN CHẤP HÀNH / CHỦ TỊCH", "(Ký, ghi rõ họ tên)", "Ba Bể, ngày 10 tháng 3 năm 2025".
_SIGNATURE = re.compile(
    r"\bnguoi lap\b|\bky,? ghi ro\b|\bky ten\b|\bky va ghi\b|\bxac nhan\b|\bthu truong\b|\bchu tich\b"
    r"|\btm\.|\bkt\.|\btl\.|\bban chap hanh\b|\bke toan\b|\bnoi nhan\b|\btong cong\b|\btong so\b"
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")  # zero-width characters pasted from the web


class Refused(Exception):
    """The whole file is refused; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParseResult:
    rows: list[dict[str, Any]] = field(default_factory=list)  # valid rows, ready to write
    errors: list[tuple[int | None, str, str]] = field(default_factory=list)  # (row, column, message)
    notes: list[str] = field(default_factory=list)  # what was skipped on purpose
    total: int = 0  # rows of data read (valid or not)
    error_count: int = 0  # every error, also those past MAX_ERRORS
    error_rows: set[int] = field(default_factory=set)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if row is not None:
            self.error_rows.add(row)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((row, column, message))

    @property
    def refused(self) -> bool:
        return any(row is None for row, _column, _message in self.errors)


# --- 1-2. The upload and its zip ------------------------------------------------


@dataclass
class _Package:
    parts: dict[str, bytes]  # the only parts a reader sees
    sheet_path: str
    sheet_name: str


def _damaged() -> Refused:
    return Refused(_("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx. Hãy mở bằng Excel và lưu lại rồi tải lên."))


def _bomb() -> Refused:
    return Refused(_("Tệp giải nén quá lớn hoặc nén bất thường; có thể là tệp độc hại. Không xử lý."))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.file_size > cap:
        raise _bomb()
    with archive.open(info) as stream:
        data = stream.read(cap + 1)
    if len(data) > cap:
        raise _bomb()
    return data


def _first_sheet(workbook_xml: bytes, rels_xml: bytes, names: set[str]) -> tuple[str, str]:
    """Path and name of the workbook's first sheet, from xl/workbook.xml and its relationships."""
    workbook = parse_xml(workbook_xml)
    sheet = next((el for el in workbook.iter() if _local(el.tag) == "sheet"), None)
    if sheet is None:
        raise Refused(_("Tệp không có trang tính nào."))
    rel_id = next((value for key, value in sheet.attrib.items() if _local(key) == "id"), None)
    rels = parse_xml(rels_xml)
    target = next(
        (el.get("Target", "") for el in rels.iter() if _local(el.tag) == "Relationship" and el.get("Id") == rel_id),
        "",
    )
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if not target or path not in names:
        raise Refused(_("Không tìm thấy trang tính đầu tiên trong tệp."))
    return path, sheet.get("name", "")


def _open_package(content: bytes) -> _Package:
    if len(content) > MAX_FILE_BYTES:
        raise Refused(_("Tệp quá lớn (tối đa 10 MB)."))
    if content.startswith(OLE2_MAGIC):
        raise Refused(
            _(
                "Đây là tệp Excel cũ (.xls) hoặc tệp có đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu nếu có, "
                "rồi lưu lại dưới dạng “Excel Workbook (.xlsx)”."
            )
        )
    if not content.startswith(ZIP_MAGIC):
        raise Refused(_("Tệp không phải Excel (.xlsx). Hãy lưu lại bằng Excel dưới dạng .xlsx."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
        by_name = {info.filename: info for info in infos}
        if len(by_name) != len(infos):
            raise _damaged()  # two members of one name: readers may disagree on which is read
        if any(info.flag_bits & 0x1 for info in infos):
            raise Refused(_("Tệp có đặt mật khẩu. Hãy bỏ mật khẩu rồi lưu lại dưới dạng .xlsx."))
        if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
            raise _bomb()
        if any(info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * info.compress_size for info in infos):
            raise _bomb()
        if "xl/workbook.bin" in by_name:
            raise Refused(_("Tệp dạng .xlsb không được hỗ trợ. Hãy lưu lại dưới dạng “Excel Workbook (.xlsx)”."))
        if "[Content_Types].xml" not in by_name or "xl/workbook.xml" not in by_name:
            raise Refused(_("Tệp không phải Excel (.xlsx)."))
        if "xl/_rels/workbook.xml.rels" not in by_name:
            raise _damaged()
        parts: dict[str, bytes] = {
            name: _read_part(archive, by_name[name], MAX_PART_BYTES)
            for name in ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
            if name in by_name
        }
        sheet_path, sheet_name = _first_sheet(
            parts["xl/workbook.xml"], parts["xl/_rels/workbook.xml.rels"], set(by_name)
        )
        if "xl/styles.xml" in by_name:
            parts["xl/styles.xml"] = _read_part(archive, by_name["xl/styles.xml"], MAX_PART_BYTES)
        if "xl/sharedStrings.xml" in by_name:
            parts["xl/sharedStrings.xml"] = _read_part(archive, by_name["xl/sharedStrings.xml"], MAX_STRINGS_BYTES)
        parts[sheet_path] = _read_part(archive, by_name[sheet_path], MAX_SHEET_BYTES)
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - whatever zipfile, zlib or the XML parser raise, the file is damaged
        raise _damaged() from None
    return _Package(parts=parts, sheet_path=sheet_path, sheet_name=sheet_name)


def _repack(parts: dict[str, bytes]) -> bytes:
    """A stored zip of the checked parts: the reader sees exactly the bytes that were checked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- 3. The sheet's XML, before a parser sees it -----------------------------------

_TAG_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*<f[\s/>]')
_PREFIXED_TAG = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row)[\s/>]")
_ANY_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")


def _column_index(letters: bytes) -> int:
    """1-based column of "A", "Z", "AA", …"""
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Shape:
    canonical: bool  # every cell tag is ``<c r="A1"…``, unprefixed: calamine may read it
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based


def _too_many_rows(count: int) -> Refused:
    return Refused(
        _(
            "Trang tính có %(n)s dòng (kể cả dòng trống); mỗi tệp đọc tối đa %(max)s dòng. "
            "Hãy xoá các dòng trống thừa ở cuối bảng rồi lưu lại."
        )
        % {"n": _count(count), "max": _count(MAX_SHEET_ROWS)}
    )


def _pieces(xml: bytes, size: int = 1 << 20) -> Iterator[memoryview]:
    """``xml`` in pieces of about ``size`` bytes, each cut just before a tag: scanned one at a time,
    350,000 cells never sit in one list."""
    view = memoryview(xml)
    start = 0
    while start < len(xml):
        end = xml.find(b"<", start + size)
        end = len(xml) if end == -1 else end
        yield view[start:end]
        start = end


def _scan_sheet(xml: bytes) -> _Shape:
    """Count rows and bound the cells' box without parsing; refuse what would choke a reader."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise _damaged()  # worksheets never declare a DTD; entity tricks are refused outright
    if _PREFIXED_TAG.search(xml):
        return _streamed(xml)
    rows = sum(xml.count(b"<row" + end) for end in _TAG_ENDS)
    if rows > MAX_SHEET_ROWS:
        raise _too_many_rows(rows)
    addressed = xml.count(b'<c r="')
    if sum(xml.count(b"<c" + end) for end in _TAG_ENDS) != addressed or b'" r="' in xml:
        return _streamed(xml)  # a cell without a plain address, or a second r="…"
    found = last_row = last_column = 0
    for piece in _pieces(xml):
        refs = _CELL_REF.findall(piece)
        found += len(refs)
        last_row = max(last_row, max(map(int, {row for _col, row in refs}), default=0))
        last_column = max(last_column, max(map(_column_index, {col for col, _row in refs}), default=0))
    if found != addressed:
        return _streamed(xml)  # an address that is not a plain A1
    if last_row > MAX_SHEET_ROWS or last_row * last_column > MAX_CELLS:
        far = next(
            (
                (col + row).decode()
                for col, row in (match.groups() for match in _CELL_REF.finditer(xml))
                if int(row) > MAX_SHEET_ROWS or int(row) * _column_index(col) > MAX_CELLS
            ),
            _column_letters(last_column) + str(last_row),  # far apart, though no one cell is far
        )
        raise Refused(
            _(
                "Trang tính có dữ liệu ở ô %(cell)s, quá xa bảng đăng ký (tối đa %(rows)s dòng). "
                "Hãy xoá nội dung ở ô đó và các ô ngoài bảng rồi lưu lại."
            )
            % {"cell": far, "rows": _count(MAX_SHEET_ROWS)}
        )
    formulas: set[tuple[int, int]] = set()
    if b"<f" in xml:
        formulas = {(int(row), _column_index(col)) for col, row in _FORMULA_CELL.findall(xml)}
    return _Shape(canonical=True, formulas=formulas)


def _streamed(xml: bytes) -> _Shape:
    """A sheet only openpyxl's streaming reader may read: smaller caps, as it is slower."""
    rows = len(_ANY_ROW_TAG.findall(xml))
    if rows > MAX_SHEET_ROWS:
        raise _too_many_rows(rows)
    if len(xml) > MAX_STREAMED_BYTES:
        raise Refused(
            _(
                "Trang tính quá lớn so với cách tệp được ghi (không phải do Excel tạo ra). Hãy mở bằng Excel "
                "hoặc LibreOffice, lưu lại dưới dạng .xlsx, hoặc chia thành nhiều tệp nhỏ hơn."
            )
        )
    return _Shape(canonical=False)


# --- 4. Reading the rows ------------------------------------------------------------

Row = tuple[int, Sequence[Any], frozenset[int]]  # Excel row number, values, 0-based columns holding a formula


def _calamine_rows(package: _Package, shape: _Shape) -> Iterator[Row]:
    blob = _repack(package.parts)
    package.parts.clear()  # the checked XML now lives in ``blob`` only
    book = CalamineWorkbook.from_filelike(io.BytesIO(blob))
    del blob
    sheet = book.get_sheet_by_name(package.sheet_name)
    # iter_rows() starts at row 1 but at the first used column: pad back to absolute columns.
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    by_row: dict[int, set[int]] = {}
    for row, column in shape.formulas:
        by_row.setdefault(row, set()).add(column - 1)
    number = 0
    for number, values in enumerate(sheet.iter_rows(), start=1):
        yield number, pad + values if pad else values, frozenset(by_row.get(number, ()))
    for extra in sorted(row for row in by_row if row > number):  # formulas without a value, below the data
        yield extra, [], frozenset(by_row[extra])
    book.close()


def _openpyxl_rows(package: _Package) -> Iterator[Row]:
    book = load_workbook(io.BytesIO(_repack(package.parts)), read_only=True, data_only=False)
    try:
        sheet = book[package.sheet_name] if package.sheet_name in book.sheetnames else book.worksheets[0]
        sheet.reset_dimensions()  # never believe <dimension>
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise _too_many_rows(number)
            # data_only=False: a formula comes as its text (or an ArrayFormula), never as a value.
            formulas = frozenset(
                i
                for i, value in enumerate(values)
                if isinstance(value, ArrayFormula | DataTableFormula)
                or (isinstance(value, str) and value.startswith("="))
            )
            if formulas:
                values = tuple(None if i in formulas else value for i, value in enumerate(values))
            yield number, values, formulas
    finally:
        book.close()


def read_rows(content: bytes) -> Iterator[Row]:
    """The first sheet's rows, empty ones included; ``Refused`` for a file that cannot be read safely."""
    package = _open_package(content)
    shape = _scan_sheet(package.parts[package.sheet_path])
    rows = _calamine_rows(package, shape) if shape.canonical else _openpyxl_rows(package)
    try:
        yield from rows
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - a reader failing on a damaged sheet is a damaged file to the user
        raise _damaged() from None


# --- 5. Rows to pledges ------------------------------------------------------------


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _text(value: Any) -> str:
    """A cell as trimmed NFC text (what ``clean_text`` stores), dates as dd/mm/yyyy."""
    if type(value) is str:  # most cells: the fast path of 350,000 a file
        if _INVISIBLE.search(value):
            value = _INVISIBLE.sub("", value)
        return " ".join(unicodedata.normalize("NFC", value).split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(_INVISIBLE.sub("", str(value)))


_MARKS = dict.fromkeys(range(0x300, 0x370))  # combining diacritics


def _fold(value: str) -> str:
    """``fold`` (core.text), quicker for Vietnamese: the same result, exactly, or ``fold`` itself."""
    text = unicodedata.normalize("NFD", value).translate(_MARKS).replace("đ", "d").replace("Đ", "D")
    if not text.isascii():
        return fold(value)
    return " ".join(text.lower().split())


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DATE_PATTERNS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def _date(value: Any) -> dt.date | None:
    """A date from a date cell, an Excel serial number or dd/mm/yyyy text; ValueError when it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= 2958465:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise ValueError(value)
    text = _text(value).replace(" ", "")
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValueError(text)


def _find_header(row: Sequence[Any]) -> dict[str, int] | None:
    mapping: dict[str, int] = {}
    for col, cell in enumerate(row):
        name = fold(_text(cell))
        for key, spellings in COLUMNS.items():
            if name in spellings and key not in mapping:
                mapping[key] = col
    return mapping if all(key in mapping for key in REQUIRED) else None


@dataclass
class _Line:
    """One row of data as read, before matching."""

    number: int
    cells: dict[str, Any]
    formulas: set[str]
    texts: dict[str, str]
    extra: list[str] = field(default_factory=list)

    @property
    def loose(self) -> bool:
        """Nothing like a birth year, date or ID: a line of a signature block, or a row missing its data.

        Signature lines fall in any column ("Ba Bể, ngày 10 tháng 3 năm 2025" under "Số CCCD"),
        so it is the look of the values that counts, not whether the cells are empty.
        """
        if self.formulas & {"birth_year", "date_of_birth", "id_number"}:
            return False
        year = self.cells["birth_year"]
        if self.texts["birth_year"].isdigit() or isinstance(year, int | float | dt.date):
            return False
        if sum(char.isdigit() for char in self.texts["id_number"]) >= 9:
            return False
        try:
            return _date(self.cells["date_of_birth"]) is None
        except ValueError:
            return True


@dataclass
class _Outside:
    """A row whose person is not among the unit's members: explained after one look-up."""

    line: int
    name: str
    folded: str
    year: int
    id_number: str


class _Matcher:
    """Turns rows into pledges, or errors that name the row, the column and the real cause."""

    def __init__(
        self,
        result: ParseResult,
        *,
        members: list[Member],
        taken: set[tuple[int, int]],
        titles: Sequence[Title] | None,
        unit: Unit | None,
        user: Any,
    ) -> None:
        self.result = result
        self.taken = taken
        self.user = user
        # Stored dates of birth are named only to whom may see them across the unit (VIEW_SENSITIVE
        # on the registering unit covers every member below it).
        self.show_dates = bool(user and unit and scope_for(user).allows(unit.path, Perm.VIEW_SENSITIVE))
        self.by_name: dict[tuple[str, int], list[Member]] = {}
        self.years: dict[str, set[int]] = {}
        self.by_id: dict[str, Member] = {}
        self.pool_ids: set[int] = set()
        for person in members:
            self.by_name.setdefault((person.search_name, person.birth_year), []).append(person)
            self.years.setdefault(person.search_name, set()).add(person.birth_year)
            self.pool_ids.add(person.pk)
            if person.id_number:
                self.by_id[person.id_number] = person
        if titles is None:
            titles = list(Title.objects.filter(active=True, for_individual=True))
        self.titles = {fold(t.name): t for t in titles}
        self.title_of: dict[str, Title | None] = {}  # cell text -> title: a file repeats a few titles
        self.seen: set[tuple[int, int]] = set()
        self.outside: list[_Outside] = []

    def add(self, line: _Line) -> None:
        error = self.result.error
        number = line.number
        self.result.total += 1
        failed = False
        for key in sorted(line.formulas, key=list(LABELS).index):
            if key != "number" and not line.texts[key]:
                error(
                    number,
                    LABELS[key],
                    _("Ô chứa công thức nhưng không có giá trị đã tính; hãy dán giá trị (Dán đặc biệt → Giá trị)."),
                )
                failed = True
        texts = line.texts
        for key, limit in MAX_LENGTH.items():
            if len(texts[key]) > limit:
                error(
                    number,
                    LABELS[key],
                    _("Nội dung dài %(n)s ký tự, quá %(max)s ký tự cho phép; hãy rút gọn (không tự cắt bớt).")
                    % {"n": _count(len(texts[key])), "max": limit},
                )
                failed = True
        name = texts["full_name"]
        if not name and "full_name" not in line.formulas:
            error(number, LABELS["full_name"], _("Thiếu họ và tên."))
            failed = True
        year = self._year(line)
        born_ok, born = self._born(line)
        if born is not None and year is not None and born.year != year:
            error(
                number,
                LABELS["date_of_birth"],
                _("Ngày sinh %(date)s không khớp năm sinh %(year)s.")
                % {"date": born.strftime("%d/%m/%Y"), "year": year},
            )
            failed = True
        id_ok, id_number = self._id_number(line)
        title = self._title(line)
        if failed or year is None or not born_ok or not id_ok or title is None:
            return
        member = self._member(number, name, year, born, id_number)
        if member is None:
            return
        pair = (member.pk, title.pk)
        if pair in self.seen:
            error(number, LABELS["full_name"], _("Trùng với một dòng phía trên."))
            return
        if pair in self.taken:
            error(number, LABELS["title"], _("Đoàn viên đã đăng ký danh hiệu này trong kế hoạch."))
            return
        self.seen.add(pair)
        self.result.rows.append(
            {
                "row": number,
                "member": member.pk,
                "title": title.pk,
                "commitment": texts["commitment"],
                "name": member.full_name,
                "title_name": title.name,
            }
        )

    def _year(self, line: _Line) -> int | None:
        value = line.cells.get("birth_year")
        text = line.texts["birth_year"]
        if "birth_year" in line.formulas and not text:
            return None
        if not text:
            self.result.error(line.number, LABELS["birth_year"], _("Thiếu năm sinh."))
            return None
        if isinstance(value, dt.date):
            return value.year
        try:
            year = int(text)
        except ValueError:
            self.result.error(
                line.number,
                LABELS["birth_year"],
                _("Năm sinh “%(value)s” không phải số.") % {"value": _short(text, 20)},
            )
            return None
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            self.result.error(
                line.number,
                LABELS["birth_year"],
                _("Năm sinh %(value)s không hợp lệ; ghi đủ 4 chữ số.") % {"value": year},
            )
            return None
        return year

    def _born(self, line: _Line) -> tuple[bool, dt.date | None]:
        """(readable, the date of birth or None when not given); a wrong one is reported."""
        try:
            return True, _date(line.cells.get("date_of_birth"))
        except ValueError:
            self.result.error(
                line.number,
                LABELS["date_of_birth"],
                _("Ngày sinh “%(value)s” không đúng dạng dd/mm/yyyy (ví dụ 12/05/1985).")
                % {"value": _short(line.texts["date_of_birth"], 20)},
            )
            return False, None

    def _id_number(self, line: _Line) -> tuple[bool, str]:
        """(readable, the 12-digit ID or "" when not given); a wrong one is reported."""
        value = line.cells.get("id_number")
        text = line.texts["id_number"]
        if not text:
            return True, ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = text if isinstance(value, int) or float(value).is_integer() else ""
            if digits.isdigit() and len(digits) < ID_DIGITS:
                self.result.error(
                    line.number,
                    LABELS["id_number"],
                    _(
                        "Số CCCD %(value)s đang ở dạng số nên đã mất số 0 ở đầu (CCCD có 12 chữ số, có thể là "
                        "%(padded)s). Hãy định dạng cột Số CCCD là Văn bản (Text) rồi nhập lại, hoặc để trống."
                    )
                    % {"value": digits, "padded": digits.zfill(ID_DIGITS)},
                )
                return False, ""
            text = digits
        compact = text.replace(" ", "").replace(".", "")
        if not (compact.isdigit() and len(compact) == ID_DIGITS):
            self.result.error(
                line.number,
                LABELS["id_number"],
                _("Số CCCD “%(value)s” phải gồm đúng 12 chữ số.") % {"value": _short(text, 20)},
            )
            return False, ""
        return True, compact

    def _title(self, line: _Line) -> Title | None:
        text = line.texts["title"]
        if "title" in line.formulas and not text:
            return None
        if not text:
            self.result.error(line.number, LABELS["title"], _("Thiếu danh hiệu đăng ký."))
            return None
        if text not in self.title_of:
            self.title_of[text] = self.titles.get(_fold(text))
        title = self.title_of[text]
        if title is None:
            self.result.error(
                line.number,
                LABELS["title"],
                _("Không có danh hiệu cá nhân “%(value)s”; hãy chọn trong danh sách của tệp mẫu.")
                % {"value": _short(text, 80)},
            )
        return title

    def _member(self, number: int, name: str, year: int, born: dt.date | None, id_number: str) -> Member | None:
        error = self.result.error
        folded = _fold(name)
        if id_number:
            member = self.by_id.get(id_number)
            if member is not None:
                if member.search_name != folded or member.birth_year != year:
                    error(
                        number,
                        LABELS["id_number"],
                        _(
                            "Số CCCD %(id)s là của đoàn viên “%(other)s” sinh năm %(other_year)s, không phải “%(name)s” sinh năm %(year)s."
                        )
                        % {
                            "id": id_number,
                            "other": member.full_name,
                            "other_year": member.birth_year,
                            "name": name,
                            "year": year,
                        },
                    )
                    return None
                return member
        candidates = self.by_name.get((folded, year), [])
        if born is not None:
            same_day = [m for m in candidates if m.date_of_birth in (None, born)]
            if candidates and not same_day:
                self._wrong_date(number, name, born, candidates)
                return None
            candidates = same_day
        if id_number:  # not the ID of anyone in the unit: a namesake with another stored ID is not this person
            candidates = [m for m in candidates if not m.id_number]
            if not candidates and self.by_name.get((folded, year)):
                error(
                    number,
                    LABELS["id_number"],
                    _("Số CCCD %(id)s không khớp với số đã lưu của đoàn viên “%(name)s” sinh năm %(year)s.")
                    % {"id": id_number, "name": name, "year": year},
                )
                return None
        if len(candidates) > 1:
            error(
                number,
                LABELS["full_name"],
                _("Có %(n)s người “%(name)s” sinh năm %(year)s; hãy ghi thêm ngày sinh hoặc số CCCD.")
                % {"n": len(candidates), "name": name, "year": year},
            )
            return None
        if candidates:
            return candidates[0]
        other_years = sorted(self.years.get(folded, set()) - {year})
        if other_years:
            error(
                number,
                LABELS["birth_year"],
                _(
                    "Đơn vị có đoàn viên “%(name)s” nhưng sinh năm %(years)s, không phải %(year)s; hãy kiểm tra năm sinh."
                )
                % {"name": name, "years": ", ".join(map(str, other_years)), "year": year},
            )
            return None
        self.outside.append(_Outside(number, name, folded, year, id_number))
        return None

    def _wrong_date(self, number: int, name: str, born: dt.date, candidates: list[Member]) -> None:
        stored = sorted({m.date_of_birth for m in candidates if m.date_of_birth})
        if stored and self.show_dates:
            message = _(
                "Đơn vị có “%(name)s” sinh năm %(year)s nhưng ngày sinh đã lưu là %(stored)s, không phải %(date)s; "
                "hãy kiểm tra ngày sinh."
            ) % {
                "name": name,
                "year": born.year,
                "stored": ", ".join(d.strftime("%d/%m/%Y") for d in stored),
                "date": born.strftime("%d/%m/%Y"),
            }
        else:
            message = _(
                "Đơn vị có “%(name)s” sinh năm %(year)s nhưng ngày sinh đã lưu khác %(date)s; hãy kiểm tra ngày sinh."
            ) % {"name": name, "year": born.year, "date": born.strftime("%d/%m/%Y")}
        self.result.error(number, LABELS["date_of_birth"], message)

    def explain_outside(self, unit: Unit | None) -> None:
        """One look-up for the people not found in the unit: elsewhere, left the union, or nowhere."""
        if not self.outside:
            return
        found: list[Member] = []
        if unit is not None:
            names = sorted({row.folded for row in self.outside})[:500]
            ids = sorted({row.id_number for row in self.outside if row.id_number})[:500]
            # Deliberately outside the user's scope: to tell "not in your unit" from "does not exist".
            # What the user may not see is not named (the unit) nor shown (anything sensitive).
            found = list(
                Member.objects.filter(Q(search_name__in=names) | Q(id_number__in=ids))
                .select_related("unit")
                .only(
                    "id", "full_name", "search_name", "birth_year", "id_number", "status", "unit__name", "unit__path"
                )[:2000]
            )
        scope = scope_for(self.user) if self.user is not None else None
        for row in self.outside:
            same = [
                m
                for m in found
                if m.pk not in self.pool_ids
                and (
                    (m.search_name == row.folded and m.birth_year == row.year)
                    or (row.id_number and m.id_number == row.id_number)
                )
            ]
            self.result.error(row.line, LABELS["full_name"], self._outside_message(row, same, unit, scope))

    def _outside_message(self, row: _Outside, same: list[Member], unit: Unit | None, scope: Any) -> str:
        values = {"name": row.name, "year": row.year}
        if not same or unit is None:
            return _("Không tìm thấy “%(name)s” sinh năm %(year)s trong đơn vị.") % values
        person = same[0]
        inside = person.unit.path.startswith(unit.path)
        if inside and person.status == Member.Status.LEFT:
            return _("“%(name)s” sinh năm %(year)s đã thôi sinh hoạt công đoàn; không đăng ký được.") % values
        visible = scope is not None and scope.allows(person.unit.path, Perm.VIEW)
        if inside:
            return _("“%(name)s” sinh năm %(year)s thuộc %(unit)s, ngoài phạm vi quản lý đoàn viên của bạn.") % {
                **values,
                "unit": person.unit.name if visible else _("một bộ phận của đơn vị"),
            }
        if visible:
            return _("“%(name)s” sinh năm %(year)s là đoàn viên của %(unit)s, không thuộc %(this)s.") % {
                **values,
                "unit": person.unit.name,
                "this": unit.name,
            }
        return _("“%(name)s” sinh năm %(year)s là đoàn viên ngoài đơn vị, không thuộc %(this)s.") % {
            **values,
            "this": unit.name,
        }


def _rows_note(numbers: list[int]) -> str:
    return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])


def parse_pledges(
    content: bytes,
    *,
    members: list[Member],
    taken: set[tuple[int, int]],
    titles: Sequence[Title] | None = None,
    unit: Unit | None = None,
    user: Any = None,
) -> ParseResult:
    """Rows of (member, title, commitment) matched within ``members``; errors name row, column and cause.

    ``titles`` defaults to every active individual title. With ``unit`` (the registering unit) and
    ``user``, people not found among ``members`` are looked up once more to say why: a member of
    another unit (named only if ``user`` may see it), one who left the union, or nobody.
    """
    result = ParseResult()
    try:
        _parse(content, result, members=members, taken=taken, titles=titles, unit=unit, user=user)
    except Refused as refusal:
        return ParseResult(errors=[(None, "", refusal.message)], error_count=1)
    return result


def _parse(
    content: bytes,
    result: ParseResult,
    *,
    members: list[Member],
    taken: set[tuple[int, int]],
    titles: Sequence[Title] | None,
    unit: Unit | None,
    user: Any,
) -> None:
    deadline = time.monotonic() + MAX_SECONDS
    rows = read_rows(content)
    mapping = None
    for number, values, _formulas in rows:
        mapping = _find_header(values)
        if mapping or number >= HEADER_SCAN_ROWS:
            break
    if not mapping:
        missing = ", ".join(LABELS[k] for k in REQUIRED)
        raise Refused(_("Không tìm thấy dòng tiêu đề có đủ các cột: %(cols)s.") % {"cols": missing})
    matcher = _Matcher(result, members=members, taken=taken, titles=titles, unit=unit, user=user)
    keys = [(key, mapping.get(key)) for key in COLUMNS]
    empty = 0
    example: list[int] = []
    held: list[_Line] = []  # rows that may be a signature block, if nothing but such rows follows

    def flush() -> None:
        for line in held:
            matcher.add(line)
        held.clear()

    for number, values, formulas in rows:
        if number % 1000 == 0 and time.monotonic() > deadline:
            raise Refused(_("Tệp xử lý quá lâu; hãy chia thành nhiều tệp nhỏ hơn."))
        width = len(values)
        cells = {key: values[col] if col is not None and col < width else None for key, col in keys}
        texts = {key: _text(value) for key, value in cells.items()}
        on_formula = {key for key, col in keys if col is not None and col in formulas}
        if not any(texts.values()) and not on_formula:
            empty += 1
            continue
        if texts["number"][:1].isalpha() and _fold(texts["number"]).startswith(_fold(EXAMPLE_MARK)):
            example.append(number)
            continue
        line = _Line(number, cells, on_formula, texts)
        if line.loose:
            line.extra = [text for text in map(_text, values) if text]  # a signature line may sit in any column
            held.append(line)
            continue
        flush()
        if result.total >= MAX_ROWS:
            raise Refused(_("Tệp có quá %(n)s dòng; hãy chia nhỏ.") % {"n": _count(MAX_ROWS)})
        matcher.add(line)
    # A block of rows without birth year, date or ID under the table, from a signature line on, is
    # the signature block ("Người lập biểu", names, "…, ngày … tháng … năm …"), not data.
    signature = next(
        (i for i, line in enumerate(held) if any(_SIGNATURE.search(fold(text)) for text in line.extra)),
        None,
    )
    footer = held[signature:] if signature is not None else []
    del held[len(held) - len(footer) :]
    flush()
    matcher.explain_outside(unit)
    result.errors.sort(key=lambda error: error[0] or 0)
    if example:
        result.notes.append(_("Dòng ví dụ của tệp mẫu (dòng %(rows)s) được bỏ qua.") % {"rows": _rows_note(example)})
    if footer:
        numbers = [line.number for line in footer]
        result.notes.append(_("Phần ký tên cuối bảng (dòng %(rows)s) được bỏ qua.") % {"rows": _rows_note(numbers)})
    if empty:
        result.notes.append(_("%(n)s dòng trống được bỏ qua.") % {"n": _count(empty)})
    if result.total == 0 and not result.errors:
        raise Refused(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))


# --- The template ---------------------------------------------------------------------

_GREY = "808080"
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(vertical="top", wrap_text=True)
TEMPLATE_HEADER_ROW = 4
TEMPLATE_ROWS = 2000  # rows prepared with the drop-down
TEMPLATE_WIDTHS = (8, 30, 10, 14, 16, 0, 50)  # 0: fitted to the longest title
GUIDE_WIDTHS = (24, 10, 70)


def _height(text: str, width: float) -> float:
    """Row height (points) for ``text`` wrapped in a column ``width`` characters wide."""
    lines = max(1, -(-len(text) // max(1, int(width * 0.95))))
    return 15.0 * lines + 2


def template_workbook(*, titles: Sequence[str] | None = None, unit_name: str = "", plan_label: str = "") -> bytes:
    """The downloadable template: title rows, frozen headers, an example row marked "VÍ DỤ" that
    the import skips, a drop-down of ``titles`` (default: every active individual title) and an
    instructions sheet. The data sheet comes first: the import reads the first sheet."""
    if titles is None:
        titles = [t.name for t in Title.objects.filter(active=True, for_individual=True)]
    titles = list(titles) or ["Lao động tiên tiến"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Đăng ký")
    last = _column_letters(len(TEMPLATE_HEADERS))
    lines = [
        (_("DANH SÁCH ĐOÀN VIÊN ĐĂNG KÝ THI ĐUA"), Font(bold=True, size=14)),
        (" – ".join(part for part in (unit_name, plan_label) if part), Font(bold=True)),
        (
            _("Điền từ dòng %(row)s. Dòng “VÍ DỤ” được bỏ qua khi nhập. Xem cách điền ở trang “Hướng dẫn”.")
            % {"row": TEMPLATE_HEADER_ROW + 2},
            Font(italic=True, color=_GREY),
        ),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.cell(row=row, column=1, value=text).font = font
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 22
    for column, header in enumerate(TEMPLATE_HEADERS, start=1):
        cell = sheet.cell(row=TEMPLATE_HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[TEMPLATE_HEADER_ROW].height = 32
    example = [
        EXAMPLE_MARK,
        "Nguyễn Thị Hoa",
        1985,
        "12/05/1985",
        "006185012345",
        titles[0],
        _("Hoàn thành xuất sắc nhiệm vụ được giao"),
    ]
    for column, value in enumerate(example, start=1):
        cell = sheet.cell(row=TEMPLATE_HEADER_ROW + 1, column=column, value=value)
        cell.font = Font(italic=True, color=_GREY)
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="left" if column in (2, 6, 7) else "center", vertical="top")
        if column in (4, 5):
            cell.number_format = "@"
    title_width = min(max(len(t) for t in [TEMPLATE_HEADERS[5], *titles]) + 4, 45)
    for column, width in enumerate(TEMPLATE_WIDTHS, start=1):
        sheet.column_dimensions[_column_letters(column)].width = width or title_width
    # Dates and IDs are typed as text: Excel keeps a CCCD's leading zeros and never reads
    # 12/05/1985 as 5 December under an English-language Windows.
    for letter in ("D", "E"):
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = f"A{TEMPLATE_HEADER_ROW + 1}"
    sheet.print_title_rows = f"{TEMPLATE_HEADER_ROW}:{TEMPLATE_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    guide = workbook.create_sheet(_("Hướng dẫn"))
    list_start = _write_guide(guide, titles)
    list_range = f"'{guide.title}'!$A${list_start}:$A${list_start + len(titles) - 1}"
    workbook.defined_names["DanhHieu"] = DefinedName("DanhHieu", attr_text=list_range)
    first = TEMPLATE_HEADER_ROW + 2
    validation = DataValidation(
        type="list",
        formula1="DanhHieu",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # another active title is still accepted by the import
        errorTitle=_("Danh hiệu không có trong danh sách"),
        error=_("Hãy chọn danh hiệu trong danh sách thả xuống."),
        showInputMessage=True,
        promptTitle=_("Danh hiệu đăng ký"),
        prompt=_("Chọn trong danh sách thả xuống."),
    )
    validation.add(f"F{first}:F{first + TEMPLATE_ROWS - 1}")
    sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_guide(sheet: Any, titles: Sequence[str]) -> int:
    """The instructions sheet; returns the row where the list of titles starts (column A)."""
    for column, width in enumerate(GUIDE_WIDTHS, start=1):
        sheet.column_dimensions[_column_letters(column)].width = width
    sheet["A1"] = _("HƯỚNG DẪN ĐIỀN DANH SÁCH ĐĂNG KÝ THI ĐUA")
    sheet["A1"].font = Font(bold=True, size=13)
    table = [
        (_("Cột"), _("Bắt buộc"), _("Cách điền")),
        ("STT", _("Không"), _("Số thứ tự. Dòng có chữ “VÍ DỤ” ở cột này là dòng mẫu và được bỏ qua khi nhập.")),
        ("Họ và tên", _("Có"), _("Họ và tên đầy đủ, có dấu, đúng như trong danh sách đoàn viên của đơn vị.")),
        ("Năm sinh", _("Có"), _("Năm sinh đủ 4 chữ số, ví dụ 1985.")),
        (
            "Ngày sinh (dd/mm/yyyy)",
            _("Không"),
            _("Ngày/tháng/năm, ví dụ 12/05/1985. Dùng để phân biệt những người trùng họ tên và năm sinh."),
        ),
        (
            "Số CCCD",
            _("Không"),
            _(
                "Đủ 12 chữ số, giữ số 0 ở đầu (cột đã định dạng Văn bản). Chỉ cần khi đơn vị có người trùng họ tên "
                "và năm sinh."
            ),
        ),
        ("Danh hiệu đăng ký", _("Có"), _("Chọn trong danh sách thả xuống (danh sách ở cuối trang này).")),
        ("Cam kết", _("Không"), _("Nội dung cam kết, tối đa 500 ký tự.")),
    ]
    row = 3
    for index, values in enumerate(table):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = _BOX
            cell.alignment = _WRAP
            if index == 0:
                cell.font = Font(bold=True)
                cell.fill = _HEADER_FILL
        sheet.row_dimensions[row].height = _height(values[2], GUIDE_WIDTHS[2])
        row += 1
    notes = [
        _("Không sửa, không xoá dòng tiêu đề của bảng; có thể giữ hoặc xoá dòng VÍ DỤ."),
        _("Dòng trống và phần ký tên dưới bảng (Người lập biểu, ngày … tháng … năm …) được bỏ qua."),
        _("Không dùng công thức cho các cột dữ liệu; nếu có, hãy dán giá trị (Dán đặc biệt → Giá trị)."),
        _(
            "Mỗi tệp tối đa 60.000 dòng, 10 MB. Tải lên để xem trước: chỉ ghi khi không còn lỗi, và ghi toàn bộ một lần."
        ),
    ]
    row += 1
    sheet.cell(row=row, column=1, value=_("Lưu ý")).font = Font(bold=True)
    for note in notes:
        row += 1
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        sheet.cell(row=row, column=1, value="• " + note).alignment = _WRAP
        sheet.row_dimensions[row].height = _height(note, sum(GUIDE_WIDTHS))
    row += 2
    sheet.cell(row=row, column=1, value=_("Danh hiệu được đăng ký")).font = Font(bold=True)
    start = row + 1
    for offset, name in enumerate(titles):
        sheet.cell(row=start + offset, column=1, value=name)
    sheet.column_dimensions["A"].width = max(GUIDE_WIDTHS[0], min(max(len(t) for t in titles) + 2, 45))
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    return start
