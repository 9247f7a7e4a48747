"""Reads of plans: the cascade board in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.campaigns.models import Obligation, Plan
from thidua.core.text import fold
from thidua.units.models import Unit, kind_label

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

    @property
    def labelled(self) -> list[tuple[str, int]]:
        return [(str(label), self.counts[key]) for key, label in STATUS_LABELS.items()]


def cascade_board(
    plan: Plan, user: Any, *, day: dt.date, status: str = "", q: str = "", depth: int | None = None
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
        level.kind_names.add(obligation.unit.kind.label)
        level.counts[state] += 1
        if (status and state != status) or (depth and obligation.unit.depth != depth):
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


# The plans page: campaigns first, then the user's own unit's plans, then everything they may read.
PLAN_TABS = {
    "campaigns": _("Phong trào thi đua"),
    "mine": _("Kế hoạch của đơn vị tôi"),
    "all": _("Tất cả kế hoạch"),
}
# "07/KH-LĐLĐ", "7 / kh - ldld": what people type when they know a document's number.
DOCUMENT_NUMBER = re.compile(r"^\s*0*(\d{1,5})\s*/\s*([a-z]{1,4})\s*-\s*(\S+)\s*$", re.IGNORECASE)


@dataclass
class PlanFilters:
    tab: str = "campaigns"
    q: str = ""
    status: str = ""
    issuer: int | None = None
    depth: int | None = None
    year: int | None = None
    todo: bool = False


def plan_rows(user: Any, filters: PlanFilters) -> QuerySet[Plan]:
    """The plans of one tab of the plans page, filtered; an exact document number ranks first.

    ``campaigns``: plans that launch a campaign (no parent) which the user reads,
    i.e. issued by their level or above, plus their own drafts. ``mine``: plans
    issued by units where the user manages emulation work. ``all``: every plan
    they may read, implementation plans included.
    """
    scope = scope_for(user)
    qs = Plan.objects.visible_to(user).select_related("issuer", "issuer__kind")
    own_units = scope.unit_ids_with(Perm.MANAGE_EMULATION)
    if filters.tab == "campaigns":
        qs = qs.filter(parent__isnull=True)
    elif filters.tab == "mine":
        qs = qs.filter(issuer_id__in=own_units)
    if filters.status in Plan.Status.values:
        qs = qs.filter(status=filters.status)
    if filters.issuer:
        qs = qs.filter(issuer_id=filters.issuer)
    if filters.depth:
        qs = qs.filter(issuer__depth=filters.depth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.todo:
        qs = qs.filter(_needs_action(own_units, roots=filters.tab == "campaigns"))
    exact = DOCUMENT_NUMBER.match(filters.q)
    if exact:
        number, doc_type, short = exact.groups()
        typed = fold(f"{int(number):02d}/{doc_type}-{short}")
        # The plan itself (its number opens its search text), then plans that cite it ("Thực hiện 07/KH-…").
        qs = qs.filter(search_text__contains=typed)
        return qs.annotate(rank=Case(When(search_text__startswith=typed + " ", then=Value(0)), default=Value(1)))
    for word in fold(filters.q).split():
        qs = qs.filter(search_text__contains=word)
    return qs.annotate(rank=Value(1))


def _needs_action(own_units: list[int], *, roots: bool) -> Q:
    """Plans where the user's units have something to do: an implementation plan to issue, a draft to finish."""
    open_duties = Obligation.objects.filter(
        unit_id__in=own_units, implementation__isnull=True, plan__status=Plan.Status.ISSUED
    )
    drafts = Q(status=Plan.Status.DRAFT, issuer_id__in=own_units)
    if roots:
        campaign_ids = open_duties.annotate(campaign=Coalesce("plan__root_id", "plan_id")).values("campaign")
        draft_roots = Plan.objects.filter(drafts).annotate(campaign=Coalesce("root_id", "id")).values("campaign")
        return Q(pk__in=campaign_ids) | Q(pk__in=draft_roots)
    return Q(pk__in=open_duties.values("plan_id")) | drafts


def campaign_progress(plans: list[Plan], user: Any) -> dict[int, dict[str, int]]:
    """For each campaign shown, how many of the units below (that the user sees) issued their plan: one query."""
    ids = [plan.pk for plan in plans]
    if not ids:
        return {}
    rows = (
        Obligation.objects.visible_to(user)
        .filter(Q(plan_id__in=ids) | Q(plan__root_id__in=ids))
        .annotate(campaign=Coalesce("plan__root_id", "plan_id"))
        .values("campaign")
        .annotate(total=Count("id"), done=Count("id", filter=Q(implementation__isnull=False)))
        .order_by()
    )
    progress = {row["campaign"]: {"total": row["total"], "done": row["done"]} for row in rows}
    for values in progress.values():
        values["percent"] = round(100 * values["done"] / values["total"]) if values["total"] else 0
    return progress


def plan_filter_choices(user: Any) -> dict[str, list[tuple[Any, str]]]:
    """Choices of the filters: issuers of the campaigns the user reads and their own units, levels, years."""
    own = scope_for(user).unit_ids_with(Perm.MANAGE_EMULATION)
    visible = Plan.objects.visible_to(user)
    issuer_ids = set(visible.filter(parent__isnull=True).values_list("issuer_id", flat=True).distinct()) | set(own)
    issuers = Unit.objects.filter(pk__in=issuer_ids).select_related("kind").order_by("path")
    levels: dict[int, set[str]] = defaultdict(set)
    kinds = visible.order_by().values_list("issuer__depth", "issuer__kind__name", "issuer__kind__name_en")
    for depth, name, name_en in kinds.distinct():
        levels[depth].add(kind_label(name, name_en))
    years = visible.order_by("-year").values_list("year", flat=True).distinct()
    return {
        "issuers": [(unit.pk, unit.name) for unit in issuers],
        "levels": [(depth, ", ".join(sorted(levels[depth]))) for depth in sorted(levels)],
        "years": [(year, str(year)) for year in years],
    }
