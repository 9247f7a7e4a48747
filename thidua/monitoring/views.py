from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, allows, decided_above_by
from thidua.campaigns.models import Plan
from thidua.core import decree30
from thidua.core.excel import DECIMAL, INTEGER, PERCENT, Title, scope_line, workbook_response
from thidua.core.forms import apply_errors, attempt, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.text import fold, plain_number
from thidua.core.transitions import state_token
from thidua.core.uploads import download
from thidua.inspections.selectors import followup_counts
from thidua.monitoring import review, scoring, selectors, services
from thidua.monitoring.forms import (
    AdjustForm,
    ClusterForm,
    EvidenceForm,
    GenerateForm,
    PeriodForm,
    ReasonForm,
    ReportForm,
)
from thidua.monitoring.models import Cluster, Evidence, Period, Report
from thidua.registrations.selectors import sibling_labels
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

PLANS = Plan.objects.select_related("issuer")
PERIODS = Period.objects.select_related("plan", "plan__issuer")
REPORTS = Report.objects.select_related("period", "period__plan", "period__plan__issuer", "unit", "unit__parent")


# --- the calendar of a plan -------------------------------------------------------------------


@scoped(PLANS, kwarg="plan_pk")
def calendar(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The plan's reporting periods, its formula, its clusters; managers add and remove periods."""
    periods = list(Period.objects.filter(plan=plan).select_related("source__plan__issuer"))
    parent_periods = list(Period.objects.filter(plan_id=plan.parent_id)) if plan.parent_id and plan.is_draft else []
    manager = plan.can_manage(request.user)
    root = selectors.campaign_root(plan)
    return render(
        request,
        "monitoring/calendar.html",
        {
            "nav": "plans",
            "plan": plan,
            "periods": periods,
            "parent_periods": parent_periods,
            "manager": manager and plan.status in (Plan.Status.DRAFT, Plan.Status.ISSUED),
            "form": PeriodForm(),
            "generate_form": GenerateForm(),
            "cluster_form": ClusterForm(),
            "formula": scoring.FORMULA,
            "tie_break": scoring.TIE_BREAK,
            "criteria": services.criteria_of_plan(plan),
            "clusters": selectors.clusters_of(plan),
            "clusters_editable": manager and root.pk == plan.pk,
            "cluster_candidates": Unit.objects.filter(obligations__plan=plan).order_by("name"),
        },
    )


@scoped(PLANS, perm=Perm.MANAGE_EMULATION, kwarg="plan_pk")
@require_POST
def period_add(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            services.period_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm kỳ báo cáo."))
            return redirect("monitoring:calendar", plan.pk)
    errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
    messages.error(request, _("Chưa thêm được kỳ báo cáo: %(errors)s") % {"errors": errors})
    return redirect("monitoring:calendar", plan.pk)


@scoped(PLANS, perm=Perm.MANAGE_EMULATION, kwarg="plan_pk")
@require_POST
def periods_generate(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ngày hạn báo cáo hằng tháng từ 1 đến 28."))
        return redirect("monitoring:calendar", plan.pk)
    try:
        made = services.periods_generate(plan=plan, by=request.user, due_day=form.cleaned_data["due_day"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã tạo %(n)s kỳ báo cáo hằng tháng.") % {"n": len(made)})
    return redirect("monitoring:calendar", plan.pk)


@scoped(PERIODS, perm=Perm.MANAGE_EMULATION)
@require_POST
def period_delete(request: HttpRequest, period: Period) -> HttpResponse:
    attempt(request, lambda: services.period_delete(period=period, by=request.user), success=_("Đã xóa kỳ báo cáo."))
    return redirect("monitoring:calendar", period.plan_id)


@scoped(PERIODS, perm=Perm.MANAGE_EMULATION)
@require_POST
def period_close(request: HttpRequest, period: Period) -> HttpResponse:
    attempt(
        request,
        lambda: services.period_close(
            period=period, by=request.user, reason=request.POST.get("reason", ""), seen=seen_state(request)
        ),
        success=_("Đã chốt kỳ báo cáo: báo cáo và xếp hạng của kỳ được giữ nguyên."),
    )
    return redirect("monitoring:board", period.pk)


@scoped(PERIODS, perm=Perm.MANAGE_EMULATION)
@require_POST
def period_reopen(request: HttpRequest, period: Period) -> HttpResponse:
    attempt(
        request,
        lambda: services.period_reopen(
            period=period, by=request.user, reason=request.POST.get("reason", ""), seen=seen_state(request)
        ),
        success=_("Đã mở lại kỳ báo cáo."),
    )
    return redirect("monitoring:board", period.pk)


# --- clusters ------------------------------------------------------------------------------


@scoped(PLANS, perm=Perm.MANAGE_EMULATION, kwarg="plan_pk")
@require_POST
def cluster_add(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = ClusterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy đặt tên cụm, khối thi đua."))
        return redirect("monitoring:calendar", plan.pk)
    attempt(
        request,
        lambda: services.cluster_save(
            plan=plan, by=request.user, unit_ids=request.POST.getlist("units"), **form.cleaned_data
        ),
        success=_("Đã lưu cụm, khối thi đua."),
    )
    return redirect("monitoring:calendar", plan.pk)


@scoped(Cluster.objects.select_related("plan", "plan__issuer"), perm=Perm.MANAGE_EMULATION)
@require_POST
def cluster_delete(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    attempt(request, lambda: services.cluster_delete(cluster=cluster, by=request.user), success=_("Đã xóa."))
    return redirect("monitoring:calendar", cluster.plan_id)


# --- the board of a period -------------------------------------------------------------------


def _board_root(request: HttpRequest, period: Period) -> Unit:
    """The subtree the page shows: ``?unit=`` (in scope, else 404), else the issuer or the user's top."""
    return selectors.board_root(request.user, period, request.GET.get("unit"))


BOARD_SORTS = (
    Sort("unit", python_key=lambda r: fold(r.unit.name)),
    Sort("owed", python_key=lambda r: r.total.owed),
    Sort("sent", python_key=lambda r: r.total.sent_rate),
    Sort("missing", python_key=lambda r: r.total.not_sent),
    Sort("returned", python_key=lambda r: r.total.returned),
    Sort("late", python_key=lambda r: r.total.late),
)


@scoped(PERIODS)
def board(request: HttpRequest, period: Period) -> HttpResponse:
    """Who has reported for a period, below any unit: per level and per child's subtree."""
    root = _board_root(request, period)
    today = timezone.localdate()
    campaign_period = selectors.campaign_period(period)
    data = selectors.board(root, campaign_period, day=today)
    status = request.GET.get("status", "")
    rows = data.rows
    if status == "missing":
        rows = [r for r in rows if r.total.not_sent]
    elif status in ("returned", "late", "submitted"):
        rows = [r for r in rows if getattr(r.total, status)]
    listing = Listing(request, rows, sorts=BOARD_SORTS, default_sort="unit")
    if listing.wants_export:
        return listing.export(
            "bao-cao-ket-qua.xlsx",
            _("Báo cáo"),
            title=Title(
                _("Tình hình báo cáo %(period)s") % {"period": campaign_period.name},
                [
                    scope_line([root.name]),
                    _("Hạn báo cáo: %(due)s") % {"due": campaign_period.due_on.strftime("%d/%m/%Y")},
                ],
            ),
            columns=[
                Column(_("Đơn vị"), lambda r: r.unit.name),
                Column(_("Phải báo cáo"), lambda r: r.total.owed, fmt=INTEGER),
                Column(_("Đã xác nhận"), lambda r: r.total.verified, fmt=INTEGER),
                Column(_("Chờ xác nhận"), lambda r: r.total.submitted, fmt=INTEGER),
                Column(_("Bị trả lại"), lambda r: r.total.returned, fmt=INTEGER),
                Column(_("Chưa gửi"), lambda r: r.total.not_sent, fmt=INTEGER),
                Column(_("Gửi muộn"), lambda r: r.total.late, fmt=INTEGER),
                Column(_("Tỷ lệ đã gửi"), lambda r: r.total.sent_rate, fmt=PERCENT),
                Column(_("Điểm bình quân"), lambda r: r.total.average_score, fmt=DECIMAL),
            ],
        )
    periods = list(selectors.root_periods(period.plan))
    follow_ups = followup_counts(root, today, campaign=period.plan)
    selectors.name_levels(data.levels)
    return render(
        request,
        "monitoring/board.html",
        {
            "nav": "monitoring",
            "period": period,
            "campaign_period": campaign_period,
            "plan": period.plan,
            "root": root,
            "ancestors": list(Unit.objects.filter(path__in=_above(root, period)).order_by("depth")),
            "data": data,
            "listing": listing,
            "status": status,
            "periods": periods,
            "follow_ups": follow_ups,
            "can": Can(campaign_period, request.user),
            "seen": state_token(campaign_period),
            "today": today,
        },
    )


def _above(root: Unit, period: Period) -> list[str]:
    """Paths from the plan's issuer down to (not including) ``root``: the board's breadcrumb."""
    top = period.plan.issuer.path
    return (
        [root.path[:end] for end in range(len(top), len(root.path), Unit.steplen)] if root.path.startswith(top) else []
    )


@scoped(PERIODS)
def ranking(request: HttpRequest, period: Period) -> HttpResponse:
    """Ranking of the units below ``?unit=`` (one level) or of a cluster, for a period or the campaign."""
    root = _board_root(request, period)
    campaign_period = selectors.campaign_period(period)
    clusters = list(selectors.clusters_of(period.plan))
    cluster = next((c for c in clusters if str(c.pk) == request.GET.get("cluster")), None)
    whole = request.GET.get("span") == "campaign"
    period_ids = selectors.ranking_period_ids(period, whole=whole)
    units = selectors.ranking_units(request.user, root, period_ids, cluster)
    ranked = selectors.ranking(period_ids, units)
    return render(
        request,
        "monitoring/ranking.html",
        {
            "nav": "monitoring",
            "period": period,
            "campaign_period": campaign_period,
            "root": root,
            "clusters": clusters,
            "cluster": cluster,
            "whole": whole,
            "ranked": ranked,
            "formula": scoring.FORMULA,
            "tie_break": scoring.TIE_BREAK,
            "frozen": campaign_period.is_closed,
        },
    )


@scoped(PERIODS)
def review_view(request: HttpRequest, period: Period) -> HttpResponse:
    """Interim or final review (sơ kết, tổng kết) below ``?unit=``: a dashboard, its .docx and .xlsx annex."""
    root = _board_root(request, period)
    campaign_period = selectors.campaign_period(period)
    data = review.review(campaign_period, root, request.user, day=timezone.localdate())
    slug = f"{'tong-ket' if campaign_period.kind == Period.Kind.FINAL else 'so-ket'}-{campaign_period.pk}"
    fmt = request.GET.get("format")
    if fmt == "docx":
        response = HttpResponse(decree30.render(review.review_document(data)), content_type=decree30.DOCX_MIME)
        response["Content-Disposition"] = f'attachment; filename="bao-cao-{slug}.docx"'
        return response
    if fmt == "xlsx":
        return workbook_response(f"phu-luc-{slug}.xlsx", review.review_workbook(data))
    rows = data.board.rows
    chart = {
        "labels": sibling_labels([r.unit.name for r in rows], [r.unit.kind_id for r in rows]),
        "names": [r.unit.name for r in rows],
        "values": [
            [round(r.total.sent_rate * 100, 1) for r in rows],
            [round(r.total.verified / r.total.owed * 100, 1) if r.total.owed else 0 for r in rows],
        ],
        "counts": [[[r.total.sent, r.total.owed] for r in rows], [[r.total.verified, r.total.owed] for r in rows]],
        "series": [_("% đã gửi báo cáo"), _("% đã được xác nhận")],
    }
    return render(
        request,
        "monitoring/review.html",
        {
            "nav": "monitoring",
            "period": campaign_period,
            "data": data,
            "root": root,
            "chart": chart,
            "formula": scoring.FORMULA,
            "tie_break": scoring.TIE_BREAK,
            "inspection_text": review.inspection_text(data.inspections),
        },
    )


# --- reports ---------------------------------------------------------------------------------


REPORT_SORTS = (
    Sort("unit", ("unit__name",)),
    Sort("period", ("period__due_on",)),
    Sort("status", ("status",)),
    Sort("submitted", ("submitted_at",)),
    Sort("score", ("score",)),
)


@scoped
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports the user sees: their units' and those sent to them; "waiting for me" to verify."""
    qs = Report.objects.visible_to(request.user).select_related("period", "period__plan__issuer", "unit")
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        qs = qs.filter(status=status)
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        qs = qs.filter(decided_above_by(request.user), status=Report.Status.SUBMITTED)
    query = request.GET.get("q", "").strip()[:100]
    for word in fold(query).split():
        qs = qs.filter(Q(unit__search_text__contains=word) | Q(period__plan__search_text__contains=word))
    listing = Listing(request, qs, sorts=REPORT_SORTS, default_sort="period")
    if listing.wants_export:
        return listing.export(
            "bao-cao-ket-qua-thi-dua.xlsx",
            _("Báo cáo"),
            title=Title(_("Báo cáo kết quả thi đua"), [scope_line(u.name for u in scope_roots(request.user))]),
            columns=[
                Column(_("Đơn vị"), lambda r: r.unit.name),
                Column(_("Kỳ"), lambda r: r.period.name),
                Column(_("Kế hoạch"), lambda r: r.period.plan.document_number),
                Column(_("Trạng thái"), lambda r: r.get_status_display()),
                Column(_("Gửi muộn"), lambda r: _("Có") if r.late else ""),
                Column(_("Ngày gửi"), lambda r: r.submitted_at and timezone.localtime(r.submitted_at)),
                Column(_("Điểm"), lambda r: r.score, fmt=DECIMAL),
            ],
        )
    return render(
        request,
        "monitoring/report_list.html",
        {
            "nav": "monitoring",
            "listing": listing,
            "status": status,
            "statuses": Report.Status.choices,
            "waiting": waiting,
            "q": query,
        },
    )


@scoped(REPORTS)
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report: Report) -> HttpResponse:
    criteria = services.criteria_of(report)
    values = {v.criterion_id: v for v in report.values.all()}
    initial: dict[str, object] = {"narrative": report.narrative}
    for c in criteria:
        v = values.get(c.pk)
        if v is not None:
            initial[f"c{c.pk}"] = ("1" if v.done else "0") if v.done is not None else plain_number(v.number)
    form = ReportForm(request.POST if request.method == "POST" else None, criteria=criteria, initial=initial)
    can = Can(report, request.user)
    if request.method == "POST":
        if not allows(request.user, report, Perm.MANAGE_EMULATION):
            raise PermissionDenied
        if not report.can_edit(request.user):
            messages.error(request, _("Bạn không sửa được báo cáo này."))
            return redirect("monitoring:report", report.pk)
        if form.is_valid():
            try:
                services.report_save(
                    report=report, by=request.user, values=form.values(), narrative=form.cleaned_data["narrative"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu báo cáo."))
                return redirect("monitoring:report", report.pk)
    rows = [(c, values.get(c.pk)) for c in criteria]
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "nav": "monitoring",
            "report": report,
            "form": form,
            "rows": rows,
            "can": can,
            "seen": state_token(report),
            "evidence": list(report.evidence.all()),
            "evidence_form": EvidenceForm(),
            "adjustments": list(report.adjustments.select_related("level", "by")),
            "adjust_form": AdjustForm(),
            "reason_form": ReasonForm(),
            "formula": scoring.FORMULA,
            "events": report.events.select_related("by"),
            "overdue": report.editable and timezone.localdate() > report.period.due_on,
        },
        status=form_status(form),
    )


@scoped(REPORTS, perm=Perm.MANAGE_EMULATION)
@require_POST
def report_submit(request: HttpRequest, report: Report) -> HttpResponse:
    attempt(
        request,
        lambda: services.report_submit(report=report, by=request.user, seen=seen_state(request)),
        success=_("Đã gửi báo cáo lên cấp trên."),
    )
    return redirect("monitoring:report", report.pk)


@scoped(REPORTS)
@require_POST
def report_verify(request: HttpRequest, report: Report) -> HttpResponse:
    attempt(
        request,
        lambda: services.report_verify(report=report, by=request.user, seen=seen_state(request)),
        success=_("Đã xác nhận báo cáo."),
    )
    return redirect("monitoring:report", report.pk)


@scoped(REPORTS)
@require_POST
def report_return(request: HttpRequest, report: Report) -> HttpResponse:
    attempt(
        request,
        lambda: services.report_return(
            report=report, by=request.user, comment=request.POST.get("comment", ""), seen=seen_state(request)
        ),
        success=_("Đã trả lại báo cáo để đơn vị sửa."),
    )
    return redirect("monitoring:report", report.pk)


@scoped(REPORTS)
@require_POST
def report_reopen(request: HttpRequest, report: Report) -> HttpResponse:
    attempt(
        request,
        lambda: services.report_reopen(
            report=report, by=request.user, reason=request.POST.get("reason", ""), seen=seen_state(request)
        ),
        success=_("Đã mở lại báo cáo cho đơn vị sửa."),
    )
    return redirect("monitoring:report", report.pk)


@scoped(REPORTS, perm=Perm.MANAGE_EMULATION)
@require_POST
def report_adjust(request: HttpRequest, report: Report) -> HttpResponse:
    attempt(
        request,
        lambda: services.score_adjust(
            report=report, by=request.user, score=request.POST.get("score", ""), reason=request.POST.get("reason", "")
        ),
        success=_("Đã điều chỉnh điểm; điểm ban đầu vẫn được giữ."),
    )
    return redirect("monitoring:report", report.pk)


@scoped(REPORTS, perm=Perm.MANAGE_EMULATION)
@require_POST
def evidence_add(request: HttpRequest, report: Report) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn một tệp minh chứng."))
        return redirect("monitoring:report", report.pk)
    attempt(
        request,
        lambda: services.evidence_add(report=report, upload=form.cleaned_data["file"], by=request.user),
        success=_("Đã đính kèm minh chứng."),
    )
    return redirect("monitoring:report", report.pk)


EVIDENCE = Evidence.objects.select_related("report", "report__unit", "report__period")


@scoped(EVIDENCE)
def evidence_download(request: HttpRequest, evidence: Evidence) -> FileResponse:
    return download(evidence.file, name=evidence.name, content_type=evidence.content_type)


@scoped(EVIDENCE, perm=Perm.MANAGE_EMULATION)
@require_POST
def evidence_remove(request: HttpRequest, evidence: Evidence) -> HttpResponse:
    attempt(request, lambda: services.evidence_remove(evidence=evidence, by=request.user), success=_("Đã bỏ tệp."))
    return redirect("monitoring:report", evidence.report_id)
