from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.models import User
from thidua.accounts.scope import Perm, get_for_user, scope_for
from thidua.campaigns.models import Criterion
from thidua.campaigns.views import plan_get_for_user
from thidua.core.access import scoped
from thidua.core.excel import XLSX_MIME, xlsx_response
from thidua.core.forms import form_status
from thidua.members.models import Member
from thidua.members.selectors import member_list
from thidua.registrations import services
from thidua.registrations.forms import PledgeForm, RegistrationForm, ReturnForm, UploadForm
from thidua.registrations.imports import parse_pledges, template_workbook
from thidua.registrations.models import ImportBatch, MemberPledge, Registration
from thidua.registrations.selectors import coverage
from thidua.units.views import unit_get_for_user


def registration_get_for_user(user: Any, pk: Any, perm: str = Perm.VIEW) -> Registration:
    return get_for_user(
        Registration.objects.select_related("plan", "plan__issuer", "unit", "unit__parent"),
        user,
        perm,
        path_field="unit__path",
        pk=pk,
    )


@scoped
def registration_list(request: HttpRequest) -> HttpResponse:
    qs = (
        Registration.objects.visible_to(request.user)
        .select_related("plan", "plan__issuer", "unit")
        .order_by("-created_at")
    )
    status = request.GET.get("status", "")
    if status in Registration.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/list.html",
        {"nav": "registrations", "page": page, "status": status, "statuses": Registration.Status.choices},
    )


@scoped
@require_POST
def registration_open(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, plan_pk)
    unit = unit_get_for_user(request.user, request.POST.get("unit"), Perm.MANAGE_EMULATION)
    try:
        registration = services.registration_open(plan=plan, unit=unit, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaigns:detail", plan.pk)
    return redirect("registrations:detail", registration.pk)


@scoped
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk)
    scope = scope_for(request.user)
    can_edit = registration.editable and scope.allows(registration.unit.path, Perm.MANAGE_EMULATION)
    parent = registration.unit.parent
    can_decide = (
        registration.status == Registration.Status.SUBMITTED
        and parent is not None
        and scope.allows(parent.path, Perm.MANAGE_EMULATION)
    )
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
            "can_edit": can_edit,
            "can_decide": can_decide,
            "page": page,
            "pledge_form": PledgeForm(),
            "candidates": candidates,
            "q": query,
            "return_form": ReturnForm(),
        },
        status=form_status(form),
    )


@scoped
@require_POST
def pledges_add(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk, Perm.MANAGE_EMULATION)
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
    messages.success(request, _("Đã đăng ký cho %(n)s đoàn viên.") % {"n": added})
    return redirect("registrations:detail", registration.pk)


@scoped
@require_POST
def pledge_remove(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_for_user(
        MemberPledge.objects.select_related("registration", "registration__plan", "registration__unit"),
        request.user,
        Perm.MANAGE_EMULATION,
        path_field="registration__unit__path",
        pk=pk,
    )
    try:
        services.pledge_remove(pledge=pledge, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("registrations:detail", pledge.registration_id)


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk)
    parent = registration.unit.parent
    if action != "submit" and (
        parent is None or not scope_for(request.user).allows(parent.path, Perm.MANAGE_EMULATION)
    ):
        raise PermissionDenied(_("Chỉ cấp trên của đơn vị mới duyệt được đăng ký."))
    try:
        if action == "submit":
            registration = registration_get_for_user(request.user, pk, Perm.MANAGE_EMULATION)
            services.registration_submit(registration=registration, by=request.user)
            messages.success(request, _("Đã gửi đăng ký lên cấp trên."))
        elif action == "accept":
            services.registration_accept(registration=registration, by=request.user)
            messages.success(request, _("Đã chấp nhận đăng ký."))
        else:
            services.registration_return(
                registration=registration, by=request.user, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("Đã trả lại đăng ký để đơn vị sửa."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registrations:detail", registration.pk)
    return redirect("registrations:detail", registration.pk)


@scoped
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@scoped
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "accept")


@scoped
@require_POST
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "return")


@scoped
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="mau-dang-ky-thi-dua.xlsx"'
    return response


@scoped
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk, Perm.MANAGE_EMULATION)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    batch = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(10 * 1024 * 1024 + 1)
        members = list(
            Member.objects.visible_to(request.user, Perm.MANAGE_MEMBERS)
            .filter(unit__path__startswith=registration.unit.path, status=Member.Status.ACTIVE)
            .only("id", "full_name", "search_name", "birth_year", "id_number", "date_of_birth")
        )
        taken = set(MemberPledge.objects.filter(plan=registration.plan).values_list("member_id", "title_id"))
        result = parse_pledges(content, members=members, taken=taken)
        if result.errors:
            form.add_error(
                "file", _("Tệp có %(n)s lỗi; chưa ghi gì. Hãy sửa và tải lên lại.") % {"n": len(result.errors)}
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
            "preview": result.rows[:200] if result else [],
        },
        status=form_status(form),
    )


@scoped
@require_POST
def import_commit(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk, Perm.MANAGE_EMULATION)
    batch = ImportBatch.objects.filter(registration=registration, token=token).first()
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


@scoped
def export(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk)
    headers = [_("STT"), _("Họ và tên"), _("Năm sinh"), _("Đơn vị"), _("Danh hiệu đăng ký"), _("Cam kết")]
    rows = (
        [i, p.member.full_name, p.member.birth_year, p.member.unit.name, p.title.name, p.commitment]
        for i, p in enumerate(
            registration.pledges.select_related("member", "member__unit", "title")
            .order_by("member__sort_key")
            .iterator(chunk_size=2000),
            start=1,
        )
    )
    return xlsx_response("dang-ky-thi-dua.xlsx", _("Đăng ký"), headers, rows)


@scoped
def coverage_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, plan_pk)
    scope = scope_for(request.user)
    if request.GET.get("unit"):
        root = unit_get_for_user(request.user, request.GET["unit"])
    elif scope.allows(plan.issuer.path, Perm.VIEW):
        root = plan.issuer
    else:
        root = unit_get_for_user(request.user, scope.root_unit_ids[0]) if scope.root_unit_ids else plan.issuer
    if not root.path.startswith(plan.issuer.path):
        root = plan.issuer if scope.allows(plan.issuer.path, Perm.VIEW) else root
    total, rows = coverage(plan, root)
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Đơn vị"),
            _("Đoàn viên"),
            _("Đoàn viên đã đăng ký"),
            _("Tỷ lệ (%)"),
            _("CĐCS"),
            _("CĐCS đã đăng ký"),
            _("Tỷ lệ CĐCS (%)"),
        ]
        data = [
            [r.unit.name, r.members, r.registered_members, r.member_rate, r.grassroots, r.registered_units, r.unit_rate]
            for r in [*rows, total]
        ]
        return xlsx_response("do-phu-dang-ky.xlsx", _("Độ phủ"), headers, data)
    chart = {
        "labels": [r.unit.short_name or r.unit.name for r in rows],
        "members": [r.member_rate for r in rows],
        "units": [r.unit_rate for r in rows],
        "series": [_("% đoàn viên đã đăng ký"), _("% CĐCS đã đăng ký")],
    }
    return render(
        request,
        "registrations/coverage.html",
        {"nav": "plans", "plan": plan, "root": root, "total": total, "rows": rows, "chart": chart},
    )
