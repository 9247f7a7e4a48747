from __future__ import annotations

from typing import Any, cast

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from thidua.accounts.models import RoleAssignment
from thidua.accounts.scope import Perm, scope_for
from thidua.core.access import public, scoped
from thidua.members.models import Member
from thidua.units.models import Unit, UnitEvent
from thidua.units.selectors import children_with_counts, kind_breakdown, units_with_counts


@public
@never_cache
def root(request: HttpRequest) -> HttpResponse:
    """The site's address: the public portal for visitors, the dashboard for officers."""
    if not request.user.is_authenticated:
        return redirect("portal:home")
    return home(request)


@scoped
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """The officer's subtree at a glance: their units, counts, recent changes."""
    scope = scope_for(request.user)
    if scope.is_global:
        roots = list(Unit.objects.filter(depth=1).select_related("kind").order_by("name"))
    else:
        roots = list(Unit.objects.filter(pk__in=scope.root_unit_ids).select_related("kind").order_by("path"))
    root_rows = units_with_counts(roots)
    first = roots[0] if len(roots) == 1 else None
    members = Member.objects.visible_to(request.user).filter(status=Member.Status.ACTIVE)
    gender = dict(members.values("gender").annotate(n=Count("id")).order_by().values_list("gender", "n"))
    context: dict[str, Any] = {
        "nav": "home",
        "root_rows": root_rows,
        "grants": RoleAssignment.objects.filter(user_id=cast(int, request.user.pk))
        .select_related("unit")
        .order_by("unit__path"),
        "first": first,
        "children": children_with_counts(first) if first else [],
        "kinds": kind_breakdown(first) if first else [],
        "women": gender.get(Member.Gender.FEMALE, 0),
        "men": gender.get(Member.Gender.MALE, 0),
        "recent_events": UnitEvent.objects.filter(unit__in=Unit.objects.visible_to(request.user))
        .select_related("unit", "by", "other_unit")
        .order_by("-at")[:8],
        "can_manage_members": scope.has_any(Perm.MANAGE_MEMBERS),
    }
    return render(request, "core/home.html", context)


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, {"status": status}, status=status)


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "400.html")


@public
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "403.html")


@public
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "404.html")


@public
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "500.html")
