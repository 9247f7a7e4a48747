from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.access import scoped
from thidua.accounts.models import User
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, get_for_user
from thidua.campaigns.models import Criterion, Plan
from thidua.core.excel import PERCENT, XLSX_MIME, YEAR, Header, Title, scope_line, xlsx_response
from thidua.core.forms import attempt, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.text import fold
from thidua.core.transitions import state_token
from thidua.members.models import Member
from thidua.members.selectors import member_list
from thidua.registrations import services
from thidua.registrations.forms import ExtendForm, PledgeForm, RegistrationForm, ReturnForm, UploadForm
from thidua.registrations.imports import MAX_FILE_BYTES, parse_pledges, template_workbook
from thidua.registrations.models import ImportBatch, MemberPledge, Registration, decided_by_user
from thidua.registrations.selectors import coverage, coverage_root
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

REGISTRATIONS = Registration.objects.select_related("plan", "plan__issuer", "unit", "unit__parent")
PLANS = Plan.objects.select_related("issuer")
PREVIEW_ROWS = 200  # valid rows shown before "Ghi tất cả"; all of them are written


REGISTRATION_SORTS = (
    Sort("unit", ("unit__name",)),
    Sort("plan", ("plan__year", "plan__number")),
    Sort("status", ("status",)),
    Sort("submitted", ("submitted_at",)),
    Sort("created", ("created_at",)),
)


@scoped
def registration_list(request: HttpRequest) -> HttpResponse:
    qs = Registration.objects.visible_to(request.user).select_related("plan", "plan__issuer", "unit")
    status = request.GET.get("status", "")
    if status in Registration.Status.values:
        qs = qs.filter(status=status)
    query = request.GET.get("q", "").strip()[:100]
    for word in fold(query).split():
        qs = qs.filter(Q(unit__search_text__contains=word) | Q(plan__search_text__contains=word))
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        # Sent to a unit where the user decides: the officer on the parent unit itself (or an administrator).
        qs = qs.filter(decided_by_user(request.user), status=Registration.Status.SUBMITTED)
    listing = Listing(request, qs, sorts=REGISTRATION_SORTS, default_sort="-created")
    if listing.wants_export:
        return listing.export(
            "dang-ky-thi-dua-cac-don-vi.xlsx",
            _("Đăng ký"),
            title=Title(
                _("Danh sách đăng ký thi đua của các đơn vị"),
                [scope_line(u.name for u in scope_roots(request.user))],
            ),
            columns=[
                Column(_("Đơn vị"), lambda r: r.unit.name),
                Column(_("Kế hoạch"), lambda r: r.plan.document_number),
                Column(_("Trích yếu"), lambda r: r.plan.title),
                Column(_("Trạng thái"), lambda r: r.get_status_display()),
                Column(_("Ngày gửi"), lambda r: r.submitted_at and timezone.localtime(r.submitted_at)),
                Column(_("Ngày tạo"), lambda r: timezone.localtime(r.created_at)),
            ],
        )
    return render(
        request,
        "registrations/list.html",
        {
            "nav": "registrations",
            "listing": listing,
            "status": status,
            "q": query,
            "waiting": waiting,
            "statuses": Registration.Status.choices,
        },
    )


@scoped(PLANS, kwarg="plan_pk")
@require_POST
def registration_open(request: HttpRequest, plan: Plan) -> HttpResponse:
    unit = get_for_user(Unit, request.user, Perm.MANAGE_EMULATION, pk=request.POST.get("unit"))
    try:
        registration = services.registration_open(plan=plan, unit=unit, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaigns:detail", plan.pk)
    return redirect("registrations:detail", registration.pk)


@scoped(REGISTRATIONS)
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, registration: Registration) -> HttpResponse:
    can_edit = registration.can_edit(request.user)
    criteria = list(
        Criterion.objects.filter(content__plan=registration.plan, kind="number").order_by(
            "content__position", "position"
        )
    )
    values = {c.criterion_id: c.value for c in registration.commitments.all()}
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        initial={
            "titles": list(registration.titles.all()),
            "pledge": registration.pledge,
            **{f"c{k}": v for k, v in values.items()},
        },
    )
    if request.method == "POST":
        if not can_edit:
            messages.error(request, _("Bạn không sửa được đăng ký này."))
            return redirect("registrations:detail", registration.pk)
        if form.is_valid():
            try:
                services.registration_update(
                    registration=registration,
                    by=request.user,
                    titles=form.cleaned_data["titles"],
                    pledge=form.cleaned_data["pledge"],
                    commitments={c.pk: form.cleaned_data.get(f"c{c.pk}") for c in criteria},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu đăng ký của tập thể."))
                return redirect("registrations:detail", registration.pk)
    pledges = registration.pledges.select_related("member", "title").order_by("member__sort_key", "title__position")
    page = Paginator(pledges, 100).get_page(request.GET.get("page"))
    query = request.GET.get("q", "").strip()[:100]
    candidates = (
        list(member_list(request.user, unit=registration.unit, q=query, status=Member.Status.ACTIVE)[:50])
        if can_edit
        else []
    )
    return render(
        request,
        "registrations/detail.html",
        {
            "nav": "registrations",
            "registration": registration,
            "form": form,
            "can": Can(registration, request.user),
            "seen": state_token(registration),  # sent back by the transition forms
            "page": page,
            "pledge_form": PledgeForm(),
            "candidates": candidates,
            "q": query,
            "return_form": ReturnForm(),
            "extend_form": ExtendForm(),
            "today": timezone.localdate(),
            "events": registration.events.select_related("by"),
        },
        status=form_status(form),
    )


@scoped(REGISTRATIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def pledges_add(request: HttpRequest, registration: Registration) -> HttpResponse:
    form = PledgeForm(request.POST)
    ids = request.POST.getlist("members")
    if not form.is_valid() or not ids:
        messages.error(request, _("Hãy chọn danh hiệu và ít nhất một đoàn viên."))
        return redirect("registrations:detail", registration.pk)
    try:
        member_ids = [int(i) for i in ids]
        added = services.pledges_add(
            registration=registration,
            by=request.user,
            member_ids=member_ids,
            title=form.cleaned_data["title"],
            commitment=form.cleaned_data["commitment"],
        )
    except (ValueError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Dữ liệu không hợp lệ.")])))
        return redirect("registrations:detail", registration.pk)
    if added:
        messages.success(request, _("Đã đăng ký cho %(n)s đoàn viên.") % {"n": added})
    else:
        messages.warning(request, _("Các đoàn viên đã chọn đều đã đăng ký danh hiệu này từ trước; không thêm ai."))
    return redirect("registrations:detail", registration.pk)


@scoped(
    MemberPledge.objects.select_related("registration", "registration__plan", "registration__unit"),
    perm=Perm.MANAGE_EMULATION,
)
@require_POST
def pledge_remove(request: HttpRequest, pledge: MemberPledge) -> HttpResponse:
    try:
        services.pledge_remove(pledge=pledge, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("registrations:detail", pledge.registration_id)


@scoped(REGISTRATIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def submit(request: HttpRequest, registration: Registration) -> HttpResponse:
    attempt(
        request,
        lambda: services.registration_submit(registration=registration, by=request.user, seen=seen_state(request)),
        success=_("Đã gửi đăng ký lên cấp trên."),
    )
    return redirect("registrations:detail", registration.pk)


@scoped(REGISTRATIONS)
@require_POST
def accept(request: HttpRequest, registration: Registration) -> HttpResponse:
    attempt(
        request,
        lambda: services.registration_accept(registration=registration, by=request.user, seen=seen_state(request)),
        success=_("Đã chấp nhận đăng ký."),
    )
    return redirect("registrations:detail", registration.pk)


@scoped(REGISTRATIONS)
@require_POST
def return_(request: HttpRequest, registration: Registration) -> HttpResponse:
    comment = request.POST.get("comment", "")
    attempt(
        request,
        lambda: services.registration_return(
            registration=registration, by=request.user, comment=comment, seen=seen_state(request)
        ),
        success=_("Đã trả lại đăng ký để đơn vị sửa."),
    )
    return redirect("registrations:detail", registration.pk)


@scoped(REGISTRATIONS)
@require_POST
def extend(request: HttpRequest, registration: Registration) -> HttpResponse:
    """The level above gives the unit more time to register (``services.deadline_extend`` says who may)."""
    form = ExtendForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Chưa gia hạn được: %(errors)s") % {"errors": errors})
        return redirect("registrations:detail", registration.pk)
    until = form.cleaned_data["until"]
    attempt(
        request,
        lambda: services.deadline_extend(
            registration=registration, by=request.user, until=until, reason=form.cleaned_data["reason"]
        ),
        success=_("Đã gia hạn đăng ký của đơn vị đến %(date)s.") % {"date": until.strftime("%d/%m/%Y")},
    )
    return redirect("registrations:detail", registration.pk)


@scoped
def template(request: HttpRequest) -> HttpResponse:
    """The import template; for one registration (``?registration=``) it lists its plan's individual titles."""
    titles = None
    unit_name = plan_label = ""
    if request.GET.get("registration"):
        registration = get_for_user(REGISTRATIONS, request.user, pk=request.GET["registration"])
        plan = registration.plan
        aimed = [t.name for t in plan.titles.filter(active=True, for_individual=True)]
        titles = aimed or None  # a plan aiming at no individual title: every active one
        unit_name = registration.unit.name
        plan_label = " ".join(part for part in (plan.document_number, plan.title) if part)
    response = HttpResponse(
        template_workbook(titles=titles, unit_name=unit_name, plan_label=plan_label), content_type=XLSX_MIME
    )
    response["Content-Disposition"] = 'attachment; filename="mau-dang-ky-thi-dua.xlsx"'
    return response


@scoped(REGISTRATIONS, perm=Perm.MANAGE_EMULATION)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, registration: Registration) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    batch = None
    if request.method == "POST" and form.is_valid() and not registration.can_edit(request.user):
        # Refused at preview, not only at "Ghi tất cả": nothing is parsed or kept.
        form.add_error(None, _("Đăng ký này không còn sửa được (đã gửi, hoặc ngoài thời gian nhận đăng ký)."))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_FILE_BYTES + 1)
        members = list(
            Member.objects.visible_to(request.user, Perm.MANAGE_MEMBERS)
            .filter(unit__path__startswith=registration.unit.path, status=Member.Status.ACTIVE)
            .only("id", "full_name", "search_name", "birth_year", "id_number", "date_of_birth")
        )
        taken = set(MemberPledge.objects.filter(plan=registration.plan).values_list("member_id", "title_id"))
        result = parse_pledges(content, members=members, taken=taken, unit=registration.unit, user=request.user)
        if result.refused:
            form.add_error("file", result.errors[0][2])
        elif result.errors:
            form.add_error(
                "file", _("Tệp có %(n)s lỗi; chưa ghi gì. Hãy sửa và tải lên lại.") % {"n": result.error_count}
            )
        else:
            batch = ImportBatch.objects.create(
                registration=registration,
                file_name=upload.name[:255],
                rows=[{k: r[k] for k in ("row", "member", "title", "commitment")} for r in result.rows],
                created_by=cast(User, request.user),
            )
    return render(
        request,
        "registrations/import.html",
        {
            "nav": "registrations",
            "registration": registration,
            "form": form,
            "result": result,
            "batch": batch,
            "preview": result.rows[:PREVIEW_ROWS] if result else [],
            "more": max(0, len(result.rows) - PREVIEW_ROWS) if result else 0,
        },
        status=form_status(form),
    )


@scoped(REGISTRATIONS, perm=Perm.MANAGE_EMULATION)
@require_POST
def import_commit(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    batch = ImportBatch.objects.visible_to(request.user).filter(registration=registration, token=token).first()
    if batch is None:
        messages.error(request, _("Không tìm thấy lần tải lên này; hãy tải tệp lên lại."))
        return redirect("registrations:import", registration.pk)
    try:
        count = services.import_commit(batch=batch, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registrations:detail", registration.pk)
    messages.success(request, _("Đã ghi %(n)s dòng đăng ký từ tệp Excel.") % {"n": count})
    return redirect("registrations:detail", registration.pk)


@scoped(REGISTRATIONS)
def export(request: HttpRequest, registration: Registration) -> HttpResponse:
    headers: list[str | Header] = [
        _("STT"),
        _("Họ và tên"),
        Header(_("Năm sinh"), YEAR),
        _("Đơn vị"),
        _("Danh hiệu đăng ký"),
        _("Cam kết"),
    ]
    rows = (
        [i, p.member.full_name, p.member.birth_year, p.member.unit.name, p.title.name, p.commitment]
        for i, p in enumerate(
            registration.pledges.select_related("member", "member__unit", "title")
            .order_by("member__sort_key")
            .iterator(chunk_size=2000),
            start=1,
        )
    )
    title = Title(
        _("Danh sách đoàn viên đăng ký thi đua"),
        [
            _("Đơn vị: %(unit)s") % {"unit": registration.unit.name},
            _("Kế hoạch: %(plan)s") % {"plan": registration.plan},
        ],
    )
    return xlsx_response("dang-ky-thi-dua.xlsx", _("Đăng ký"), headers, rows, title=title)


@scoped(PLANS, kwarg="plan_pk")
def coverage_view(request: HttpRequest, plan: Plan) -> HttpResponse:
    asked = get_for_user(Unit, request.user, pk=request.GET["unit"]) if request.GET.get("unit") else None
    root = coverage_root(plan, request.user, asked)
    total, rows = coverage(plan, root, request.user)
    if request.GET.get("format") == "xlsx":
        headers: list[str | Header] = [
            _("Đơn vị"),
            _("Đoàn viên"),
            _("Đoàn viên đã đăng ký"),
            Header(_("Tỷ lệ"), PERCENT),
            _("CĐCS"),
            _("CĐCS đã đăng ký"),
            Header(_("Tỷ lệ CĐCS"), PERCENT),
        ]
        data = [
            [
                r.unit.name,
                r.members,
                r.registered_members,
                r.registered_members / r.members if r.members else 0.0,
                r.grassroots,
                r.registered_units,
                r.registered_units / r.grassroots if r.grassroots else 0.0,
            ]
            for r in [*rows, total]
        ]
        title = Title(
            _("Độ phủ đăng ký thi đua – %(unit)s") % {"unit": root.name},
            [_("Kế hoạch: %(plan)s") % {"plan": plan}],
        )
        return xlsx_response("do-phu-dang-ky.xlsx", _("Độ phủ"), headers, data, title=title)
    # Row i of the table is bar i of the chart: short unique labels on the axis, full names in the tooltip.
    chart = {
        "labels": [r.label for r in rows],
        "names": [r.unit.name for r in rows],
        "members": [r.member_rate for r in rows],
        "units": [r.unit_rate for r in rows],
        "member_counts": [[r.registered_members, r.members] for r in rows],
        "unit_counts": [[r.registered_units, r.grassroots] for r in rows],
        "series": [_("% đoàn viên đã đăng ký"), _("% CĐCS đã đăng ký")],
    }
    return render(
        request,
        "registrations/coverage.html",
        {"nav": "plans", "plan": plan, "root": root, "total": total, "rows": rows, "chart": chart},
    )
