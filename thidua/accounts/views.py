from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts import services
from thidua.accounts.access import public, scoped
from thidua.accounts.forms import AssignmentForm
from thidua.accounts.models import RoleAssignment
from thidua.accounts.roles import Perm, Role
from thidua.accounts.scope import scope_for
from thidua.core.excel import Title, scope_line
from thidua.core.forms import apply_errors
from thidua.core.listing import Column, Listing, Sort
from thidua.core.text import fold

login = public(auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True))
logout = public(auth_views.LogoutView.as_view())
password_change = scoped(auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"))
password_change_done = scoped(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


ASSIGNMENTS = RoleAssignment.objects.select_related("user", "unit")


ASSIGNMENT_SORTS = (
    Sort("user", ("user__username",)),
    Sort("role", ("role",)),
    Sort("unit", ("unit__path",)),
    Sort("created", ("created_at",)),
)


def _assignment_listing(request: HttpRequest) -> Listing:
    qs = RoleAssignment.objects.visible_to(request.user).select_related("user", "unit")
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    # Unit names are searched without diacritics; people's names as typed (users have no folded column yet).
    for word in request.GET.get("q", "").strip()[:100].split():
        qs = qs.filter(
            Q(user__username__icontains=word)
            | Q(user__full_name__icontains=word)
            | Q(unit__search_text__contains=fold(word))
        )
    return Listing(request, qs, sorts=ASSIGNMENT_SORTS, default_sort="unit")


@scoped
def assignments(request: HttpRequest) -> HttpResponse:
    listing = _assignment_listing(request)
    if listing.wants_export:
        return assignments_export(request)
    scope = scope_for(request.user)
    return render(
        request,
        "accounts/assignments.html",
        {
            "nav": "accounts",
            "listing": listing,
            "q": request.GET.get("q", "").strip()[:100],
            "role": request.GET.get("role", ""),
            "roles": Role.choices,
            "can_manage": scope.has_any(Perm.MANAGE_ACCOUNTS),
            "scope": scope,
        },
    )


@scoped
def assignments_export(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    # The units at the top of the user's scope, named through the assignments there (accounts sits below units).
    tops = RoleAssignment.objects.filter(unit_id__in=scope.root_unit_ids)
    names = [] if scope.is_global else tops.order_by("unit__path").values_list("unit__name", flat=True).distinct()
    return _assignment_listing(request).export(
        "phan-quyen.xlsx",
        _("Phân quyền"),
        title=Title(_("Danh sách phân quyền tài khoản"), [scope_line(names)]),
        columns=[
            Column(_("Tên đăng nhập"), lambda a: a.user.username),
            Column(_("Họ và tên"), lambda a: a.user.full_name),
            Column(_("Vai trò"), lambda a: a.get_role_display()),
            Column(_("Đơn vị"), lambda a: a.unit.name),
            Column(_("Mã đơn vị"), lambda a: a.unit.code),
            Column(_("Ngày giao"), lambda a: timezone.localtime(a.created_at)),
        ],
    )


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
