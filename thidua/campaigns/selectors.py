"""Reads of plans: the cascade board in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thidua.accounts.scope import Perm, restrict
from thidua.campaigns.models import Obligation, Plan

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
    from django.db.models import Count

    root_id = plan.campaign_root_id
    family = Q(plan_id=root_id) | Q(plan__root_id=root_id)
    qs = (
        Obligation.objects.filter(family, unit__path__startswith=plan.issuer.path)
        .exclude(unit_id=plan.issuer_id)
        .select_related("unit", "unit__kind", "plan", "plan__issuer", "implementation", "implementation__issuer")
        .annotate(reminder_count=Count("reminders"))
        .order_by("unit__path")
    )
    qs = restrict(qs, user, Perm.VIEW, path_field="unit__path")
    if q:
        from thidua.core.text import fold

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
    from thidua.accounts.scope import scope_for

    units = [g.unit_id for g in scope_for(user).grants if Perm.MANAGE_EMULATION in g.perms]
    qs = Obligation.objects.filter(
        implementation__isnull=True, plan__status=Plan.Status.ISSUED, unit_id__in=units
    ).select_related("plan", "plan__issuer", "unit")
    return list(restrict(qs, user, Perm.MANAGE_EMULATION, path_field="unit__path").order_by("due_on")[:50])
