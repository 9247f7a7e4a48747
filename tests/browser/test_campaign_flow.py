"""The campaign flow in Chromium: province issues → district implements → grassroots registers
members from Excel → district accepts → province sees coverage. axe-core and screenshots on the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thidua.campaigns.models import Plan
from thidua.members.models import Member
from thidua.registrations.models import MemberPledge, Registration
from thidua.registrations.tests.helpers import xlsx
from thidua.testing import PASSWORD, build_world, make_member, title

from .conftest import assert_accessible, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    title("Lao động tiên tiến")  # the seeded catalogue, wiped by earlier transactional tests' flush
    world = build_world()
    for name, year in (("Hoàng Thị Lan", 1986), ("Đặng Văn Hùng", 1990), ("Ma Thị Thu", 1992)):
        make_member(
            world.G1, name, gender=Member.Gender.FEMALE if "Thị" in name else Member.Gender.MALE, birth_year=year
        )
    return world


def login(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")
    return context, page


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_province_to_grassroots_and_back(browser, live_server, world):
    today = timezone.localdate()
    base = live_server.url

    # 1. The province drafts, fills and issues a plan.
    context, page = login(browser, live_server, "province")
    page.goto(base + "/plans/new/")
    page.get_by_label("Địa danh").fill("Bắc Kạn")
    page.get_by_label("Trích yếu").fill("Phát động thi đua chào mừng Đại hội Công đoàn")
    page.get_by_label("Thời gian bắt đầu").fill(d(today - dt.timedelta(days=5)))
    page.get_by_label("Thời gian kết thúc").fill(d(today + dt.timedelta(days=200)))
    page.get_by_label("Hạn đăng ký thi đua").fill(d(today + dt.timedelta(days=60)))
    page.get_by_label("Lao động tiên tiến", exact=True).check()
    assert_accessible(page)
    shoot(page, "plan-form")
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.get_by_role("link", name="Thêm nội dung thi đua").click()
    page.get_by_label("Tên nội dung").fill("Phong trào “Lao động giỏi, Lao động sáng tạo”")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("button", name="Ban hành").click()
    page.get_by_text("Đã ban hành").first.wait_for()
    plan = Plan.objects.get(issuer=world.P)
    assert plan.status == Plan.Status.ISSUED
    assert_accessible(page)
    shoot(page, "plan-detail")
    context.close()

    # 2. The district builds its implementation plan, pre-filled, and issues it.
    context, page = login(browser, live_server, "district")
    page.goto(base + f"/plans/{plan.pk}/")
    page.get_by_role("button", name="Xây dựng kế hoạch thực hiện").click()
    page.get_by_text("từ cấp trên").first.wait_for()
    page.get_by_role("button", name="Ban hành").click()
    page.get_by_text("Đã ban hành").first.wait_for()
    implementation = Plan.objects.get(issuer=world.D1)
    assert implementation.parent_id == plan.pk and implementation.status == Plan.Status.ISSUED
    context.close()

    # 3. The grassroots officer registers the union and its members from an Excel file.
    context, page = login(browser, live_server, "grassroots")
    page.goto(base + f"/plans/{plan.pk}/")
    page.get_by_role("button", name="Đăng ký thi đua").click()
    page.get_by_label("Công đoàn cơ sở vững mạnh").check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_role("link", name="Nhập từ Excel").click()
    content = xlsx(
        [
            [1, "Hoàng Thị Lan", 1986, "", "", "Lao động tiên tiến", "Không nghỉ quá 5 ngày"],
            [2, "dang van hung", 1990, "", "", "Lao động tiên tiến", ""],
            [3, "Ma Thị Thu", 1992, "", "", "Đoàn viên công đoàn xuất sắc", ""],
        ]
    )
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "dang-ky.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": content,
            }
        ],
    )
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.get_by_text("Xem trước: 3 dòng hợp lệ").wait_for()
    assert_accessible(page)
    shoot(page, "import-preview")
    page.get_by_role("button", name="Ghi tất cả").click()
    page.get_by_text("Đã ghi 3 dòng").wait_for()
    page.get_by_role("button", name="Gửi cấp trên").click()
    page.get_by_text("Đã gửi cấp trên").first.wait_for()
    assert MemberPledge.objects.count() == 3
    assert_accessible(page)
    shoot(page, "registration")
    context.close()

    # 4. The district accepts.
    context, page = login(browser, live_server, "district")
    registration = Registration.objects.get()
    page.goto(base + f"/registrations/{registration.pk}/")
    page.get_by_role("button", name="Chấp nhận").click()
    page.get_by_text("Đã chấp nhận đăng ký").wait_for()
    assert Registration.objects.get().status == Registration.Status.ACCEPTED
    context.close()

    # 5. The province sees coverage and the cascade board.
    context, page = login(browser, live_server, "province")
    page.goto(base + f"/registrations/coverage/{plan.pk}/")
    page.locator("#coverage-chart svg").first.wait_for()
    assert "3 / " in page.locator(".cards").inner_text()
    assert_accessible(page)
    shoot(page, "coverage")
    page.goto(base + f"/plans/{plan.pk}/board/")
    assert "Liên đoàn Lao động huyện Một" in page.content()
    assert_accessible(page)
    shoot(page, "board")
    page.goto(base + "/plans/")
    assert_accessible(page)
    shoot(page, "plans")
    context.close()
