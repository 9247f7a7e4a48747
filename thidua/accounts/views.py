from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts import services
from thidua.accounts.access import public, scoped
from thidua.accounts.forms import AssignmentForm
from thidua.accounts.models import RoleAssignment
from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.core.excel import xlsx_response
from thidua.core.forms import apply_errors

login = public(auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True))
logout = public(auth_views.LogoutView.as_view())
password_change = scoped(auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"))
password_change_done = scoped(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


ASSIGNMENTS = RoleAssignment.objects.select_related("user", "unit")


@scoped
def assignments(request: HttpRequest) -> HttpResponse:
    qs = (
        RoleAssignment.objects.visible_to(request.user)
        .select_related("user", "unit")
        .order_by("unit__path", "role", "user__username")
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    return render(
        request,
        "accounts/assignments.html",
        {"nav": "accounts", "page": page, "can_manage": scope.has_any(Perm.MANAGE_ACCOUNTS), "scope": scope},
    )


@scoped
def assignments_export(request: HttpRequest) -> HttpResponse:
    qs = RoleAssignment.objects.visible_to(request.user).select_related("user", "unit").order_by("unit__path", "role")
    headers = [_("Tên đăng nhập"), _("Họ và tên"), _("Vai trò"), _("Đơn vị"), _("Mã đơn vị"), _("Ngày giao")]
    rows = (
        [
            a.user.username,
            a.user.full_name,
            a.get_role_display(),
            a.unit.name,
            a.unit.code,
            timezone.localtime(a.created_at),
        ]
        for a in qs.iterator(chunk_size=2000)
    )
    return xlsx_response("phan-quyen.xlsx", _("Phân quyền"), headers, rows)


@scoped
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).has_any(Perm.MANAGE_ACCOUNTS):
        raise PermissionDenied(_("Bạn không có quyền phân quyền tài khoản."))
    form = AssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_grant(
                username=data["username"],
                unit=data["unit"],
                role=data["role"],
                by=request.user,
                full_name=data["full_name"],
                email=data["email"] or "",
                password=data["password"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã phân quyền cho “%(user)s”.") % {"user": assignment.user.username})
            return redirect("accounts:assignments")
    status = 400 if form.errors else 200
    return render(request, "accounts/assignment_form.html", {"nav": "accounts", "form": form}, status=status)


@scoped(ASSIGNMENTS, perm=Perm.MANAGE_ACCOUNTS)
@require_POST
def assignment_revoke(request: HttpRequest, assignment: RoleAssignment) -> HttpResponse:
    try:
        services.assignment_revoke(assignment=assignment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:assignments")
    messages.success(request, _("Đã thu hồi quyền."))
    return redirect("accounts:assignments")
