"""Query budgets at province scale: ≥300 grassroots unions and ≥50,000 member registrations."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.accounts.models import User
from thidua.demo.accounts import create_demo_accounts
from thidua.demo.campaign import load_plan_07
from thidua.demo.generator import build
from thidua.members.models import Member
from thidua.registrations.models import MemberPledge, Registration
from thidua.registrations.selectors import coverage, coverage_by_counting
from thidua.testing import title
from thidua.units import tallies
from thidua.units.models import Unit

pytestmark = pytest.mark.django_db


def admin():
    return User.objects.get_or_create(username="scale-admin", defaults={"is_superuser": True})[0]


def test_board_and_coverage_budgets_hold_for_a_real_province(client):
    build("bac-kan", members=52_000, seed=11)
    create_demo_accounts()
    plan = load_plan_07(random.Random("scale"))
    grassroots = list(Unit.objects.filter(kind__is_grassroots=True).values_list("id", flat=True))
    assert len(grassroots) >= 300
    Registration.objects.bulk_create(
        [Registration(plan=plan, unit_id=u, status=Registration.Status.SUBMITTED) for u in grassroots], batch_size=1000
    )
    registration_of = dict(Registration.objects.filter(plan=plan).values_list("unit_id", "id"))
    award = title("Lao động tiên tiến")
    unit_of = dict(Member.objects.values_list("id", "unit_id"))
    pledges = [
        MemberPledge(registration_id=registration_of[unit], plan=plan, member_id=member, title=award)
        for member, unit in unit_of.items()
        if unit in registration_of
    ]
    MemberPledge.objects.bulk_create(pledges, batch_size=5000)
    assert MemberPledge.objects.count() >= 50_000
    tallies.rebuild()  # bulk inserts bypass the services that keep the coverage counts

    client.force_login(User.objects.get(username="tinh.thidua"))
    budgets = {reverse("campaigns:board", args=[plan.pk]): 12, reverse("registrations:coverage", args=[plan.pk]): 14}
    for url, budget in budgets.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert len(ctx.captured_queries) <= budget, (url, len(ctx.captured_queries))
    total = response.context["total"]
    assert total.registered_members >= 50_000 and total.registered_units >= 300
    root = Unit.objects.get(pk=total.unit.pk)
    assert coverage(plan, root, admin()) == coverage_by_counting(plan, root, admin())
