"""The one scope mechanism: who may see or change what, by place in the union tree.

A role assignment on a unit grants a set of permissions over that unit's whole
subtree. Everything that reads rows for a user goes through ``restrict`` (the
``visible_to`` queryset methods call it) and every single-object fetch goes
through ``get_for_user``: 404 when the object is outside the user's scope for
viewing, 403 when it is visible but the user lacks the permission asked for.

The user's grants are read once per request (one query) and cached on the
user object, so scope checks cost a fixed number of queries whatever the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from thidua.accounts.models import Role

M = TypeVar("M", bound=models.Model)
QS = TypeVar("QS", bound=models.QuerySet[Any])


class Perm:
    VIEW = "view"
    VIEW_SENSITIVE = "view_sensitive"  # phone, ID number, date of birth of members
    MANAGE_MEMBERS = "manage_members"
    MANAGE_UNITS = "manage_units"  # edit a unit; create, move, merge, delete its children
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_EMULATION = "manage_emulation"  # plans, registrations, urging, accepting
    PUBLISH = "publish"  # write, schedule and publish the unit's articles on the public portal


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            Perm.VIEW,
            Perm.VIEW_SENSITIVE,
            Perm.MANAGE_MEMBERS,
            Perm.MANAGE_UNITS,
            Perm.MANAGE_ACCOUNTS,
            Perm.MANAGE_EMULATION,
            Perm.PUBLISH,
        }
    ),
    Role.UNIT_ADMIN: frozenset(
        {Perm.VIEW, Perm.VIEW_SENSITIVE, Perm.MANAGE_MEMBERS, Perm.MANAGE_UNITS, Perm.MANAGE_ACCOUNTS}
    ),
    Role.OFFICER: frozenset({Perm.VIEW, Perm.VIEW_SENSITIVE, Perm.MANAGE_MEMBERS, Perm.MANAGE_EMULATION}),
    Role.COUNCIL: frozenset({Perm.VIEW}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.PUBLISH}),
    Role.VIEWER: frozenset({Perm.VIEW}),
}


@dataclass(frozen=True)
class Grant:
    path: str
    unit_id: int
    role: str
    perms: frozenset[str]


@dataclass(frozen=True)
class Scope:
    """The grants of one user, with the questions every view asks of them."""

    grants: tuple[Grant, ...]
    is_global: bool = False

    def prefixes(self, perm: str) -> list[str]:
        """Minimal list of subtree paths where ``perm`` holds (nested ones dropped)."""
        paths = sorted({g.path for g in self.grants if perm in g.perms})
        minimal: list[str] = []
        for path in paths:
            if not any(path.startswith(kept) for kept in minimal):
                minimal.append(path)
        return minimal

    def allows(self, path: str, perm: str) -> bool:
        if self.is_global:
            return True
        return any(path.startswith(g.path) and perm in g.perms for g in self.grants)

    def roles_at(self, path: str) -> set[str]:
        return {g.role for g in self.grants if path.startswith(g.path)}

    @property
    def root_unit_ids(self) -> list[int]:
        """The units at the top of the user's scope (for the tree and home page)."""
        tops = self.prefixes(Perm.VIEW)
        return [g.unit_id for g in self.grants if g.path in tops and Perm.VIEW in g.perms]

    def has_any(self, perm: str) -> bool:
        return self.is_global or any(perm in g.perms for g in self.grants)


ANONYMOUS_SCOPE = Scope(grants=())


def scope_for(user: Any) -> Scope:
    """The user's scope, read once and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_thidua_scope", None)
    if cached is not None:
        return cached
    from thidua.accounts.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(user_id=user.pk, unit__dissolved_on__isnull=True)
        .values_list("unit_id", "unit__path", "role")
        .order_by("unit__path")
    )
    grants = tuple(
        Grant(path=path, unit_id=unit_id, role=role, perms=ROLE_PERMS.get(role, frozenset()))
        for unit_id, path, role in rows
    )
    scope = Scope(grants=grants, is_global=bool(user.is_superuser))
    user._thidua_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    if hasattr(user, "_thidua_scope"):
        del user._thidua_scope


def restrict(queryset: QS, user: Any, perm: str, *, path_field: str) -> QS:
    """Rows of ``queryset`` whose unit lies in a subtree where ``user`` holds ``perm``."""
    scope = scope_for(user)
    if scope.is_global:
        return queryset
    prefixes = scope.prefixes(perm)
    if not prefixes:
        return queryset.none()
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{path_field}__startswith": prefix})
    return queryset.filter(condition)


def path_of(obj: models.Model, path_attr: str) -> str:
    value: Any = obj
    for part in path_attr.split("__"):
        value = getattr(value, part)
    return str(value)


def get_for_user(
    queryset: models.QuerySet[M],
    user: Any,
    perm: str = Perm.VIEW,
    *,
    path_field: str,
    **lookup: Any,
) -> M:
    """Fetch one object for ``user``: 404 outside the viewing scope, 403 without ``perm``."""
    # A queryset's own visible_to() may widen viewing (e.g. plans issued from above).
    visible_to = getattr(queryset, "visible_to", None)
    visible = visible_to(user) if visible_to else restrict(queryset, user, Perm.VIEW, path_field=path_field)
    try:
        obj = visible.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem.")) from None
    if perm != Perm.VIEW and not scope_for(user).allows(path_of(obj, path_field), perm):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    return obj


def require(user: Any, path: str, perm: str) -> None:
    """Raise 403 unless ``user`` holds ``perm`` at ``path`` (the object is already visible)."""
    if not scope_for(user).allows(path, perm):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
