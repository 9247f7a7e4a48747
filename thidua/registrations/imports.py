"""Reading a pledge list from Excel: every problem reported by row and column, nothing written.

The file is checked before openpyxl sees it: size, zip magic bytes and the
total uncompressed size (a zip bomb is refused). openpyxl parses the XML with
defusedxml, which the project installs. Formulas are refused, not evaluated.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from thidua.campaigns.models import Title
from thidua.core.text import clean_text, fold
from thidua.members.models import Member

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024
MAX_ROWS = 60_000
HEADER_SCAN_ROWS = 15

# Column key -> accepted header spellings (folded).
COLUMNS = {
    "full_name": ("ho va ten", "ho ten"),
    "birth_year": ("nam sinh",),
    "date_of_birth": ("ngay sinh", "ngay sinh (dd/mm/yyyy)"),
    "id_number": ("so cccd", "cccd", "so can cuoc"),
    "title": ("danh hieu dang ky", "danh hieu"),
    "commitment": ("cam ket", "noi dung cam ket"),
}
REQUIRED = ("full_name", "birth_year", "title")
TEMPLATE_HEADERS = ["STT", "Họ và tên", "Năm sinh", "Ngày sinh (dd/mm/yyyy)", "Số CCCD", "Danh hiệu đăng ký", "Cam kết"]
LABELS = {
    "full_name": "Họ và tên",
    "birth_year": "Năm sinh",
    "date_of_birth": "Ngày sinh",
    "id_number": "Số CCCD",
    "title": "Danh hiệu đăng ký",
    "commitment": "Cam kết",
}


@dataclass
class ParseResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int | None, str, str]] = field(default_factory=list)  # (row, column, message)
    total: int = 0

    def error(self, row: int | None, column: str, message: str) -> None:
        if len(self.errors) < 500:
            self.errors.append((row, column, message))


def check_file(content: bytes) -> str | None:
    """A reason to refuse the upload before parsing it, or None."""
    if len(content) > MAX_FILE_BYTES:
        return _("Tệp quá lớn (tối đa 10 MB).")
    if not content.startswith(b"PK\x03\x04"):
        return _("Tệp không phải Excel (.xlsx). Hãy lưu lại bằng Excel dưới dạng .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                return _("Tệp không phải Excel (.xlsx).")
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                return _("Tệp giải nén quá lớn; có thể là tệp độc hại. Không xử lý.")
    except zipfile.BadZipFile:
        return _("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx.")
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))


def _date(value: Any) -> dt.date | str | None:
    """A date from a date cell, an Excel serial number or dd/mm/yyyy text; a string on error."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        if 1 <= value <= 2958465:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return "bad"
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return "bad"


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows):
        mapping: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = fold(_text(cell))
            for key, spellings in COLUMNS.items():
                if name in spellings and key not in mapping:
                    mapping[key] = col
        if all(key in mapping for key in REQUIRED):
            return index, mapping
    return None


def parse_pledges(content: bytes, *, members: list[Member], taken: set[tuple[int, int]]) -> ParseResult:
    """Rows of (member, title, commitment) matched within ``members``; errors name row and column."""
    result = ParseResult()
    refusal = check_file(content)
    if refusal:
        result.error(None, "", refusal)
        return result
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any parser failure is "not a readable workbook" to the user
        result.error(None, "", _("Không đọc được tệp Excel."))
        return result
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    head: list[tuple[Any, ...]] = []
    for row in iterator:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS or _find_header(head[-1:]):
            break
    found = _find_header(head)
    if not found:
        missing = ", ".join(LABELS[k] for k in REQUIRED)
        result.error(None, "", _("Không tìm thấy dòng tiêu đề có đủ các cột: %(cols)s.") % {"cols": missing})
        return result
    header_index, mapping = found
    by_name: dict[tuple[str, int], list[Member]] = {}
    by_id: dict[str, Member] = {}
    for person in members:
        by_name.setdefault((person.search_name, person.birth_year), []).append(person)
        if person.id_number:
            by_id[person.id_number] = person
    titles = {fold(t.name): t for t in Title.objects.filter(active=True, for_individual=True)}
    seen: set[tuple[int, int]] = set()
    first_data_row = header_index + 2  # Excel rows are 1-based
    remaining = [*head[header_index + 1 :]]

    def rows_after_header():
        yield from remaining
        yield from iterator

    for offset, row in enumerate(rows_after_header()):
        number = first_data_row + offset
        values = {key: (row[col] if col < len(row) else None) for key, col in mapping.items()}
        if all(_text(v) == "" for v in values.values()):
            continue
        result.total += 1
        if result.total > MAX_ROWS:
            result.error(
                number, "", _("Tệp có quá %(n)s dòng; hãy chia nhỏ.") % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
            )
            break
        formula = [k for k, v in values.items() if isinstance(v, str) and v.startswith("=")]
        for key in formula:
            result.error(number, LABELS[key], _("Ô chứa công thức; hãy nhập giá trị."))
        if formula:
            continue
        name = _text(values.get("full_name"))
        year_text = _text(values.get("birth_year"))
        title_name = fold(_text(values.get("title")))
        if not name:
            result.error(number, LABELS["full_name"], _("Thiếu họ và tên."))
            continue
        try:
            year = int(year_text)
        except ValueError:
            result.error(
                number, LABELS["birth_year"], _("Năm sinh “%(value)s” không phải số.") % {"value": year_text[:20]}
            )
            continue
        born = _date(values.get("date_of_birth"))
        if born == "bad":
            result.error(number, LABELS["date_of_birth"], _("Ngày sinh phải theo dạng dd/mm/yyyy."))
            continue
        title = titles.get(title_name)
        if title is None:
            result.error(
                number,
                LABELS["title"],
                _("Không có danh hiệu cá nhân “%(value)s”.") % {"value": _text(values.get("title"))[:80]},
            )
            continue
        id_number = _text(values.get("id_number"))
        member: Member | None = by_id.get(id_number) if id_number else None
        if member is None:
            candidates = by_name.get((fold(name), year), [])
            if isinstance(born, dt.date):
                candidates = [m for m in candidates if m.date_of_birth in (None, born)]
            if not candidates:
                result.error(
                    number,
                    LABELS["full_name"],
                    _("Không tìm thấy “%(name)s” sinh năm %(year)s trong đơn vị.") % {"name": name, "year": year},
                )
                continue
            if len(candidates) > 1:
                result.error(
                    number,
                    LABELS["full_name"],
                    _("Có %(n)s người “%(name)s” sinh năm %(year)s; hãy ghi thêm số CCCD.")
                    % {"n": len(candidates), "name": name, "year": year},
                )
                continue
            member = candidates[0]
        pair = (member.pk, title.pk)
        if pair in seen:
            result.error(number, LABELS["full_name"], _("Trùng với một dòng phía trên."))
            continue
        if pair in taken:
            result.error(number, LABELS["title"], _("Đoàn viên đã đăng ký danh hiệu này trong kế hoạch."))
            continue
        seen.add(pair)
        result.rows.append(
            {
                "row": number,
                "member": member.pk,
                "title": title.pk,
                "commitment": _text(values.get("commitment"))[:500],
                "name": member.full_name,
                "title_name": title.name,
            }
        )
    workbook.close()
    if result.total == 0 and not result.errors:
        result.error(None, "", _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return result


def template_workbook() -> bytes:
    """The downloadable template: a title row, Vietnamese headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đăng ký"
    sheet.merge_cells("A1:G1")
    sheet["A1"] = "DANH SÁCH ĐOÀN VIÊN ĐĂNG KÝ THI ĐUA"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([])
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.append([1, "Nguyễn Thị Hoa", 1985, "12/05/1985", "", "Lao động tiên tiến", "Hoàn thành xuất sắc nhiệm vụ"])
    for column, width in zip("ABCDEFG", (6, 28, 10, 22, 16, 30, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
