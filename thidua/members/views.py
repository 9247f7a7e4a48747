from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows, get_for_user, scope_for
from thidua.core.excel import YEAR, Header, Title, scope_line, xlsx_response
from thidua.core.forms import apply_errors
from thidua.core.history import history_rows
from thidua.core.listing import Listing, Sort
from thidua.members import services
from thidua.members.forms import MemberFilterForm, MemberForm
from thidua.members.models import SENSITIVE_FIELDS, Member
from thidua.members.selectors import can_view_sensitive, member_list
from thidua.units.models import Unit
from thidua.units.selectors import scope_roots

MEMBERS = Member.objects.select_related("unit")
AWARDS_SHOWN = 100


def _filters(request: HttpRequest) -> tuple[MemberFilterForm, Unit | None, dict[str, str]]:
    form = MemberFilterForm(request.GET or None)
    unit = get_for_user(Unit, request.user, pk=request.GET["unit"]) if request.GET.get("unit") else None
    form.is_valid()  # fields that are valid stay in cleaned_data even when another is not
    data = getattr(form, "cleaned_data", {})
    filters = {key: data.get(key) or "" for key in ("q", "status", "gender")}
    return form, unit, filters


MEMBER_SORTS = (
    Sort("name", ("sort_key",)),
    Sort("birth_year", ("birth_year",)),
    Sort("unit", ("unit__name",)),
    Sort("joined_on", ("joined_on",)),
)


@scoped
def member_list_view(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        return export(request)
    form, unit, filters = _filters(request)
    listing = Listing(request, member_list(request.user, unit=unit, **filters), sorts=MEMBER_SORTS, default_sort="name")
    context = {
        "nav": "members",
        "form": form,
        "unit": unit,
        "listing": listing,
        "show_sensitive": can_view_sensitive(request.user, unit=unit),
        "can_add": scope_for(request.user).has_any(Perm.MANAGE_MEMBERS),
    }
    template = "members/_table.html" if request.headers.get("HX-Target") == "member-table" else "members/list.html"
    return render(request, template, context)


@scoped
def export(request: HttpRequest) -> HttpResponse:
    _form, unit, filters = _filters(request)
    listing = Listing(request, member_list(request.user, unit=unit, **filters), sorts=MEMBER_SORTS, default_sort="name")
    sensitive = can_view_sensitive(request.user, unit=unit)
    headers: list[str | Header] = [
        _("Họ và tên"),
        _("Giới tính"),
        Header(_("Năm sinh"), YEAR),
        _("Chức vụ"),
        _("Công việc"),
        _("Đơn vị"),
        _("Ngày vào công đoàn"),
        _("Trạng thái"),
    ]
    if sensitive:
        headers += [_("Số điện thoại"), _("Số CCCD"), _("Ngày sinh")]

    def rows() -> Any:
        for m in listing.all_rows():
            row = [
                m.full_name,
                m.get_gender_display(),
                m.birth_year,
                m.position,
                m.job,
                m.unit.name,
                m.joined_on,
                m.get_status_display(),
            ]
            if sensitive:
                row += [m.phone, m.id_number, m.date_of_birth]
            yield row

    about = (
        _("Đơn vị: %(unit)s") % {"unit": unit.name} if unit else scope_line(u.name for u in scope_roots(request.user))
    )
    title = Title(_("Danh sách đoàn viên"), [about])
    return xlsx_response("doan-vien.xlsx", _("Đoàn viên"), headers, rows(), title=title)


@scoped(MEMBERS)
def detail(request: HttpRequest, member: Member) -> HttpResponse:
    show_sensitive = can_view_sensitive(request.user, member=member)
    hidden = () if show_sensitive else SENSITIVE_FIELDS
    return render(
        request,
        "members/detail.html",
        {
            "nav": "members",
            "member": member,
            "show_sensitive": show_sensitive,
            "can_manage": allows(request.user, member, Perm.MANAGE_MEMBERS),
            "history": history_rows(member.history.all(), hidden=hidden, limit=30),
            # Standing and revoked awards the user may read (the award's own scope), one query.
            "awards": member.awards.visible_to(request.user)
            .select_related("kind", "decision__issuer")
            .order_by("-period_end", "-pk")[:AWARDS_SHOWN],
        },
    )


def _form_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    status = 400 if context["form"].errors else 200
    return render(request, "members/form.html", {"nav": "members", **context}, status=status)


@scoped
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).has_any(Perm.MANAGE_MEMBERS):
        raise PermissionDenied(_("Bạn không có quyền thêm đoàn viên."))
    initial: dict[str, Any] = {}
    if request.GET.get("unit"):
        unit = get_for_user(Unit, request.user, Perm.MANAGE_MEMBERS, pk=request.GET["unit"])
        initial["unit"] = unit.pk
    form = MemberForm(request.POST or None, initial=initial, user=request.user, show_sensitive=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        try:
            member = services.member_create(unit=unit, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm đoàn viên “%(name)s”.") % {"name": member.full_name})
            if "add_another" in request.POST:
                return redirect(f"{request.path}?unit={unit.pk}")
            return redirect("members:detail", member.pk)
    return _form_response(request, {"form": form, "title": _("Thêm đoàn viên")})


@scoped(MEMBERS, perm=Perm.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, member: Member) -> HttpResponse:
    show_sensitive = can_view_sensitive(request.user, member=member)
    form = MemberForm(request.POST or None, instance=member, user=request.user, show_sensitive=show_sensitive)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.fields}
        try:
            services.member_update(member=member, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("members:detail", member.pk)
    return _form_response(request, {"form": form, "member": member, "title": _("Sửa thông tin đoàn viên")})


@scoped(MEMBERS, perm=Perm.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, member: Member) -> HttpResponse:
    if request.method == "POST":
        unit_pk = member.unit_id
        services.member_delete(member=member, by=request.user)
        messages.success(request, _("Đã xoá đoàn viên “%(name)s”.") % {"name": member.full_name})
        return redirect(f"{reverse('members:list')}?unit={unit_pk}")
    return render(request, "members/delete.html", {"nav": "members", "member": member})
