"""Reads of inspections: where a plan reaches, which units may inspect or be inspected, a round
laid out by unit, and the follow-up figures a board shows (overdue rows, counts by state)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.campaigns.models import Plan, plan_manager
from thidua.inspections.models import Finding, FollowUp, FollowUpQuerySet, Inspection, InspectionTarget
from thidua.units.models import Unit

# How deep below a unit the forms offer units to pick (the service accepts any depth).
PICK_DEPTH = 2
PICK_LIMIT = 2000


def plan_reach(plan: Plan) -> list[str]:
    """Paths of the units the plan applies to (those holding an obligation of it); their subtrees too."""
    return list(Unit.objects.filter(obligations__plan=plan).values_list("path", flat=True))


def in_reach(path: str, reach: list[str]) -> bool:
    return any(path.startswith(top) for top in reach)


def may_inspect_from(plan: Plan, unit: Unit, reach: list[str]) -> bool:
    """A plan is inspected by its issuer, a level above the issuer, or a unit it applies to (or below)."""
    return unit.pk == plan.issuer_id or plan.issuer.path.startswith(unit.path) or in_reach(unit.path, reach)


def inspecting_units_for(user: Any, plan: Plan) -> list[Unit]:
    """The units the create form offers: the user's own desks that may inspect under this plan,
    and the issuer for those who manage the plan (system administrators included)."""
    reach = plan_reach(plan)
    ids = scope_for(user).unit_ids_with(Perm.MANAGE_EMULATION)
    units = [
        u
        for u in Unit.objects.filter(pk__in=ids, dissolved_on__isnull=True).order_by("path")
        if may_inspect_from(plan, u, reach)
    ]
    if plan_manager(user, plan) and all(u.pk != plan.issuer_id for u in units):
        units.insert(0, plan.issuer)
    return units


def _below(unit: Unit, *, include_self: bool) -> QuerySet[Unit]:
    qs = Unit.objects.filter(
        path__startswith=unit.path, depth__lte=unit.depth + PICK_DEPTH, dissolved_on__isnull=True
    ).order_by("path")
    return qs if include_self else qs.exclude(pk=unit.pk)


def target_candidates(inspection: Inspection) -> list[Unit]:
    """Units the form offers to inspect: up to two levels below the inspecting unit, reached by the
    plan, not inspected in this round yet."""
    reach = plan_reach(inspection.plan)
    taken = set(inspection.targets.values_list("unit_id", flat=True))
    return [
        u
        for u in _below(inspection.unit, include_self=False)[:PICK_LIMIT]
        if u.pk not in taken and in_reach(u.path, reach)
    ]


def owner_candidates(target: InspectionTarget) -> list[Unit]:
    """Units a follow-up may be given to: the inspected unit and the units up to two levels below it."""
    return list(_below(target.unit, include_self=True)[:PICK_LIMIT])


@dataclass
class FindingRow:
    finding: Finding
    follow_ups: list[FollowUp] = field(default_factory=list)


@dataclass
class TargetRow:
    target: InspectionTarget
    findings: list[FindingRow] = field(default_factory=list)

    @property
    def open_follow_ups(self) -> int:
        return sum(1 for f in self.findings for u in f.follow_ups if u.status == FollowUp.Status.OPEN)


def inspection_tree(inspection: Inspection) -> list[TargetRow]:
    """The round by inspected unit: its findings, each with its follow-ups (three queries)."""
    rows = {t.pk: TargetRow(t) for t in inspection.targets.select_related("unit")}
    findings: dict[int, FindingRow] = {}
    for finding in Finding.objects.filter(target__inspection=inspection).order_by("created_at", "pk"):
        findings[finding.pk] = FindingRow(finding)
        rows[finding.target_id].findings.append(findings[finding.pk])
    for follow_up in inspection.follow_ups.select_related("owner").order_by("due_on", "pk"):
        findings[follow_up.finding_id].follow_ups.append(follow_up)
    return list(rows.values())


def findings_of(target: InspectionTarget) -> list[FindingRow]:
    """One inspected unit's findings with their follow-ups (two queries)."""
    rows = [FindingRow(f) for f in target.findings.order_by("created_at", "pk")]
    by_id = {row.finding.pk: row for row in rows}
    for follow_up in FollowUp.objects.filter(finding__target=target).select_related("owner").order_by("due_on", "pk"):
        by_id[follow_up.finding_id].follow_ups.append(follow_up)
    return rows


# --- what boards show ------------------------------------------------------------------------------


def _under(root_unit: Unit, campaign: Plan | None) -> FollowUpQuerySet:
    qs = FollowUp.objects.filter(owner__path__startswith=root_unit.path)
    if campaign is not None:
        root_id = campaign.campaign_root_id
        qs = qs.filter(Q(inspection__plan_id=root_id) | Q(inspection__plan__root_id=root_id))
    return qs


def overdue_followups(root_unit: Unit, day: dt.date, *, campaign: Plan | None = None) -> QuerySet[FollowUp]:
    """Follow-ups owned in ``root_unit``'s subtree still open after their due date on ``day``, the
    longest overdue first; a queryset, so a board pages it (``campaign``: that campaign's only)."""
    return (
        _under(root_unit, campaign)
        .overdue(day)
        .select_related("owner", "inspection", "inspection__unit", "finding")
        .order_by("due_on", "pk")
    )


def followup_counts(root_unit: Unit, day: dt.date, *, campaign: Plan | None = None) -> dict[str, int]:
    """Follow-ups owned in ``root_unit``'s subtree by state, and how many of the open ones are
    overdue on ``day``: {"open", "overdue", "done", "closed", "total"}, in one query."""
    status = FollowUp.Status
    counts = _under(root_unit, campaign).aggregate(
        open=Count("pk", filter=Q(status=status.OPEN)),
        overdue=Count("pk", filter=Q(status=status.OPEN, due_on__lt=day)),
        done=Count("pk", filter=Q(status=status.DONE)),
        closed=Count("pk", filter=Q(status=status.CLOSED)),
        total=Count("pk"),
    )
    return {key: int(value or 0) for key, value in counts.items()}


@dataclass
class InspectionSummary:
    """What a review says of inspections below a unit: rounds, units visited, findings, follow-ups."""

    rounds: int
    targets: int
    findings: dict[str, int]
    follow_ups: dict[str, int]


def inspection_summary(root_unit: Unit, day: dt.date, *, campaign: Plan) -> InspectionSummary:
    """Inspections of ``campaign`` (its plan and implementations) that visited ``root_unit``'s
    subtree: three grouped queries whatever the size."""
    root_id = campaign.campaign_root_id
    family = Q(inspection__plan_id=root_id) | Q(inspection__plan__root_id=root_id)
    targets = InspectionTarget.objects.filter(family, unit__path__startswith=root_unit.path)
    visited = targets.aggregate(rounds=Count("inspection_id", distinct=True), targets=Count("pk"))
    by_severity = dict(
        Finding.objects.filter(target__in=targets)
        .order_by()
        .values("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    return InspectionSummary(
        rounds=int(visited["rounds"] or 0),
        targets=int(visited["targets"] or 0),
        findings={key: int(by_severity.get(key, 0)) for key in Finding.Severity.values},
        follow_ups=followup_counts(root_unit, day, campaign=campaign),
    )
