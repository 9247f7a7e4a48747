"""Main foundation flows in a real Chromium: login, scope, tree by keyboard, language, pages."""

from __future__ import annotations

import re

import pytest

from thidua.members.models import Member
from thidua.testing import PASSWORD, build_world, make_member

from .conftest import PHONE, assert_accessible, no_horizontal_scroll, shoot

pytestmark = pytest.mark.django_db(transaction=True)


def login(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")


@pytest.fixture
def world(transactional_db):
    world = build_world()
    for unit in (world.G1, world.T1a, world.G1b, world.G2, world.G3):
        for _ in range(3):
            make_member(unit, phone="0912345678")
    make_member(world.G1, "Đặng Thị Ánh", gender=Member.Gender.FEMALE, birth_year=1990)
    return world


def test_grassroots_officer_sees_only_their_subtree(page, world):
    login(page, "grassroots")
    page.goto(page.base + "/units/")
    tree = page.locator("ul.tree")
    assert "Công đoàn cơ sở Trường Một" in tree.inner_text()
    assert "Xã Hai" not in page.content()
    assert "huyện Hai" not in page.content()
    page.goto(page.base + f"/units/{world.G2.pk}/")
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    page.goto(page.base + "/members/?q=dang")
    rows = page.locator("#member-table tbody tr")
    assert rows.count() == 1
    assert "Đặng Thị Ánh" in rows.first.inner_text()


def tab_to(page, predicate_js: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
            return
    pytest.fail(f"could not reach an element matching {predicate_js} with Tab")


def test_tree_by_keyboard_only(page, world):
    login(page, "province")
    page.goto(page.base + "/units/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    # Open "LĐLĐ huyện Một" with Enter: its children load (htmx) into the tree.
    tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.includes('huyện Một')")
    page.keyboard.press("Enter")
    page.get_by_text("Công đoàn cơ sở Trường Một").first.wait_for()
    page.wait_for_load_state("networkidle")
    # Open the grassroots union the same way, one level deeper.
    tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.includes('Trường Một')")
    page.keyboard.press("Enter")
    page.get_by_text("Công đoàn bộ phận Tổ Toán").first.wait_for()
    page.get_by_role("link", name="Mở trang Công đoàn cơ sở Trường Một").wait_for()
    page.wait_for_load_state("networkidle")
    # Follow the link to its page with Enter.
    tab_to(page, "el.tagName === 'A' && el.textContent.includes('Mở trang Công đoàn cơ sở Trường Một')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base}/units/{world.G1.pk}/")
    assert page.locator("h1").inner_text().startswith("Công đoàn cơ sở Trường Một")


def test_language_switch_persists_and_sets_html_lang(page, world):
    login(page, "district")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(page.base + "/units/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Units").count() == 1
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"


def test_main_pages_are_accessible_fit_a_phone_and_are_photographed(page, world):
    page.goto(page.base + "/accounts/login/")
    assert_accessible(page)
    shoot(page, "login")
    login(page, "province")
    member = Member.objects.filter(unit=world.G1).first()
    pages = {
        "home": "/",
        "tree": "/units/",
        "tree-search": "/units/?q=truong",
        "unit": f"/units/{world.D1.pk}/",
        "unit-edit": f"/units/{world.G1.pk}/edit/",
        "unit-move": f"/units/{world.G1.pk}/move/?q=huyen",
        "unit-history": f"/units/{world.G1.pk}/history/",
        "members": "/members/",
        "member": f"/members/{member.pk}/",
        "member-new": f"/members/new/?unit={world.G1.pk}",
        "assignments": "/accounts/assignments/",
        "not-found": "/units/999999/",
    }
    for name, path in pages.items():
        page.goto(page.base + path)
        assert page.locator("main#main").count() == 1
        assert_accessible(page)
        shoot(page, name)
        page.set_viewport_size(PHONE)
        assert no_horizontal_scroll(page), f"{name} scrolls sideways at 360 px"
        page.set_viewport_size({"width": 1280, "height": 900})


def test_bad_member_input_shows_vietnamese_errors(page, world):
    login(page, "grassroots")
    page.goto(page.base + f"/members/new/?unit={world.G1.pk}")
    page.get_by_label("Họ và tên", exact=False).first.fill("  Hoàng  Văn  ")
    page.get_by_label("Năm sinh").fill("1700")
    page.get_by_label("Giới tính").select_option("M")
    page.get_by_role("button", name="Lưu", exact=True).click()
    assert re.search("Năm sinh 1700 không hợp lệ", page.content())
    assert Member.objects.filter(full_name__startswith="Hoàng Văn").count() == 0
    shoot(page, "member-form-errors")
