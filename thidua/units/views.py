from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, get_for_user, require, scope_for
from thidua.core.excel import Title, scope_line, xlsx_response
from thidua.core.forms import apply_errors, form_status
from thidua.core.history import history_rows
from thidua.core.listing import Listing, Sort
from thidua.core.text import fold
from thidua.units import services
from thidua.units.forms import DissolveForm, TargetForm, UnitForm
from thidua.units.models import Unit, UnitEvent, UnitQuerySet
from thidua.units.selectors import breadcrumbs, children_with_counts, scope_roots, units_with_counts

PICK_LIMIT = 20
AWARDS_SHOWN = 100  # a collective's awards on its page (decades of yearly titles fit)


UNITS = Unit.objects.select_related("kind", "parent", "merged_into")


def _require_on_parent(user: Any, unit: Unit, perm: str) -> None:
    """Structural changes of a unit are decided by the level above it."""
    if unit.parent is None:
        if not scope_for(user).is_global:
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
        return
    require(user, unit.parent, perm)


@scoped
def tree(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"nav": "units", "q": query}
    if query:
        results = Unit.objects.visible_to(request.user).search(query).select_related("kind", "parent")
        context["listing"] = Listing(request, results, sorts=UNIT_SEARCH_SORTS, default_sort="level")
    else:
        roots = scope_roots(request.user)
        context["root_rows"] = units_with_counts(roots)
        if len(roots) == 1:
            context["open_rows"] = children_with_counts(roots[0])
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "unit-results":
        return render(request, "units/_search_results.html", context)
    return render(request, "units/tree.html", context)


@scoped(UNITS)
def children(request: HttpRequest, unit: Unit) -> HttpResponse:
    rows = children_with_counts(unit)
    return render(request, "units/_tree_children.html", {"rows": rows, "parent": unit})


UNIT_SEARCH_SORTS = (Sort("level", ("depth", "name")), Sort("name", ("name",)))
CHILD_SORTS = (
    Sort("name", python_key=lambda row: fold(row.unit.name)),
    Sort("kind", python_key=lambda row: (row.unit.kind.level, fold(row.unit.name))),
    Sort("sub_units", python_key=lambda row: row.sub_units),
    Sort("members", python_key=lambda row: row.members),
)


@scoped(UNITS)
def detail(request: HttpRequest, unit: Unit) -> HttpResponse:
    # Counts for all children come in three queries; the page shows 50 of them at a time.
    rows = Listing(request, children_with_counts(unit, include_dissolved=True), sorts=CHILD_SORTS, default_sort="name")
    own = units_with_counts([unit])[0]
    context = {
        "nav": "units",
        "unit": unit,
        "own": own,
        "rows": rows,
        "crumbs": breadcrumbs(unit, request.user),
        "events": unit.events.select_related("old_parent", "new_parent", "other_unit", "by")[:10],
        "can": Can(unit, request.user),
        # The unit's own awards as a collective, standing and revoked, as far as the user reads them.
        "awards": unit.awards.filter(member__isnull=True)
        .visible_to(request.user)
        .select_related("kind", "decision__issuer")
        .order_by("-period_end", "-pk")[:AWARDS_SHOWN],
    }
    return render(request, "units/detail.html", context)


@scoped(UNITS, perm=Perm.MANAGE_UNITS, kwarg="parent_pk")
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, parent: Unit) -> HttpResponse:
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(parent=parent, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm đơn vị “%(name)s”.") % {"name": unit.name})
            return redirect("units:detail", unit.pk)
    return render(
        request,
        "units/form.html",
        {"nav": "units", "form": form, "parent": parent, "title": _("Thêm đơn vị trực thuộc")},
        status=form_status(form),
    )


@scoped(UNITS, perm=Perm.MANAGE_UNITS)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, unit: Unit) -> HttpResponse:
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("units:detail", unit.pk)
    return render(
        request,
        "units/form.html",
        {"nav": "units", "form": form, "unit": unit, "title": _("Sửa thông tin đơn vị")},
        status=form_status(form),
    )


def _targets(user: Any, unit: Unit) -> UnitQuerySet:
    return Unit.objects.visible_to(user, Perm.MANAGE_UNITS).active().exclude(path__startswith=unit.path)


def _restructure(request: HttpRequest, unit: Unit, action: str) -> HttpResponse:
    _require_on_parent(request.user, unit, Perm.MANAGE_UNITS)
    targets = _targets(request.user, unit)
    if action == "move" and unit.parent_id:
        targets = targets.exclude(pk=unit.parent_id)
    # "pick" is the no-JavaScript search button: re-show the form with candidates, no errors.
    picking = request.method == "POST" and "pick" in request.POST
    form = TargetForm(
        request.POST if request.method == "POST" and not picking else None,
        targets=targets,
        initial=request.POST.dict() if picking else None,
    )
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:100]
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "move":
                services.unit_move(
                    unit=unit,
                    new_parent=data["target"],
                    effective_on=data["effective_on"],
                    reason=data["reason"],
                    by=request.user,
                )
                messages.success(request, _("Đã chuyển đơn vị sang “%(name)s”.") % {"name": data["target"].name})
            else:
                services.unit_merge(
                    source=unit,
                    target=data["target"],
                    effective_on=data["effective_on"],
                    reason=data["reason"],
                    by=request.user,
                )
                messages.success(request, _("Đã hợp nhất vào “%(name)s”.") % {"name": data["target"].name})
                return redirect("units:detail", data["target"].pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("units:detail", unit.pk)
    candidates = (
        list(targets.search(query).select_related("parent").order_by("depth", "name")[:PICK_LIMIT]) if query else []
    )
    selected = form.data.get("target") if form.is_bound else None
    return render(
        request,
        "units/restructure.html",
        {
            "nav": "units",
            "unit": unit,
            "form": form,
            "action": action,
            "q": query,
            "candidates": candidates,
            "selected": str(selected or ""),
        },
        status=form_status(form),
    )


@scoped(UNITS)
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, unit: Unit) -> HttpResponse:
    return _restructure(request, unit, "move")


@scoped(UNITS)
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, unit: Unit) -> HttpResponse:
    return _restructure(request, unit, "merge")


@scoped(UNITS)
def pick(request: HttpRequest, unit: Unit) -> HttpResponse:
    """Autocomplete for the move/merge target: only units the user may manage."""
    _require_on_parent(request.user, unit, Perm.MANAGE_UNITS)
    query = request.GET.get("q", "").strip()[:100]
    candidates = (
        list(_targets(request.user, unit).search(query).select_related("parent").order_by("depth", "name")[:PICK_LIMIT])
        if query
        else []
    )
    return render(request, "units/_pick.html", {"candidates": candidates, "q": query, "selected": ""})


@scoped(UNITS)
@require_http_methods(["GET", "POST"])
def dissolve(request: HttpRequest, unit: Unit) -> HttpResponse:
    _require_on_parent(request.user, unit, Perm.MANAGE_UNITS)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_dissolve(unit=unit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã giải thể đơn vị."))
            return redirect("units:detail", unit.pk)
    return render(
        request, "units/dissolve.html", {"nav": "units", "unit": unit, "form": form}, status=form_status(form)
    )


@scoped(UNITS)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, unit: Unit) -> HttpResponse:
    _require_on_parent(request.user, unit, Perm.MANAGE_UNITS)
    error = ""
    if request.method == "POST":
        parent_pk = unit.parent_id
        try:
            services.unit_delete(unit=unit, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã xoá đơn vị."))
            return redirect("units:detail", parent_pk)
    return render(
        request, "units/delete.html", {"nav": "units", "unit": unit, "error": error}, status=400 if error else 200
    )


@scoped(UNITS)
def history(request: HttpRequest, unit: Unit) -> HttpResponse:
    events = UnitEvent.objects.filter(unit=unit).select_related("old_parent", "new_parent", "other_unit", "by")
    return render(
        request,
        "units/history.html",
        {"nav": "units", "unit": unit, "history": history_rows(unit.history.all()), "events": events},
    )


@scoped
def export(request: HttpRequest) -> HttpResponse:
    """All units in the user's scope (or under ?unit=) as an Excel sheet."""
    qs = Unit.objects.visible_to(request.user).select_related("kind", "parent").order_by("path")
    about = ""
    if request.GET.get("unit"):
        root = get_for_user(UNITS, request.user, pk=request.GET["unit"])
        qs = qs.filter(path__startswith=root.path)
        about = _("Đơn vị: %(unit)s") % {"unit": root.name}
    headers = [
        _("Mã"),
        _("Tên đơn vị"),
        _("Tên viết tắt"),
        _("Loại"),
        _("Đơn vị cấp trên"),
        _("Cấp"),
        _("Ngày thành lập"),
        _("Ngày giải thể"),
    ]
    rows = (
        [
            u.code,
            u.name,
            u.short_name,
            u.kind.label,
            u.parent.name if u.parent else "",
            u.depth,
            u.active_from,
            u.dissolved_on,
        ]
        for u in qs.iterator(chunk_size=2000)
    )
    title = Title(_("Danh sách đơn vị"), [about or scope_line(u.name for u in scope_roots(request.user))])
    return xlsx_response("don-vi.xlsx", _("Đơn vị"), headers, rows, title=title)
