"""The public portal in Chromium: read, count once, share, search, the seed's footer, the editor."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest

from tests.browser.conftest import DESKTOP, assert_accessible, no_horizontal_scroll, shoot
from thidua.accounts.models import Role
from thidua.portal import counting
from thidua.portal.counting import clock
from thidua.portal.demo import SEED_FIGURES, SEED_TITLE, load_portal
from thidua.portal.models import Article
from thidua.testing import PASSWORD, make_unit, make_user

REFERENCE = dt.date(2026, 11, 26)
# A person's browser: headless Chromium announces itself as "HeadlessChrome", which we count as a bot.
READER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


@pytest.fixture
def portal(transactional_db, monkeypatch):
    """The demo portal, with the statistics' clock at noon on the demo's reference date."""
    root = make_unit(None, "Tổng Liên đoàn Lao động Việt Nam", "confederation", "TLD")
    province = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    make_unit(province, "Liên đoàn Lao động huyện Ba Bể", "district-federation", "BK-BB")
    noon = dt.datetime.combine(REFERENCE, dt.time(12, 0), tzinfo=clock.zone())
    monkeypatch.setattr(clock, "now", lambda: noon)
    counting.reset()
    seed = load_portal(reference=REFERENCE)
    make_user("bientap", (province, Role.EDITOR))
    return seed


@pytest.fixture
def reader(browser, live_server):
    context = browser.new_context(
        viewport=DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", user_agent=READER_UA
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def footer(page) -> dict[str, str]:
    return {key: page.locator(f'.view-counter [data-figure="{key}"]').inner_text() for key in SEED_FIGURES}


def wait_counted(page) -> str:
    return page.locator("article[data-counted]").get_attribute("data-counted")


def test_footer_shows_the_seeds_figures_on_the_reference_date(portal, reader):
    reader.goto(reader.base + "/tin/")
    assert footer(reader) == {
        "today": "61",
        "month": "4.199",
        "year": "12.883",
        "total": "27.309",
        "visitors": "004733",
    }
    assert_accessible(reader)
    shoot(reader, "portal-home")


def test_reading_an_article_moves_its_counter_exactly_once(portal, reader):
    before = counting.article_figures(portal.pk, REFERENCE).total
    reader.goto(reader.base + portal.get_absolute_url())
    assert wait_counted(reader) == "true"
    counter = reader.locator('[data-article-figure="total"]')
    assert counter.inner_text() == f"{before + 1:,}".replace(",", ".")
    assert footer(reader)["today"] == "62"
    # A reload inside the window is not a new view (the browser revalidates: 304 or 200).
    with reader.expect_response(lambda r: "/tin/so-lieu/" in r.url or f"/tin/{portal.pk}/" in r.url):
        reader.reload()
    reader.goto(reader.base + "/tin/")  # and reading it again from another page neither
    reader.go_back()
    assert counting.article_figures(portal.pk, REFERENCE).total == before + 1
    assert counter.inner_text() == f"{before + 1:,}".replace(",", ".")
    assert footer(reader)["today"] == "62"
    # A second reader on another browser is one more view.
    reader.context.browser.new_context(user_agent=READER_UA.replace("156.0", "155.0")).new_page().goto(
        reader.base + portal.get_absolute_url()
    )
    assert counting.article_figures(portal.pk, REFERENCE).total == before + 2
    assert_accessible(reader)
    shoot(reader, "portal-article")


def test_share_links_carry_the_articles_url(portal, reader):
    reader.goto(reader.base + portal.get_absolute_url())
    url = reader.base + portal.get_absolute_url()
    assert reader.locator('meta[property="og:url"]').get_attribute("content") == url
    assert reader.locator('meta[property="og:title"]').get_attribute("content") == SEED_TITLE
    facebook = reader.get_by_role("link", name=re.compile("^Facebook"))
    assert facebook.get_attribute("href") == "https://www.facebook.com/sharer/sharer.php?u=" + quote(url, safe="")
    zalo = reader.get_by_role("link", name=re.compile("^Zalo"))
    assert zalo.get_attribute("href") == "https://sp.zalo.me/share_inline?d=" + quote(url, safe="")
    reader.get_by_role("button", name="Chép đường dẫn").click()
    reader.get_by_text("Đã chép đường dẫn").wait_for()
    assert reader.evaluate("navigator.clipboard.readText()") == url


def test_search_without_diacritics_finds_the_seed_article(portal, reader):
    reader.goto(reader.base + "/tin/")
    reader.get_by_label("Tìm bài viết").fill("dai hoi mat tran")
    reader.get_by_label("Tìm bài viết").press("Enter")
    reader.wait_for_url(re.compile(r"/tin/tim-kiem/\?q=dai"))
    assert reader.get_by_role("link", name=SEED_TITLE).count() == 1
    assert_accessible(reader)
    reader.get_by_role("link", name=SEED_TITLE).click()
    reader.wait_for_url(re.compile(rf"/tin/{portal.pk}/"))


def test_category_page_and_phone_layout(portal, reader):
    reader.goto(reader.base + "/tin/")
    reader.get_by_role("navigation", name="Chuyên mục").get_by_role("link", name="Tin hoạt động công đoàn").click()
    reader.get_by_role("heading", level=1, name="Tin hoạt động công đoàn").wait_for()
    assert_accessible(reader)
    shoot(reader, "portal-category")
    for path in ["/tin/", portal.get_absolute_url()]:
        reader.set_viewport_size({"width": 360, "height": 740})
        reader.goto(reader.base + path)
        assert no_horizontal_scroll(reader), path


def test_language_switch_and_skip_link(portal, reader):
    reader.goto(reader.base + portal.get_absolute_url())
    reader.keyboard.press("Tab")
    skip = reader.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    assert skip.evaluate("el => el === document.activeElement")
    reader.get_by_role("link", name="English").click()
    reader.wait_for_url(re.compile(rf"/tin/{portal.pk}/"))
    assert reader.locator("html").get_attribute("lang") == "en"
    assert reader.get_by_role("heading", name="Visitor statistics").count() == 1


def test_editor_writes_and_publishes_with_the_rich_text_editor(portal, browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", user_agent=READER_UA)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/tin/quan-tri/moi/")
    page.get_by_label("Tiêu đề").fill("Hội thao công nhân viên chức lao động huyện Ba Bể")
    page.get_by_label("Chuyên mục").select_option(label="Văn hóa – Thể thao")
    editor = page.get_by_role("textbox", name="Nội dung")
    editor.click()
    page.keyboard.type("Sáng 20/5, hơn 300 vận động viên tham gia.")
    page.keyboard.press("Control+B")
    page.keyboard.type(" Đồng đội đoạt giải nhất.")
    assert_accessible(page)
    shoot(page, "portal-editor")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu bài viết.").wait_for()
    article = Article.objects.get(title="Hội thao công nhân viên chức lao động huyện Ba Bể")
    assert "<strong> Đồng đội đoạt giải nhất.</strong>" in article.body or "<strong>Đồng đội" in article.body
    page.get_by_role("button", name="Đăng / lên lịch").click()
    page.get_by_text("Bài viết đã được đăng.").wait_for()
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("heading", level=1, name=article.title).wait_for()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.goto(live_server.url + "/tin/thong-ke/")
    page.locator("#stats-days svg").first.wait_for()
    # Axis numbers as Vietnamese writes them (1.000, not 1,000), and the page's own chart description.
    axis = page.evaluate(
        "() => { const chart = echarts.getInstanceByDom(document.getElementById('stats-days'));"
        " const option = chart.getOption(); return [option.yAxis[0].axisLabel.formatter(12345),"
        " option.aria.label.description]; }"
    )
    assert axis == ["12.345", "Biểu đồ lượt xem theo ngày; số liệu ở bảng bên dưới"]
    assert_accessible(page)
    shoot(page, "portal-statistics")
    context.close()
