"""The officer's home page: their subtree at a glance."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from thidua.accounts.access import public, scoped
from thidua.accounts.models import RoleAssignment
from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.members.models import Member
from thidua.ops.routers import replica_reads
from thidua.units.models import UnitEvent
from thidua.units.selectors import children_with_counts, kind_breakdown, scope_roots, units_with_counts


@public
@never_cache
def root(request: HttpRequest) -> HttpResponse:
    """The site's address: the public portal for visitors, the dashboard for officers."""
    if not request.user.is_authenticated:
        return redirect("portal:home")
    return home(request)


@scoped
@never_cache
@replica_reads
def home(request: HttpRequest) -> HttpResponse:
    """The officer's subtree at a glance: their units, counts, recent changes."""
    roots = scope_roots(request.user)
    root_rows = units_with_counts(roots)
    first = roots[0] if len(roots) == 1 else None
    members = Member.objects.visible_to(request.user).filter(status=Member.Status.ACTIVE)
    gender = dict(members.values("gender").annotate(n=Count("id")).order_by().values_list("gender", "n"))
    context: dict[str, Any] = {
        "nav": "home",
        "root_rows": root_rows,
        "assignments": RoleAssignment.objects.filter(user_id=cast(int, request.user.pk))
        .select_related("unit")
        .order_by("unit__path"),
        "first": first,
        "children": children_with_counts(first) if first else [],
        "kinds": kind_breakdown(first) if first else [],
        "women": gender.get(Member.Gender.FEMALE, 0),
        "men": gender.get(Member.Gender.MALE, 0),
        "recent_events": UnitEvent.objects.visible_to(request.user)
        .select_related("unit", "by", "other_unit")
        .order_by("-at")[:8],
        "can_manage_members": scope_for(request.user).has_any(Perm.MANAGE_MEMBERS),
    }
    return render(request, "dashboard/home.html", context)
