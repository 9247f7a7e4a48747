"""Registration coverage: registered / total, rolled up per child unit, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404

from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows, scope_for
from thidua.campaigns.models import Plan
from thidua.members.models import Member
from thidua.registrations.models import MemberPledge, Registration
from thidua.units.models import Unit


@dataclass
class CoverageRow:
    unit: Unit
    members: int
    registered_members: int
    grassroots: int
    registered_units: int

    @property
    def member_rate(self) -> float:
        return round(100 * self.registered_members / self.members, 1) if self.members else 0.0

    @property
    def unit_rate(self) -> float:
        return round(100 * self.registered_units / self.grassroots, 1) if self.grassroots else 0.0


def coverage_root(plan: Plan, user: Any, asked: Unit | None = None) -> Unit:
    """Where the coverage of ``plan`` starts for ``user``: the unit asked for, else the issuer
    when the user sees it, else the top of the user's own scope (a lower level sees its part)."""
    issuer_visible = allows(user, plan.issuer, Perm.VIEW)
    root = asked
    if root is None:
        if issuer_visible:
            return plan.issuer
        tops = scope_for(user).root_unit_ids
        root = Unit.objects.filter(pk=tops[0]).first() if tops else None
    if root is None or not root.path.startswith(plan.issuer.path):
        return plan.issuer if issuer_visible or root is None else root
    return root


def coverage(plan: Plan, root: Unit, user: Any) -> tuple[CoverageRow, list[CoverageRow]]:
    """Coverage of the campaign (the plan and its implementations) under ``root`` and each of its children.

    ``root`` must lie in the user's scope (else 404): everything counted is below it.
    Five queries whatever the size: children, members, registered members,
    grassroots units and registered units, each grouped by the child's path prefix.
    """
    if not allows(user, root, Perm.VIEW):
        raise Http404
    family = Q(plan_id=plan.campaign_root_id) | Q(plan__root_id=plan.campaign_root_id)
    children = list(Unit.objects.filter(parent=root, dissolved_on__isnull=True).select_related("kind").order_by("name"))
    width = len(root.path) + Unit.steplen

    def grouped(qs: Any, path: str, distinct_field: str = "id") -> tuple[dict[str, int], int]:
        rows = dict(
            qs.annotate(prefix=Substr(path, 1, width))
            .order_by()
            .values("prefix")
            .annotate(n=Count(distinct_field, distinct=True))
            .values_list("prefix", "n")
        )
        # Each row lives under exactly one child (or the root itself), so the total is the sum.
        return rows, sum(rows.values())

    members, members_total = grouped(
        Member.objects.filter(unit__path__startswith=root.path, status=Member.Status.ACTIVE), "unit__path"
    )
    registered, registered_total = grouped(
        MemberPledge.objects.filter(family, member__unit__path__startswith=root.path), "member__unit__path", "member_id"
    )
    grassroots, grassroots_total = grouped(
        Unit.objects.filter(path__startswith=root.path, kind__is_grassroots=True, dissolved_on__isnull=True), "path"
    )
    units_registered, units_registered_total = grouped(
        Registration.objects.filter(family, unit__path__startswith=root.path, unit__kind__is_grassroots=True).exclude(
            status=Registration.Status.DRAFT
        ),
        "unit__path",
        "unit_id",
    )
    rows = [
        CoverageRow(
            unit=child,
            members=members.get(child.path, 0),
            registered_members=registered.get(child.path, 0),
            grassroots=grassroots.get(child.path, 0),
            registered_units=units_registered.get(child.path, 0),
        )
        for child in children
    ]
    total = CoverageRow(
        unit=root,
        members=members_total,
        registered_members=registered_total,
        grassroots=grassroots_total,
        registered_units=units_registered_total,
    )
    return total, rows
