from __future__ import annotations

from typing import Any

from thidua.accounts.scope import Perm, scope_for
from thidua.members.models import Member, MemberQuerySet
from thidua.units.models import Unit


def member_list(
    user: Any, *, unit: Unit | None = None, q: str = "", status: str = "", gender: str = ""
) -> MemberQuerySet:
    """Members the user may see, filtered; the one query behind the list, export and API."""
    qs = Member.objects.visible_to(user).select_related("unit")
    if unit is not None:
        qs = qs.in_subtree(unit)
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
