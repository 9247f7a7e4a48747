"""Registration coverage per campaign and subtree, kept up to date so ``coverage()`` never counts.

A ``CoverageTally`` row (campaign, unit) holds the unit's own figures (its members with a
pledge in the campaign, each once; 1 when it is a grassroots union whose registration in the
campaign is no longer a draft) and their sums over its subtree. It rides on the units' queue
(``thidua.units.tallies``): the registration services mark the units whose figures a write
may change (the members' units for pledges, the registering unit for a submission), and so do
the member and unit services (a member moving takes their pledges along; a unit changing kind
counts differently). When the queue is drained this module recounts the same dirty units' own
figures for every campaign at once — an exact count of distinct members, so two pledges of one
member written at the same moment still count once — and adds the differences to the rows of
their ancestors. A unit move carries its rows' sums, for every campaign, to the new ancestors.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.dispatch import receiver

from thidua.registrations.models import CoverageTally, MemberPledge, Registration
from thidua.units import tallies as unit_tallies
from thidua.units.models import Unit

KEYS = ("campaign_id", "unit_id")
SUMS = ("members", "units")
OWN = ("own_members", "own_units")


def _campaign() -> Coalesce:
    """The campaign a plan belongs to: its root plan, or itself when it is one."""
    return Coalesce("plan__root_id", "plan_id")


def _registered() -> Any:
    return Registration.objects.filter(unit__kind__is_grassroots=True).exclude(status=Registration.Status.DRAFT)


@receiver(unit_tallies.recounted)
def recount(sender: Any, chains: dict[int, list[int]], **kwargs: Any) -> None:
    """The dirty units' own figures in every campaign, recounted; differences carried up."""
    ids = sorted(chains)
    now: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    pledged = (
        MemberPledge.objects.filter(member__unit_id__in=ids)
        .annotate(campaign=_campaign())
        .order_by()
        .values("campaign", "member__unit_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("campaign", "member__unit_id", "n")
    )
    for campaign, unit_id, n in pledged:
        now[(campaign, unit_id)][0] = n
    registered = (
        _registered()
        .filter(unit_id__in=ids)
        .annotate(campaign=_campaign())
        .order_by()
        .values_list("campaign", "unit_id")
        .distinct()
    )
    for campaign, unit_id in registered:
        now[(campaign, unit_id)][1] = 1
    stored = {
        (campaign, unit_id): [own_members, own_units]
        for campaign, unit_id, own_members, own_units in CoverageTally.objects.filter(unit_id__in=ids).values_list(
            "campaign_id", "unit_id", *OWN
        )
    }
    add: dict[tuple[int, ...], list[int]] = defaultdict(lambda: [0, 0])
    put: dict[tuple[int, ...], list[int]] = {}
    for key in set(now) | set(stored):
        figures = now.get(key, [0, 0])
        before = stored.get(key, [0, 0])
        delta = [figures[0] - before[0], figures[1] - before[1]]
        if not any(delta):
            continue
        campaign, unit_id = key
        put[key] = figures
        for above in chains[unit_id]:
            add[(campaign, above)][0] += delta[0]
            add[(campaign, above)][1] += delta[1]
    unit_tallies.write(CoverageTally, KEYS, add, SUMS, put, OWN)


@receiver(unit_tallies.shifted)
def carry(sender: Any, unit_id: int, leave: list[int], join: list[int], **kwargs: Any) -> None:
    """A subtree moved: its sums, in every campaign, leave the old ancestors and join the new."""
    add: dict[tuple[int, ...], list[int]] = {}
    for campaign, members, units in CoverageTally.objects.filter(unit_id=unit_id).values_list("campaign_id", *SUMS):
        add.update(unit_tallies.shift((members, units), leave, join, prefix=(campaign,)))
    unit_tallies.write(CoverageTally, KEYS, add, SUMS)


@receiver(unit_tallies.rebuilt)
def rebuild(sender: Any = None, **kwargs: Any) -> int:
    """Every campaign's rows recomputed from the pledges and registrations (two GROUP BY queries
    and a roll-up in Python), inside ``thidua.units.tallies.rebuild``; returns the rows written."""
    own: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    pledged = (
        MemberPledge.objects.annotate(campaign=_campaign())
        .order_by()
        .values("campaign", "member__unit__path")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("campaign", "member__unit__path", "n")
    )
    for campaign, path, n in pledged.iterator(chunk_size=10000):
        own[(campaign, path)][0] = n
    registered = (
        _registered().annotate(campaign=_campaign()).order_by().values_list("campaign", "unit__path").distinct()
    )
    for campaign, path in registered.iterator(chunk_size=10000):
        own[(campaign, path)][1] = 1
    sums = unit_tallies.roll_up(((campaign,), path, values) for (campaign, path), values in own.items())
    paths = sorted({path for _campaign_key, path in sums})
    unit_ids: dict[str, int] = {}
    for start in range(0, len(paths), 5000):
        unit_ids.update(Unit.objects.filter(path__in=paths[start : start + 5000]).values_list("path", "pk"))
    CoverageTally.objects.all().delete()
    rows = [
        CoverageTally(
            campaign_id=campaign,
            unit_id=unit_ids[path],
            own_members=own.get((campaign, path), [0, 0])[0],
            own_units=own.get((campaign, path), [0, 0])[1],
            members=values[0],
            units=values[1],
        )
        for ((campaign,), path), values in sums.items()
        if path in unit_ids
    ]
    CoverageTally.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
