from __future__ import annotations

from typing import Any

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.members.models import Member, MemberQuerySet
from thidua.units.models import Unit

# Up to this many units, a subtree's members are fetched by exact unit ids.
SUBTREE_ID_LIMIT = 1000


def member_list(
    user: Any, *, unit: Unit | None = None, q: str = "", status: str = "", gender: str = ""
) -> MemberQuerySet:
    """Members the user may see, filtered; the one query behind the list, export and API.

    For subtrees of up to SUBTREE_ID_LIMIT units the scoped unit ids are read
    first (one index range scan on the path) and members are filtered by them.
    With a path join instead, PostgreSQL walks the whole name index looking for
    the first page of a district's members (369 ms against 11 ms on the
    national bench tree; see docs/benchmarks.md). Large subtrees (a province:
    2,115 units) keep the join, where that walk is the faster plan.
    """
    units = Unit.objects.visible_to(user)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    qs: MemberQuerySet
    if unit is None and scope_for(user).is_global:
        qs = Member.objects.all()
    else:
        ids = list(units.order_by().values_list("id", flat=True)[: SUBTREE_ID_LIMIT + 1])
        if len(ids) <= SUBTREE_ID_LIMIT:
            qs = Member.objects.filter(unit_id__in=ids)
        else:
            qs = Member.objects.visible_to(user)
            if unit is not None:
                qs = qs.in_subtree(unit)
    qs = qs.select_related("unit")
    if q:
        qs = qs.search(q)
    if status:
        qs = qs.filter(status=status)
    if gender:
        qs = qs.filter(gender=gender)
    return qs.order_by("sort_key", "id")


def can_view_sensitive(user: Any, member: Member | None = None, unit: Unit | None = None) -> bool:
    """Sensitive fields are shown only where the user holds VIEW_SENSITIVE over the whole list."""
    scope = scope_for(user)
    if member is not None:
        return scope.allows(member.unit.path, Perm.VIEW_SENSITIVE)
    if unit is not None:
        return scope.allows(unit.path, Perm.VIEW_SENSITIVE)
    return scope.is_global or (
        bool(scope.prefixes(Perm.VIEW)) and scope.prefixes(Perm.VIEW) == scope.prefixes(Perm.VIEW_SENSITIVE)
    )
