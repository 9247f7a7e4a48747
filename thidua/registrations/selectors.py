"""Registration coverage: registered / total, rolled up per child unit, read from kept counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404

from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows, scope_for
from thidua.campaigns.models import Plan
from thidua.members.models import Member
from thidua.registrations.models import CoverageTally, MemberPledge, Registration
from thidua.units import tallies as unit_tallies
from thidua.units.models import Unit, UnitTally


@dataclass
class CoverageRow:
    unit: Unit
    members: int
    registered_members: int
    grassroots: int
    registered_units: int
    label: str = ""  # the chart's axis label, unique among the rows' units (see sibling_labels)

    @property
    def member_rate(self) -> float:
        return round(100 * self.registered_members / self.members, 1) if self.members else 0.0

    @property
    def unit_rate(self) -> float:
        return round(100 * self.registered_units / self.grassroots, 1) if self.grassroots else 0.0


# An axis label longer than this is shortened in the middle: at 12 px it still wraps onto
# two lines of a phone's category axis, and the place name at the end stays readable.
AXIS_LABEL_MAX = 32
ELLIPSIS = "…"
DASHES = ("–", "-", "—")


def sibling_labels(
    names: Sequence[str], groups: Sequence[Hashable] | None = None, *, max_length: int = AXIS_LABEL_MAX
) -> list[str]:
    """Short axis labels that tell sibling units apart, in the order of ``names``.

    Units of one kind (``groups``, e.g. the kind ids) starting with the same word are named
    after one pattern ("Liên đoàn Lao động huyện Ba Bể", "Liên đoàn Lao động huyện Na Rì"), so
    the words they all share at the front are dropped ("Ba Bể", "Na Rì"); every label keeps
    at least one word. A label that would still be shared by two siblings is the full name
    instead, and identical full names get their position among them ("X (2)"), so no two bars
    ever carry the same label. Labels longer than ``max_length`` lose their middle to "…".
    The full name belongs in the tooltip and the table: these labels are for the axis only.
    """
    full = [" ".join(name.split()) for name in names]
    words = [name.split(" ") if name else [] for name in full]
    keys = groups if groups is not None else [None] * len(full)
    families: dict[tuple[Hashable, str], list[int]] = {}
    for index, (key, parts) in enumerate(zip(keys, words, strict=True)):
        families.setdefault((key, parts[0].casefold() if parts else ""), []).append(index)
    labels = list(full)
    for members in families.values():
        if len(members) < 2:
            continue
        shared = _shared_leading_words([words[i] for i in members])
        for i in members:
            labels[i] = " ".join(words[i][shared:])
    labels = _unique(labels, full)
    shortened = [_shorten_middle(label, max_length) for label in labels]
    taken = Counter(label.casefold() for label in shortened)
    return [short if taken[short.casefold()] == 1 else label for short, label in zip(shortened, labels, strict=True)]


def _shared_leading_words(names: list[list[str]]) -> int:
    """How many leading words all ``names`` share (case-insensitively), leaving each at least one."""
    limit = min(len(parts) for parts in names) - 1
    count = 0
    while count < limit and len({parts[count].casefold() for parts in names}) == 1:
        count += 1
    return count


def _unique(labels: list[str], full: list[str]) -> list[str]:
    """Empty or shared labels become the full name; identical full names are numbered in order."""
    taken = Counter(label.casefold() for label in labels)
    labels = [
        label if label and taken[label.casefold()] == 1 else name for label, name in zip(labels, full, strict=True)
    ]
    taken = Counter(label.casefold() for label in labels)
    # A number never turns a label into another sibling's real name.
    used = {label.casefold() for label in [*labels, *full]}
    result = []
    for label in labels:
        if taken[label.casefold()] > 1:
            number = 1
            while f"{label} ({number})".casefold() in used:
                number += 1
            label = f"{label} ({number})"
            used.add(label.casefold())
        result.append(label)
    return result


def _shorten_middle(label: str, max_length: int) -> str:
    """Keep whole words from the start and (a little more of) the end, where the place name sits."""
    if len(label) <= max_length:
        return label
    words = label.split(" ")
    budget = max_length - 2  # the " …" between the halves; the closing space is in each word's count
    tail: list[str] = []
    for word in reversed(words[1:]):
        if sum(len(w) + 1 for w in [word, *tail]) > budget * 3 // 5:
            break
        tail.insert(0, word)
    head: list[str] = []
    room = budget - sum(len(w) + 1 for w in tail)
    for word in words[: len(words) - len(tail)]:
        if sum(len(w) + 1 for w in [*head, word]) > room + 1:
            break
        head.append(word)
    while head and head[-1] in DASHES:
        head.pop()
    while tail and tail[0] in DASHES:
        tail.pop(0)
    if head and tail:
        return " ".join(head) + f" {ELLIPSIS} " + " ".join(tail)
    # A single word too long for the axis (a pasted code): cut inside it.
    keep = (max_length - 1) * 2 // 5
    return label[:keep] + ELLIPSIS + label[keep + 1 - max_length :]


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
    Read from the subtree counts kept by ``thidua.units.tallies`` and
    ``thidua.registrations.tallies``, never counted here: the pending recounts are drained
    first (one query when there are none), then three queries whatever the size of the tree —
    the children, their and the root's unit counts, their and the root's campaign counts.
    ``coverage_by_counting`` gives the same figures by counting.
    """
    if not allows(user, root, Perm.VIEW):
        raise Http404
    unit_tallies.drain()
    children = list(Unit.objects.filter(parent=root, dissolved_on__isnull=True).select_related("kind").order_by("name"))
    ids = [root.pk, *(child.pk for child in children)]
    units = {
        pk: (members, grassroots)
        for pk, members, grassroots in UnitTally.objects.filter(unit_id__in=ids).values_list(
            "unit_id", "members", "grassroots"
        )
    }
    campaign = {
        pk: (members, registered)
        for pk, members, registered in CoverageTally.objects.filter(
            campaign_id=plan.campaign_root_id, unit_id__in=ids
        ).values_list("unit_id", "members", "units")
    }

    def row(unit: Unit) -> CoverageRow:
        members, grassroots = units.get(unit.pk, (0, 0))
        registered_members, registered_units = campaign.get(unit.pk, (0, 0))
        return CoverageRow(
            unit=unit,
            members=members,
            registered_members=registered_members,
            grassroots=grassroots,
            registered_units=registered_units,
        )

    rows = [row(child) for child in children]
    labels = sibling_labels([child.name for child in children], [child.kind_id for child in children])
    for child_row, label in zip(rows, labels, strict=True):
        child_row.label = label
    return row(root), rows


def coverage_by_counting(plan: Plan, root: Unit, user: Any) -> tuple[CoverageRow, list[CoverageRow]]:
    """``coverage`` counted from the members, pledges, units and registrations themselves.

    Five queries whatever the size (children, members, registered members, grassroots units and
    registered units, each grouped by the child's path prefix), 3.7 s on the national tree:
    what ``coverage`` gave before it read the tallies, kept to check them against.
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
    labels = sibling_labels([child.name for child in children], [child.kind_id for child in children])
    for row, label in zip(rows, labels, strict=True):
        row.label = label
    total = CoverageRow(
        unit=root,
        members=members_total,
        registered_members=registered_total,
        grassroots=grassroots_total,
        registered_units=units_registered_total,
    )
    return total, rows
