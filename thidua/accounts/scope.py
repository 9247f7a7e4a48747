"""The one scope mechanism: who may see or change what, by place in the union tree.

A role assignment on a unit grants a set of permissions over that unit's whole
subtree. Every model that belongs to the tree declares once, as its
``scope_rule``, how a row reaches its unit:

* ``ByPath("unit__path")`` — the row belongs to the unit at the end of the lookup;
  ``shared_down`` widens *viewing* to every unit below the owner when the row is
  in one of the given states (an issued plan is read by every level it applies to);
* ``ViaParent("plan")`` — the row is seen and changed exactly as its parent is
  (an attachment as its plan, a pledge as its registration), widening included;
* ``OwnedBy("user")`` — the row belongs to one account (notifications).

From that declaration come the only two ways to read scoped rows:
``Model.objects.visible_to(user, perm)`` for lists, exports, search and the API,
and ``get_for_user(queryset, user, perm, pk=…)`` for one object: 404 when the
user may not see it, 403 when they see it but lack ``perm``. Views receive
objects already fetched this way through ``thidua.accounts.access.scoped``.

The user's grants are read once per request (one query) and cached on the
user object, so scope checks cost a fixed number of queries whatever the tree.
No code outside this package reads grants; it asks the questions below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from thidua.accounts.roles import ROLE_PERMS, Perm, Role

M = TypeVar("M", bound=models.Model)
QS = TypeVar("QS", bound=models.QuerySet[Any])

# Width of one level in a unit's materialised path (django-treebeard's ``steplen``).
PATH_STEP = 4
NOTHING = Q(pk__in=[])  # matches no row, without a query


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
    user_id: int | None = None

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

    def granted_at(self, path: str, perm: str) -> bool:
        """``perm`` is granted on the unit at ``path`` itself, not inherited from above it."""
        return self.is_global or any(g.path == path and perm in g.perms for g in self.grants)

    def ancestors_of_scope(self, perm: str = Perm.VIEW) -> set[str]:
        """Paths of the units strictly above the user's subtrees (where plans from above come from)."""
        above: set[str] = set()
        for prefix in self.prefixes(perm):
            above.update(prefix[:end] for end in range(PATH_STEP, len(prefix), PATH_STEP))
        return above

    def unit_ids_with(self, perm: str) -> list[int]:
        """The units on which the user holds ``perm`` directly (their own units for that work)."""
        return sorted({g.unit_id for g in self.grants if perm in g.perms})

    def units_with_role(self, role: str) -> list[tuple[int, str]]:
        """(unit id, path) of the units where the user holds ``role`` directly."""
        return sorted({(g.unit_id, g.path) for g in self.grants if g.role == role})

    def roles_at(self, path: str) -> set[str]:
        return {g.role for g in self.grants if path.startswith(g.path)}

    @property
    def root_unit_ids(self) -> list[int]:
        """The units at the top of the user's scope (for the tree and home page)."""
        tops = self.prefixes(Perm.VIEW)
        return [g.unit_id for g in self.grants if g.path in tops and Perm.VIEW in g.perms]

    def has_any(self, perm: str) -> bool:
        return self.is_global or any(perm in g.perms for g in self.grants)

    def path_condition(self, field: str, perm: str) -> Q:
        """Rows whose ``field`` (a unit path) lies in a subtree where ``perm`` holds."""
        if self.is_global:
            return Q()
        condition = NOTHING
        for prefix in self.prefixes(perm):
            condition |= Q(**{f"{field}__startswith": prefix})
        return condition


ANONYMOUS_SCOPE = Scope(grants=())


def scope_for(user: Any) -> Scope:
    """The user's scope, read once and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_thidua_scope", None)
    if cached is not None:
        return cached
    rows = (
        user.assignments.filter(unit__dissolved_on__isnull=True)
        .values_list("unit_id", "unit__path", "role")
        .order_by("unit__path")
    )
    grants = tuple(
        Grant(path=path, unit_id=unit_id, role=role, perms=ROLE_PERMS.get(role, frozenset()))
        for unit_id, path, role in rows
    )
    scope = Scope(grants=grants, is_global=bool(user.is_superuser), user_id=user.pk)
    user._thidua_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    if hasattr(user, "_thidua_scope"):
        del user._thidua_scope


# --- how a model reaches its unit ------------------------------------------------


def decides_above(user: Any, unit_path: str, perm: str = Perm.MANAGE_EMULATION) -> bool:
    """The user acts as the level directly above the unit at ``unit_path`` (its parent unit).

    Union practice (Điều lệ Công đoàn Việt Nam; Hướng dẫn thi đua của Tổng Liên đoàn): a unit
    sends its registrations and reports to its directly superior union (công đoàn cấp trên trực
    tiếp), which receives, checks and decides. So the decision belongs to those holding ``perm``
    on the parent unit itself; a province officer does not decide for a grassroots union of a
    district, whose district federation does. System administrators (the superuser account, or
    the system administrator role on a unit above) may act for any level below them.
    """
    scope = scope_for(user)
    parent = unit_path[:-PATH_STEP]
    if not parent:
        return scope.is_global
    return scope.granted_at(parent, perm) or Role.ADMIN in scope.roles_at(parent)


def decided_above_by(user: Any, unit: str = "unit", perm: str = Perm.MANAGE_EMULATION) -> Q:
    """Rows whose unit (the lookup ``unit``) the user decides for (``decides_above`` as a query)."""
    scope = scope_for(user)
    if scope.is_global:
        return Q()
    condition = Q(**{f"{unit}__parent_id__in": scope.unit_ids_with(perm)})
    for unit_id, path in scope.units_with_role(Role.ADMIN):
        condition |= Q(**{f"{unit}__path__startswith": path}) & ~Q(**{f"{unit}_id": unit_id})
    return condition


class ScopeRule(Protocol):
    def condition(self, model: type[models.Model], scope: Scope, perm: str, prefix: str) -> Q:
        """Rows of ``model`` (reached through the lookup ``prefix``) where ``perm`` holds."""

    def allows(self, obj: models.Model, scope: Scope, perm: str) -> bool:
        """Whether ``perm`` holds on this one object."""


def _value(obj: Any, lookup: str) -> Any:
    for part in lookup.split("__"):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class ByPath:
    """The row belongs to the unit whose materialised path is at ``path`` (a lookup)."""

    path: str
    # Viewing widens to the units below the owner while the row is in one of these states.
    shared_down: tuple[str, tuple[str, ...]] | None = None

    def condition(self, model: type[models.Model], scope: Scope, perm: str, prefix: str) -> Q:
        own = scope.path_condition(prefix + self.path, perm)
        if perm != Perm.VIEW or self.shared_down is None or scope.is_global:
            return own
        above = scope.ancestors_of_scope(Perm.VIEW)
        if not above:
            return own
        field, states = self.shared_down
        return own | Q(**{f"{prefix}{self.path}__in": sorted(above), f"{prefix}{field}__in": states})

    def allows(self, obj: models.Model, scope: Scope, perm: str) -> bool:
        path = str(_value(obj, self.path))
        if scope.allows(path, perm):
            return True
        if perm != Perm.VIEW or self.shared_down is None:
            return False
        field, states = self.shared_down
        # Shared down: the owner is strictly above one of the user's subtrees.
        shared = any(p != path and p.startswith(path) for p in scope.prefixes(Perm.VIEW))
        return shared and _value(obj, field) in states


@dataclass(frozen=True)
class ViaParent:
    """The row is seen and changed as the object in its foreign key ``field`` is."""

    field: str

    def parent_model(self, model: type[models.Model]) -> type[models.Model]:
        related = model._meta.get_field(self.field).related_model
        if not isinstance(related, type):
            raise TypeError(f"{model.__name__}.{self.field} is not a foreign key to a model")
        return related

    def condition(self, model: type[models.Model], scope: Scope, perm: str, prefix: str) -> Q:
        parent = self.parent_model(model)
        return rule_of(parent).condition(parent, scope, perm, f"{prefix}{self.field}__")

    def allows(self, obj: models.Model, scope: Scope, perm: str) -> bool:
        parent = getattr(obj, self.field)
        return rule_of(type(parent)).allows(parent, scope, perm)


@dataclass(frozen=True)
class OwnedBy:
    """The row belongs to one account (in the foreign key ``field``), whatever the tree."""

    field: str

    def condition(self, model: type[models.Model], scope: Scope, perm: str, prefix: str) -> Q:
        if scope.user_id is None:
            return NOTHING
        return Q(**{f"{prefix}{self.field}_id": scope.user_id})

    def allows(self, obj: models.Model, scope: Scope, perm: str) -> bool:
        return scope.user_id is not None and getattr(obj, f"{self.field}_id") == scope.user_id


def rule_of(model: type[models.Model]) -> ScopeRule:
    rule = getattr(model, "scope_rule", None)
    if rule is None:
        raise TypeError(f"{model.__name__} declares no scope_rule; it cannot be read through the scope mechanism")
    return rule


def restrict(queryset: QS, user: Any, perm: str = Perm.VIEW) -> QS:
    """Rows of ``queryset`` on which ``user`` holds ``perm``, by its model's ``scope_rule``."""
    return queryset.filter(rule_of(queryset.model).condition(queryset.model, scope_for(user), perm, ""))


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset of a model that declares its ``scope_rule``."""

    def visible_to(self, user: Any, perm: str = Perm.VIEW) -> Self:
        """Rows on which ``user`` holds ``perm`` (viewing includes rows shared down from above)."""
        return restrict(self, user, perm)


def allows(user: Any, obj: models.Model, perm: str) -> bool:
    """Whether ``user`` holds ``perm`` on ``obj`` (by the object's own rule)."""
    return rule_of(type(obj)).allows(obj, scope_for(user), perm)


def require(user: Any, obj: models.Model, perm: str) -> None:
    """403 unless ``user`` holds ``perm`` on ``obj`` (which the user already sees)."""
    if not allows(user, obj, perm):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def get_for_user(
    source: models.QuerySet[M] | type[M],
    user: Any,
    perm: str = Perm.VIEW,
    **lookup: Any,
) -> M:
    """One object for ``user``: 404 outside the viewing scope, 403 without ``perm``."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    visible = restrict(queryset, user, Perm.VIEW)
    try:
        obj = visible.get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError, TypeError):
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem.")) from None
    if perm != Perm.VIEW:
        require(user, obj, perm)
    return obj


class Can:
    """``can.issue`` in a template asks ``obj.can_issue(user)``: buttons follow the model's rules."""

    def __init__(self, obj: Any, user: Any) -> None:
        self._obj = obj
        self._user = user

    def __getattr__(self, action: str) -> bool:
        if action.startswith("_"):
            raise AttributeError(action)
        method = getattr(self._obj, f"can_{action}", None)
        if method is None:
            raise AttributeError(f"{type(self._obj).__name__} has no can_{action}()")
        return bool(method(self._user))
