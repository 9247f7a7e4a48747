"""The import corpus: files as clerks make them and files made to choke the reader.

Every file goes through the upload view as a clerk's would. Each gets a clear message, per row
or for the whole file, never a 500, and nothing is written. How long refusals take is measured
by bench/registrations.py, not here.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import unicodedata
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from thidua.members.models import Member
from thidua.members.services import member_update
from thidua.registrations import services
from thidua.registrations.imports import TEMPLATE_HEADERS
from thidua.registrations.models import ImportBatch, MemberPledge
from thidua.testing import frozen, make_member

from .helpers import TODAY, open_plan, xlsx

pytestmark = pytest.mark.django_db

TITLE = "Lao động tiên tiến"
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def registration(world):
    return services.registration_open(plan=open_plan(world), unit=world.G1, by=None, today=TODAY)


@pytest.fixture
def hoa(world):
    return make_member(
        world.G1,
        "Nguyễn Thị Hoa",
        gender="F",
        birth_year=1985,
        date_of_birth=dt.date(1985, 5, 12),
        id_number="001185000001",
    )


def upload(client, user, registration, content: bytes, name: str = "dang-ky.xlsx") -> tuple[int, str]:
    client.force_login(user)
    with frozen("2025-02-01 09:00"):
        response = client.post(
            reverse("registrations:import", args=[registration.pk]), {"file": SimpleUploadedFile(name, content)}
        )
    return response.status_code, response.content.decode()


def assert_nothing_written() -> None:
    assert not ImportBatch.objects.exists()
    assert not MemberPledge.objects.exists()


# --- Building files by hand ----------------------------------------------------------


def cell(ref: str, value: Any) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def sheet_xml(rows: list[list[Any]], *, dimension: str = "", tail: str = "") -> str:
    """A worksheet as Excel writes it: rows of inline strings and numbers from row 1."""
    body = "".join(
        f'<row r="{n}">' + "".join(cell(f"{chr(65 + i)}{n}", v) for i, v in enumerate(row) if v is not None) + "</row>"
        for n, row in enumerate(rows, start=1)
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{body}{tail}</sheetData></worksheet>'


def with_sheet(xml: str | bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``xml``."""
    base = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(TEMPLATE_HEADERS)
    workbook.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET:
                data = xml.encode() if isinstance(xml, str) else xml
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def lie_about_size(content: bytes, name: str, size: int) -> bytes:
    """The zip says ``name`` unpacks to ``size`` bytes, in its local header and central directory."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == name.encode():
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


HEADER = [*TEMPLATE_HEADERS]


# --- Files a clerk makes ----------------------------------------------------------------


def test_a_clerks_sheet_is_read_title_rows_example_nfd_text_dates_and_signature_skipped(
    client, world, registration, hoa
):
    make_member(world.T1a, "Đặng Văn Hùng", birth_year=1990)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CÔNG ĐOÀN CƠ SỞ TRƯỜNG MỘT"])
    sheet.append(["DANH SÁCH ĐĂNG KÝ THI ĐUA NĂM 2025"])
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("A2:G2")
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["VÍ DỤ", "Nguyễn Văn Mẫu", 1980, "01/01/1980", "", TITLE, "Ví dụ"])
    sheet.append([1, "Nguyễn Thị Hoa", 1985, "12/05/1985", "", TITLE, "Hoàn thành xuất sắc"])
    nfd = unicodedata.normalize("NFD", "  đặng   VĂN hùng ")
    sheet.append([2, nfd, "1990", " 3/4/1990 ", "", unicodedata.normalize("NFD", "lao động tiên tiến"), ""])
    sheet.append([])
    sheet.append([None, None, None, None, "Ba Bể, ngày 10 tháng 3 năm 2025"])
    sheet.append([None, "Người lập biểu", None, None, "TM. BAN CHẤP HÀNH"])
    sheet.append([None, "(Ký, ghi rõ họ tên)", None, None, "CHỦ TỊCH"])
    sheet.append([])
    sheet.append([None, "Trần Văn Bình", None, None, "Lê Thị Cúc"])
    content = io.BytesIO()
    workbook.save(content)

    status, body = upload(client, world.users["grassroots"], registration, content.getvalue())

    assert status == 200, body
    batch = ImportBatch.objects.get()
    assert [r["row"] for r in batch.rows] == [6, 7]
    assert "dòng 5" in body and "Phần ký tên cuối bảng (dòng 9–13) được bỏ qua" in body
    assert not MemberPledge.objects.exists()  # a preview writes nothing


def test_formulas_give_their_saved_value_and_a_formula_without_one_is_an_error(client, world, registration, hoa):
    rows = [
        HEADER,
        [1, None, 1985, None, None, TITLE, None],
        [2, None, 1985, None, None, TITLE, None],
    ]
    formulas = (
        '<row r="4"><c r="A4"><f>A3+1</f><v>3</v></c><c r="B4" t="str"><f>TRIM(" x ")</f></c>'
        f'<c r="C4"><v>1985</v></c><c r="F4" t="inlineStr"><is><t>{TITLE}</t></is></c></row>'
    )
    xml = sheet_xml(rows, tail=formulas).replace(
        '<row r="2">', '<row r="2"><c r="B2" t="str"><f>PROPER("nguyễn thị hoa")</f><v>Nguyễn Thị Hoa</v></c>', 1
    )
    xml = xml.replace('<row r="3">', '<row r="3"><c r="B3"><f>HYPERLINK("x")</f><v></v></c>', 1)

    status, body = upload(client, world.users["grassroots"], registration, with_sheet(xml))

    assert status == 400
    assert body.count("Ô chứa công thức nhưng không có giá trị đã tính") == 2  # rows 3 and 4
    assert "1 dòng hợp lệ" in body and "2 dòng có lỗi" in body  # row 2: the value Excel saved
    assert_nothing_written()


def test_each_row_error_names_the_real_cause(client, world, registration, hoa):
    make_member(world.G2, "Hà Văn Long", birth_year=1980)  # another district
    left = make_member(world.G1, "Lý Thị Mai", gender="F", birth_year=1970)
    member_update(member=left, status=Member.Status.LEFT)
    make_member(world.G1, "Vi Văn Nam", birth_year=1992)
    rows = [
        [1, "Nguyễn Thị Hoa", 1985, "13/05/1985", "", TITLE, ""],  # stored date differs
        [2, "Nguyễn Thị Hoa", 1986, "", "", TITLE, ""],  # stored year differs
        [3, "Hà Văn Long", 1980, "", "", TITLE, ""],  # member of another district
        [4, "Nguyễn Thị Hoa", 1985, "", 1185000001, TITLE, ""],  # ID typed as a number
        [5, "Lý Thị Mai", 1970, "", "", TITLE, ""],  # left the union
        [6, "Vi Văn Nam", 1992, "", "", TITLE, "x" * 10_000],  # commitment too long
        [7, "Người Không Có", 1980, "", "", TITLE, ""],
        [8, "Vi Văn Nam", 1992, "", "", "Bằng khen", ""],
        [9, "Nguyễn Thị Hoa", 1985, "", "", TITLE, ""],  # valid
    ]

    status, body = upload(client, world.users["grassroots"], registration, xlsx(rows))

    assert status == 400
    for expected in (
        "ngày sinh đã lưu là 12/05/1985, không phải 13/05/1985",
        "sinh năm 1985, không phải 1986",
        "“Hà Văn Long” sinh năm 1980 là đoàn viên ngoài đơn vị",
        "Số CCCD 1185000001 đang ở dạng số nên đã mất số 0 ở đầu",
        "001185000001",
        "đã thôi sinh hoạt công đoàn",
        "Nội dung dài 10.000 ký tự, quá 500 ký tự",
        "Không tìm thấy “Người Không Có” sinh năm 1980",
        "Không có danh hiệu cá nhân “Bằng khen”",
    ):
        assert expected in body, expected
    assert "Xã Hai" not in body  # the other district is not the grassroots officer's to see
    assert "1 dòng hợp lệ" in body and "8 dòng có lỗi" in body
    assert_nothing_written()


def test_a_member_elsewhere_is_named_to_whom_may_see_that_unit(client, world, registration):
    make_member(world.G2, "Hà Văn Long", birth_year=1980)
    content = xlsx([[1, "Hà Văn Long", 1980, "", "", TITLE, ""]])
    status, body = upload(client, world.users["province"], registration, content)
    assert status == 400
    assert "là đoàn viên của Công đoàn cơ sở Xã Hai, không thuộc Công đoàn cơ sở Trường Một" in body
    assert_nothing_written()


def test_a_stored_date_is_not_shown_to_whom_may_not_see_it(world, hoa):
    from thidua.registrations.imports import parse_pledges

    content = xlsx([[1, "Nguyễn Thị Hoa", 1985, "13/05/1985", "", TITLE, ""]])
    result = parse_pledges(content, members=[hoa], taken=set(), unit=world.G1, user=world.users["editor"])
    [(_row, column, message)] = result.errors
    assert column == "Ngày sinh" and "ngày sinh đã lưu khác 13/05/1985" in message and "12/05" not in message


def test_a_sheet_written_with_prefixed_tags_and_no_cell_addresses_is_still_read(client, world, registration, hoa):
    def row(values: list[Any]) -> str:
        cells = "".join(
            f'<x:c t="inlineStr"><x:is><x:t>{escape(v)}</x:t></x:is></x:c>'
            if isinstance(v, str)
            else f"<x:c><x:v>{v}</x:v></x:c>"
            for v in values
        )
        return f"<x:row>{cells}</x:row>"

    xml = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>'
        + row(HEADER)
        + row([1, "Nguyễn Thị Hoa", 1985, "", "", TITLE, ""])
        + "</x:sheetData></x:worksheet>"
    )
    status, body = upload(client, world.users["grassroots"], registration, with_sheet(xml))
    assert status == 200, body
    assert ImportBatch.objects.get().rows[0]["member"] == hoa.pk


# --- Files made to choke the reader ----------------------------------------------------------


def _lying_dimension() -> bytes:
    empty_rows = "".join(f'<row r="{n}"/>' for n in range(3, 500_003))
    return with_sheet(
        sheet_xml([HEADER, [1, "Nguyễn Thị Hoa", 1985, "", "", TITLE, ""]], dimension="A1:XFD500002", tail=empty_rows)
    )


def _far_cell() -> bytes:
    return with_sheet(sheet_xml([HEADER], tail='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def _ratio_bomb() -> bytes:
    return with_sheet(sheet_xml([HEADER]) + " " * (8 * 1024 * 1024))  # ~1,000:1


def _declared_bomb() -> bytes:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * (200 * 1024 * 1024))
    return bomb.getvalue()


def _lying_member() -> bytes:
    padding = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(3, 20_000))
    content = with_sheet(sheet_xml([HEADER, [1, "Nguyễn Thị Hoa", 1985, "", "", TITLE, ""]], tail=padding))
    return lie_about_size(content, SHEET, 1000)


def _encrypted_member() -> bytes:
    content = bytearray(with_sheet(sheet_xml([HEADER])))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(SHEET)
    struct.pack_into("<H", content, info.header_offset + 6, info.flag_bits | 0x1)
    central = content.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", content, central + 28)[0]
        if content[central + 46 : central + 46 + length] == SHEET.encode():
            struct.pack_into("<H", content, central + 8, info.flag_bits | 0x1)
        central = content.find(b"PK\x01\x02", central + 4)
    return bytes(content)


def _missing_sheet() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(with_sheet(sheet_xml([HEADER])))) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def _docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


CORPUS = {
    "lying dimension, 500,000 empty rows": (_lying_dimension, "500.002 dòng (kể cả dòng trống)"),
    "one cell at XFD1048576": (_far_cell, "ô XFD1048576"),
    "broken XML": (lambda: with_sheet(sheet_xml([HEADER])[:-40]), "bị hỏng"),
    "a DTD with entities": (
        lambda: with_sheet('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + sheet_xml([HEADER])[38:]),
        "bị hỏng",
    ),
    "zip bomb: ratio": (_ratio_bomb, "nén bất thường"),
    "zip bomb: declared size": (_declared_bomb, "giải nén quá lớn"),
    "zip bomb: a member lying about its size": (_lying_member, "bị hỏng"),
    "password-protected member": (_encrypted_member, "mật khẩu"),
    "workbook without its sheet": (_missing_sheet, "Không tìm thấy trang tính"),
    "no header row": (lambda: xlsx([[1, "A B", 1980]], headers=["STT", "Tên", "Tuổi"]), "Không tìm thấy dòng tiêu đề"),
    "PDF": (lambda: b"%PDF-1.4 not a spreadsheet", "không phải Excel"),
    "CSV": (lambda: "Họ và tên,Năm sinh\nA,1980\n".encode(), "không phải Excel"),
    ".xls or encrypted .xlsx (OLE2)": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Excel cũ (.xls)"),
    "a .docx": (_docx_like, "không phải Excel"),
    "not a zip past its magic bytes": (lambda: b"PK\x03\x04" + b"\0" * 100, "bị hỏng"),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_file_that_cannot_be_read_safely_is_refused_with_a_message(client, world, registration, case):
    build, message = CORPUS[case]
    status, body = upload(client, world.users["grassroots"], registration, build())
    assert status == 400
    assert message in body
    assert_nothing_written()


def test_a_commitment_too_long_is_never_cut_at_commit(world, registration, hoa):
    from django.core.exceptions import ValidationError

    from thidua.testing import title

    batch = ImportBatch.objects.create(
        registration=registration,
        file_name="dang-ky.xlsx",
        rows=[{"row": 4, "member": hoa.pk, "title": title(TITLE).pk, "commitment": "x" * 501}],
    )
    with pytest.raises(ValidationError, match="Dòng 4: cam kết quá dài"):
        services.import_commit(batch=batch, by=None, today=TODAY)
    assert not MemberPledge.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEWED


def test_a_table_that_starts_further_right_is_read_where_it_is(client, world, registration, hoa):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([None, None, *HEADER])
    sheet.append([None, None, 1, "Nguyễn Thị Hoa", 1985, None, None, TITLE])
    sheet.append([None, None, 2, '=UPPER("a")', 1985, None, None, TITLE])  # saved by openpyxl: no value
    content = io.BytesIO()
    workbook.save(content)
    status, body = upload(client, world.users["grassroots"], registration, content.getvalue())
    assert status == 400
    assert "1 dòng hợp lệ" in body
    assert '<td data-label="Dòng">3</td><td data-label="Cột">Họ và tên</td>' in body
    assert_nothing_written()
