"""The Bắc Kạn demo's inspections of Plan 07, loaded on the demo's own tree, accounts and Plan 07
cascade (what ``load_inspections`` reads; the reports and the portal are left out to keep it quick)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from thidua.accounts.models import User
from thidua.demo.accounts import create_demo_accounts
from thidua.demo.campaign import load_plan_07
from thidua.demo.generator import build
from thidua.demo.inspections import load_inspections
from thidua.inspections import selectors
from thidua.inspections.models import Finding, FollowUp, FollowUpEvent, Inspection, InspectionTarget
from thidua.units.models import Unit

pytestmark = pytest.mark.django_db


def story() -> list[tuple]:
    """Everything a person would see of the rounds, in a stable order."""
    return [
        *Inspection.objects.order_by("start").values_list("name", "status", "start", "end"),
        *InspectionTarget.objects.order_by("inspection__start", "unit__code").values_list("unit__code", "scheduled_on"),
        *Finding.objects.order_by("pk").values_list("target__unit__code", "severity", "text", "evidence_name"),
        *FollowUp.objects.order_by("pk").values_list("owner__code", "due_on", "status", "done_on"),
    ]


def test_two_rounds_of_plan_07_with_findings_and_follow_ups_in_every_state():
    build("bac-kan", members=200)
    create_demo_accounts()
    plan = load_plan_07()
    assert plan.document_number == "07/KH-LĐLĐ"
    with transaction.atomic():
        load_inspections(plan)
        first = story()
        transaction.set_rollback(True)
    rounds = load_inspections(plan)
    assert story() == first  # the same on every load

    province = Unit.objects.get(code="BK")
    officer = User.objects.get(username="tinh.thidua")
    assert [(r.unit, r.plan) for r in rounds] == [(province, plan), (province, plan)]
    one, two = (Inspection.objects.get(pk=r.pk) for r in rounds)
    assert (one.start, one.end, one.status) == (dt.date(2018, 12, 3), dt.date(2019, 1, 25), "closed")
    assert (two.start, two.end, two.status) == (dt.date(2019, 6, 10), dt.date(2019, 7, 26), "in_progress")
    assert two.can_close(officer)  # every unit of round 2 concluded: the officer may close it
    for inspection, mine in ((one, "BK-BB-001"), (two, "BK-NR-001")):
        targets = list(inspection.targets.select_related("unit__kind"))
        districts = [t for t in targets if t.unit.parent_id == province.pk]
        grassroots = [t for t in targets if t.unit.kind.is_grassroots]
        assert 4 <= len(districts) <= 6 and 2 <= len(grassroots) <= 4
        assert mine in {t.unit.code for t in grassroots}  # a demo account's union is visited
        for target in targets:
            assert inspection.start <= target.scheduled_on <= inspection.end
            assert target.scheduled_on.weekday() < 5
            assert target.findings.exists()
            assert target.findings.exclude(evidence="").exists()  # the signed minutes
    assert set(Finding.objects.values_list("severity", flat=True)) >= {"good", "shortcoming"}
    statuses = {s: FollowUp.objects.filter(status=s).count() for s in FollowUp.Status.values}
    assert statuses["closed"] >= 5 and statuses["open"] >= 3 and statuses["done"] >= 1, statuses
    assert FollowUpEvent.objects.filter(action="reopen").exists()  # one was sent back
    closed_by = set(FollowUpEvent.objects.filter(action="close").values_list("by__username", flat=True))
    assert closed_by == {"tinh.thidua"}
    assert FollowUpEvent.objects.filter(action="done", by__username="babe.thidua").exists()
    counts = selectors.followup_counts(province, dt.date(2019, 10, 1))
    assert counts["overdue"] >= 3 and counts["total"] == FollowUp.objects.count()
    assert selectors.overdue_followups(province, dt.date(2019, 10, 1), campaign=plan).count() == counts["overdue"]
    assert one.follow_ups.filter(status="open").exists()  # round 1 left something long overdue
