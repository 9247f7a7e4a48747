"""Every Excel export, downloaded as someone who may, looks made by a careful clerk.

Each file is opened with openpyxl as Excel would read it: title rows with the export time,
a frozen, filtered header, columns as wide as their content, typed cells (real dates,
months and percentages) and a page setup that prints on A4 with numbered pages.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from thidua.campaigns.models import Title as Award
from thidua.campaigns.tests.factories import issued_plan
from thidua.core.excel import (
    DATE,
    INTEGER,
    MAX_WIDTH,
    MONTH,
    PERCENT,
    Header,
    Title,
    build_workbook,
    header_row,
    read_table,
)
from thidua.inspections.tests import factories as inspections
from thidua.monitoring import services as monitoring
from thidua.monitoring.models import Report
from thidua.portal.models import ArticleDay, SiteDay
from thidua.portal.tests.factories import make_article
from thidua.registrations import services as registrations
from thidua.testing import frozen, make_member, make_unit

TODAY = dt.date(2025, 2, 1)
MOMENT = "2025-02-01 02:30"  # UTC: 09:30 in Hà Nội
EXPORTED = "Ngày xuất: 01/02/2025 09:30"
LONG_NAME = "Công đoàn bộ phận Phòng Hành chính – Tổng hợp, Kế toán và Quản trị thiết bị trường học Một"
DATE_FORMATS = {"DD/MM/YYYY", "DD/MM/YYYY HH:MM"}


@pytest.fixture
def data(world):
    """One of everything an export lists, inside the province officer's scope."""
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10), registration_deadline=dt.date(2025, 3, 31))
    make_unit(world.G1, LONG_NAME, "department-union")
    officer = world.users["grassroots"]
    members = [make_member(world.G1, joined_on=dt.date(2015, 9, 1)) for _ in range(3)]
    make_member(world.G1b, joined_on=dt.date(2018, 5, 20))
    registration = registrations.registration_open(plan=plan, unit=world.G1, by=officer, today=TODAY)
    registrations.pledges_add(
        registration=registration,
        by=officer,
        member_ids=[m.pk for m in members[:2]],
        title=Award.objects.get(name="Lao động tiên tiến"),
        commitment='=HYPERLINK("http://example.com")\nPhấn đấu hoàn thành xuất sắc nhiệm vụ năm học',
        today=TODAY,
    )
    registrations.registration_submit(registration=registration, by=officer, today=TODAY)
    article = make_article(
        world.D1,
        "Đại hội Công đoàn cơ sở Trường Một nhiệm kỳ 2023–2028",
        public=True,
        publish_at=dt.datetime(2024, 12, 20, 8, 0, tzinfo=dt.UTC),
    )
    for day, views in ((dt.date(2024, 12, 30), 5), (dt.date(2025, 1, 15), 8), (dt.date(2025, 1, 31), 2)):
        SiteDay.objects.create(day=day, views=views, visitors=views - 1)
        ArticleDay.objects.create(article=article, day=day, views=views, visitors=1)
    period = monitoring.period_add(
        plan=plan,
        by=None,
        kind="month",
        name="Tháng 01/2025",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 1, 31),
        due_on=dt.date(2025, 2, 5),
    )
    report = Report.objects.get(period=period, unit=world.D1)
    criterion = monitoring.criteria_of(report)[0]  # 1 of 2 initiatives: a score of 50,00
    monitoring.report_save(report=report, by=None, values={criterion.pk: "1"}, narrative="Kết quả tháng 1")
    monitoring.report_submit(report=report, by=None, today=TODAY)
    inspections.follow_up_for(inspections.finding_at(inspections.round_of(world, plan=plan), world.G1))
    return {"plan": plan, "registration": registration, "period": period}


@dataclass(frozen=True)
class Export:
    name: str
    actor: str
    url: Callable[[Any, dict[str, Any]], str]
    title: Callable[[Any, dict[str, Any]], list[str]]  # texts the title rows hold
    first_header: str
    sheet: str | None = None  # the sheet to check (the first one otherwise)
    dates: tuple[str, ...] = ()  # headers of date columns
    percents: tuple[str, ...] = ()
    decimals: tuple[str, ...] = ()  # two decimals always, a whole number included (scores)
    months: tuple[str, ...] = ()
    min_rows: int = 1
    wraps: tuple[str, ...] = ()  # a column holding text longer than the cap


EXPORTS = [
    Export(
        "reports",
        "province",
        lambda w, d: reverse("monitoring:list") + "?format=xlsx",
        lambda w, d: ["Báo cáo kết quả thi đua", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Đơn vị",
        dates=("Ngày gửi",),
        decimals=("Điểm",),
        min_rows=2,
    ),
    Export(
        "review annex",
        "province",
        lambda w, d: reverse("monitoring:review", args=[d["period"].pk]) + f"?unit={w.P.pk}&format=xlsx",
        lambda w, d: [
            "Báo cáo kỳ – tình hình báo cáo kết quả",
            "Đơn vị: Liên đoàn Lao động tỉnh Alpha",
            f"Kế hoạch: {d['plan'].document_number}",
            "Kỳ: Tháng 01/2025 (01/01/2025 – 31/01/2025)",
        ],
        "Đơn vị",
        percents=("Tỷ lệ đã gửi",),
        min_rows=2,
    ),
    Export(
        "report board",
        "province",
        lambda w, d: reverse("monitoring:board", args=[d["period"].pk]) + f"?unit={w.P.pk}&format=xlsx",
        lambda w, d: [
            "Tình hình báo cáo Tháng 01/2025",
            "Phạm vi: Liên đoàn Lao động tỉnh Alpha",
            "Hạn báo cáo: 05/02/2025",
        ],
        "Đơn vị",
        percents=("Tỷ lệ đã gửi",),
        decimals=("Điểm bình quân",),
        min_rows=2,
    ),
    Export(
        "plans",
        "province",
        lambda w, d: reverse("campaigns:list") + "?format=xlsx&tab=all",
        lambda w, d: ["Danh sách kế hoạch", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Số",
        dates=("Ngày ban hành", "Bắt đầu", "Kết thúc"),
    ),
    Export(
        "board",
        "province",
        lambda w, d: reverse("campaigns:board", args=[d["plan"].pk]) + "?format=xlsx",
        lambda w, d: [
            f"Tiến độ triển khai kế hoạch {d['plan'].document_number}",
            d["plan"].title,
            "Đơn vị ban hành: Liên đoàn Lao động tỉnh Alpha",
        ],
        "Đơn vị",
        dates=("Hạn",),
        min_rows=2,
    ),
    Export(
        "registrations",
        "province",
        lambda w, d: reverse("registrations:list") + "?format=xlsx",
        lambda w, d: ["Danh sách đăng ký thi đua của các đơn vị", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Đơn vị",
        dates=("Ngày gửi", "Ngày tạo"),
    ),
    Export(
        "registration members",
        "grassroots",
        lambda w, d: reverse("registrations:export", args=[d["registration"].pk]),
        lambda w, d: [
            "Danh sách đoàn viên đăng ký thi đua",
            "Đơn vị: Công đoàn cơ sở Trường Một",
            f"Kế hoạch: {d['plan'].document_number}",
        ],
        "STT",
        min_rows=2,
        wraps=("Cam kết",),  # two lines each
    ),
    Export(
        "coverage",
        "province",
        lambda w, d: reverse("registrations:coverage", args=[d["plan"].pk]) + f"?unit={w.P.pk}&format=xlsx",
        lambda w, d: [
            "Độ phủ đăng ký thi đua – Liên đoàn Lao động tỉnh Alpha",
            f"Kế hoạch: {d['plan'].document_number}",
        ],
        "Đơn vị",
        percents=("Tỷ lệ", "Tỷ lệ CĐCS"),
        min_rows=3,
    ),
    Export(
        "members",
        "province",
        lambda w, d: reverse("members:export"),
        lambda w, d: ["Danh sách đoàn viên", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Họ và tên",
        dates=("Ngày vào công đoàn",),
        min_rows=4,
    ),
    Export(
        "members of a unit",
        "province",
        lambda w, d: reverse("members:list") + f"?format=xlsx&unit={w.G1.pk}",
        lambda w, d: ["Danh sách đoàn viên", "Đơn vị: Công đoàn cơ sở Trường Một"],
        "Họ và tên",
        dates=("Ngày vào công đoàn",),
        min_rows=3,
    ),
    Export(
        "units",
        "province",
        lambda w, d: reverse("units:export"),
        lambda w, d: ["Danh sách đơn vị", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Mã",
        dates=("Ngày thành lập",),
        min_rows=8,
        wraps=("Tên đơn vị",),  # LONG_NAME is wider than the cap
    ),
    Export(
        "units under one",
        "province",
        lambda w, d: reverse("units:export") + f"?unit={w.D1.pk}",
        lambda w, d: ["Danh sách đơn vị", "Đơn vị: Liên đoàn Lao động huyện Một"],
        "Mã",
        min_rows=5,
    ),
    Export(
        "assignments",
        "province",
        lambda w, d: reverse("accounts:assignments_export"),
        lambda w, d: ["Danh sách phân quyền tài khoản", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Tên đăng nhập",
        dates=("Ngày giao",),
        min_rows=4,
    ),
    Export(
        "assignments as a list",
        "province",
        lambda w, d: reverse("accounts:assignments") + "?format=xlsx",
        lambda w, d: ["Danh sách phân quyền tài khoản"],
        "Tên đăng nhập",
        dates=("Ngày giao",),
        min_rows=4,
    ),
    Export(
        "articles",
        "editor",
        lambda w, d: reverse("portal:manage_list") + "?format=xlsx",
        lambda w, d: ["Danh sách tin bài", "Phạm vi: Liên đoàn Lao động huyện Một"],
        "Tiêu đề",
        dates=("Thời điểm đăng", "Cập nhật"),
    ),
    Export(
        "statistics by day",
        "editor",
        lambda w, d: reverse("portal:statistics") + "?tu=15/01/2025&den=31/01/2025&format=xlsx",
        lambda w, d: ["Lượt xem cổng thông tin theo ngày", "Từ ngày 15/01/2025 đến ngày 31/01/2025"],
        "Ngày",
        sheet="Theo ngày",
        dates=("Ngày",),
        min_rows=17,
    ),
    Export(
        "statistics by month",
        "editor",
        lambda w, d: reverse("portal:statistics") + "?tu=15/01/2025&den=31/01/2025&format=xlsx",
        lambda w, d: ["Lượt xem cổng thông tin theo tháng", "Từ tháng 02/2024 đến tháng 01/2025"],
        "Tháng",
        sheet="Theo tháng",
        months=("Tháng",),
        min_rows=2,
    ),
    Export(
        "statistics top articles",
        "editor",
        lambda w, d: reverse("portal:statistics") + "?tu=15/01/2025&den=31/01/2025&format=xlsx",
        lambda w, d: ["Tin bài được xem nhiều nhất", "Từ ngày 15/01/2025 đến ngày 31/01/2025"],
        "Bài viết",
        sheet="Bài xem nhiều",
        dates=("Ngày đăng",),
    ),
    Export(
        "inspections",
        "province",
        lambda w, d: reverse("inspections:list") + "?format=xlsx",
        lambda w, d: ["Danh sách đợt kiểm tra thi đua", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Đợt kiểm tra",
        dates=("Từ ngày", "Đến ngày"),
    ),
    Export(
        "inspected units",
        "province",
        lambda w, d: reverse("inspections:targets") + "?format=xlsx",
        lambda w, d: ["Danh sách đơn vị được kiểm tra", "Phạm vi: Liên đoàn Lao động tỉnh Alpha"],
        "Đơn vị được kiểm tra",
        dates=("Ngày kiểm tra",),
        min_rows=2,
    ),
    Export(
        "inspection follow-ups",
        "province",
        lambda w, d: reverse("inspections:followups") + "?format=xlsx",
        lambda w, d: [
            "Yêu cầu khắc phục sau kiểm tra",
            "Phạm vi: Liên đoàn Lao động tỉnh Alpha",
            "Tính đến ngày 01/02/2025",
        ],
        "Đơn vị thực hiện",
        dates=("Hạn khắc phục", "Ngày báo cáo khắc phục"),
    ),
]


def shown_length(cell: Any) -> int:
    """How many characters the cell shows, read from its value and number format alone."""
    value, fmt = cell.value, cell.number_format
    if isinstance(value, dt.datetime):
        return len(fmt)  # DD/MM/YYYY, DD/MM/YYYY HH:MM and MM/YYYY take as many characters as the codes
    if fmt == "0.0%":
        return len(f"{value * 100:.1f}%")
    if fmt == "#,##0":
        return len(f"{value:,.0f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def download(client: Any, world: Any, data: dict[str, Any], export: Export) -> Any:
    client.force_login(world.users[export.actor])
    with frozen(MOMENT):
        response = client.get(export.url(world, data))
    assert response.status_code == 200, export.name
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return load_workbook(io.BytesIO(response.content))


def check_layout(sheet: Any, export: Export, expected_title: list[str]) -> None:
    """Title rows, header, freeze, filter, widths, print setup: the same on every export."""
    header = header_row(sheet)
    titles = [sheet.cell(row=r, column=1).value for r in range(1, header - 1)]
    assert titles[0] == expected_title[0], export.name
    assert titles[-1] == EXPORTED
    for text in expected_title[1:]:
        assert any(text in line for line in titles), (export.name, text, titles)
    assert sheet.cell(row=header - 1, column=1).value is None  # a blank row above the header
    assert sheet.cell(row=1, column=1).font.b

    columns = sheet.max_column
    last = get_column_letter(columns)
    headers = [sheet.cell(row=header, column=c).value for c in range(1, columns + 1)]
    assert headers[0] == export.first_header
    for cell in sheet[header]:
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("D9E2F3") and cell.alignment.wrap_text
    rows = sheet.max_row - header
    assert rows >= export.min_rows, (export.name, rows)
    if columns > 1:
        assert f"A1:{last}1" in {str(r) for r in sheet.merged_cells.ranges}

    for cell in sheet[header + 1]:  # a printed table has its lines, on empty cells too
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
        assert cell.alignment.vertical == "top"

    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref == f"A{header}:{last}{header + rows}"

    widths = []
    for index in range(1, columns + 1):
        letter = get_column_letter(index)
        width = sheet.column_dimensions[letter].width
        widths.append(width)
        cells = [sheet.cell(row=r, column=index) for r in range(header + 1, sheet.max_row + 1)]
        longest = max((shown_length(c) for c in cells if c.value is not None), default=0)
        assert width >= min(longest, MAX_WIDTH - 2), (export.name, headers[index - 1], width, longest)
        assert width <= MAX_WIDTH
        if longest > MAX_WIDTH - 2:
            assert all(c.alignment.wrap_text for c in cells if c.value is not None), headers[index - 1]
    for name in export.wraps:
        index = headers.index(name) + 1
        cells = [sheet.cell(row=r, column=index) for r in range(header + 1, sheet.max_row + 1)]
        assert all(c.alignment.wrap_text for c in cells), name
        for cell in cells:  # rows grow with the text they hold (programs do not do it on opening)
            lines = str(cell.value).count("\n") + 1 + (shown_length(cell) > widths[index - 1])
            if lines > 1:
                assert sheet.row_dimensions[cell.row].height >= lines * 15, (name, cell.value)

    setup = sheet.page_setup
    landscape = columns > 6 or sum(widths) > 100
    assert setup.orientation == ("landscape" if landscape else "portrait"), export.name
    assert str(setup.paperSize) == sheet.PAPERSIZE_A4  # "9"
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${header}:${header}"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert sheet.oddFooter.center.text.startswith("Trang")


def check_types(sheet: Any, export: Export) -> None:
    headers, rows = read_table(sheet)
    header = header_row(sheet)
    for name in (*export.dates, *export.percents, *export.months):
        assert name in headers, (export.name, name, headers)
    for offset in range(header + 1, header + 1 + len(rows)):
        for index, name in enumerate(headers):
            cell = sheet.cell(row=offset, column=index + 1)
            if cell.value is None:
                continue
            if name in export.dates:
                assert isinstance(cell.value, dt.datetime) and cell.number_format in DATE_FORMATS, (name, cell.value)
            if name in export.percents:
                assert cell.number_format == "0.0%" and 0 <= cell.value <= 1, (name, cell.value)
            if name in export.months:
                assert isinstance(cell.value, dt.datetime) and cell.value.day == 1, (name, cell.value)
                assert cell.number_format == "MM/YYYY"
            if name in export.decimals and cell.value is not None:
                assert cell.number_format == "#,##0.00", (name, cell.number_format)
            plain = name not in (*export.percents, *export.decimals, "Năm sinh")  # 0.0 reads back as 0
            if plain and isinstance(cell.value, int) and not isinstance(cell.value, bool):
                assert cell.number_format == "#,##0", (name, cell.number_format)


@pytest.mark.parametrize("export", EXPORTS, ids=[e.name for e in EXPORTS])
def test_every_export_looks_made_by_a_clerk(client, world, data, export):
    book = download(client, world, data, export)
    sheet = book[export.sheet] if export.sheet else book.worksheets[0]
    check_layout(sheet, export, export.title(world, data))
    check_types(sheet, export)


def test_the_list_of_exports_is_complete():
    """Every view that answers with an .xlsx is listed above (the registration template is another issue's)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    callers = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name in ("excel.py", "listing.py", "imports.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("xlsx_response(", "workbook_response(", ".export("):
            callers.update(f"{path.parent.name}/{path.name}" for _ in range(text.count(needle)))
    assert callers == {
        "accounts/views.py",
        "accounts/token_views.py",  # the API tokens list (no row above yet)
        "campaigns/views.py",
        "initiatives/views.py",  # initiatives and models lists (no rows above yet)
        "inspections/views.py",
        "members/views.py",
        "monitoring/views.py",
        "portal/manage.py",
        "recognition/views.py",  # awards granted (no row above yet)
        "recognition/views_decisions.py",  # award decisions (no row above yet)
        "recognition/views_nominations.py",  # nomination dossiers and the import template (no row above yet)
        "recognition/views_statistics.py",  # proposed and decided awards, one sheet per dimension (no row above yet)
        "registrations/views.py",
        "units/views.py",
    }


def test_coverage_rates_are_fractions_of_what_the_page_shows(client, world, data):
    book = download(client, world, data, EXPORTS[7])
    headers, rows = read_table(book.worksheets[0])
    rate = headers.index("Tỷ lệ")
    members, registered = headers.index("Đoàn viên"), headers.index("Đoàn viên đã đăng ký")
    district = next(row for row in rows if row[0] == "Liên đoàn Lao động huyện Một")
    assert district[rate] == pytest.approx(district[registered] / district[members])
    assert rows[-1][members] == sum(row[members] for row in rows[:-1])  # the total comes last


def test_members_export_keeps_years_plain_and_sensitive_columns_typed(client, world, data):
    book = download(client, world, data, EXPORTS[8])
    sheet = book.worksheets[0]
    headers, _rows = read_table(sheet)
    year = headers.index("Năm sinh") + 1
    cell = sheet.cell(row=header_row(sheet) + 1, column=year)
    assert isinstance(cell.value, int) and cell.number_format == "0"  # 1985, never "1,985"


def test_formula_like_text_is_neutralised_everywhere():
    workbook = build_workbook(
        "=Sheet",
        ["=SUM(A1)", Header("Tỷ lệ", PERCENT)],
        [
            ['=HYPERLINK("http://x")', 0.5],
            ["+1", "-"],
            ["@cmd", None],
            ["\tTab", 1],
            ["Tên\x0bcó ký tự lạ", 0.25],
            [gettext_lazy("Họ và tên"), 1],
            ["x" * 40_000, 0],
        ],
        title=Title("=Tiêu đề", ["-dòng", ""]),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    header, rows = read_table(sheet)
    assert header == ["'=SUM(A1)", "Tỷ lệ"]
    assert [row[0] for row in rows[:6]] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'@cmd",
        "'\tTab",
        "Têncó ký tự lạ",
        "Họ và tên",  # a lazy translation is written as its text
    ]
    assert len(rows[6][0]) < 32_767 and rows[6][0].endswith("…")  # Excel's limit for one cell
    assert rows[1][1] == "'-"  # text in a percent column stays text, neutralised too
    assert sheet["A1"].value == "'=Tiêu đề" and sheet["A2"].value == "'-dòng"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.title == "=Sheet"


def test_an_empty_export_still_has_its_title_header_and_filter():
    workbook = build_workbook("Trống", ["Họ và tên", "Ngày"], [], title=Title("Danh sách trống"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=False).worksheets[0]
    assert header_row(sheet) == 4
    assert sheet.auto_filter.ref == "A4:B4"
    assert sheet.freeze_panes == "A5"
    read_only = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).worksheets[0]
    assert header_row(read_only) == 4


def test_a_value_its_column_format_does_not_fit_is_shown_as_it_is():
    workbook = build_workbook(
        "Lẫn",
        [Header("Số", INTEGER), Header("Ngày", DATE), Header("Tháng", MONTH)],
        [
            [dt.date(2025, 1, 2), 7, "chưa có"],
            [3, dt.datetime(2025, 1, 2, 1, 30, tzinfo=dt.UTC), dt.datetime(2025, 12, 17, 3, 0, tzinfo=dt.UTC)],
        ],
        title=Title("Lẫn kiểu"),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    first, second = range(header_row(sheet) + 1, header_row(sheet) + 3)
    assert sheet.cell(first, 1).number_format == "DD/MM/YYYY" and sheet.cell(first, 2).number_format == "#,##0"
    assert sheet.cell(first, 3).value == "chưa có"
    assert sheet.cell(second, 1).number_format == "#,##0"
    assert (
        sheet.cell(second, 2).value.date() == dt.date(2025, 1, 2)
        and sheet.cell(second, 2).number_format == "DD/MM/YYYY"
    )
    assert (
        sheet.cell(second, 3).value.date() == dt.date(2025, 12, 1) and sheet.cell(second, 3).number_format == "MM/YYYY"
    )
