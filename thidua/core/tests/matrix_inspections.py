"""Scope-matrix rows of inspections: rounds, their inspected units, findings with evidence,
follow-ups and every action on them, and the plan's inspections page.

Every object hangs off a round run by the target unit itself under a plan it issued, inspecting
a fresh leaf under it (created before the plan is issued, so the plan applies to it). So the
inspecting level is the target, and the inspected unit and the follow-up's owner lie below it:
every relation reads and writes as the target does.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thidua.accounts.roles import Perm
from thidua.campaigns.tests.factories import issued_plan
from thidua.core.tests.matrix_rows import GIVEN, _leaf
from thidua.inspections import services
from thidua.inspections.models import Finding, FollowUp, Inspection, InspectionTarget
from thidua.scope_matrix import Resource, Write
from thidua.testing import IN_SCOPE

SHARED_DOWN = (*IN_SCOPE, "parent")  # an issued plan is read below its issuer
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
START, DAY, END = dt.date(2025, 3, 10), dt.date(2025, 3, 12), dt.date(2025, 3, 31)


def _plan(target, relation):
    """An issued plan of the target: it applies to the units under the target made before it."""
    return issued_plan(target, title=f"Kế hoạch được kiểm tra {GIVEN[relation]} {relation}", due_on=dt.date(2025, 3, 5))


def _round(world, relation, target):
    """A planned round of the target inspecting a fresh leaf under it."""
    leaf = _leaf(world, relation, target)
    plan = _plan(target, relation)
    inspection = services.inspection_create(
        plan=plan, unit=target, by=None, name=f"Kiểm tra {GIVEN[relation]} {relation}", start=START, end=END
    )
    services.targets_add(inspection=inspection, by=None, units=[leaf], scheduled_on=DAY)
    return Inspection.objects.select_related("unit", "plan").get(pk=inspection.pk)


def _started(world, relation, target):
    return services.inspection_start(inspection=_round(world, relation, target), by=None)


def _target(world, relation, target):
    inspection = _round(world, relation, target)
    return InspectionTarget.objects.select_related("unit", "inspection").get(inspection=inspection)


def _finding(world, relation, target):
    inspection = _started(world, relation, target)
    return services.finding_add(
        target=inspection.targets.get(),
        by=None,
        severity="shortcoming",
        text=f"Kết luận {GIVEN[relation]} {relation}",
        upload=SimpleUploadedFile(f"bien-ban-kiem-tra-{relation}.pdf", PDF),
    )


def _concluded(world, relation, target):
    """A round under way with a finding at its one inspected unit: ready to close."""
    return _finding(world, relation, target).target.inspection


def _follow_up(world, relation, target):
    finding = _finding(world, relation, target)
    return services.followup_add(
        finding=finding,
        by=None,
        owner=finding.target.unit,
        description=f"Khắc phục {GIVEN[relation]} {relation}",
        due_on=dt.date(2025, 4, 30),
    )


def _done(world, relation, target):
    return services.followup_done(follow_up=_follow_up(world, relation, target), by=None, note="Đã bổ sung hồ sơ")


def _closed_follow_up(world, relation, target):
    """A follow-up reported done and accepted: events of a round and of a follow-up, a finding."""
    return services.followup_close(follow_up=_done(world, relation, target), by=None)


# --- rounds ----------------------------------------------------------------------------------------


def _inspection_add(world, relation, target):
    plan = _plan(target, relation)
    name = f"Đợt mới {GIVEN[relation]} {relation}"
    return Write(
        reverse("inspections:add", args=[plan.pk]),
        {"unit": target.pk, "name": name, "start": "10/03/2025", "end": "31/03/2025", "note": ""},
        lambda: Inspection.objects.filter(plan=plan, name=name).exists(),
    )


def _inspection_edit(inspection):
    name = f"{inspection.name} đã sửa"
    return Write(
        reverse("inspections:edit", args=[inspection.pk]),
        {"name": name, "start": "10/03/2025", "end": "31/03/2025", "note": "Kiểm tra hồ sơ"},
        lambda: Inspection.objects.filter(pk=inspection.pk, name=name).exists(),
    )


def _status_is(model, obj, status):
    return lambda: model.objects.get(pk=obj.pk).status == status


INSPECTIONS = Resource(
    name="inspections",
    make=_round,
    marker=lambda i: i.name,
    page_marker=lambda i: f'href="{reverse("inspections:detail", args=[i.pk])}"',
    list_urls=[lambda i: reverse("inspections:list")],
    export_urls=[lambda i: reverse("inspections:list") + "?format=xlsx"],
    api_list_urls=[lambda i: "/api/inspections"],
    detail_url=lambda i: reverse("inspections:detail", args=[i.pk]),
    api_detail_url=lambda i: f"/api/inspections/{i.pk}",
    edit=_inspection_edit,
    create=_inspection_add,
    write_perm=Perm.MANAGE_EMULATION,
)

# The plan's page lists its rounds and offers the form; it is read wherever the plan is.
INSPECTION_PLAN_PAGE = Resource(
    name="inspections-of-a-plan",
    make=_round,
    marker=lambda i: i.name,
    detail_url=lambda i: reverse("inspections:plan", args=[i.plan_id]),
    visible_in=SHARED_DOWN,
    write_perm=Perm.MANAGE_EMULATION,
)

INSPECTION_START = Resource(
    name="inspection-start",
    make=_round,
    marker=lambda i: i.name,
    approve=lambda i: Write(
        reverse("inspections:start", args=[i.pk]), {}, _status_is(Inspection, i, Inspection.Status.IN_PROGRESS)
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

INSPECTION_CLOSE = Resource(
    name="inspection-close",
    make=_concluded,
    marker=lambda i: i.name,
    approve=lambda i: Write(
        reverse("inspections:close", args=[i.pk]),
        {"reason": "Thông báo kết luận số 12/TB-LĐLĐ"},
        _status_is(Inspection, i, Inspection.Status.CLOSED),
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

# --- inspected units ---------------------------------------------------------------------------------


def _targets_add(world, relation, target):
    leaf = _leaf(world, relation, target)
    plan = _plan(target, relation)
    inspection = services.inspection_create(
        plan=plan, unit=target, by=None, name=f"Chọn đơn vị {GIVEN[relation]} {relation}", start=START, end=END
    )
    return Write(
        reverse("inspections:targets_add", args=[inspection.pk]),
        {"units": [leaf.pk], "scheduled_on": "12/03/2025"},
        lambda: InspectionTarget.objects.filter(inspection=inspection, unit=leaf).exists(),
    )


TARGETS = Resource(
    name="inspection-targets",
    make=_target,
    marker=lambda t: t.unit.name,
    page_marker=lambda t: f'href="{reverse("inspections:target", args=[t.pk])}"',
    list_urls=[lambda t: reverse("inspections:targets")],
    export_urls=[lambda t: reverse("inspections:targets") + "?format=xlsx"],
    detail_url=lambda t: reverse("inspections:target", args=[t.pk]),
    delete=lambda t: Write(
        reverse("inspections:target_remove", args=[t.pk]),
        {},
        lambda: not InspectionTarget.objects.filter(pk=t.pk).exists(),
    ),
    create=_targets_add,
    write_perm=Perm.MANAGE_EMULATION,
)

# --- findings ------------------------------------------------------------------------------------------


def _finding_add(world, relation, target):
    inspection = _started(world, relation, target)
    inspected = inspection.targets.get()
    return Write(
        reverse("inspections:finding_add", args=[inspected.pk]),
        {"severity": "violation", "text": "Chưa lập sổ theo dõi phong trào"},
        lambda: Finding.objects.filter(target=inspected).exists(),
    )


FINDINGS = Resource(
    name="inspection-findings",
    make=_finding,
    marker=lambda f: f.text,
    api_list_urls=[lambda f: "/api/findings"],
    detail_url=lambda f: reverse("inspections:evidence", args=[f.pk]),
    api_detail_url=lambda f: f"/api/findings/{f.pk}",
    delete=lambda f: Write(
        reverse("inspections:finding_remove", args=[f.pk]), {}, lambda: not Finding.objects.filter(pk=f.pk).exists()
    ),
    create=_finding_add,
    write_perm=Perm.MANAGE_EMULATION,
)

# --- follow-ups ----------------------------------------------------------------------------------------


def _followup_add(world, relation, target):
    finding = _finding(world, relation, target)
    return Write(
        reverse("inspections:followup_add", args=[finding.pk]),
        {"owner": finding.target.unit_id, "description": "Lập sổ theo dõi", "due_on": "30/04/2025"},
        lambda: FollowUp.objects.filter(finding=finding).exists(),
    )


FOLLOW_UPS = Resource(
    name="inspection-follow-ups",
    make=_follow_up,
    marker=lambda f: f.description,
    page_marker=lambda f: f'href="{reverse("inspections:followup", args=[f.pk])}"',
    list_urls=[lambda f: reverse("inspections:followups")],
    export_urls=[lambda f: reverse("inspections:followups") + "?format=xlsx"],
    api_list_urls=[lambda f: "/api/follow-ups"],
    detail_url=lambda f: reverse("inspections:followup", args=[f.pk]),
    api_detail_url=lambda f: f"/api/follow-ups/{f.pk}",
    # The owner unit's side (and the levels above it) reports it done.
    edit=lambda f: Write(
        reverse("inspections:followup_done", args=[f.pk]),
        {"note": "Đã lập sổ theo dõi"},
        _status_is(FollowUp, f, FollowUp.Status.DONE),
    ),
    create=_followup_add,
    write_perm=Perm.MANAGE_EMULATION,
)

FOLLOW_UP_CLOSE = Resource(
    name="inspection-follow-up-close",
    make=_done,
    marker=lambda f: f.description,
    approve=lambda f: Write(
        reverse("inspections:followup_close", args=[f.pk]), {}, _status_is(FollowUp, f, FollowUp.Status.CLOSED)
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

FOLLOW_UP_REOPEN = Resource(
    name="inspection-follow-up-reopen",
    make=_done,
    marker=lambda f: f.description,
    approve=lambda f: Write(
        reverse("inspections:followup_reopen", args=[f.pk]),
        {"reason": "Chưa có biên bản"},
        _status_is(FollowUp, f, FollowUp.Status.OPEN),
    ),
    write_perm=Perm.MANAGE_EMULATION,
)

INSPECTIONS_ROWS = [
    INSPECTIONS,
    INSPECTION_PLAN_PAGE,
    INSPECTION_START,
    INSPECTION_CLOSE,
    TARGETS,
    FINDINGS,
    FOLLOW_UPS,
    FOLLOW_UP_CLOSE,
    FOLLOW_UP_REOPEN,
]
