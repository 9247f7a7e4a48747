"""Scope-matrix rows of monitoring: reports and each action on them, evidence, the reporting
calendar (periods, closing and reopening), boards, rankings and clusters.

A report belongs to a fresh leaf under the target, so "the level directly above" it is the
target itself (verify, return and reopen are decided there, as registrations are).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thidua.accounts.roles import Perm
from thidua.campaigns.models import Obligation
from thidua.campaigns.tests.factories import issued_plan, make_plan
from thidua.core.tests.matrix_rows import GIVEN, _leaf
from thidua.monitoring import services
from thidua.monitoring.models import Cluster, Evidence, Period, Report
from thidua.scope_matrix import Resource, Write
from thidua.testing import IN_SCOPE

SHARED_DOWN = (*IN_SCOPE, "parent")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JANUARY = {"kind": "month", "name": "Tháng 01/2025", "start": dt.date(2025, 1, 1), "end": dt.date(2025, 1, 31)}


def _reporting_plan(world):
    """An issued plan of the whole test tree with one period."""
    plan = getattr(world, "_reporting_plan", None)
    if plan is None:
        plan = issued_plan(world.R, title="Kế hoạch có báo cáo kết quả", due_on=dt.date(2025, 3, 5))
        services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)
        world.__dict__["_reporting_plan"] = plan
    return plan


def _report(world, relation, target):
    """The report a fresh leaf under the target owes (status "due")."""
    plan = _reporting_plan(world)
    leaf = _leaf(world, relation, target)
    Obligation.objects.create(plan=plan, unit=leaf, due_on=dt.date(2025, 3, 5))
    services.ensure_reports(plan)
    return Report.objects.select_related("unit", "unit__parent", "period").get(unit=leaf)


def _drafted(world, relation, target):
    report = _report(world, relation, target)
    services.report_save(report=report, by=None, values={}, narrative=f"Kết quả của {GIVEN[relation]}")
    return report


def _submitted(world, relation, target):
    report = _drafted(world, relation, target)
    return services.report_submit(report=report, by=None, today=dt.date(2025, 2, 1))


def _verified(world, relation, target):
    return services.report_verify(report=_submitted(world, relation, target), by=None)


def _status_is(report, status):
    return lambda: Report.objects.get(pk=report.pk).status == status


def _report_edit(report):
    text = f"Đã sửa {report.pk}"
    return Write(
        reverse("monitoring:report", args=[report.pk]),
        {"narrative": text},
        lambda: Report.objects.get(pk=report.pk).narrative == text,
    )


REPORTS = Resource(
    name="reports",
    make=_report,
    marker=lambda r: r.unit.name,
    page_marker=lambda r: f'href="{reverse("monitoring:report", args=[r.pk])}"',
    list_urls=[lambda r: reverse("monitoring:list")],
    export_urls=[lambda r: reverse("monitoring:list") + "?format=xlsx"],
    detail_url=lambda r: reverse("monitoring:report", args=[r.pk]),
    api_list_urls=[lambda r: "/api/reports?limit=500"],
    api_detail_url=lambda r: f"/api/reports/{r.pk}",
    edit=_report_edit,
    write_perm=Perm.MANAGE_EMULATION,
)

REPORT_SUBMIT = Resource(
    name="report-submit",
    make=_drafted,
    marker=lambda r: r.unit.name,
    edit=lambda r: Write(reverse("monitoring:submit", args=[r.pk]), {}, _status_is(r, "submitted")),
    write_perm=Perm.MANAGE_EMULATION,
)

REPORT_VERIFY = Resource(
    name="report-verify",
    make=_submitted,
    marker=lambda r: r.unit.name,
    approve=lambda r: Write(reverse("monitoring:verify", args=[r.pk]), {}, _status_is(r, "verified")),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),  # the leaf's parent (the target) is the level directly above
)

REPORT_RETURN = Resource(
    name="report-return",
    make=_submitted,
    marker=lambda r: r.unit.name,
    approve=lambda r: Write(
        reverse("monitoring:return", args=[r.pk]), {"comment": "Thiếu minh chứng"}, _status_is(r, "returned")
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

REPORT_REOPEN = Resource(
    name="report-reopen",
    make=_verified,
    marker=lambda r: r.unit.name,
    approve=lambda r: Write(
        reverse("monitoring:reopen", args=[r.pk]), {"reason": "Sai số liệu"}, _status_is(r, "returned")
    ),
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),
)

REPORT_ADJUST = Resource(
    name="report-adjust",
    make=_verified,
    marker=lambda r: r.unit.name,
    # Any level above the unit adjusts (the target and those above it, within their scope).
    approve=lambda r: Write(
        reverse("monitoring:adjust", args=[r.pk]),
        {"score": "55", "reason": "Phúc tra"},
        lambda: r.adjustments.filter(reason="Phúc tra").exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
)


def _evidence(world, relation, target):
    report = _report(world, relation, target)
    return services.evidence_add(report=report, upload=SimpleUploadedFile(f"bien-ban-{relation}.pdf", PDF), by=None)


def _evidence_add(world, relation, target):
    report = _report(world, relation, target)
    return Write(
        reverse("monitoring:evidence_add", args=[report.pk]),
        {"file": SimpleUploadedFile("minh-chung.pdf", PDF)},
        lambda: Evidence.objects.filter(report=report).exists(),
    )


EVIDENCE = Resource(
    name="report-evidence",
    make=_evidence,
    marker=lambda e: e.name,
    detail_url=lambda e: reverse("monitoring:evidence", args=[e.pk]),
    delete=lambda e: Write(
        reverse("monitoring:evidence_remove", args=[e.pk]), {}, lambda: not Evidence.objects.filter(pk=e.pk).exists()
    ),
    create=_evidence_add,
    write_perm=Perm.MANAGE_EMULATION,
)

# --- the calendar: periods of a draft plan of the target (its side writes) -----------------------


def _draft_period(world, relation, target):
    plan = make_plan(target, title=f"Dự thảo có lịch {GIVEN[relation]} {relation}")
    return services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)


def _period_add(world, relation, target):
    plan = make_plan(target, title=f"Dự thảo thêm kỳ {GIVEN[relation]} {relation}")
    return Write(
        reverse("monitoring:period_add", args=[plan.pk]),
        {"kind": "month", "name": "Tháng 03/2025", "start": "01/03/2025", "end": "31/03/2025", "due_on": "05/04/2025"},
        lambda: Period.objects.filter(plan=plan, name="Tháng 03/2025").exists(),
    )


PERIODS = Resource(
    name="periods",
    make=_draft_period,
    marker=lambda p: p.plan.title,  # every relation's period is "Tháng 01/2025"; its plan's title is not
    detail_url=lambda p: reverse("monitoring:calendar", args=[p.plan_id]),
    api_list_urls=[lambda p: "/api/periods?limit=500"],
    api_detail_url=lambda p: f"/api/periods/{p.pk}",
    more_detail_urls=[
        lambda p: reverse("monitoring:board", args=[p.pk]),
        lambda p: reverse("monitoring:board", args=[p.pk]) + "?format=xlsx",
        lambda p: reverse("monitoring:ranking", args=[p.pk]),
        lambda p: reverse("monitoring:review", args=[p.pk]),
        lambda p: reverse("monitoring:review", args=[p.pk]) + "?format=docx",
        lambda p: reverse("monitoring:review", args=[p.pk]) + "?format=xlsx",
    ],
    delete=lambda p: Write(
        reverse("monitoring:period_delete", args=[p.pk]), {}, lambda: not Period.objects.filter(pk=p.pk).exists()
    ),
    create=_period_add,
    write_perm=Perm.MANAGE_EMULATION,
)


def _monthly(world, relation, target):
    plan = make_plan(
        target,
        title=f"Dự thảo lịch tháng {GIVEN[relation]} {relation}",
        window_start=dt.date(2025, 1, 1),
        window_end=dt.date(2025, 3, 31),
    )
    return Write(
        reverse("monitoring:periods_generate", args=[plan.pk]),
        {"due_day": "5"},
        lambda: Period.objects.filter(plan=plan).count() == 3,
    )


MONTHLY_PERIODS = Resource(
    name="periods-monthly",
    make=_draft_period,
    marker=lambda p: p.name,
    create=_monthly,
    write_perm=Perm.MANAGE_EMULATION,
)


def _issued_period(world, relation, target):
    """A period of an issued plan of the target: read from below too, closed by the target's side."""
    _leaf(world, relation, target)
    plan = issued_plan(target, title=f"Ban hành có lịch {GIVEN[relation]} {relation}", due_on=dt.date(2025, 3, 5))
    return services.period_add(plan=plan, by=None, due_on=dt.date(2025, 2, 5), **JANUARY)


def _closed_period(world, relation, target):
    return services.period_close(period=_issued_period(world, relation, target), by=None)


PERIOD_CLOSE = Resource(
    name="period-close",
    make=_issued_period,
    marker=lambda p: p.name,
    detail_url=lambda p: reverse("monitoring:board", args=[p.pk]),
    approve=lambda p: Write(
        reverse("monitoring:period_close", args=[p.pk]),
        {},
        lambda: Period.objects.get(pk=p.pk).status == Period.Status.CLOSED,
    ),
    write_perm=Perm.MANAGE_EMULATION,
    visible_in=SHARED_DOWN,
)

PERIOD_REOPEN = Resource(
    name="period-reopen",
    make=_closed_period,
    marker=lambda p: p.name,
    approve=lambda p: Write(
        reverse("monitoring:period_reopen", args=[p.pk]),
        {"reason": "Bổ sung báo cáo"},
        lambda: Period.objects.get(pk=p.pk).status == Period.Status.OPEN,
    ),
    write_perm=Perm.MANAGE_EMULATION,
    visible_in=SHARED_DOWN,
)

# --- clusters of a draft plan of the target -------------------------------------------------------


def _cluster(world, relation, target):
    plan = make_plan(target, title=f"Dự thảo có cụm {GIVEN[relation]} {relation}")
    units = [_leaf(world, relation, target), _leaf(world, relation, target)]
    return services.cluster_save(
        plan=plan, by=None, kind="cum", name=f"Cụm {GIVEN[relation]}", unit_ids=[u.pk for u in units]
    )


def _cluster_add(world, relation, target):
    plan = make_plan(target, title=f"Dự thảo thêm cụm {GIVEN[relation]} {relation}")
    units = [_leaf(world, relation, target), _leaf(world, relation, target)]
    return Write(
        reverse("monitoring:cluster_add", args=[plan.pk]),
        {"kind": "cum", "name": "Cụm mới", "units": [u.pk for u in units]},
        lambda: Cluster.objects.filter(plan=plan).exists(),
    )


CLUSTERS = Resource(
    name="clusters",
    make=_cluster,
    marker=lambda c: c.name,
    delete=lambda c: Write(
        reverse("monitoring:cluster_delete", args=[c.pk]), {}, lambda: not Cluster.objects.filter(pk=c.pk).exists()
    ),
    create=_cluster_add,
    write_perm=Perm.MANAGE_EMULATION,
)

MONITORING = [
    REPORTS,
    REPORT_SUBMIT,
    REPORT_VERIFY,
    REPORT_RETURN,
    REPORT_REOPEN,
    REPORT_ADJUST,
    EVIDENCE,
    PERIODS,
    MONTHLY_PERIODS,
    PERIOD_CLOSE,
    PERIOD_REOPEN,
    CLUSTERS,
]
