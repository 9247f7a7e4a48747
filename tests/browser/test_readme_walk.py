"""README's "Where to click first", walked literally in Chromium against the real demo data.

A new user only types the address of the login page or of the site and then clicks links, buttons,
tabs and labelled fields by the names the README gives them. When the README and the application
disagree this test fails: fix whichever of the two is wrong, never the walk.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile

import pytest
from django.conf import settings
from django.core.management import call_command

from thidua.portal import counting
from thidua.portal.counting import clock
from thidua.portal.demo import SEED_TITLE
from thidua.testing import kind, title

from .conftest import SCREENSHOTS, assert_accessible, no_horizontal_scroll
from .test_portal import READER_UA, REFERENCE

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
PLAN = "07/KH-LĐLĐ"
# "1–50 / 222": the pager's first page of a list longer than a page (thousands grouped with ".").
FIRST_PAGE_OF_MANY = re.compile(r"^1–50 / (\d{1,3}(?:\.\d{3})*)$")
COVERAGE_CHART_DRAWN = (
    "() => window.echarts && echarts.getInstanceByDom(document.getElementById('coverage-chart'))"
    " && document.querySelector('#coverage-chart svg text')"
)
# After a resize the coverage chart re-lays itself out to the width of its box.
COVERAGE_CHART_FITS = (
    "() => { const box = document.getElementById('coverage-chart');"
    " const chart = echarts.getInstanceByDom(box);"
    " return chart && Math.abs(chart.getWidth() - box.clientWidth) < 2; }"
)


@pytest.fixture
def demo(transactional_db, monkeypatch):
    """`load_demo` with 2,000 members, its portal statistics' clock at noon on a fixed day.

    The README's footer figures hold "on the day the demo was loaded"; fixing that day (as
    test_portal does) keeps them true whatever day the suite runs on.
    """
    noon = dt.datetime.combine(REFERENCE, dt.time(12, 0), tzinfo=clock.zone())
    monkeypatch.setattr(clock, "now", lambda: noon)
    counting.reset()
    # A transactional test before this one flushed the catalogues the migrations ship.
    kind("grassroots")
    title("Lao động tiên tiến")
    call_command("load_demo", members=2000, stdout=io.StringIO())


def fold(text: str) -> str:
    """Lower case without diacritics ("Đặng" → "dang"), as the search compares."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def login(page, username: str) -> None:
    """A fresh visitor on the login page, with the demo password from the README."""
    page.context.clear_cookies()
    page.set_viewport_size(WIDE)
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(settings.THIDUA_DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")


def menu(page, name: str) -> None:
    """Click an entry of the main navigation and wait for its page."""
    with page.expect_navigation():
        page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name=name, exact=True).click()


def pager_total(page) -> str:
    return page.locator(".pager-total").first.inner_text().strip()


def shoot(page, name: str, relayout: str | None = None) -> None:
    """Full-page screenshots at 1366 and 360 px; at 360 px nothing may scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in (("1366", WIDE), ("360", PHONE)):
        page.set_viewport_size(size)
        if relayout:
            page.wait_for_function(relayout)
        page.screenshot(path=str(SCREENSHOTS / f"readme-{name}-{width}.png"), full_page=True)
        if size is PHONE:
            assert no_horizontal_scroll(page), f"{name} scrolls sideways at 360 px ({page.url})"
    page.set_viewport_size(WIDE)
    if relayout:
        page.wait_for_function(relayout)


def step_1_plan_07(page) -> None:
    """tinh.thidua → Kế hoạch → 07/KH-LĐLĐ: contents, .docx, cascade board, coverage."""
    login(page, "tinh.thidua")
    menu(page, "Kế hoạch")
    # Campaigns first ("Kế hoạch của đơn vị tôi" and "Tất cả kế hoạch" hold the rest): the plan
    # is on the first page of the default tab, one click away.
    assert page.get_by_role("link", name="Phong trào thi đua").get_attribute("aria-current") == "page"
    for other in ("Kế hoạch của đơn vị tôi", "Tất cả kế hoạch"):
        assert page.get_by_role("link", name=other).get_attribute("aria-current") is None
    plan_link = page.get_by_role("link", name=PLAN, exact=True)
    assert plan_link.is_visible()
    assert_accessible(page)
    shoot(page, "plans")

    # Searching by number finds it first, in the campaign tab and among all plans.
    search = page.get_by_label("Tìm theo số hoặc trích yếu")
    search.fill(PLAN)
    search.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=07"))
    first_row = page.locator("table tbody tr").first
    assert first_row.locator("td").first.inner_text().strip() == PLAN
    page.get_by_role("link", name="Tất cả kế hoạch").click()
    page.wait_for_url(re.compile(r"[?&]tab=all"))
    assert page.get_by_label("Tìm theo số hoặc trích yếu").input_value() == PLAN
    assert page.get_by_role("link", name="Tất cả kế hoạch").get_attribute("aria-current") == "page"
    assert first_row.locator("td").first.inner_text().strip() == PLAN
    assert "Liên đoàn Lao động tỉnh Bắc Kạn" in first_row.inner_text()

    # Open it: its contents.
    first_row.get_by_role("link", name=PLAN, exact=True).click()
    page.get_by_role("heading", level=1, name=f"Kế hoạch số {PLAN}").wait_for()
    main = page.locator("main")
    assert "16/10/2018" in main.inner_text()
    assert page.get_by_role("heading", name="Nội dung thi đua").is_visible()
    assert "Lao động giỏi" in main.inner_text()
    assert_accessible(page)

    # Tải văn bản (.docx): a Word document.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải văn bản (.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    with zipfile.ZipFile(download.path()) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "Số: 07/KH-LĐLĐ" in document  # the Decree-30 header
    assert "Bắc Kạn, ngày 16 tháng 10 năm 2018" in document
    assert "Triệu Thị Mai" in document

    # Tiến độ triển khai: the cascade board, paged 50 at a time with page links.
    page.get_by_role("link", name="Tiến độ triển khai").click()
    page.get_by_role("heading", level=1, name="Tiến độ triển khai kế hoạch").wait_for()
    total = FIRST_PAGE_OF_MANY.match(pager_total(page))
    assert total, pager_total(page)
    rows = int(total.group(1).replace(".", ""))
    assert rows > 50
    assert page.locator("table tbody td[data-label='Đơn vị']").count() == 50
    pages = page.get_by_role("navigation", name="Phân trang").first
    assert pages.get_by_role("link", name="2", exact=True).is_visible()
    assert page.get_by_role("button", name=re.compile("^Đôn đốc")).count() >= 1
    assert_accessible(page)
    shoot(page, "board")
    pages.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]page=2"))
    assert pager_total(page) == f"51–100 / {total.group(1)}"
    page.go_back()
    page.go_back()
    page.get_by_role("heading", level=1, name=f"Kế hoạch số {PLAN}").wait_for()

    # Độ phủ đăng ký: the coverage chart with its data table.
    page.get_by_role("link", name="Độ phủ đăng ký").click()
    page.wait_for_function(COVERAGE_CHART_DRAWN)
    assert page.locator("#coverage-chart").get_attribute("aria-label").startswith("Biểu đồ tỷ lệ đăng ký")
    names = page.locator("table.responsive tbody tr td:first-child").all_inner_texts()
    assert "Liên đoàn Lao động huyện Ba Bể" in names
    assert len(names) == 12  # eight district federations and four sector unions
    assert_accessible(page)
    shoot(page, "coverage", relayout=COVERAGE_CHART_FITS)

    # Not a README step: the province's registrations list, photographed for people to look at.
    menu(page, "Đăng ký")
    assert FIRST_PAGE_OF_MANY.match(pager_total(page)), pager_total(page)
    assert_accessible(page)
    shoot(page, "registrations")


def step_2_tree_and_members(page) -> None:
    """Đơn vị: tree with rolled-up counts, expand a district, open a union; Đoàn viên without diacritics."""
    menu(page, "Đơn vị")
    tree = page.get_by_role("list", name="Cây đơn vị")
    district = tree.locator("summary", has_text="Liên đoàn Lao động huyện Ba Bể")
    assert re.search(r"\d+ đơn vị · \d+ đoàn viên", district.inner_text())
    district.click()
    union = tree.get_by_role("link", name="Công đoàn cơ sở UBND thị trấn Chợ Rã", exact=True)
    union.click()
    page.get_by_role("heading", level=1, name="Công đoàn cơ sở UBND thị trấn Chợ Rã").wait_for()
    assert "BK-BB-001" in page.locator("main").inner_text()

    menu(page, "Đoàn viên")
    search = page.get_by_label("Tìm theo tên (có dấu hoặc không dấu)")
    for query, spelled in (("nguyen van", "Nguyễn Văn "), ("dang", "Đặng ")):
        search.fill(query)
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_url(re.compile(r"[?&]q=" + query.split()[0]))
        assert re.fullmatch(r"1–\d+ / [\d.]+", pager_total(page)), pager_total(page)
        names = page.locator("#member-table tbody td:first-child").all_inner_texts()
        assert any(name.startswith(spelled) for name in names), (query, names[:10])
        assert all(word in fold(name) for name in names for word in query.split()), (query, names[:10])


def step_3_grassroots_registration(page) -> None:
    """coso.babe → Đăng ký → the union's draft registration for Plan 07, read-only past its deadline."""
    login(page, "coso.babe")
    menu(page, "Đăng ký")
    row = page.locator("table tbody tr").filter(has_text=PLAN)
    assert row.count() == 1
    assert "Đang soạn" in row.inner_text()
    row.get_by_role("link", name="Công đoàn cơ sở UBND thị trấn Chợ Rã").click()
    page.get_by_role("heading", level=1, name="Đăng ký thi đua của Công đoàn cơ sở UBND thị trấn Chợ Rã").wait_for()
    notice = page.get_by_role("status").filter(has_text="hết hạn đăng ký")
    assert notice.inner_text().startswith("Đã hết hạn đăng ký (30/11/2018), nên đăng ký này chỉ để xem.")
    assert "Liên đoàn Lao động huyện Ba Bể" in notice.inner_text()
    assert "gia hạn" in notice.inner_text()
    main = page.locator("main")
    assert main.get_by_role("button").count() == 0  # no Lưu, Gửi cấp trên, Bỏ
    assert main.locator("input:not([type=hidden]), select, textarea").count() == 0
    assert main.get_by_role("link", name="Nhập từ Excel").count() == 0
    assert_accessible(page)


def step_4_district_decides(page) -> None:
    """babe.thidua → Đăng ký → Chờ tôi duyệt: accept one submitted registration, return another."""
    login(page, "babe.thidua")
    menu(page, "Đăng ký")

    def waiting() -> int:
        page.get_by_label("Chờ tôi duyệt").check()
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_url(re.compile(r"[?&]waiting=1"))
        statuses = page.locator("table tbody td[data-label='Trạng thái']").all_inner_texts()
        assert statuses and set(statuses) == {"Đã gửi cấp trên"}, statuses
        return int(pager_total(page).rsplit("/", 1)[1].strip().replace(".", ""))

    before = waiting()
    for decision in ("Chấp nhận", "Trả lại để sửa"):
        link = page.locator("table tbody tr").first.get_by_role("link")
        unit = link.inner_text()
        link.click()
        page.get_by_role("heading", level=1, name=f"Đăng ký thi đua của {unit}").wait_for()
        assert "Trạng thái: Đã gửi cấp trên" in page.locator("main").inner_text()
        assert page.get_by_role("button", name="Chấp nhận").is_visible()
        assert page.get_by_role("button", name="Trả lại để sửa").is_visible()
        if decision == "Chấp nhận":
            assert_accessible(page)
        if decision == "Trả lại để sửa":
            page.get_by_label("Lý do trả lại").fill("Bổ sung chỉ tiêu ngày công.")
        page.get_by_role("button", name=decision).click()
        expected = "Đã được chấp nhận" if decision == "Chấp nhận" else "Bị trả lại"
        page.get_by_text(f"Trạng thái: {expected}").wait_for()
        assert page.get_by_role("button", name="Chấp nhận").count() == 0
        menu(page, "Đăng ký")
        after = waiting()
    assert after == before - 2


def step_5_public_portal(browser, base: str) -> None:
    """The site root without logging in: the portal, its footer, one count per reading, `dai hoi`."""
    context = browser.new_context(viewport=WIDE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", user_agent=READER_UA)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(base + "/")
        page.wait_for_url(base + "/tin/")

        def footer(key: str) -> str:
            return page.locator(f'.view-counter [data-figure="{key}"]').inner_text()

        assert {k: footer(k) for k in ("today", "month", "year", "total", "visitors")} == {
            "today": "61",
            "month": "4.199",
            "year": "12.883",
            "total": "27.309",
            "visitors": "004733",
        }
        most_read = page.get_by_role("region", name=re.compile("^Đọc nhiều nhất"))
        assert most_read.get_by_role("link").first.inner_text() == SEED_TITLE
        most_read.get_by_role("link").first.click()
        page.get_by_role("heading", level=1, name=SEED_TITLE).wait_for()
        assert page.locator("article[data-counted]").get_attribute("data-counted") == "true"
        assert footer("today") == "62"
        # A reload within 30 minutes is not a new view (the browser may revalidate and show its
        # copy, so the next page the server renders tells).
        page.reload()
        page.get_by_role("heading", level=1, name=SEED_TITLE).wait_for()

        page.get_by_label("Tìm bài viết").fill("dai hoi")
        page.get_by_label("Tìm bài viết").press("Enter")
        page.wait_for_url(re.compile(r"/tin/tim-kiem/\?q=dai"))
        assert re.search(r"Tìm thấy \d+ bài viết", page.locator("main").inner_text())
        # The results are newest first, twelve a page: the seed (2018) is on a later page.
        for _ in range(5):
            if page.locator("main").get_by_role("link", name=SEED_TITLE).count():
                break
            page.get_by_role("link", name="Trang sau ›").click()
            page.wait_for_url(re.compile(r"[?&]page=\d"))
        page.locator("main").get_by_role("link", name=SEED_TITLE).click()
        page.get_by_role("heading", level=1, name=SEED_TITLE).wait_for()
        assert footer("today") == "62"
    finally:
        context.close()


def step_6_editor(page) -> None:
    """bientap → Tin bài: the list with its pager; Thống kê lượt xem: charts, most read, Excel."""
    login(page, "bientap")
    menu(page, "Tin bài")
    page.get_by_role("heading", level=1, name="Tin bài trên cổng thông tin").wait_for()
    assert re.fullmatch(r"1–\d+ / [\d.]+", pager_total(page)), pager_total(page)
    titles = page.locator("table tbody td[data-label='Tiêu đề']").all_inner_texts()
    assert SEED_TITLE in titles
    assert page.get_by_role("link", name="Viết bài mới").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Thống kê lượt xem").click()
    page.locator("#stats-days svg").first.wait_for()
    assert page.locator("#stats-months svg").count() >= 1
    assert page.get_by_role("link", name="Xuất Excel").count() >= 1
    most_read = page.locator("table.responsive tbody tr").first  # "Bài xem nhiều trong kỳ"
    assert most_read.locator("td").first.inner_text() == SEED_TITLE


def step_1_urge_late_units(page) -> None:
    """Step 1's *Đôn đốc* "reminds every late unit once a day"; last, as it changes the board."""
    login(page, "tinh.thidua")
    menu(page, "Kế hoạch")
    page.get_by_role("link", name=PLAN, exact=True).click()
    page.get_by_role("link", name="Tiến độ triển khai").click()
    page.get_by_label("Trạng thái").select_option(label="Quá hạn")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(re.compile(r"[?&]status=\w"))
    late = pager_total(page).rsplit("/", 1)[1].strip()
    assert int(late.replace(".", "")) > 0

    def urge() -> str:
        with page.expect_navigation():
            page.get_by_role("button", name="Đôn đốc tất cả đơn vị quá hạn").click()
        return page.locator(".messages").inner_text().strip()

    first, second = urge(), urge()
    assert (first, second) == (
        f"Đã đôn đốc {late} đơn vị quá hạn.",
        f"{late} đơn vị đã được đôn đốc hôm nay nên không nhắc lại.",
    ), f"the board lists {late} late units"


def test_where_to_click_first(page, browser, demo):
    """Steps 1–6 in order, each as a new user would click it."""
    step_1_plan_07(page)
    step_2_tree_and_members(page)
    step_3_grassroots_registration(page)
    step_4_district_decides(page)
    step_5_public_portal(browser, page.base)
    step_6_editor(page)
    step_1_urge_late_units(page)
