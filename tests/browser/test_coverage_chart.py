"""The registration-coverage chart in Chromium: bar i is table row i, every bar is named, nothing
overlaps or is cut, Vietnamese number formats, and a phone gets the table first without sideways scroll."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from thidua.campaigns.tests.factories import issued_plan
from thidua.demo import names
from thidua.registrations import services
from thidua.registrations.selectors import sibling_labels
from thidua.testing import build_world, make_member, make_unit, title
from thidua.units.models import Unit
from thidua.units.services import unit_update

from .conftest import SCREENSHOTS, assert_accessible, no_horizontal_scroll
from .test_foundation import login

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}

# Everything the test reads from the page in one go: the chart's option, what ECharts laid out,
# and where the legend, axis labels and bars ended up on screen.
READ_CHART = """() => {
  const holder = document.getElementById('coverage-chart');
  const chart = echarts.getInstanceByDom(holder);
  const option = chart.getOption();
  const model = chart.getModel();
  const box = holder.getBoundingClientRect();
  const grid = model.getComponent('grid').coordinateSystem.getRect();
  const yAxis = model.getComponent('yAxis').axis;
  const rect = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top};
  };
  const texts = [...holder.querySelectorAll('svg text')].filter((t) => t.textContent.trim())
    .map((t) => ({text: t.textContent.trim(), ...rect(t)}));
  const percent = new Intl.NumberFormat(document.documentElement.lang, {style: 'percent', maximumFractionDigits: 1});
  const step = option.xAxis[0].interval;
  const ticks = [];
  for (let v = 0; v <= 100; v += step) ticks.push(percent.format(v / 100));
  return {
    categories: option.yAxis[0].data,
    inverse: option.yAxis[0].inverse,
    interval: option.yAxis[0].axisLabel.interval,
    shownLabels: yAxis.getViewLabels().map((l) => l.formattedLabel),
    series: option.series.map((s) => s.data),
    seriesNames: option.series.map((s) => s.name),
    grid: {left: grid.x, top: grid.y, right: grid.x + grid.width, bottom: grid.y + grid.height},
    width: box.width,
    texts: texts,
    ticks: ticks,
    percent100: percent.format(1),
    ariaLabel: holder.getAttribute('aria-label'),
  };
}"""


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def add_members_and_registrations(plan, unit, index: int) -> None:
    """A grassroots union with 2–5 members, some (0, part or all) of them registered."""
    size = 2 + index % 4
    members = [make_member(unit) for _ in range(size)]
    registered = index % (size + 1)
    if registered:
        registration = services.registration_open(plan=plan, unit=unit, by=None)
        services.pledges_add(
            registration=registration,
            by=None,
            member_ids=[m.pk for m in members[:registered]],
            title=title("Lao động tiên tiến"),
        )
        services.registration_submit(registration=registration, by=None)


@pytest.fixture
def world(transactional_db):
    title("Lao động tiên tiến")  # the seeded catalogue, wiped by earlier transactional tests' flush
    return build_world()


@pytest.fixture
def plan(world):
    today = timezone.localdate()
    return issued_plan(
        world.P,
        issued_on=today,
        window_start=today - dt.timedelta(days=5),
        window_end=today + dt.timedelta(days=200),
        registration_deadline=today + dt.timedelta(days=60),
    )


def twelve_children(world, plan) -> Unit:
    """The province of the bug report: 8 district federations all short-named "LĐLĐ", 4 sector unions."""
    for unit in (world.D1, world.D2):
        unit_update(unit=unit, short_name="LĐLĐ")
    for district, _code, _communes in names.DISTRICTS[:6]:
        prefix = "" if district.startswith("Thành phố") else "huyện "
        unit = make_unit(world.P, f"Liên đoàn Lao động {prefix}{district}", "district-federation")
        unit_update(unit=unit, short_name="LĐLĐ")
    for name, _short, _key in names.SECTOR_UNIONS:
        make_unit(world.P, name, "local-sector-union")
    children = Unit.objects.filter(parent=world.P).order_by("name")
    for index, child in enumerate(children):
        if child.pk not in (world.D1.pk, world.D2.pk):
            add_members_and_registrations(plan, make_unit(child, f"Công đoàn cơ sở Cơ quan {index}"), index)
    return world.P


def eighty_children(world, plan) -> Unit:
    """A district with 80 grassroots unions named as the demo names them."""
    district = world.D2  # already holds "Công đoàn cơ sở Xã Hai"
    communes = [commune for _district, _code, communes in names.DISTRICTS for commune in communes]
    patterns = ["UBND xã {}", "Trường THCS {}", "Trường Tiểu học {}", "Trạm Y tế xã {}"]
    for index in range(79):
        name = "Công đoàn cơ sở " + patterns[index % 4].format(communes[index // 4])
        add_members_and_registrations(plan, make_unit(district, name), index)
    return district


def open_coverage(page, plan, root, viewport) -> dict:
    page.set_viewport_size(viewport)
    page.goto(page.base + f"/registrations/coverage/{plan.pk}/?unit={root.pk}")
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('coverage-chart'))"
        " && document.querySelector('#coverage-chart svg text')"
    )
    return page.evaluate(READ_CHART)


def table_rows(page) -> list[dict]:
    def rate(text: str) -> float:
        return float(text.strip().replace(".", "").replace(",", "."))

    cells = page.locator("table.responsive tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent.trim()))"
    )
    return [{"name": c[0], "members": rate(c[3]), "units": rate(c[6])} for c in cells]


def check_chart(page, root, chart: dict, *, phone: bool) -> None:
    rows = table_rows(page)
    children = list(Unit.objects.filter(parent=root, dissolved_on__isnull=True).order_by("name"))
    # Bar i is table row i: the category axis lists the table's names, shortened, in the same order.
    assert [r["name"] for r in rows] == [c.name for c in children]
    assert chart["categories"] == sibling_labels([c.name for c in children], [c.kind_id for c in children])
    assert chart["inverse"] is True
    assert len(set(chart["categories"])) == len(chart["categories"]) == len(rows)
    # Nothing skipped: the option says so and so does ECharts' own layout of the axis.
    assert chart["interval"] == 0
    assert chart["shownLabels"] == chart["categories"]
    assert chart["series"] == [[r["members"] for r in rows], [r["units"] for r in rows]]

    texts, grid = chart["texts"], chart["grid"]
    legend = [t for t in texts if t["text"] in chart["seriesNames"]]
    assert len(legend) == 2, texts[:10]
    for item in legend:
        assert item["bottom"] <= grid["top"], (item, grid)
        clashes = [t for t in texts if t not in legend and overlaps(item, t)]
        assert not clashes, (item, clashes)
    # The value axis: every tick drawn (none hidden for lack of room), apart from each other, and
    # "100 %" (axis and bar labels) inside the chart.
    ticks = [t for t in texts if t["text"] in chart["ticks"] and t["bottom"] <= grid["top"] + 2]
    assert sorted(t["text"] for t in ticks) == sorted(chart["ticks"]), (chart["ticks"], ticks)
    ticks.sort(key=lambda t: t["left"])
    for left, right in itertools.pairwise(ticks):
        assert left["right"] + 4 <= right["left"], (left, right)
    if phone:
        assert len(ticks) <= 3
    assert all(t["right"] <= chart["width"] + 0.5 and t["left"] >= -0.5 for t in texts), [
        t for t in texts if t["right"] > chart["width"] + 0.5 or t["left"] < -0.5
    ]
    assert any(t["text"] == chart["percent100"] for t in ticks)
    # Vietnamese formats: a comma before decimals, and ECharts' English description is not used.
    assert chart["percent100"] in ("100%", "100 %", "100\u00a0%")
    assert chart["ariaLabel"].startswith("Biểu đồ tỷ lệ đăng ký")

    if phone:
        assert no_horizontal_scroll(page)
        table_top = page.locator("table.responsive").bounding_box()["y"]
        chart_top = page.locator("#coverage-chart").bounding_box()["y"]
        assert table_top < chart_top


def show_tooltip(page, index: int) -> str:
    page.evaluate(
        "(i) => echarts.getInstanceByDom(document.getElementById('coverage-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i})",
        index,
    )
    tip = page.locator("#coverage-chart .coverage-tip")
    tip.wait_for()
    return tip.inner_text()


def test_twelve_children_each_bar_named_after_its_own_unit(page, world, plan):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    root = twelve_children(world, plan)
    login(page, "province")

    chart = open_coverage(page, plan, root, WIDE)
    check_chart(page, root, chart, phone=False)
    assert "LĐLĐ" not in chart["categories"]
    assert chart["categories"][:5] == [
        "Viên chức tỉnh Bắc Kạn",
        "ngành Công Thương tỉnh Bắc Kạn",
        "ngành Giáo dục tỉnh Bắc Kạn",
        "ngành Y tế tỉnh Bắc Kạn",
        "Thành phố Bắc Kạn",
    ]
    # The tooltip names the unit in full and formats both figures the Vietnamese way.
    tip = show_tooltip(page, 1)
    rows = table_rows(page)
    assert rows[1]["members"] == 33.3  # 1 of 3 members
    assert "Công đoàn ngành Công Thương tỉnh Bắc Kạn" in tip
    assert re.search(r"33,3\s?%\s*\(1 / 3\)", tip), tip
    assert "." not in tip, tip
    assert any(re.fullmatch(r"33,3\s?%", t["text"]) for t in chart["texts"])  # the bar's own label
    page.evaluate(
        "() => { const chart = echarts.getInstanceByDom(document.getElementById('coverage-chart'));"
        " chart.dispatchAction({type: 'hideTip'}); chart.dispatchAction({type: 'downplay'}); }"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "coverage-1366.png"), full_page=True)
    assert_accessible(page)

    chart = open_coverage(page, plan, root, PHONE)
    check_chart(page, root, chart, phone=True)
    page.screenshot(path=str(SCREENSHOTS / "coverage-360.png"), full_page=True)

    # Turning a desktop window into a phone-sized one re-lays the chart out (resize handler).
    chart = open_coverage(page, plan, root, WIDE)
    page.set_viewport_size(PHONE)
    page.wait_for_function(
        "() => echarts.getInstanceByDom(document.getElementById('coverage-chart')).getOption().xAxis[0].interval >= 50"
    )
    check_chart(page, root, page.evaluate(READ_CHART), phone=True)
    assert not violations, violations


def test_eighty_children_none_skipped_the_chart_grows_instead(page, world, plan):
    root = eighty_children(world, plan)
    login(page, "province")
    heights = {}
    for name, viewport in (("1366", WIDE), ("360", PHONE)):
        chart = open_coverage(page, plan, root, viewport)
        check_chart(page, root, chart, phone=viewport is PHONE)
        assert len(chart["categories"]) == 80
        # About 30–40 px a unit: two bars and a name that can be read.
        heights[name] = page.locator("#coverage-chart").bounding_box()["height"]
        assert heights[name] >= 80 * 28, heights
        page.screenshot(path=str(SCREENSHOTS / f"coverage-80-{name}.png"), full_page=True)
    assert "Trường THCS Đức Xuân" in chart["categories"]


def test_without_children_there_is_no_empty_chart(page, world, plan):
    login(page, "province")
    page.goto(page.base + f"/registrations/coverage/{plan.pk}/?unit={world.G1b.pk}")
    assert page.locator("#coverage-chart").count() == 0
    assert "Không có đơn vị trực thuộc." in page.locator("table").inner_text()


def test_without_javascript_the_table_is_the_data(browser, live_server, world, plan):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.base = live_server.url  # type: ignore[attr-defined]
    try:
        login(page, "province")
        page.goto(page.base + f"/registrations/coverage/{plan.pk}/?unit={world.P.pk}")
        assert [r["name"] for r in table_rows(page)] == ["Liên đoàn Lao động huyện Hai", "Liên đoàn Lao động huyện Một"]
        assert page.locator("#coverage-chart").bounding_box()["height"] == 0  # no empty box where the chart would be
        assert no_horizontal_scroll(page)
    finally:
        context.close()
