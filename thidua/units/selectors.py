"""Reads of the union tree: rolled-up counts in a fixed number of queries.

Member counts are read through the ``Unit.members`` reverse relation: members
belong to units (the members app imports this one), never the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr

from thidua.accounts.scope import scope_for
from thidua.units.models import Unit, UnitEvent, kind_label

# ``Member.Status.ACTIVE``, named here because units must not import members (tested to agree).
ACTIVE_MEMBER = "active"


@dataclass
class UnitRow:
    unit: Unit
    sub_units: int  # all active descendants
    members: int  # active members in the whole subtree


def children_with_counts(parent: Unit, *, include_dissolved: bool = False) -> list[UnitRow]:
    """Direct children of ``parent`` with rolled-up counts: three queries whatever the size."""
    children_qs = Unit.objects.filter(parent=parent).select_related("kind").order_by("name")
    if not include_dissolved:
        children_qs = children_qs.filter(dissolved_on__isnull=True)
    children = list(children_qs)
    if not children:
        return []
    prefix_len = len(parent.path) + Unit.steplen
    sub_counts = dict(
        Unit.objects.filter(path__startswith=parent.path, depth__gt=parent.depth + 1, dissolved_on__isnull=True)
        .annotate(prefix=Substr("path", 1, prefix_len))
        .order_by()
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    member_counts = dict(
        Unit.objects.filter(path__startswith=parent.path, members__status=ACTIVE_MEMBER)
        .annotate(prefix=Substr("path", 1, prefix_len))
        .order_by()
        .values("prefix")
        .annotate(n=Count("members"))
        .values_list("prefix", "n")
    )
    return [
        UnitRow(unit=c, sub_units=sub_counts.get(c.path, 0), members=member_counts.get(c.path, 0)) for c in children
    ]


def units_with_counts(units: list[Unit]) -> list[UnitRow]:
    """Rolled-up counts for an arbitrary list of units (e.g. scope roots): two queries."""
    if not units:
        return []
    sub_q = Q()
    mem_q = Q()
    for u in units:
        sub_q |= Q(path__startswith=u.path, depth__gt=u.depth)
        mem_q |= Q(path__startswith=u.path)
    sub_counts: dict[int, int] = defaultdict(int)
    mem_counts: dict[int, int] = defaultdict(int)
    for path, n in (
        Unit.objects.filter(sub_q, dissolved_on__isnull=True)
        .values("path")
        .annotate(n=Count("id"))
        .values_list("path", "n")
    ):
        for u in units:
            if path.startswith(u.path) and len(path) > len(u.path):
                sub_counts[u.pk] += n
    for path, n in (
        Unit.objects.filter(mem_q, members__status=ACTIVE_MEMBER)
        .order_by()
        .values("path")
        .annotate(n=Count("members"))
        .values_list("path", "n")
    ):
        for u in units:
            if path.startswith(u.path):
                mem_counts[u.pk] += n
    return [UnitRow(unit=u, sub_units=sub_counts[u.pk], members=mem_counts[u.pk]) for u in units]


def subtree_rollup(root: Unit) -> dict[int, dict[str, int]]:
    """Active members and sub-units rolled up for every unit under ``root``: two queries.

    Direct counts come from one GROUP BY; each count is then added to every
    ancestor by walking the materialised path in memory.
    """
    units = list(Unit.objects.filter(path__startswith=root.path, dissolved_on__isnull=True).values_list("id", "path"))
    by_path = {path: pk for pk, path in units}
    totals: dict[int, dict[str, int]] = {pk: {"members": 0, "sub_units": 0} for pk, _ in units}
    direct = (
        Unit.objects.filter(path__startswith=root.path, members__status=ACTIVE_MEMBER)
        .order_by()
        .values("path")
        .annotate(n=Count("members"))
        .values_list("path", "n")
    )
    step = Unit.steplen
    root_len = len(root.path)
    for path, n in direct:
        for end in range(root_len, len(path) + 1, step):
            pk = by_path.get(path[:end])
            if pk is not None:
                totals[pk]["members"] += n
    for _pk, path in units:
        for end in range(root_len, len(path), step):
            pk = by_path.get(path[:end])
            if pk is not None:
                totals[pk]["sub_units"] += 1
    return totals


def scope_roots(user: Any) -> list[Unit]:
    """The units at the top of the user's scope (the whole tree's roots for a system administrator)."""
    scope = scope_for(user)
    if scope.is_global:
        return list(Unit.objects.filter(depth=1).select_related("kind").order_by("name"))
    return list(Unit.objects.filter(pk__in=scope.root_unit_ids).select_related("kind").order_by("path"))


def breadcrumbs(unit: Unit, user: Any) -> list[Unit]:
    """Ancestors the user may see (none above their scope), in order."""
    return list(Unit.objects.filter(path__in=unit.ancestor_paths()).visible_to(user).order_by("depth"))


def unit_parent_on(unit: Unit, day: dt.date) -> Unit | None:
    """The parent the unit had on ``day``, read back through its move events."""
    later_moves = (
        UnitEvent.objects.filter(unit=unit, kind=UnitEvent.Kind.MOVED, effective_on__gt=day)
        .select_related("old_parent")
        .order_by("effective_on", "at", "id")
    )
    first = later_moves.first()
    if first is not None:
        return first.old_parent
    return unit.parent


def kind_breakdown(root: Unit) -> list[dict[str, Any]]:
    rows = list(
        Unit.objects.filter(path__startswith=root.path, depth__gt=root.depth, dissolved_on__isnull=True)
        .values("kind__name", "kind__name_en", "kind__level")
        .annotate(n=Count("id"))
        .order_by("kind__level", "kind__name")
    )
    for row in rows:
        row["label"] = kind_label(row["kind__name"], row["kind__name_en"])
    return rows
