"""A campaign with a reporting calendar, built through the services as users would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from thidua.campaigns import services as campaigns
from thidua.campaigns.models import Criterion, Obligation, Plan
from thidua.campaigns.tests.factories import make_plan
from thidua.monitoring import services
from thidua.monitoring.models import Period, Report

JANUARY = {"kind": "month", "name": "Tháng 01/2025", "start": dt.date(2025, 1, 1), "end": dt.date(2025, 1, 31)}
FEBRUARY = {"kind": "month", "name": "Tháng 02/2025", "start": dt.date(2025, 2, 1), "end": dt.date(2025, 2, 28)}


def campaign(world: Any, *, implement: bool = True) -> Plan:
    """P's plan with two monthly periods (due 05/02 and 05/03/2025), a yes/no, a number and a
    weighted score criterion; D1 implements it, so D1, D2 and D1's grassroots units owe reports."""
    plan = make_plan(world.P, contents=0, issued_on=dt.date(2025, 1, 2))
    content = campaigns.content_save(plan=plan, name="Lao động giỏi, lao động sáng tạo", required=True)
    campaigns.criterion_save(content=content, name="Tổ chức phát động", kind="yes_no")
    campaigns.criterion_save(
        content=content, name="Sáng kiến", kind="number", unit_label="sáng kiến", target=Decimal("2")
    )
    campaigns.criterion_save(
        content=content, name="Chấm điểm phong trào", kind="score", max_score=Decimal("10"), weight=Decimal("2")
    )
    services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)
    services.period_add(plan=plan, by=None, due_on=dt.date(2025, 3, 5), **FEBRUARY)
    plan = campaigns.plan_issue(plan=plan, by=None, due_on=dt.date(2025, 1, 20))
    if implement:
        obligation = Obligation.objects.get(plan=plan, unit=world.D1)
        draft = campaigns.implementation_start(obligation=obligation, by=None, issued_on=dt.date(2025, 1, 10))
        campaigns.plan_issue(plan=draft, by=None, due_on=dt.date(2025, 1, 25))
    return plan


def report_of(unit: Any, name: str = "Tháng 01/2025") -> Report:
    return Report.objects.select_related("period", "unit", "unit__parent").get(unit=unit, period__name=name)


def values_for(report: Report, *, done: bool = True, initiatives: str = "1", points: str = "8") -> dict[int, Any]:
    criteria = {c.kind: c.pk for c in services.criteria_of(report)}
    return {
        criteria[Criterion.Kind.YES_NO]: done,
        criteria[Criterion.Kind.NUMBER]: initiatives,
        criteria[Criterion.Kind.SCORE]: points,
    }


def root_period(plan: Plan, name: str = "Tháng 01/2025") -> Period:
    return Period.objects.get(plan=plan, name=name)
