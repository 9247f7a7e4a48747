"""Reads of initiatives and effective models.

For the eligibility engine (``thidua/recognition``), two reads of recognised initiatives by
member, each **one query** whatever the number of members (``test_selectors`` holds them to it):

``recognised_initiatives(member_ids, start, end) -> dict[int, list[InitiativeRef]]``
    For each member id (only those with at least one), the initiatives they co-authored that a
    council recognised with a session held between ``start`` and ``end`` inclusive
    (``Initiative.recognised_on``), oldest first. ``InitiativeRef`` carries ``id``, ``title``,
    ``scope`` (the recognised scope of effect: "" while only recognised at the unit, then
    "unit", "province" for sector/province, "national"), ``first_applied_on``, ``benefit_vnd``
    (the whole initiative's benefit), ``share`` (the member's % contribution, a ``Decimal``)
    and ``recognised_on``. CSTĐ cơ sở needs one such initiative; CSTĐ of a province or sector
    one with ``scope`` province or national; CSTĐ toàn quốc one with ``scope`` national
    (Law 06/2022 art. 21–23). That an initiative is used for one award only (letter 5007/2023)
    is the recognition engine's to enforce, by ``id``.

``benefit_by_member(member_ids, start, end) -> dict[int, MemberBenefit]``
    The benefit figures for "Bằng Lao động sáng tạo" (RULES.md: ≥ 80 million VND from one
    solution, or ≥ 120 million over 3 consecutive years, for non-graduate non-leaders; more for
    graduates and leaders — thresholds belong to the rule set, not here): per member, over the
    same recognised initiatives, ``best_single_vnd`` (the largest benefit of one initiative),
    ``total_vnd`` (the sum of their initiatives' benefits), ``share_weighted_vnd`` (each benefit
    × the member's share, rounded down to the đồng) and ``count``. Benefits are the whole
    initiative's, as the rule reads "from one solution"; the share-weighted figure is for rule
    sets that divide it between co-authors.

Neither reads the user's scope: the engine calls them for members it already reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.initiatives.models import EffectiveModel, Initiative, InitiativeAuthor, InitiativeCouncil, ModelAdoption
from thidua.members.models import Member
from thidua.units.models import Unit

PICK_LIMIT = 2000


@dataclass(frozen=True)
class InitiativeRef:
    """A recognised initiative as the eligibility engine reads it, for one of its authors."""

    id: int
    title: str
    scope: str
    first_applied_on: dt.date
    benefit_vnd: int
    share: Decimal
    recognised_on: dt.date


@dataclass
class MemberBenefit:
    """A member's benefit figures over their recognised initiatives in a period."""

    best_single_vnd: int = 0
    total_vnd: int = 0
    share_weighted_vnd: int = 0
    count: int = 0
    initiative_ids: list[int] = field(default_factory=list)


def _recognised_authorships(member_ids: Iterable[int], start: dt.date, end: dt.date) -> QuerySet[Any]:
    return (
        InitiativeAuthor.objects.filter(
            member_id__in=list(member_ids),
            initiative__status=Initiative.Status.RECOGNISED,
            initiative__recognised_on__gte=start,
            initiative__recognised_on__lte=end,
        )
        .order_by("member_id", "initiative__recognised_on", "initiative_id")
        .values_list(
            "member_id",
            "share_percent",
            "initiative_id",
            "initiative__title",
            "initiative__effect_scope",
            "initiative__first_applied_on",
            "initiative__benefit_vnd",
            "initiative__recognised_on",
        )
    )


def recognised_initiatives(member_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list[InitiativeRef]]:
    """Each member's initiatives recognised by a council between ``start`` and ``end`` (one query)."""
    found: dict[int, list[InitiativeRef]] = defaultdict(list)
    for member_id, share, pk, title, scope, first, benefit, recognised in _recognised_authorships(
        member_ids, start, end
    ):
        found[member_id].append(
            InitiativeRef(
                id=pk,
                title=title,
                scope=scope,
                first_applied_on=first,
                benefit_vnd=benefit,
                share=share,
                recognised_on=recognised,
            )
        )
    return dict(found)


def benefit_by_member(member_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, MemberBenefit]:
    """Each member's benefit figures for "Lao động sáng tạo" over the same initiatives (one query)."""
    totals: dict[int, MemberBenefit] = {}
    for member_id, refs in recognised_initiatives(member_ids, start, end).items():
        figure = MemberBenefit()
        for ref in refs:
            figure.best_single_vnd = max(figure.best_single_vnd, ref.benefit_vnd)
            figure.total_vnd += ref.benefit_vnd
            weighted = (Decimal(ref.benefit_vnd) * ref.share / 100).quantize(Decimal(1), rounding=ROUND_DOWN)
            figure.share_weighted_vnd += int(weighted)
            figure.count += 1
            figure.initiative_ids.append(ref.id)
        totals[member_id] = figure
    return totals


# --- pickers for the forms --------------------------------------------------------------------------


def desk_units(user: Any) -> list[Unit]:
    """The units whose emulation desk the user holds (where they create initiatives and models)."""
    ids = scope_for(user).unit_ids_with(Perm.MANAGE_EMULATION)
    if not ids and scope_for(user).is_global:
        return list(Unit.objects.filter(depth__lte=2, dissolved_on__isnull=True).order_by("path")[:50])
    return list(Unit.objects.filter(pk__in=ids, dissolved_on__isnull=True).order_by("path"))


def adopting_units(user: Any, model: EffectiveModel) -> list[Unit]:
    """The user's desks (and the units up to two levels below them) that may record an adoption."""
    condition = Q(pk__in=[])
    for unit in desk_units(user):
        condition |= Q(path__startswith=unit.path, depth__lte=unit.depth + 2)
    taken = set(model.adoptions.values_list("unit_id", flat=True))
    qs = Unit.objects.filter(condition, dissolved_on__isnull=True).exclude(path__startswith=model.unit.path)
    return [u for u in qs.order_by("path")[:PICK_LIMIT] if u.pk not in taken]


def author_candidates(unit: Unit) -> QuerySet[Member]:
    """Active members of the unit and below it, for the authors' table."""
    return Member.objects.filter(unit__path__startswith=unit.path, status=Member.Status.ACTIVE).select_related("unit")[
        :PICK_LIMIT
    ]


def councils_for(user: Any, initiative: Initiative) -> list[InitiativeCouncil]:
    return list(
        InitiativeCouncil.for_initiative(initiative, user).select_related("unit").annotate(size=Count("members"))
    )


# --- where a model spread ------------------------------------------------------------------------------


@dataclass
class SpreadNode:
    """A unit in the tree of a model's spread: adopted it (``adoption``), built it (``origin``), or
    only lies above such units; ``count`` is the adoptions in its subtree."""

    unit: Unit
    adoption: ModelAdoption | None = None
    origin: bool = False
    count: int = 0
    children: list[SpreadNode] = field(default_factory=list)


def spread_tree(model: EffectiveModel, adoptions: list[ModelAdoption] | None = None) -> list[SpreadNode]:
    """The units that adopted ``model`` nested under their province/district (by unit paths), from
    their lowest common ancestor down; two queries (adoptions, then the units above them)."""
    adoptions = adoptions if adoptions is not None else list(model.adoptions.select_related("unit"))
    paths = {a.unit.path for a in adoptions} | {model.unit.path}
    ancestors = {p[:end] for p in paths for end in range(4, len(p) + 1, 4)}
    units = {u.path: u for u in Unit.objects.filter(path__in=sorted(ancestors)).order_by("path")}
    # The lowest common ancestor of everything shown: the tree starts there.
    common = min(paths, key=len)
    while common and not all(p.startswith(common) for p in paths):
        common = common[:-4]
    nodes: dict[str, SpreadNode] = {}
    by_unit = {a.unit.path: a for a in adoptions}
    roots: list[SpreadNode] = []
    for path in sorted(ancestors):
        if len(path) < len(common) or path not in units:
            continue
        node = SpreadNode(unit=units[path], adoption=by_unit.get(path), origin=path == model.unit.path)
        nodes[path] = node
        parent = nodes.get(path[:-4])
        (parent.children if parent is not None else roots).append(node)
    for path in by_unit:
        for end in range(4, len(path) + 1, 4):
            if path[:end] in nodes:
                nodes[path[:end]].count += 1
    return roots


def flatten(nodes: list[SpreadNode], depth: int = 0) -> list[tuple[int, SpreadNode]]:
    """The tree as (depth, node) rows, for a nested list or a table."""
    rows: list[tuple[int, SpreadNode]] = []
    for node in nodes:
        rows.append((depth, node))
        rows.extend(flatten(node.children, depth + 1))
    return rows


def spread_chart(model: EffectiveModel, roots: list[SpreadNode]) -> dict[str, Any] | None:
    """The spread tree as an ECharts ``tree`` series' data: from the approving level (the model's
    library unit, marked ``approver``; or the common ancestor above it when adopters lie beyond it)
    down to the adopting units grouped under their parents. No query beyond ``model.library_unit``;
    ``None`` when nobody adopted it (the page then says so in words)."""
    if not any(node.count for node in roots):
        return None

    library = model.library_unit

    def as_data(node: SpreadNode) -> dict[str, Any]:
        item: dict[str, Any] = {"name": node.unit.name, "value": node.count}
        if node.origin:
            item["role"] = "origin"
        elif node.adoption is not None:
            item["role"] = "adopter"
            item["since"] = node.adoption.adopted_on.strftime("%d/%m/%Y")
        elif library is not None and node.unit.pk == library.pk:
            item["role"] = "approver"
        if node.children:
            item["children"] = [as_data(child) for child in node.children]
        return item

    children = [as_data(node) for node in roots]
    if len(children) == 1:
        return children[0]
    total = sum(node.count for node in roots)
    if library is not None and all(node.unit.path.startswith(library.path) for node in roots):
        root = {"name": library.name, "value": total, "role": "approver", "children": children}
    else:
        root = {"name": _("Nơi nhân rộng"), "value": total, "children": children}
    return root


def library(user: Any) -> QuerySet[EffectiveModel]:
    """Approved models the user reads (their own units' and their libraries'), with adoption counts."""
    return (
        EffectiveModel.objects.visible_to(user)
        .filter(status=EffectiveModel.Status.APPROVED)
        .select_related("unit", "library_unit")
        .annotate(adoption_count=Count("adoptions", distinct=True))
    )


def public_models() -> QuerySet[EffectiveModel]:
    """What the public portal shows: approved and published, with adoption counts."""
    return (
        EffectiveModel.objects.filter(status=EffectiveModel.Status.APPROVED, published=True)
        .select_related("unit")
        .annotate(adoption_count=Count("adoptions", distinct=True))
        .order_by("-approved_on", "-id")
    )
