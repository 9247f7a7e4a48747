"""Issuing asks for a due date that makes sense and for at least one unit to implement it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from thidua.campaigns import services
from thidua.campaigns.models import Obligation, Plan
from thidua.campaigns.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def _unchanged(plan):
    fresh = Plan.objects.get(pk=plan.pk)
    return fresh.status == Plan.Status.DRAFT and not Obligation.objects.filter(plan=plan).exists()


@pytest.mark.parametrize(
    ("due_on", "message"),
    [
        (dt.date(2020, 1, 1), "không được trước ngày ban hành"),  # issued 01/03/2025
        (dt.date(2026, 1, 15), "trong thời gian thi đua"),  # the window ends 31/12/2025
    ],
)
def test_a_due_date_outside_issue_date_and_window_is_refused(world, due_on, message):
    plan = make_plan(world.P)
    with pytest.raises(ValidationError, match=message):
        services.plan_issue(plan=plan, by=None, due_on=due_on)
    assert _unchanged(plan)


def test_issuing_to_nobody_is_refused_when_there_are_units_below(world):
    plan = make_plan(world.P)
    with pytest.raises(ValidationError, match="ít nhất một đơn vị"):
        services.plan_issue(plan=plan, by=None, units=[])
    assert _unchanged(plan)
    leaf = make_plan(world.T1a)  # a union group has no unit below: nobody to give it to, and that is fine
    assert services.plan_issue(plan=leaf, by=None, units=[]).status == Plan.Status.ISSUED


def test_the_default_due_date_stays_inside_a_short_window(world):
    plan = make_plan(world.P, issued_on=dt.date(2025, 12, 25))
    issued = services.plan_issue(plan=plan, by=None)
    assert set(Obligation.objects.filter(plan=issued).values_list("due_on", flat=True)) == {dt.date(2025, 12, 31)}


def test_the_issue_page_says_why_and_changes_nothing(client, world):
    plan = make_plan(world.P)
    client.force_login(world.users["province"])
    response = client.post(
        reverse("campaigns:issue", args=[plan.pk]), {"due_on": "01/01/2020", "units": [world.D1.pk]}, follow=True
    )
    assert "không được trước ngày ban hành (01/03/2025)" in response.content.decode()
    assert _unchanged(plan)
    response = client.post(reverse("campaigns:issue", args=[plan.pk]), {"due_on": "20/03/2025"}, follow=True)
    assert "ít nhất một đơn vị" in response.content.decode()
    assert _unchanged(plan)
