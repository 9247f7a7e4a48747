"""Every paged list costs the same number of queries for 1 row as for 500 (issue 9, part 2).

Rows are bulk-inserted (the services are tested elsewhere); what is measured
is the page a user opens, so a per-row query anywhere in a list shows up here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from thidua.accounts.models import RoleAssignment, User
from thidua.accounts.roles import Role
from thidua.campaigns.models import Obligation, Plan
from thidua.members.models import Member
from thidua.monitoring import tallies
from thidua.monitoring.models import Period, Report
from thidua.notifications.models import Notification
from thidua.portal.models import Article, Category
from thidua.registrations.models import Registration
from thidua.testing import World, make_unit
from thidua.units.models import Unit

pytestmark = pytest.mark.django_db

START = 1000  # numbers and names of the rows added, clear of anything the world holds


def _plans(world: World, first: int, n: int, **fields: Any) -> list[Plan]:
    rows = [
        Plan(
            issuer=world.P,
            number=START + i,
            year=2025,
            issued_on=dt.date(2025, 3, 1),
            place="Bắc Kạn",
            title=f"Kế hoạch thử {i:04d}",
            search_text=f"{START + i:04d}/kh-p ke hoach thu {i:04d}",
            window_start=dt.date(2025, 1, 1),
            window_end=dt.date(2025, 12, 31),
            **fields,
        )
        for i in range(first, first + n)
    ]
    return Plan.objects.bulk_create(rows)


def _children(world: World, first: int, n: int) -> list[Unit]:
    return [make_unit(world.D1, f"Công đoàn cơ sở Thử {i:04d}", code=f"B{i:04d}") for i in range(first, first + n)]


def add_plans(world: World, first: int, n: int) -> None:
    _plans(world, first, n, status=Plan.Status.ISSUED)


def add_registrations(world: World, first: int, n: int) -> None:
    plans = _plans(world, first, n, status=Plan.Status.ISSUED)
    Registration.objects.bulk_create(Registration(plan=plan, unit=world.G1) for plan in plans)


def add_members(world: World, first: int, n: int) -> None:
    Member.objects.bulk_create(
        Member(
            unit=world.G1,
            full_name=f"Nguyễn Văn Thử {i:04d}",
            given_name="Thử",
            gender=Member.Gender.MALE,
            birth_year=1990,
            search_name=f"nguyen van thu {i:04d}",
            sort_key=f"thu {i:04d}",
        )
        for i in range(first, first + n)
    )


def add_children(world: World, first: int, n: int) -> None:
    _children(world, first, n)


def add_unit_search_results(world: World, first: int, n: int) -> None:
    _children(world, first, n)


def add_articles(world: World, first: int, n: int) -> None:
    category = Category.objects.first() or Category.objects.create(name="Tin tức", slug="tin-tuc")
    Article.objects.bulk_create(
        Article(unit=world.D1, category=category, title=f"Bài thử {i:04d}", slug=f"bai-thu-{i}", search_text=" bai")
        for i in range(first, first + n)
    )


def add_board_rows(world: World, first: int, n: int) -> None:
    plan = Plan.objects.filter(number=START - 1).first() or _plans(world, -1, 1, status=Plan.Status.ISSUED)[0]
    Obligation.objects.bulk_create(
        Obligation(plan=plan, unit=unit, due_on=dt.date(2025, 3, 20)) for unit in _children(world, first, n)
    )


def add_assignments(world: World, first: int, n: int) -> None:
    users = User.objects.bulk_create(
        User(username=f"thu{i:04d}", full_name=f"Người thử {i}") for i in range(first, first + n)
    )
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, unit=world.G1, role=Role.OFFICER) for user in users)


def add_notifications(world: World, first: int, n: int) -> None:
    user = world.users["district"]
    Notification.objects.bulk_create(
        Notification(user=user, message=f"Thông báo {i}", url="/plans/", created_at=timezone.now())
        for i in range(first, first + n)
    )


def _reporting_period(world: World) -> Period:
    plan = Plan.objects.filter(number=START - 2).first() or _plans(world, -2, 1, status=Plan.Status.ISSUED)[0]
    period, _new = Period.objects.get_or_create(
        plan=plan,
        name="Tháng 01/2025",
        defaults={"start": dt.date(2025, 1, 1), "end": dt.date(2025, 1, 31), "due_on": dt.date(2025, 2, 5)},
    )
    return period


def add_reports(world: World, first: int, n: int) -> None:
    period = _reporting_period(world)
    Report.objects.bulk_create(Report.owed(period, unit, status="submitted") for unit in _children(world, first, n))


def add_report_board_rows(world: World, first: int, n: int) -> None:
    """Children of D1 that owe a report, each with a grassroots unit below that owes one too."""
    period = _reporting_period(world)
    children = _children(world, first, n)
    below = [make_unit(child, f"Tổ thử {child.code}", "union-group", code=f"T{child.code}") for child in children]
    reports = Report.objects.bulk_create(Report.owed(period, unit) for unit in [*children, *below])
    tallies.add_owed(Report.objects.filter(pk__in=[r.pk for r in reports]).select_related("unit"))


def _report_board_url(world: World) -> str:
    return reverse("monitoring:board", args=[_reporting_period(world).pk]) + f"?unit={world.D1.pk}"


def _board_url(world: World) -> str:
    return reverse("campaigns:board", args=[Plan.objects.get(number=START - 1).pk])


LISTS: list[tuple[str, str, Callable[[World, int, int], None], Callable[[World], str]]] = [
    ("plans", "province", add_plans, lambda w: reverse("campaigns:list") + "?tab=all"),
    ("plan campaigns", "province", add_plans, lambda w: reverse("campaigns:list")),
    ("registrations", "district", add_registrations, lambda w: reverse("registrations:list")),
    ("members", "district", add_members, lambda w: reverse("members:list")),
    ("unit children", "district", add_children, lambda w: reverse("units:detail", args=[w.D1.pk])),
    ("unit search", "district", add_unit_search_results, lambda w: reverse("units:tree") + "?q=cong+doan+thu"),
    ("articles", "editor", add_articles, lambda w: reverse("portal:manage_list")),
    ("board", "province", add_board_rows, _board_url),
    ("assignments", "district", add_assignments, lambda w: reverse("accounts:assignments")),
    ("notifications", "district", add_notifications, lambda w: reverse("notifications:list")),
    ("reports", "district", add_reports, lambda w: reverse("monitoring:list")),
    ("report board", "province", add_report_board_rows, _report_board_url),
]


@pytest.mark.parametrize(("name", "actor", "add", "url"), LISTS, ids=[row[0] for row in LISTS])
def test_a_page_of_500_rows_costs_the_queries_of_one(client, world, name, actor, add, url):
    client.force_login(world.users[actor])

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(world))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    add(world, 0, 1)
    client.get(url(world))  # warm caches (sessions, content types) before measuring
    one, _body = queries()
    add(world, 1, 499)
    many, body = queries()
    assert many == one, f"{name}: {one} queries for 1 row, {many} for 500"
    # The page really shows a page of many rows, with its total and page links.
    assert "1–50 / " in body and 'rel="next"' in body, name


@pytest.mark.parametrize(("name", "actor", "add", "url"), LISTS, ids=[row[0] for row in LISTS])
def test_every_sortable_heading_sorts_both_ways(client, world, name, actor, add, url):
    import html
    import re

    client.force_login(world.users[actor])
    add(world, 0, 3)
    body = client.get(url(world)).content.decode()
    links = {html.unescape(href) for href in re.findall(r'<a class="sort" href="([^"]+)"', body)}
    if name not in ("notifications", "unit search"):  # lists with one natural order (newest; best level)
        assert links, f"{name}: no sortable heading"
    base = url(world)
    joiner = "&" if "?" in base else "?"
    for link in links:
        sort = dict(part.split("=", 1) for part in link.lstrip("?").split("&"))["sort"]
        for key in (sort, sort.lstrip("-"), "-" + sort.lstrip("-")):
            response = client.get(f"{base}{joiner}sort={key}")
            assert response.status_code == 200, f"{name}: sort={key}"
            assert 'aria-sort="ascending"' in response.content.decode() or key.startswith("-"), (name, key)
