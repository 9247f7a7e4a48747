from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, get_for_user, scope_for
from thidua.campaigns import services
from thidua.campaigns.documents import plan_docx_response
from thidua.campaigns.forms import ContentForm, CriterionForm, IssueForm, PlanForm, ReasonForm, RoundForm
from thidua.campaigns.models import Content, Criterion, Obligation, Plan, PlanAttachment
from thidua.campaigns.selectors import (
    PLAN_TABS,
    STATUS_LABELS,
    PlanFilters,
    campaign_progress,
    cascade_board,
    issuer_choices,
    my_obligations,
    plan_filter_choices,
    plan_rows,
)
from thidua.core.excel import Title, scope_line
from thidua.core.forms import apply_errors, attempt, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.text import fold
from thidua.core.transitions import state_token
from thidua.core.uploads import download
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

PLANS = Plan.objects.select_related("issuer", "parent", "parent__issuer")
CONTENTS = Content.objects.select_related("plan", "plan__issuer", "source")
CRITERIA = Criterion.objects.select_related("content", "content__plan", "content__plan__issuer", "source")


PLAN_SORTS = (
    Sort("number", ("year", "number")),
    Sort("title", ("title",)),
    Sort("issuer", ("issuer__path",)),
    Sort("issued_on", ("issued_on",)),
    Sort("status", ("status",)),
)


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@scoped
def plan_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "")
    filters = PlanFilters(
        tab=tab if tab in PLAN_TABS else "campaigns",
        q=request.GET.get("q", "").strip()[:100],
        status=request.GET.get("status", ""),
        issuer=_int_param(request, "issuer"),
        depth=_int_param(request, "level"),
        year=_int_param(request, "year"),
        todo=request.GET.get("todo") == "1",
    )
    qs = plan_rows(request.user, filters)
    # An exact document number ranks first, then the chosen column (newest first by default).
    listing = Listing(request, qs, sorts=PLAN_SORTS, default_sort="-issued_on", lead=("rank",))
    if listing.wants_export:
        return listing.export(
            "ke-hoach.xlsx",
            _("Kế hoạch"),
            title=Title(
                _("Danh sách kế hoạch"),
                [str(PLAN_TABS[filters.tab]), scope_line(u.name for u in scope_roots(request.user))],
            ),
            columns=[
                Column(_("Số"), lambda p: p.document_number),
                Column(_("Trích yếu"), lambda p: p.title),
                Column(_("Đơn vị ban hành"), lambda p: p.issuer.name),
                Column(_("Ngày ban hành"), lambda p: p.issued_on),
                Column(_("Bắt đầu"), lambda p: p.window_start),
                Column(_("Kết thúc"), lambda p: p.window_end),
                Column(_("Trạng thái"), lambda p: p.get_status_display()),
            ],
        )
    today = timezone.localdate()
    obligations = my_obligations(request.user)
    plans = list(listing.page)
    if filters.tab == "campaigns":
        progress = campaign_progress(plans, request.user)
        for plan in plans:
            plan.progress = progress.get(plan.pk)
    return render(
        request,
        "campaigns/plan_list.html",
        {
            "nav": "plans",
            "listing": listing,
            "plans": plans,
            "filters": filters,
            "tabs": [(key, label, listing.url(tab=key, page=None, sort=None)) for key, label in PLAN_TABS.items()],
            "choices": plan_filter_choices(request.user),
            "statuses": Plan.Status.choices,
            # What can still be done first (by due date); duties of campaigns whose window is over, apart.
            "obligations": [o for o in obligations if o.plan.window_end >= today],
            "expired_obligations": [o for o in obligations if o.plan.window_end < today],
            "can_create": scope_for(request.user).has_any(Perm.MANAGE_EMULATION),
            "today": today,
        },
    )


@scoped
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    issuers = issuer_choices(request.user)
    if request.GET.get("issuer") or request.POST.get("issuer"):
        issuer = get_for_user(
            Unit, request.user, Perm.MANAGE_EMULATION, pk=request.POST.get("issuer") or request.GET.get("issuer")
        )
    elif issuers:
        issuer = issuers[0]
    else:
        raise PermissionDenied(_("Bạn không có quyền ban hành kế hoạch."))
    today = timezone.localdate()
    form = PlanForm(
        request.POST or None,
        initial={
            "issued_on": today,
            "doc_type": "KH",
            "place": issuer.document_place(),
            "signing_capacity": "TM.",
            "signing_for": "BAN THƯỜNG VỤ",
            "signer_position": "CHỦ TỊCH",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        titles = data.pop("titles")
        try:
            plan = services.plan_create(issuer=issuer, by=request.user, titles=titles, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo dự thảo %(number)s.") % {"number": plan.document_number})
            return redirect("campaigns:detail", plan.pk)
    return render(
        request,
        "campaigns/plan_form.html",
        {"nav": "plans", "form": form, "issuer": issuer, "issuers": issuers, "title": _("Kế hoạch mới")},
        status=form_status(form),
    )


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan: Plan) -> HttpResponse:
    if not plan.can_edit(request.user):
        messages.error(request, _("Chỉ sửa được kế hoạch khi còn là dự thảo."))
        return redirect("campaigns:detail", plan.pk)
    number = plan.number  # the form writes into the instance while it validates
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        titles = data.pop("titles")
        if not data.get("number"):
            data["number"] = number
        try:
            services.plan_update(plan=plan, by=request.user, titles=titles, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("campaigns:detail", plan.pk)
    return render(
        request,
        "campaigns/plan_form.html",
        {"nav": "plans", "form": form, "plan": plan, "issuer": plan.issuer, "title": _("Sửa dự thảo")},
        status=form_status(form),
    )


@scoped(PLANS)
def plan_detail(request: HttpRequest, plan: Plan) -> HttpResponse:
    can_manage = plan.can_manage(request.user)
    contents = plan.contents.prefetch_related(Prefetch("criteria", queryset=Criterion.objects.select_related("source")))
    my_units = scope_for(request.user).unit_ids_with(Perm.MANAGE_EMULATION)
    mine = (
        Obligation.objects.visible_to(request.user, Perm.MANAGE_EMULATION)
        .filter(plan=plan, unit_id__in=my_units)
        .select_related("unit", "implementation")
        .first()
        if plan.status == Plan.Status.ISSUED
        else None
    )
    counts = _obligation_counts(plan)
    registering_units = (
        list(
            Unit.objects.visible_to(request.user, Perm.MANAGE_EMULATION)
            .filter(pk__in=my_units, path__startswith=plan.issuer.path, dissolved_on__isnull=True)
            .order_by("path")
        )
        if plan.can_register(request.user)
        else []
    )
    # Registrations are reached through the plan's reverse relation: campaigns does not import them.
    existing = {r.unit_id: r for r in plan.registrations.filter(unit__in=registering_units)}
    registrations = [(unit, existing.get(unit.pk)) for unit in registering_units]
    return render(
        request,
        "campaigns/plan_detail.html",
        {
            "nav": "plans",
            "plan": plan,
            "contents": contents,
            "rounds": plan.rounds.all(),
            "attachments": plan.attachments.all(),
            "titles": plan.titles.all(),
            "events": plan.events.select_related("by"),
            "can": Can(plan, request.user),
            "seen": state_token(plan),  # sent back by the transition forms
            "my_obligation": mine,
            "obligation_counts": counts,
            "issue_form": IssueForm(
                children=Unit.objects.filter(parent=plan.issuer, dissolved_on__isnull=True).order_by("name")
            )
            if plan.can_issue(request.user)
            else None,
            "reason_form": ReasonForm() if can_manage else None,
            "content_form": ContentForm() if plan.can_edit(request.user) else None,
            "implementations": plan.implementations.exclude(status=Plan.Status.RECALLED)
            .visible_to(request.user)
            .select_related("issuer")[:10],  # the board lists them all, paged
            "today": timezone.localdate(),
            "registrations": registrations,
        },
    )


def _obligation_counts(plan: Plan) -> dict[str, int]:
    today = timezone.localdate()
    rows = Obligation.objects.filter(plan=plan).aggregate(
        total=Count("id"),
        issued=Count("id", filter=Q(implementation__isnull=False)),
        late=Count("id", filter=Q(implementation__isnull=True, due_on__lt=today)),
    )
    return rows


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_POST
def plan_issue(request: HttpRequest, plan: Plan) -> HttpResponse:
    children = Unit.objects.filter(parent=plan.issuer, dissolved_on__isnull=True).order_by("name")
    form = IssueForm(request.POST, children=children)
    if form.is_valid():
        try:
            plan = services.plan_issue(
                plan=plan,
                by=request.user,
                due_on=form.cleaned_data["due_on"],
                units=form.cleaned_data["units"],
                seen=seen_state(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("campaigns:detail", plan.pk)
        messages.success(request, _("Đã ban hành %(number)s.") % {"number": plan.document_number})
    else:
        messages.error(
            request,
            _("Thông tin ban hành không hợp lệ: %(errors)s")
            % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)},
        )
    return redirect("campaigns:detail", plan.pk)


def _reason_transition(request: HttpRequest, plan: Plan, action: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    if action == "recall" and not ReasonForm(request.POST).is_valid():
        messages.error(request, _("Hãy ghi lý do thu hồi."))
    elif action == "recall":
        attempt(
            request,
            lambda: services.plan_recall(plan=plan, by=request.user, reason=reason, seen=seen_state(request)),
            success=_("Đã thu hồi kế hoạch."),
        )
    else:
        attempt(
            request,
            lambda: services.plan_close(plan=plan, by=request.user, reason=reason[:2000], seen=seen_state(request)),
            success=_("Đã kết thúc kế hoạch."),
        )
    return redirect("campaigns:detail", plan.pk)


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_POST
def plan_recall(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _reason_transition(request, plan, "recall")


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_POST
def plan_close(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _reason_transition(request, plan, "close")


@scoped(PLANS)
@require_POST
def implement(request: HttpRequest, plan: Plan) -> HttpResponse:
    """Start (or open) the implementation plan of one of the user's units."""
    obligation = get_for_user(
        Obligation.objects.select_related("plan", "unit"),
        request.user,
        Perm.MANAGE_EMULATION,
        pk=request.POST.get("obligation"),
        plan=plan,
    )
    draft = services.implementation_start(obligation=obligation, by=request.user)
    messages.success(request, _("Dự thảo kế hoạch thực hiện đã được điền sẵn từ kế hoạch cấp trên."))
    return redirect("campaigns:detail", draft.pk)


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def content_add(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = ContentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.content_save(plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(f"{redirect('campaigns:detail', plan.pk).url}#noi-dung")
    return render(
        request,
        "campaigns/simple_form.html",
        {"nav": "plans", "form": form, "plan": plan, "title": _("Thêm nội dung thi đua")},
        status=form_status(form),
    )


@scoped(CONTENTS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def content_edit(request: HttpRequest, content: Content) -> HttpResponse:
    # The form validates into a copy: the service compares the content as stored with the new values.
    form = ContentForm(request.POST or None, instance=copy(content))
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                services.content_delete(content=content)
                messages.success(request, _("Đã bỏ nội dung."))
                return redirect("campaigns:detail", content.plan_id)
            if form.is_valid():
                services.content_save(plan=content.plan, content=content, **form.cleaned_data)
                return redirect("campaigns:detail", content.plan_id)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "campaigns/simple_form.html",
        {"nav": "plans", "form": form, "plan": content.plan, "deletable": True, "title": _("Sửa nội dung thi đua")},
        status=form_status(form),
    )


@scoped(CONTENTS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, content: Content) -> HttpResponse:
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_save(content=content, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("campaigns:detail", content.plan_id)
    return render(
        request,
        "campaigns/simple_form.html",
        {
            "nav": "plans",
            "form": form,
            "plan": content.plan,
            "title": _("Thêm tiêu chí: %(name)s") % {"name": content.name},
        },
        status=form_status(form),
    )


@scoped(CRITERIA, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, criterion: Criterion) -> HttpResponse:
    plan = criterion.content.plan
    form = CriterionForm(request.POST or None, instance=copy(criterion))
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                services.criterion_delete(criterion=criterion)
                return redirect("campaigns:detail", plan.pk)
            if form.is_valid():
                services.criterion_save(
                    content=criterion.content,
                    criterion=criterion,
                    **form.cleaned_data,
                )
                return redirect("campaigns:detail", plan.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "campaigns/simple_form.html",
        {"nav": "plans", "form": form, "plan": plan, "deletable": True, "title": _("Sửa tiêu chí")},
        status=form_status(form),
    )


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def round_add(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_save(plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("campaigns:detail", plan.pk)
    return render(
        request,
        "campaigns/simple_form.html",
        {"nav": "plans", "form": form, "plan": plan, "title": _("Thêm đợt thi đua")},
        status=form_status(form),
    )


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_POST
def attachment_add(request: HttpRequest, plan: Plan) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp."))
        return redirect("campaigns:detail", plan.pk)
    try:
        services.attachment_add(plan=plan, upload=upload, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã đính kèm tệp."))
    return redirect("campaigns:detail", plan.pk)


@scoped(PlanAttachment.objects.select_related("plan", "plan__issuer"))
def attachment_download(request: HttpRequest, attachment: PlanAttachment) -> FileResponse:
    """Everyone who reads the plan downloads its attachments (the rule is the plan's own)."""
    return download(attachment.file, name=attachment.name, content_type=attachment.content_type)


BOARD_SORTS = (
    Sort("unit", python_key=lambda r: fold(r.obligation.unit.name)),
    Sort("due", python_key=lambda r: (r.obligation.due_on, r.obligation.unit.path)),
    Sort("status", python_key=lambda r: (list(STATUS_LABELS).index(r.status), r.obligation.unit.path)),
    Sort("reminders", python_key=lambda r: (r.reminders, r.obligation.unit.path)),
)


@scoped(PLANS)
def board(request: HttpRequest, plan: Plan) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in STATUS_LABELS else ""
    query = request.GET.get("q", "").strip()[:100]
    depth = _int_param(request, "level")
    rows, levels = cascade_board(plan, request.user, day=timezone.localdate(), status=status, q=query, depth=depth)
    # Tree order (each unit under its parent) unless a column is chosen.
    listing = Listing(request, rows, sorts=BOARD_SORTS)
    if listing.wants_export:
        about = [plan.title, _("Đơn vị ban hành: %(unit)s") % {"unit": plan.issuer.name}]
        if status:
            about.append(_("Trạng thái: %(status)s") % {"status": STATUS_LABELS[status]})
        return listing.export(
            "tien-do-trien-khai.xlsx",
            _("Tiến độ"),
            title=Title(
                _("Tiến độ triển khai kế hoạch %(number)s") % {"number": plan.document_number},
                [*about, scope_line(u.name for u in scope_roots(request.user))],
            ),
            columns=[
                Column(_("Đơn vị"), lambda r: r.obligation.unit.name),
                Column(_("Cấp"), lambda r: r.obligation.unit.kind.label),
                Column(_("Kế hoạch cấp trên"), lambda r: r.parent_plan.document_number),
                Column(_("Hạn"), lambda r: r.obligation.due_on),
                Column(_("Trạng thái"), lambda r: str(STATUS_LABELS[r.status])),
                Column(
                    _("Kế hoạch thực hiện"),
                    lambda r: r.obligation.implementation.document_number if r.obligation.implementation else "",
                ),
                Column(_("Số lần đôn đốc"), lambda r: r.reminders),
            ],
        )
    return render(
        request,
        "campaigns/board.html",
        {
            "nav": "plans",
            "plan": plan,
            "listing": listing,
            "levels": levels,
            "level": depth,
            "status": status,
            "q": query,
            "status_labels": STATUS_LABELS,
            "can": Can(plan, request.user),
        },
    )


@scoped(PLANS, perm=Perm.MANAGE_EMULATION)
@require_POST
def urge(request: HttpRequest, plan: Plan) -> HttpResponse:
    reminded, skipped = services.obligations_urge(plan=plan, by=request.user)
    if reminded:
        messages.success(request, _("Đã đôn đốc %(n)s đơn vị quá hạn.") % {"n": reminded})
    if skipped:
        messages.info(request, _("%(n)s đơn vị đã được đôn đốc hôm nay nên không nhắc lại.") % {"n": skipped})
    if not reminded and not skipped:
        messages.info(request, _("Không có đơn vị nào quá hạn."))
    return redirect("campaigns:board", plan.pk)


@scoped(PLANS)
def docx(request: HttpRequest, plan: Plan) -> HttpResponse:
    return plan_docx_response(plan)
