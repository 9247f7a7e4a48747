"""Monitoring in the JSON API: reporting periods, reports, boards and rankings (read-only).

Each route reads through the scope mechanism exactly as the pages do: one object through
``get_for_user`` (404 outside the scope), lists through ``visible_to``. A board or a ranking
is read below ``?unit=`` (in scope, else 404), by default below the unit the page would choose
(``selectors.board_root``). Query counts do not depend on the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.campaigns.models import Plan
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, choice, page
from thidua.monitoring import scoring, selectors, services
from thidua.monitoring.models import Period, Report, ReportEvent, ScoreAdjustment
from thidua.units.models import Unit

router = Router(tags=["monitoring"])

ID = {"ge": 1, "le": 2**62}
PERIODS = Period.objects.select_related("plan", "plan__issuer")


# --- periods ---------------------------------------------------------------------------------


class PeriodOut(Schema):
    id: int
    kind: str
    name: str
    start: dt.date
    end: dt.date
    due_on: dt.date
    status: str
    plan_id: int
    plan_title: str
    inherited: bool
    source_id: int | None  # the parent plan's period this one inherits
    root_id: int  # the campaign's period it stands for in boards and rankings (itself for a campaign period)

    @staticmethod
    def resolve_plan_title(obj: Period) -> str:
        return obj.plan.title

    @staticmethod
    def resolve_root_id(obj: Period) -> int:
        return obj.root_key


class PeriodPage(Schema):
    count: int
    items: list[PeriodOut]


@router.get("/periods", response=PeriodPage, summary="Reporting periods in my scope")
def list_periods(
    request: HttpRequest,
    plan: int | None = Query(None, **ID),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """The periods of ``plan`` (404 for a plan outside my scope), or of every plan I see."""
    qs = Period.objects.visible_to(request.user).select_related("plan")
    if plan is not None:
        qs = qs.filter(plan=get_for_user(Plan, request.user, pk=plan))
    return page(qs.order_by("plan_id", "due_on", "start", "id"), limit, offset)


@router.get("/periods/{period_id}", response=PeriodOut, summary="One reporting period")
def get_period(request: HttpRequest, period_id: int = Path(..., **ID)) -> Any:
    return get_for_user(Period.objects.select_related("plan"), request.user, pk=period_id)


# --- reports ---------------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    period_id: int
    period_name: str
    root_period_id: int
    plan_id: int
    unit_id: int
    unit_name: str
    status: str
    late: bool
    self_score: Decimal | None
    score: Decimal | None
    submitted_at: dt.datetime | None
    verified_at: dt.datetime | None


def _report(report: Report) -> dict[str, Any]:
    """What a list shows of one report (``period`` and ``unit`` selected with it)."""
    return {
        "id": report.pk,
        "period_id": report.period_id,
        "period_name": report.period.name,
        "root_period_id": report.root_period_id,
        "plan_id": report.period.plan_id,
        "unit_id": report.unit_id,
        "unit_name": report.unit.name,
        "status": report.status,
        "late": report.late,
        "self_score": report.self_score,
        "score": report.score,
        "submitted_at": report.submitted_at,
        "verified_at": report.verified_at,
    }


class ReportPage(Schema):
    count: int
    items: list[ReportOut]


class ValueOut(Schema):
    """One criterion of the report's plan and what the report gives for it (null: left empty)."""

    criterion_id: int
    name: str
    kind: str
    done: bool | None
    number: Decimal | None


class UnitRef(Schema):
    id: int
    name: str


class AdjustmentOut(Schema):
    level: UnitRef
    before: Decimal | None
    after: Decimal
    reason: str
    at: dt.datetime


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    reason: str


class ReportDetailOut(ReportOut):
    narrative: str
    comment: str
    values: list[ValueOut]
    adjustments: list[AdjustmentOut]
    events: list[EventOut]


@router.get("/reports", response=ReportPage, summary="Reports in my scope")
def list_reports(
    request: HttpRequest,
    period: int | None = Query(None, **ID),
    unit: int | None = Query(None, **ID),
    status: str | None = choice(Report.Status.values),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """Filters: ``period`` (a campaign period: its reports at every level; an inherited one: that
    plan's), ``unit`` (the unit and those below it), ``status``. A period or unit outside my scope is 404."""
    qs = Report.objects.visible_to(request.user).select_related("period", "unit")
    if period is not None:
        chosen = get_for_user(Period, request.user, pk=period)
        qs = qs.filter(root_period_id=chosen.pk) if chosen.root_id is None else qs.filter(period_id=chosen.pk)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=get_for_user(Unit, request.user, pk=unit).path)
    if status:
        qs = qs.filter(status=status)
    return page(qs.order_by("period__due_on", "unit__path", "id"), limit, offset, serialize=_report)


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="One report, its values, adjustments and events")
def get_report(request: HttpRequest, report_id: int = Path(..., **ID)) -> Any:
    report = get_for_user(
        Report.objects.select_related("period", "unit").prefetch_related(
            Prefetch("values"),
            Prefetch("adjustments", ScoreAdjustment.objects.select_related("level").order_by("at", "id")),
            Prefetch("events", ReportEvent.objects.order_by("at", "id")),
        ),
        request.user,
        pk=report_id,
    )
    given = {v.criterion_id: v for v in report.values.all()}
    values = []
    for criterion in services.criteria_of(report):
        value = given.get(criterion.pk)
        values.append(
            {
                "criterion_id": criterion.pk,
                "name": criterion.name,
                "kind": criterion.kind,
                "done": value.done if value else None,
                "number": value.number if value else None,
            }
        )
    return {
        **_report(report),
        "narrative": report.narrative,
        "comment": report.comment,
        "values": values,
        "adjustments": [
            {"level": a.level, "before": a.before, "after": a.after, "reason": a.reason, "at": a.at}
            for a in report.adjustments.all()
        ],
        "events": list(report.events.all()),
    }


# --- the board and the ranking of a period ---------------------------------------------------


class CountsOut(Schema):
    owed: int
    due: int
    draft: int
    submitted: int
    returned: int
    verified: int
    not_sent: int
    late: int
    sent_rate: float
    average_score: Decimal | None


class LevelOut(Schema):
    depth: int
    kinds: list[str]
    counts: CountsOut


class OwnReportOut(Schema):
    id: int
    status: str
    late: bool
    score: Decimal | None


class BoardRowOut(Schema):
    unit: UnitRef
    below: CountsOut  # the reports of the units below this one
    total: CountsOut  # those and the unit's own report
    own: OwnReportOut | None  # the unit's own report, when it owes one


class BoardOut(Schema):
    period_id: int
    campaign_period_id: int
    name: str
    due_on: dt.date
    overdue: bool
    closed: bool
    root: UnitRef
    total: CountsOut
    levels: list[LevelOut]
    rows: list[BoardRowOut]


def _counts(counts: selectors.Counts) -> dict[str, Any]:
    names = ("owed", "due", "draft", "submitted", "returned", "verified", "not_sent", "late", "sent_rate")
    return {**{name: getattr(counts, name) for name in names}, "average_score": counts.average_score}


def _own(report: Report | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {"id": report.pk, "status": report.status, "late": report.late, "score": report.score}


@router.get("/periods/{period_id}/board", response=BoardOut, summary="Who has reported, below a unit")
def get_board(
    request: HttpRequest,
    period_id: int = Path(..., **ID),
    unit: int | None = Query(None, **ID),
) -> Any:
    """Counts of the campaign period's reports below ``unit`` (default: as the board page), per
    level and per child unit's subtree, with each child's own report."""
    period = get_for_user(PERIODS, request.user, pk=period_id)
    root = selectors.board_root(request.user, period, unit)
    campaign_period = selectors.campaign_period(period)
    data = selectors.board(root, campaign_period, day=timezone.localdate())
    selectors.name_levels(data.levels)
    return {
        "period_id": period.pk,
        "campaign_period_id": campaign_period.pk,
        "name": campaign_period.name,
        "due_on": campaign_period.due_on,
        "overdue": data.overdue,
        "closed": campaign_period.is_closed,
        "root": root,
        "total": _counts(data.total),
        "levels": [
            {"depth": level.depth, "kinds": sorted(level.kind_names), "counts": _counts(level.counts)}
            for level in data.levels
        ],
        "rows": [
            {"unit": row.unit, "below": _counts(row.counts), "total": _counts(row.total), "own": _own(row.own)}
            for row in data.rows
        ],
    }


class RankedOut(Schema):
    position: int
    unit: UnitRef
    score: Decimal | None
    on_time: int  # verified reports sent on time (the first tie-break)
    first_sent: dt.datetime | None  # the earliest submission (the second tie-break)


class ClusterOut(Schema):
    id: int
    kind: str
    name: str


class RankingOut(Schema):
    period_id: int
    campaign_period_id: int
    span: Literal["period", "campaign"]
    periods: int  # how many periods the score averages
    frozen: bool
    root: UnitRef
    cluster: ClusterOut | None
    formula: str
    tie_break: str
    rows: list[RankedOut]


@router.get("/periods/{period_id}/ranking", response=RankingOut, summary="Ranking of the units below a unit")
def get_ranking(
    request: HttpRequest,
    period_id: int = Path(..., **ID),
    unit: int | None = Query(None, **ID),
    cluster: int | None = Query(None, **ID),
    span: Literal["period", "campaign"] = Query("period"),
) -> Any:
    """The units directly below ``unit`` (default: as the ranking page) or those of a cluster of
    the campaign, ranked over the period or the whole campaign, with the formula and tie-break."""
    period = get_for_user(PERIODS, request.user, pk=period_id)
    root = selectors.board_root(request.user, period, unit)
    campaign_period = selectors.campaign_period(period)
    chosen = None
    if cluster is not None:
        chosen = next((c for c in selectors.clusters_of(period.plan) if c.pk == cluster), None)
        if chosen is None:
            raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    period_ids = selectors.ranking_period_ids(period, whole=span == "campaign")
    ranked = selectors.ranking(period_ids, selectors.ranking_units(request.user, root, period_ids, chosen))
    return {
        "period_id": period.pk,
        "campaign_period_id": campaign_period.pk,
        "span": span,
        "periods": len(period_ids),
        "frozen": campaign_period.is_closed,
        "root": root,
        "cluster": chosen,
        "formula": str(scoring.FORMULA),
        "tie_break": str(scoring.TIE_BREAK),
        "rows": [
            {"position": r.position, "unit": r.unit, "score": r.score, "on_time": r.on_time, "first_sent": r.first_sent}
            for r in ranked
        ],
    }
