from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, allows
from thidua.campaigns.models import Plan
from thidua.core.excel import DATE, INTEGER, Title, scope_line
from thidua.core.forms import apply_errors, attempt, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.text import fold
from thidua.core.transitions import state_token
from thidua.core.uploads import download
from thidua.inspections import selectors, services
from thidua.inspections.forms import (
    FindingForm,
    FollowUpForm,
    InspectionEditForm,
    InspectionForm,
    NoteForm,
    ReasonForm,
    TargetsForm,
)
from thidua.inspections.models import Finding, FollowUp, Inspection, InspectionTarget
from thidua.units.selectors import scope_roots

PLANS = Plan.objects.select_related("issuer")
INSPECTIONS = Inspection.objects.select_related("plan", "plan__issuer", "unit")
TARGETS = InspectionTarget.objects.select_related(
    "unit", "inspection", "inspection__unit", "inspection__plan", "inspection__plan__issuer"
)
FINDINGS = Finding.objects.select_related("target", "target__unit", "target__inspection", "target__inspection__unit")
FOLLOW_UPS = FollowUp.objects.select_related(
    "owner",
    "inspection",
    "inspection__unit",
    "inspection__plan",
    "inspection__plan__issuer",
    "finding",
    "finding__target",
    "finding__target__unit",
)
OPEN = FollowUp.Status.OPEN


def _scope_title(request: HttpRequest) -> str:
    return scope_line(u.name for u in scope_roots(request.user))


def _words(request: HttpRequest) -> tuple[str, list[str]]:
    query = request.GET.get("q", "").strip()[:100]
    return query, fold(query).split()


# --- lists ------------------------------------------------------------------------------------------

INSPECTION_SORTS = (
    Sort("start", ("start",)),
    Sort("name", ("name",)),
    Sort("unit", ("unit__name",)),
    Sort("status", ("status",)),
)


def _inspections(request: HttpRequest, plan: Plan | None = None) -> Any:
    qs = (
        Inspection.objects.visible_to(request.user)
        .select_related("plan", "plan__issuer", "unit")
        .annotate(
            target_count=Count("targets", distinct=True),
            open_count=Count("follow_ups", filter=Q(follow_ups__status=OPEN), distinct=True),
        )
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    status = request.GET.get("status", "")
    if status in Inspection.Status.values:
        qs = qs.filter(status=status)
    query, words = _words(request)
    for word in words:
        qs = qs.filter(
            Q(search_text__contains=word) | Q(unit__search_text__contains=word) | Q(plan__search_text__contains=word)
        )
    return qs, status, query


@scoped
def inspection_list(request: HttpRequest) -> HttpResponse:
    """Inspection rounds run by the user's units and those below them."""
    qs, status, query = _inspections(request)
    listing = Listing(request, qs, sorts=INSPECTION_SORTS, default_sort="-start")
    if listing.wants_export:
        return listing.export(
            "dot-kiem-tra.xlsx",
            _("Đợt kiểm tra"),
            title=Title(_("Danh sách đợt kiểm tra thi đua"), [_scope_title(request)]),
            columns=[
                Column(_("Đợt kiểm tra"), lambda i: i.name),
                Column(_("Kế hoạch"), lambda i: i.plan.document_number),
                Column(_("Đơn vị kiểm tra"), lambda i: i.unit.name),
                Column(_("Từ ngày"), lambda i: i.start, fmt=DATE),
                Column(_("Đến ngày"), lambda i: i.end, fmt=DATE),
                Column(_("Số đơn vị được kiểm tra"), lambda i: i.target_count, fmt=INTEGER),
                Column(_("Yêu cầu chưa khắc phục"), lambda i: i.open_count, fmt=INTEGER),
                Column(_("Trạng thái"), lambda i: i.get_status_display()),
            ],
        )
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "nav": "inspections",
            "listing": listing,
            "status": status,
            "statuses": Inspection.Status.choices,
            "q": query,
        },
    )


TARGET_SORTS = (
    Sort("day", ("scheduled_on",)),
    Sort("unit", ("unit__name",)),
    Sort("inspection", ("inspection__name",)),
)


@scoped
def target_list(request: HttpRequest) -> HttpResponse:
    """Every visit of an inspection to the user's units (what an inspected unit reads)."""
    qs = (
        InspectionTarget.objects.visible_to(request.user)
        .select_related("unit", "inspection", "inspection__unit", "inspection__plan", "inspection__plan__issuer")
        .annotate(
            finding_count=Count("findings", distinct=True),
            open_count=Count("findings__follow_ups", filter=Q(findings__follow_ups__status=OPEN), distinct=True),
        )
    )
    query, words = _words(request)
    for word in words:
        qs = qs.filter(Q(unit__search_text__contains=word) | Q(inspection__search_text__contains=word))
    listing = Listing(request, qs, sorts=TARGET_SORTS, default_sort="-day")
    if listing.wants_export:
        return listing.export(
            "don-vi-duoc-kiem-tra.xlsx",
            _("Đơn vị được kiểm tra"),
            title=Title(_("Danh sách đơn vị được kiểm tra"), [_scope_title(request)]),
            columns=[
                Column(_("Đơn vị được kiểm tra"), lambda t: t.unit.name),
                Column(_("Ngày kiểm tra"), lambda t: t.scheduled_on, fmt=DATE),
                Column(_("Đợt kiểm tra"), lambda t: t.inspection.name),
                Column(_("Đơn vị kiểm tra"), lambda t: t.inspection.unit.name),
                Column(_("Kế hoạch"), lambda t: t.inspection.plan.document_number),
                Column(_("Số kết luận"), lambda t: t.finding_count, fmt=INTEGER),
                Column(_("Yêu cầu chưa khắc phục"), lambda t: t.open_count, fmt=INTEGER),
            ],
        )
    return render(
        request,
        "inspections/target_list.html",
        {"nav": "inspections", "listing": listing, "q": query},
    )


FOLLOW_UP_SORTS = (
    Sort("due", ("due_on",)),
    Sort("owner", ("owner__name",)),
    Sort("status", ("status",)),
    Sort("done", ("done_on",)),
)


@scoped
def followup_list(request: HttpRequest) -> HttpResponse:
    """Follow-ups owned by the user's units and those below; "overdue" and "waiting for me" filters."""
    today = timezone.localdate()
    qs = FollowUp.objects.visible_to(request.user).select_related(
        "owner", "inspection", "inspection__unit", "inspection__plan", "inspection__plan__issuer"
    )
    status = request.GET.get("status", "")
    if status in FollowUp.Status.values:
        qs = qs.filter(status=status)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = qs.overdue(today)
    waiting = request.GET.get("waiting") == "1"
    if waiting:  # reported done to a round the user runs: theirs to accept or send back
        qs = qs.filter(
            status=FollowUp.Status.DONE,
            inspection__in=Inspection.objects.visible_to(request.user, Perm.MANAGE_EMULATION),
        )
    query, words = _words(request)
    for word in words:
        qs = qs.filter(Q(owner__search_text__contains=word) | Q(inspection__search_text__contains=word))
    listing = Listing(request, qs, sorts=FOLLOW_UP_SORTS, default_sort="due")
    if listing.wants_export:
        return listing.export(
            "yeu-cau-khac-phuc.xlsx",
            _("Yêu cầu khắc phục"),
            title=Title(
                _("Yêu cầu khắc phục quá hạn") if overdue else _("Yêu cầu khắc phục sau kiểm tra"),
                [_scope_title(request), _("Tính đến ngày %(day)s") % {"day": today.strftime("%d/%m/%Y")}],
            ),
            columns=[
                Column(_("Đơn vị thực hiện"), lambda f: f.owner.name),
                Column(_("Nội dung yêu cầu"), lambda f: f.description),
                Column(_("Hạn khắc phục"), lambda f: f.due_on, fmt=DATE),
                Column(_("Trạng thái"), lambda f: f.get_status_display()),
                Column(_("Quá hạn"), lambda f: _("Có") if f.is_overdue(today) else ""),
                Column(_("Ngày báo cáo khắc phục"), lambda f: f.done_on, fmt=DATE),
                Column(_("Đợt kiểm tra"), lambda f: f.inspection.name),
                Column(_("Đơn vị kiểm tra"), lambda f: f.inspection.unit.name),
            ],
        )
    return render(
        request,
        "inspections/followup_list.html",
        {
            "nav": "inspections",
            "listing": listing,
            "status": status,
            "statuses": FollowUp.Status.choices,
            "overdue": overdue,
            "waiting": waiting,
            "q": query,
            "today": today,
        },
    )


# --- a plan's inspections -----------------------------------------------------------------------------


def _plan_page(request: HttpRequest, plan: Plan, form: InspectionForm | None = None) -> HttpResponse:
    units = selectors.inspecting_units_for(request.user, plan)
    qs, status, query = _inspections(request, plan)
    listing = Listing(request, qs, sorts=INSPECTION_SORTS, default_sort="-start")
    may_create = bool(units) and plan.status in Plan.PUBLISHED
    if form is None:
        form = InspectionForm(units=units, initial={"unit": units[0].pk if units else None})
    return render(
        request,
        "inspections/plan.html",
        {
            "nav": "plans",
            "plan": plan,
            "listing": listing,
            "status": status,
            "statuses": Inspection.Status.choices,
            "q": query,
            "form": form,
            "may_create": may_create,
        },
        status=form_status(form),
    )


@scoped(PLANS, kwarg="plan_pk")
def plan_inspections(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The inspection rounds of a plan the user sees, and the form to plan one."""
    return _plan_page(request, plan)


@scoped(PLANS, kwarg="plan_pk")
@require_POST
def inspection_add(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = InspectionForm(request.POST, units=selectors.inspecting_units_for(request.user, plan))
    if form.is_valid():
        try:
            inspection = services.inspection_create(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lập đợt kiểm tra; hãy thêm các đơn vị được kiểm tra."))
            return redirect("inspections:detail", inspection.pk)
    return _plan_page(request, plan, form)


# --- one round -------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    inspection: Inspection,
    *,
    edit_form: InspectionEditForm | None = None,
    targets_form: TargetsForm | None = None,
) -> HttpResponse:
    can = Can(inspection, request.user)
    manage = inspection.can_manage(request.user)
    if edit_form is None:
        edit_form = InspectionEditForm(
            initial={"name": inspection.name, "start": inspection.start, "end": inspection.end, "note": inspection.note}
        )
    if targets_form is None:
        targets_form = TargetsForm(
            units=selectors.target_candidates(inspection) if manage else [],
            top_depth=inspection.unit.depth + 1,
            initial={"scheduled_on": inspection.start},
        )
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "nav": "inspections",
            "inspection": inspection,
            "rows": selectors.inspection_tree(inspection),
            "can": can,
            "manage": manage,
            "seen": state_token(inspection),
            "edit_form": edit_form,
            "targets_form": targets_form,
            "events": inspection.events.select_related("by"),
            "today": timezone.localdate(),
        },
        status=form_status(edit_form, targets_form),
    )


@scoped(INSPECTIONS)
def inspection_detail(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    """The round: its units, what was found at each, the follow-ups, and the inspecting level's forms."""
    return _detail(request, inspection)


@scoped(INSPECTIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def inspection_edit(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    form = InspectionEditForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_update(inspection=inspection, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin đợt kiểm tra."))
            return redirect("inspections:detail", inspection.pk)
    return _detail(request, inspection, edit_form=form)


@scoped(INSPECTIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def targets_add(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    form = TargetsForm(request.POST, units=selectors.target_candidates(inspection), top_depth=inspection.unit.depth + 1)
    if form.is_valid():
        try:
            added = services.targets_add(
                inspection=inspection,
                by=request.user,
                units=form.cleaned_data["units"],
                scheduled_on=form.cleaned_data["scheduled_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm %(n)s đơn vị được kiểm tra.") % {"n": len(added)})
            return redirect("inspections:detail", inspection.pk)
    return _detail(request, inspection, targets_form=form)


@scoped(INSPECTIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def inspection_start(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    attempt(
        request,
        lambda: services.inspection_start(inspection=inspection, by=request.user, seen=seen_state(request)),
        success=_("Đợt kiểm tra đã bắt đầu; hãy ghi kết luận tại từng đơn vị."),
    )
    return redirect("inspections:detail", inspection.pk)


@scoped(INSPECTIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def inspection_close(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    attempt(
        request,
        lambda: services.inspection_close(
            inspection=inspection, by=request.user, reason=request.POST.get("reason", ""), seen=seen_state(request)
        ),
        success=_("Đã kết thúc đợt kiểm tra; các yêu cầu khắc phục tiếp tục được theo dõi."),
    )
    return redirect("inspections:detail", inspection.pk)


# --- one inspected unit ----------------------------------------------------------------------------


def _target_page(
    request: HttpRequest,
    target: InspectionTarget,
    *,
    finding_form: FindingForm | None = None,
    followup_form: FollowUpForm | None = None,
    followup_for: int | None = None,
) -> HttpResponse:
    inspection = target.inspection
    record = target.can_record(request.user)
    owners = selectors.owner_candidates(target) if record else []
    return render(
        request,
        "inspections/target_detail.html",
        {
            "nav": "inspections",
            "target": target,
            "inspection": inspection,
            # The round's page belongs to the inspecting side; the inspected unit reads this one.
            "sees_inspection": allows(request.user, inspection, Perm.VIEW),
            "rows": selectors.findings_of(target),
            "record": record,
            "can_remove": inspection.can_manage(request.user) and not inspection.is_closed,
            "finding_form": finding_form or FindingForm(),
            "followup_form": followup_form or FollowUpForm(units=owners, initial={"owner": target.unit_id}),
            "followup_for": followup_for,
            "owners": owners,
            "today": timezone.localdate(),
        },
        status=form_status(*(f for f in (finding_form, followup_form) if f is not None)),
    )


@scoped(TARGETS)
def target_detail(request: HttpRequest, target: InspectionTarget) -> HttpResponse:
    """What one inspected unit was told: the findings about it and the follow-ups it owes."""
    return _target_page(request, target)


@scoped(TARGETS, perm=Perm.MANAGE_EMULATION)
@require_POST
def target_remove(request: HttpRequest, target: InspectionTarget) -> HttpResponse:
    attempt(
        request,
        lambda: services.target_remove(target=target, by=request.user),
        success=_("Đã bỏ đơn vị khỏi đợt kiểm tra."),
    )
    return redirect("inspections:detail", target.inspection_id)


@scoped(TARGETS, perm=Perm.MANAGE_EMULATION)
@require_POST
def finding_add(request: HttpRequest, target: InspectionTarget) -> HttpResponse:
    form = FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.finding_add(
                target=target,
                by=request.user,
                severity=form.cleaned_data["severity"],
                text=form.cleaned_data["text"],
                upload=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi kết luận."))
            return redirect("inspections:target", target.pk)
    return _target_page(request, target, finding_form=form)


@scoped(FINDINGS)
def evidence_download(request: HttpRequest, finding: Finding) -> FileResponse:
    if not finding.evidence:
        raise Http404(_("Kết luận này không có tệp minh chứng."))
    return download(finding.evidence, name=finding.evidence_name, content_type=finding.evidence_type)


@scoped(FINDINGS, perm=Perm.MANAGE_EMULATION)
@require_POST
def finding_remove(request: HttpRequest, finding: Finding) -> HttpResponse:
    attempt(request, lambda: services.finding_remove(finding=finding, by=request.user), success=_("Đã xóa kết luận."))
    return redirect("inspections:target", finding.target_id)


@scoped(FINDINGS, perm=Perm.MANAGE_EMULATION)
@require_POST
def followup_add(request: HttpRequest, finding: Finding) -> HttpResponse:
    target = finding.target
    form = FollowUpForm(request.POST, units=selectors.owner_candidates(target))
    if form.is_valid():
        try:
            services.followup_add(finding=finding, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã giao yêu cầu khắc phục."))
            return redirect("inspections:target", target.pk)
    return _target_page(request, target, followup_form=form, followup_for=finding.pk)


# --- one follow-up ---------------------------------------------------------------------------------


def _followup_page(
    request: HttpRequest,
    follow_up: FollowUp,
    *,
    note_form: NoteForm | None = None,
    reason_form: ReasonForm | None = None,
) -> HttpResponse:
    target = follow_up.finding.target
    return render(
        request,
        "inspections/followup_detail.html",
        {
            "nav": "inspections",
            "follow_up": follow_up,
            "finding": follow_up.finding,
            "target": target,
            "sees_target": allows(request.user, target, Perm.VIEW),
            "can": Can(follow_up, request.user),
            "seen": state_token(follow_up),
            "note_form": note_form or NoteForm(initial={"note": follow_up.done_note}),
            "reason_form": reason_form or ReasonForm(),
            "events": follow_up.events.select_related("by"),
            "overdue": follow_up.is_overdue(timezone.localdate()),
        },
        status=form_status(*(f for f in (note_form, reason_form) if f is not None)),
    )


@scoped(FOLLOW_UPS)
def followup_detail(request: HttpRequest, follow_up: FollowUp) -> HttpResponse:
    return _followup_page(request, follow_up)


@scoped(FOLLOW_UPS, perm=Perm.MANAGE_EMULATION)
@require_POST
def followup_done(request: HttpRequest, follow_up: FollowUp) -> HttpResponse:
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.followup_done(
                follow_up=follow_up, by=request.user, note=form.cleaned_data["note"], seen=seen_state(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã báo cáo kết quả khắc phục với đơn vị kiểm tra."))
            return redirect("inspections:followup", follow_up.pk)
    return _followup_page(request, follow_up, note_form=form)


@scoped(FOLLOW_UPS, perm=Perm.MANAGE_EMULATION)
@require_POST
def followup_close(request: HttpRequest, follow_up: FollowUp) -> HttpResponse:
    attempt(
        request,
        lambda: services.followup_close(
            follow_up=follow_up, by=request.user, reason=request.POST.get("reason", ""), seen=seen_state(request)
        ),
        success=_("Đã xác nhận kết quả khắc phục."),
    )
    return redirect("inspections:followup", follow_up.pk)


@scoped(FOLLOW_UPS, perm=Perm.MANAGE_EMULATION)
@require_POST
def followup_reopen(request: HttpRequest, follow_up: FollowUp) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.followup_reopen(
                follow_up=follow_up, by=request.user, reason=form.cleaned_data["reason"], seen=seen_state(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã trả lại để đơn vị khắc phục thêm."))
            return redirect("inspections:followup", follow_up.pk)
    return _followup_page(request, follow_up, reason_form=form)
