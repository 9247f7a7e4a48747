"""Inspection rounds for tests, built through the services as officers would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.campaigns.models import Plan
from thidua.campaigns.tests.factories import issued_plan
from thidua.inspections import services
from thidua.inspections.models import Finding, FollowUp, Inspection, InspectionTarget

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
START, END = dt.date(2025, 3, 10), dt.date(2025, 3, 31)
VISIT = dt.date(2025, 3, 12)
DUE = dt.date(2025, 4, 30)


def province_plan(world: Any) -> Plan:
    """P's issued plan for 2025: D1 and D2 (and every unit below them) implement it."""
    return issued_plan(world.P, title="Phát động thi đua năm 2025", due_on=dt.date(2025, 3, 5))


def round_of(
    world: Any, *, plan: Plan | None = None, unit: Any = None, units: tuple[Any, ...] = (), start: bool = True
) -> Inspection:
    """P (or ``unit``) inspecting D1 and G1 (or ``units``) on 12/03/2025, started unless told."""
    plan = plan or province_plan(world)
    inspection = services.inspection_create(
        plan=plan,
        unit=unit or world.P,
        by=None,
        name="Kiểm tra việc thực hiện kế hoạch thi đua năm 2025",
        start=START,
        end=END,
    )
    services.targets_add(inspection=inspection, by=None, units=list(units or (world.D1, world.G1)), scheduled_on=VISIT)
    if start:
        services.inspection_start(inspection=inspection, by=None)
    return Inspection.objects.select_related("unit", "plan").get(pk=inspection.pk)


def target_of(inspection: Inspection, unit: Any) -> InspectionTarget:
    return InspectionTarget.objects.select_related("unit", "inspection", "inspection__unit").get(
        inspection=inspection, unit=unit
    )


def finding_at(inspection: Inspection, unit: Any, *, evidence: bool = False, text: str = "") -> Finding:
    upload = SimpleUploadedFile("bien-ban.pdf", PDF) if evidence else None
    return services.finding_add(
        target=target_of(inspection, unit),
        by=None,
        severity="shortcoming",
        text=text or "Chưa lập sổ theo dõi phong trào thi đua.",
        upload=upload,
    )


def follow_up_for(finding: Finding, owner: Any = None, *, due_on: dt.date = DUE, text: str = "") -> FollowUp:
    follow_up = services.followup_add(
        finding=finding,
        by=None,
        owner=owner or finding.target.unit,
        description=text or "Lập sổ theo dõi kết quả phong trào thi đua.",
        due_on=due_on,
    )
    return fresh(follow_up)


def fresh(follow_up: FollowUp) -> FollowUp:
    return FollowUp.objects.select_related("owner", "inspection", "inspection__unit", "finding__target__unit").get(
        pk=follow_up.pk
    )
