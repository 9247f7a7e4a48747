"""The plans page at province scale: campaigns first, an exact number first, tabs, filters, paging."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from thidua.campaigns import services
from thidua.campaigns.models import Obligation, Plan
from thidua.core.excel import read_table

from .factories import issued_plan, make_plan

pytestmark = pytest.mark.django_db


def _implement(plan: Plan, unit) -> Plan:
    obligation = Obligation.objects.get(plan=plan, unit=unit)
    implementation = services.implementation_start(obligation=obligation, by=None, issued_on=dt.date(2025, 3, 5))
    return services.plan_issue(plan=implementation, by=None, due_on=dt.date(2025, 3, 20))


def _numbers(response) -> list[str]:
    return [p.document_number for p in response.context["plans"]]


def test_campaigns_tab_lists_the_plans_that_launch_a_campaign_with_their_progress(client, world):
    campaign = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    district_plan = _implement(campaign, world.D1)
    client.force_login(world.users["province"])
    response = client.get(reverse("campaigns:list"))
    assert _numbers(response) == [campaign.document_number]
    assert district_plan.document_number not in _numbers(response)
    (shown,) = response.context["plans"]
    # D1 and D2 are obliged; D1 issued. G1 and G1b are obliged by D1's plan and have not.
    assert shown.progress == {"total": 4, "done": 1, "percent": 25}
    assert "1 / 4 đơn vị" in response.content.decode()

    response = client.get(reverse("campaigns:list") + "?tab=all")
    assert set(_numbers(response)) == {campaign.document_number, district_plan.document_number}


def test_an_exact_document_number_ranks_the_plan_itself_first(client, world):
    campaign = issued_plan(world.P, title="Phát động thi đua lao động giỏi", due_on=dt.date(2025, 3, 10))
    district_plan = _implement(campaign, world.D1)
    other = issued_plan(world.P, title="Thực hiện " + campaign.document_number + " ở khối doanh nghiệp")
    client.force_login(world.users["province"])
    short = campaign.document_number.split("-", 1)[1]
    assert campaign.number == 1
    for typed in (campaign.document_number, campaign.document_number.lower(), f" 1 / kh - {short.lower()} "):
        response = client.get(reverse("campaigns:list"), {"tab": "all", "q": typed})
        numbers = _numbers(response)
        assert numbers[0] == campaign.document_number, typed
    # Implementation plans mention the number in their title: they are found, after the plan itself.
    response = client.get(reverse("campaigns:list"), {"tab": "all", "q": campaign.document_number})
    assert set(_numbers(response)) == {campaign.document_number, district_plan.document_number, other.document_number}


def test_my_units_tab_holds_only_plans_my_units_issued(client, world):
    campaign = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    district_plan = _implement(campaign, world.D1)
    _implement(campaign, world.D2)
    client.force_login(world.users["district"])
    response = client.get(reverse("campaigns:list"), {"tab": "mine"})
    assert _numbers(response) == [district_plan.document_number]
    # The campaign from above is on the first tab; D2's plan is not D1's to read.
    assert _numbers(client.get(reverse("campaigns:list"))) == [campaign.document_number]
    assert len(_numbers(client.get(reverse("campaigns:list"), {"tab": "all"}))) == 2


def test_needs_my_action_keeps_campaigns_where_my_unit_still_owes_a_plan(client, world):
    owed = issued_plan(world.P, title="Còn nợ kế hoạch", due_on=dt.date(2025, 3, 10))
    done = issued_plan(world.P, title="Đã ban hành xong", due_on=dt.date(2025, 3, 10))
    _implement(done, world.D1)
    client.force_login(world.users["district"])
    response = client.get(reverse("campaigns:list"), {"todo": "1"})
    assert _numbers(response) == [owed.document_number]
    response = client.get(reverse("campaigns:list"), {"todo": "1", "tab": "all"})
    assert _numbers(response) == [owed.document_number]


def test_filters_by_issuer_level_year_and_status(client, world):
    campaign = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    district_plan = _implement(campaign, world.D1)
    draft = make_plan(
        world.P,
        title="Dự thảo năm sau",
        issued_on=dt.date(2026, 1, 5),
        window_start=dt.date(2026, 1, 1),
        window_end=dt.date(2026, 12, 31),
    )
    client.force_login(world.users["province"])
    url = reverse("campaigns:list")
    assert _numbers(client.get(url, {"tab": "all", "issuer": world.D1.pk})) == [district_plan.document_number]
    assert _numbers(client.get(url, {"tab": "all", "level": world.D1.depth})) == [district_plan.document_number]
    assert _numbers(client.get(url, {"tab": "all", "year": 2026})) == [draft.document_number]
    assert _numbers(client.get(url, {"tab": "all", "status": "draft"})) == [draft.document_number]
    choices = client.get(url).context["choices"]
    assert (world.P.pk, world.P.name) in choices["issuers"]
    assert [year for year, _label in choices["years"]] == [2026, 2025]
    # Nonsense in the query string is ignored, not an error.
    assert client.get(url, {"issuer": "x", "level": "-1", "year": "99999999999", "sort": "evil"}).status_code == 200


def test_pages_show_a_total_and_links_that_keep_the_filters(client, world):
    for i in range(55):
        make_plan(world.P, title=f"Dự thảo {i:02d}")
    client.force_login(world.users["province"])
    response = client.get(reverse("campaigns:list"), {"status": "draft", "sort": "title"})
    body = response.content.decode()
    assert "1–50 / 55" in body
    assert 'href="?status=draft&amp;sort=title&amp;page=2"' in body
    assert response.context["plans"][0].title == "Dự thảo 00"
    page2 = client.get(reverse("campaigns:list"), {"status": "draft", "sort": "title", "page": 2})
    assert "51–55 / 55" in page2.content.decode()
    assert [p.title for p in page2.context["plans"]] == [f"Dự thảo {i}" for i in range(50, 55)]
    reverse_sorted = client.get(reverse("campaigns:list"), {"status": "draft", "sort": "-title"})
    assert reverse_sorted.context["plans"][0].title == "Dự thảo 54"


def test_excel_holds_the_whole_filtered_set_not_only_the_page(client, world):
    for i in range(55):
        make_plan(world.P, title=f"Dự thảo {i:02d}")
    issued_plan(world.P, title="Đã ban hành")
    client.force_login(world.users["province"])
    response = client.get(reverse("campaigns:list"), {"status": "draft", "sort": "title", "format": "xlsx"})
    _header, rows = read_table(load_workbook(io.BytesIO(response.content)).active)
    titles = [row[1] for row in rows]
    assert titles == [f"Dự thảo {i:02d}" for i in range(55)]


def test_the_board_sorts_by_each_column_and_defaults_to_tree_order(client, world):
    campaign = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    _implement(campaign, world.D1)
    client.force_login(world.users["province"])
    url = reverse("campaigns:board", args=[campaign.pk])

    def units(**params) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return [row.obligation.unit.code for row in response.context["listing"].page]

    assert units() == ["D1", "G1", "G1b", "D2"]  # each unit under its parent
    # By name without diacritics: Công đoàn… Trạm, …Trường, then Liên đoàn… Hai, …Một.
    assert units(sort="unit") == ["G1b", "G1", "D2", "D1"]
    assert units(sort="-unit") == ["D1", "D2", "G1", "G1b"]
    for key in ("due", "-due", "status", "-status", "reminders", "-reminders"):
        assert sorted(units(sort=key)) == ["D1", "D2", "G1", "G1b"]
    assert units(level=world.G1.depth) == ["G1", "G1b"]
