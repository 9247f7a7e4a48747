"""The monitoring API: periods, reports, boards and rankings, read through the same scope as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.accounts.roles import Role
from thidua.campaigns.tests.factories import issued_plan, make_plan
from thidua.monitoring import scoring, services
from thidua.monitoring.models import Period, Report
from thidua.monitoring.tests.factories import FEBRUARY, JANUARY, campaign, report_of, root_period, values_for
from thidua.testing import build_world, make_unit, make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Không tìm thấy hoặc bạn không có quyền xem."}


def _other_branch(world):
    """A plan of P2 (the other province): D3 owes reports no one in P's branch may read."""
    plan = issued_plan(world.P2, title="Kế hoạch tỉnh Beta", due_on=dt.date(2025, 3, 5))
    services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)
    return plan


def _sent(unit, *, late=False, verify_by=None, **values):
    report = report_of(unit)
    services.report_save(report=report, by=None, values=values_for(report, **values), narrative="Đã thực hiện")
    services.report_submit(report=report, by=None, today=dt.date(2025, 2, 8) if late else dt.date(2025, 2, 1))
    if verify_by is not None:
        services.report_verify(report=report, by=verify_by)
    return report_of(unit)


def _login(client, user):
    client.force_login(user)
    client.get("/api/units?limit=1")  # the session, content types: not counted below
    return client


@pytest.fixture
def monitored():
    world = build_world()
    plan = campaign(world)
    _other_branch(world)
    return world, plan


# --- who sees what -----------------------------------------------------------------------------


def test_anonymous_is_refused_with_401(client, monitored):
    world, plan = monitored
    period = root_period(plan)
    report = report_of(world.G1)
    for url in (
        "/api/reports",
        f"/api/reports/{report.pk}",
        f"/api/periods?plan={plan.pk}",
        f"/api/periods/{period.pk}",
        f"/api/periods/{period.pk}/board",
        f"/api/periods/{period.pk}/ranking",
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Bạn cần đăng nhập."}


def test_report_lists_hold_only_the_scope(client, monitored):
    world, _plan = monitored
    assert Report.objects.filter(unit__in=[world.D2, world.D3]).exists()  # rows the district must not see

    _login(client, world.users["district"])
    body = client.get("/api/reports?limit=500").json()
    units = {item["unit_id"] for item in body["items"]}
    assert units == {world.D1.pk, world.G1.pk, world.G1b.pk}
    assert body["count"] == 6  # three units, two periods
    text = str(body)
    assert world.G1.name in text and world.D2.name not in text and world.D3.name not in text

    _login(client, world.users["grassroots"])
    assert {item["unit_id"] for item in client.get("/api/reports?limit=500").json()["items"]} == {world.G1.pk}

    _login(client, make_user("chi-nhanh-ba", (world.D3, Role.OFFICER)))
    body = client.get("/api/reports?limit=500").json()
    assert {item["unit_id"] for item in body["items"]} == {world.D3.pk} and body["count"] == 1


def test_another_branch_gets_404_on_what_lies_outside_its_scope(client, monitored):
    world, plan = monitored
    period = root_period(plan)
    g1 = report_of(world.G1)
    _login(client, make_user("chi-nhanh-ba", (world.D3, Role.OFFICER)))
    for url in (
        f"/api/reports/{g1.pk}",
        f"/api/periods/{period.pk}",
        f"/api/periods?plan={plan.pk}",
        f"/api/periods/{period.pk}/board",
        f"/api/periods/{period.pk}/ranking",
        f"/api/reports?unit={world.G1.pk}",
        f"/api/reports?period={period.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND

    # D2 sees P's period (an issued plan is read below its issuer) but not D1's subtree.
    _login(client, make_user("huyen-hai", (world.D2, Role.OFFICER)))
    assert client.get(f"/api/periods/{period.pk}/board").status_code == 200
    for url in (
        f"/api/periods/{period.pk}/board?unit={world.G1.pk}",
        f"/api/periods/{period.pk}/ranking?unit={world.D1.pk}",
        f"/api/reports/{g1.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND


# --- filters and paging --------------------------------------------------------------------------


def test_filters_by_period_unit_and_status(client, monitored):
    world, plan = monitored
    _sent(world.G1)
    campaign_january = root_period(plan)
    copy = Period.objects.get(source=campaign_january)  # D1's plan inherits January
    _login(client, world.users["district"])

    def units(url):
        body = client.get(url).json()
        assert body["count"] == len(body["items"])
        return sorted(item["unit_id"] for item in body["items"])

    # A campaign period: its reports at every level; an inherited one: the reports of that plan.
    assert units(f"/api/reports?period={campaign_january.pk}") == sorted([world.D1.pk, world.G1.pk, world.G1b.pk])
    assert units(f"/api/reports?period={copy.pk}") == sorted([world.G1.pk, world.G1b.pk])
    assert units(f"/api/reports?unit={world.G1.pk}") == [world.G1.pk, world.G1.pk]  # January and February
    assert units("/api/reports?status=submitted") == [world.G1.pk]
    assert units(f"/api/reports?status=due&period={copy.pk}") == [world.G1b.pk]
    assert units(f"/api/reports?unit={world.D1.pk}&status=verified") == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/reports?status=bogus",
        "/api/reports?status=DUE",
        "/api/reports?unit=abc",
        "/api/reports?period=0",
        "/api/reports?period=99999999999999999999999",
        "/api/reports?limit=0",
        "/api/reports?limit=501",
        "/api/reports?offset=-1",
        "/api/reports/0",
        "/api/periods?plan=-3",
        "/api/periods/abc",
        "/api/periods/{period}/ranking?span=forever",
        "/api/periods/{period}/ranking?cluster=0",
        "/api/periods/{period}/board?unit=x",
    ],
)
def test_bad_filters_are_422(client, monitored, url):
    world, plan = monitored
    _login(client, world.users["district"])
    response = client.get(url.format(period=root_period(plan).pk))
    assert response.status_code == 422, response.content[:300]
    assert response.json()["detail"] == "Dữ liệu gửi lên không hợp lệ."


def test_reports_are_paged(client, monitored):
    world, _plan = monitored
    _login(client, world.users["province"])  # P, D1, D2 and D1's grassroots: 4 units x 2 periods
    everything = client.get("/api/reports?limit=500").json()
    assert everything["count"] == 8 and len(everything["items"]) == 8
    pages = [client.get(f"/api/reports?limit=3&offset={offset}").json() for offset in (0, 3, 6)]
    assert [len(p["items"]) for p in pages] == [3, 3, 2]
    assert all(p["count"] == 8 for p in pages)
    assert [item["id"] for p in pages for item in p["items"]] == [item["id"] for item in everything["items"]]
    assert client.get("/api/reports?limit=3&offset=9").json() == {"count": 8, "items": []}


# --- one report ----------------------------------------------------------------------------------


def test_report_detail_gives_values_adjustments_and_events(client, monitored):
    world, _plan = monitored
    district = world.users["district"]
    report = _sent(world.G1, late=True, verify_by=district)
    services.score_adjust(report=report, by=district, score="70", reason="Phúc tra minh chứng")
    _login(client, world.users["grassroots"])
    body = client.get(f"/api/reports/{report.pk}").json()

    assert body["id"] == report.pk and body["unit_id"] == world.G1.pk and body["unit_name"] == world.G1.name
    assert body["period_name"] == "Tháng 01/2025" and body["plan_id"] == report.period.plan_id
    assert body["status"] == "verified" and body["late"] is True
    assert Decimal(body["self_score"]) == Decimal("77.50")  # 100 x (1 + 0.5 + 2 x 0.8) / 4
    assert Decimal(body["score"]) == Decimal("70")
    assert body["submitted_at"].startswith("2025-02-08") and body["verified_at"]
    assert body["narrative"] == "Đã thực hiện"
    values = {v["kind"]: v for v in body["values"]}
    assert [v["name"] for v in body["values"]] == ["Tổ chức phát động", "Sáng kiến", "Chấm điểm phong trào"]
    assert values["yes_no"]["done"] is True and values["yes_no"]["number"] is None
    assert Decimal(values["number"]["number"]) == 1 and Decimal(values["score"]["number"]) == 8
    [adjustment] = body["adjustments"]
    assert adjustment["level"] == {"id": world.D1.pk, "name": world.D1.name}
    assert Decimal(adjustment["before"]) == Decimal("77.50") and Decimal(adjustment["after"]) == 70
    assert adjustment["reason"] == "Phúc tra minh chứng"
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("start", "due", "draft"),
        ("submit", "draft", "submitted"),
        ("verify", "submitted", "verified"),
        ("adjust", "verified", "verified"),
    ]
    # No account of who did what (the page's names stay on the page).
    assert "by" not in adjustment and all("by" not in e for e in body["events"]) and "verified_by" not in body
    assert district.username not in str(body)


def test_an_unanswered_criterion_is_listed_empty(client, monitored):
    world, _plan = monitored
    _login(client, world.users["district"])
    body = client.get(f"/api/reports/{report_of(world.G1b).pk}").json()
    assert body["status"] == "due" and body["score"] is None
    assert [(v["done"], v["number"]) for v in body["values"]] == [(None, None)] * 3
    assert body["adjustments"] == [] and body["events"] == []


# --- periods -------------------------------------------------------------------------------------


def test_periods_of_a_plan_and_one_period(client, monitored):
    world, plan = monitored
    january = root_period(plan)
    copy = Period.objects.select_related("plan").get(source=january)
    _login(client, world.users["district"])

    body = client.get(f"/api/periods?plan={plan.pk}").json()
    assert [(p["name"], p["inherited"]) for p in body["items"]] == [("Tháng 01/2025", False), ("Tháng 02/2025", False)]
    assert body["count"] == 2
    body = client.get(f"/api/periods?plan={copy.plan_id}").json()
    assert [p["root_id"] for p in body["items"]] == [january.pk, root_period(plan, FEBRUARY["name"]).pk]

    detail = client.get(f"/api/periods/{copy.pk}").json()
    assert detail == {
        "id": copy.pk,
        "kind": "month",
        "name": "Tháng 01/2025",
        "start": "2025-01-01",
        "end": "2025-01-31",
        "due_on": "2025-02-05",
        "status": "open",
        "plan_id": copy.plan_id,
        "plan_title": copy.plan.title,
        "inherited": True,
        "source_id": january.pk,
        "root_id": january.pk,
    }
    assert client.get(f"/api/periods/{january.pk}").json()["root_id"] == january.pk

    # Without a plan: every period the user sees (P's and D1's here, not P2's).
    everything = client.get("/api/periods?limit=500").json()
    assert {p["plan_id"] for p in everything["items"]} == {plan.pk, copy.plan_id}


def test_periods_of_a_draft_plan_are_seen_as_the_plan_is(client):
    world = build_world()
    plan = issued_plan(world.D1, title="Kế hoạch huyện Một", due_on=dt.date(2025, 3, 5))
    services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)
    draft = make_plan(world.D1, title="Dự thảo huyện Một")
    services.period_add(plan=draft, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)
    _login(client, world.users["grassroots"])  # below D1: reads the issued plan, not the draft
    assert client.get(f"/api/periods?plan={plan.pk}").json()["count"] == 1
    assert client.get(f"/api/periods?plan={draft.pk}").status_code == 404
    assert client.get(f"/api/periods/{Period.objects.get(plan=draft).pk}").status_code == 404
    _login(client, world.users["district"])
    assert client.get(f"/api/periods?plan={draft.pk}").json()["count"] == 1


# --- boards and rankings -------------------------------------------------------------------------


def test_the_board_counts_per_level_and_per_child(client, monitored):
    world, plan = monitored
    district = world.users["district"]
    _sent(world.G1, verify_by=district)
    _sent(world.G1b, late=True)
    period = root_period(plan)

    _login(client, world.users["province"])  # sees the issuer: the board starts at P
    body = client.get(f"/api/periods/{period.pk}/board").json()
    assert body["root"] == {"id": world.P.pk, "name": world.P.name}
    assert body["campaign_period_id"] == period.pk and body["overdue"] is True and body["closed"] is False
    assert [(lv["depth"], lv["counts"]["owed"], lv["counts"]["not_sent"]) for lv in body["levels"]] == [
        (3, 2, 2),
        (4, 2, 0),
    ]
    assert all(lv["kinds"] for lv in body["levels"])
    assert body["total"]["owed"] == 4 and body["total"]["verified"] == 1 and body["total"]["late"] == 1
    rows = {row["unit"]["id"]: row for row in body["rows"]}
    assert set(rows) == {world.D1.pk, world.D2.pk}
    d1 = rows[world.D1.pk]
    assert (d1["below"]["verified"], d1["below"]["submitted"], d1["below"]["late"]) == (1, 1, 1)
    assert d1["own"]["status"] == "due" and d1["own"]["id"] == report_of(world.D1).pk
    assert d1["total"]["owed"] == 3 and d1["total"]["not_sent"] == 1

    _login(client, district)  # does not see P: the board starts at the top of the district's scope
    body = client.get(f"/api/periods/{period.pk}/board").json()
    assert body["root"]["id"] == world.D1.pk
    rows = {row["unit"]["id"]: row["own"]["status"] for row in body["rows"]}
    assert rows == {world.G1.pk: "verified", world.G1b.pk: "submitted"}
    # The inherited period answers with its campaign period's board.
    copy = Period.objects.get(source=period)
    assert client.get(f"/api/periods/{copy.pk}/board").json()["total"] == body["total"]
    assert client.get(f"/api/periods/{period.pk}/board?unit={world.G1.pk}").json()["rows"] == []


def test_the_ranking_orders_units_and_states_its_rules(client, monitored):
    world, plan = monitored
    district = world.users["district"]
    _sent(world.G1, verify_by=district)  # 77.50
    _sent(world.G1b, verify_by=district, initiatives="2", points="10")  # 100
    period = root_period(plan)
    _login(client, district)

    body = client.get(f"/api/periods/{period.pk}/ranking").json()
    assert body["root"]["id"] == world.D1.pk and body["span"] == "period" and body["periods"] == 1
    assert body["formula"] == str(scoring.FORMULA) and body["tie_break"] == str(scoring.TIE_BREAK)
    assert [(r["position"], r["unit"]["id"], Decimal(r["score"]), r["on_time"]) for r in body["rows"]] == [
        (1, world.G1b.pk, Decimal(100), 1),
        (2, world.G1.pk, Decimal("77.50"), 1),
    ]
    whole = client.get(f"/api/periods/{period.pk}/ranking?span=campaign").json()
    assert whole["periods"] == 2
    assert [Decimal(r["score"]) for r in whole["rows"]] == [Decimal(50), Decimal("38.75")]

    # A cluster of the campaign: only its units the user sees are ranked; an unknown cluster is 404.
    cluster = services.cluster_save(
        plan=plan, by=None, kind="cum", name="Cụm huyện", unit_ids=[world.D1.pk, world.D2.pk]
    )
    body = client.get(f"/api/periods/{period.pk}/ranking?cluster={cluster.pk}").json()
    assert body["cluster"] == {"id": cluster.pk, "kind": "cum", "name": "Cụm huyện"}
    assert [r["unit"]["id"] for r in body["rows"]] == [world.D1.pk]
    _login(client, world.users["province"])
    body = client.get(f"/api/periods/{period.pk}/ranking?cluster={cluster.pk}").json()
    assert {r["unit"]["id"] for r in body["rows"]} == {world.D1.pk, world.D2.pk}
    assert client.get(f"/api/periods/{period.pk}/ranking?cluster={cluster.pk + 1000}").status_code == 404


# --- cost ------------------------------------------------------------------------------------------


def _unit_with_children(world, name, n):
    """A unit under D1 with ``n`` units below it, each owing a report of the unit's plan."""
    parent = make_unit(world.D1, name, "grassroots")
    for i in range(n):
        make_unit(parent, f"{name} tổ {i + 1}", "union-group")
    plan = issued_plan(parent, title=f"Kế hoạch {name}", due_on=dt.date(2025, 3, 5))
    period = services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)
    assert Report.objects.filter(period=period).count() == n
    return parent, period


def test_query_counts_do_not_grow_with_the_rows(client):
    world = build_world()
    small, small_period = _unit_with_children(world, "Đơn vị nhỏ", 1)
    large, large_period = _unit_with_children(world, "Đơn vị lớn", 50)
    for period in (small_period, large_period):  # some rows verified, late and adjusted
        report = Report.objects.select_related("period", "unit", "unit__parent").filter(period=period).first()
        services.report_save(report=report, by=None, values={}, narrative="Kết quả")
        services.report_submit(report=report, by=None, today=dt.date(2025, 2, 8))
        services.report_verify(report=report, by=None)
        services.score_adjust(report=report, by=world.users["district"], score="60", reason="Phúc tra")
    _login(client, world.users["district"])

    def cost(unit, period):
        urls = [
            f"/api/reports?unit={unit.pk}&limit=500",
            f"/api/reports?period={period.pk}&limit=500",
            f"/api/periods/{period.pk}/board?unit={unit.pk}",
            f"/api/periods/{period.pk}/ranking?unit={unit.pk}",
            f"/api/periods?plan={period.plan_id}",
        ]
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            counts.append(len(queries))
        return counts, [response.json() for response in (client.get(urls[0]), client.get(urls[2]))]

    small_cost, (small_list, small_board) = cost(small, small_period)
    large_cost, (large_list, large_board) = cost(large, large_period)
    assert len(small_list["items"]) == 1 and len(large_list["items"]) == 50
    assert len(small_board["rows"]) == 1 and len(large_board["rows"]) == 50
    assert small_cost == large_cost

    # One report: the same queries with no value, event or adjustment as with several.
    bare = Report.objects.filter(period=large_period, status="due").first()
    busy = Report.objects.get(period=large_period, status="verified")
    counts = []
    for report in (bare, busy):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/reports/{report.pk}").json()
        counts.append(len(queries))
    assert len(body["events"]) == 4 and len(body["adjustments"]) == 1
    assert counts[0] == counts[1]
