"""Real concurrent connections on PostgreSQL: numbers and urging stay exact."""

from __future__ import annotations

import datetime as dt

import pytest

from thidua.campaigns import services
from thidua.campaigns.models import Plan, Reminder
from thidua.notifications.models import Notification
from thidua.testing import build_world, run_concurrently

from .factories import issued_plan, make_plan

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_officers_creating_plans_at_once_get_distinct_numbers():
    world = build_world()
    outcomes = run_concurrently(
        *[(lambda i=i: make_plan(world.P, title=f"Kế hoạch {i}", contents=0)) for i in range(8)]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(Plan.objects.filter(issuer=world.P).values_list("number", flat=True)) == list(range(1, 9))


def test_double_clicked_urging_reminds_once():
    world = build_world()
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    day = dt.date(2025, 3, 20)
    outcomes = run_concurrently(*[(lambda: services.obligations_urge(plan=plan, by=None, day=day)) for _ in range(4)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o[0] for o in outcomes) == 2
    assert Reminder.objects.count() == 2
    assert Notification.objects.count() == 1  # D1 has one officer (two roles), D2 none


def test_simultaneous_issue_wins_once():
    world = build_world()
    plan = make_plan(world.P)
    outcomes = run_concurrently(*[(lambda: services.plan_issue(plan=plan, by=None)) for _ in range(3)])
    assert sum(isinstance(o, Plan) for o in outcomes) == 1
    assert Plan.objects.get(pk=plan.pk).events.filter(to_status="issued").count() == 1
