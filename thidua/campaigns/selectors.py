"""Reads of plans: the cascade board in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.campaigns.models import Obligation, Plan
from thidua.core.text import fold
from thidua.units.models import Unit

STATUS_LABELS = {
    "issued": _("Đã ban hành"),
    "late_issued": _("Ban hành muộn"),
    "pending": _("Chưa đến hạn"),
    "late": _("Quá hạn"),
}


@dataclass
class BoardRow:
    obligation: Obligation
    status: str
    parent_plan: Plan
    reminders: int

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class LevelSummary:
    depth: int
    kind_names: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        return [self.counts[key] for key in STATUS_LABELS]


def cascade_board(
    plan: Plan, user: Any, *, day: dt.date, status: str = "", q: str = ""
) -> tuple[list[BoardRow], list[LevelSummary]]:
    """Every obligation of the campaign below ``plan`` that ``user`` may see, with per-level totals.

    Three queries whatever the number of units: obligations (with unit, kind
    and parent plan), reminder counts, and the user's scope (cached).
    """
    root_id = plan.campaign_root_id
    family = Q(plan_id=root_id) | Q(plan__root_id=root_id)
    qs = (
        Obligation.objects.filter(family, unit__path__startswith=plan.issuer.path)
        .exclude(unit_id=plan.issuer_id)
        .select_related("unit", "unit__kind", "plan", "plan__issuer", "implementation", "implementation__issuer")
        .annotate(reminder_count=Count("reminders"))
        .order_by("unit__path")
    )
    qs = qs.visible_to(user)
    if q:
        for word in fold(q).split():
            qs = qs.filter(unit__search_text__contains=word)
    rows: list[BoardRow] = []
    levels: dict[int, LevelSummary] = defaultdict(lambda: LevelSummary(depth=0))
    for obligation in qs:
        state = obligation.status_on(day)
        level = levels[obligation.unit.depth]
        level.depth = obligation.unit.depth
        level.kind_names.add(obligation.unit.kind.name)
        level.counts[state] += 1
        if status and state != status:
            continue
        rows.append(
            BoardRow(
                obligation=obligation, status=state, parent_plan=obligation.plan, reminders=obligation.reminder_count
            )
        )
    return rows, [levels[d] for d in sorted(levels)]


def my_obligations(user: Any) -> list[Obligation]:
    """Open obligations of the units where the user may manage emulation work."""
    units = scope_for(user).unit_ids_with(Perm.MANAGE_EMULATION)
    qs = (
        Obligation.objects.visible_to(user, Perm.MANAGE_EMULATION)
        .filter(implementation__isnull=True, plan__status=Plan.Status.ISSUED, unit_id__in=units)
        .select_related("plan", "plan__issuer", "unit")
    )
    return list(qs.order_by("due_on")[:50])


def issuer_choices(user: Any) -> list[Unit]:
    """The units in whose name the user may issue plans: those they manage emulation work on."""
    ids = scope_for(user).unit_ids_with(Perm.MANAGE_EMULATION)
    return list(Unit.objects.filter(pk__in=ids, dissolved_on__isnull=True).order_by("path"))
