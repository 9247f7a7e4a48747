"""Reads of monitoring: the reporting board of a subtree, read from the tallies, and rankings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows, get_for_user
from thidua.campaigns.models import Plan
from thidua.monitoring.models import Cluster, Period, Report, Tally
from thidua.units.models import Unit, UnitKind, kind_label
from thidua.units.selectors import scope_roots

# What a board shows for reports, in this order (a report "missing" is due or a draft after the due date).
BOARD_STATES = {
    "verified": _("Đã xác nhận"),
    "submitted": _("Chờ xác nhận"),
    "returned": _("Bị trả lại"),
    "missing": _("Chưa gửi"),
    "late": _("Gửi muộn"),
}


@dataclass
class Counts:
    due: int = 0
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    verified: int = 0
    late: int = 0
    score_sum: Decimal = Decimal(0)

    def add_tally(self, tally: Tally) -> None:
        for name in ("due", "draft", "submitted", "returned", "verified", "late"):
            setattr(self, name, getattr(self, name) + getattr(tally, name))
        self.score_sum += tally.score_sum

    def add_report(self, report: Report) -> None:
        setattr(self, report.status, getattr(self, report.status) + 1)
        self.late += int(report.late)
        if report.status == Report.Status.VERIFIED and report.score is not None:
            self.score_sum += report.score

    @property
    def owed(self) -> int:
        return self.due + self.draft + self.submitted + self.returned + self.verified

    @property
    def not_sent(self) -> int:
        return self.due + self.draft

    @property
    def sent(self) -> int:
        return self.submitted + self.returned + self.verified

    @property
    def sent_rate(self) -> float:
        return self.sent / self.owed if self.owed else 0.0

    @property
    def average_score(self) -> Decimal | None:
        return (self.score_sum / self.verified).quantize(Decimal("0.01")) if self.verified else None


@dataclass
class BoardRow:
    unit: Unit
    counts: Counts = field(default_factory=Counts)  # the unit's subtree below it
    own: Report | None = None  # the unit's own report

    @property
    def total(self) -> Counts:
        total = dataclasses.replace(self.counts)
        if self.own is not None:
            total.add_report(self.own)
        return total


@dataclass
class LevelRow:
    depth: int
    kind_names: set[str]
    counts: Counts


@dataclass
class Board:
    root: Unit
    period: Period
    overdue: bool
    total: Counts
    levels: list[LevelRow]
    rows: list[BoardRow]


def board(root: Unit, period: Period, *, day: dt.date) -> Board:
    """Reports of ``period`` (a root period) below ``root``: per level and per child's subtree.

    Two queries whatever the size of the tree: the tallies of the root and its children,
    and the children's own reports. The caller has checked that ``root`` is in scope.
    """
    key = period.root_key
    tallies = list(
        Tally.objects.filter(Q(unit_id=root.pk) | Q(unit__parent_id=root.pk), period_id=key)
        .select_related("unit", "unit__kind")
        .order_by("depth")
    )
    own_reports = list(
        Report.objects.filter(root_period_id=key, unit__parent_id=root.pk).select_related("unit", "unit__kind")
    )
    total = Counts()
    levels: dict[int, LevelRow] = {}
    by_child: dict[int, BoardRow] = {}
    for tally in tallies:
        if tally.unit_id == root.pk:
            total.add_tally(tally)
            level = levels.setdefault(tally.depth, LevelRow(tally.depth, set(), Counts()))
            level.counts.add_tally(tally)
        else:
            by_child.setdefault(tally.unit_id, BoardRow(tally.unit)).counts.add_tally(tally)
    for report in own_reports:
        by_child.setdefault(report.unit_id, BoardRow(report.unit)).own = report
        known = levels.get(report.unit.depth)
        if known is not None:
            known.kind_names.add(kind_label(report.unit.kind.name, report.unit.kind.name_en))
    rows = sorted(by_child.values(), key=lambda r: r.unit.path)
    return Board(
        root=root,
        period=period,
        overdue=day > period.due_on,
        total=total,
        levels=[levels[d] for d in sorted(levels)],
        rows=rows,
    )


def campaign_period(period: Period) -> Period:
    """The campaign's period a (possibly inherited) period stands for."""
    return period.root if period.root is not None else period


def campaign_root(plan: Plan) -> Plan:
    return plan if plan.root_id is None else Plan.objects.select_related("issuer").get(pk=plan.root_id)


def root_periods(plan: Plan) -> QuerySet[Period]:
    """The periods a campaign's boards are read by: the root plan's, and those the plan added itself."""
    return Period.objects.filter(Q(plan_id=plan.campaign_root_id) | Q(plan=plan, root__isnull=True))


@dataclass
class Ranked:
    position: int
    unit: Unit
    score: Decimal | None
    on_time: int
    first_sent: dt.datetime | None
    periods: int


def ranking(period_ids: list[int], units: QuerySet[Unit] | list[Unit]) -> list[Ranked]:
    """Rank ``units`` by their verified reports over the given root periods.

    Score: the average of the verified totals over the periods (a period without a verified
    report counts 0). Ties: more reports on time, then the earlier first submission, then
    the name (``scoring.TIE_BREAK``). Equal on all counts share a position.
    """
    unit_list = list(units)
    reports = Report.objects.filter(root_period_id__in=period_ids, unit__in=unit_list).values_list(
        "unit_id", "status", "score", "late", "submitted_at"
    )
    sums: dict[int, Decimal] = defaultdict(Decimal)
    on_time: dict[int, int] = defaultdict(int)
    first: dict[int, dt.datetime] = {}
    for unit_id, status, score, late, submitted_at in reports:
        if status == Report.Status.VERIFIED:
            sums[unit_id] += score or Decimal(0)
            if not late:
                on_time[unit_id] += 1
        if submitted_at and (unit_id not in first or submitted_at < first[unit_id]):
            first[unit_id] = submitted_at
    n = len(period_ids) or 1
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    scored = [
        (
            (sums[u.pk] / n).quantize(Decimal("0.01")),
            on_time[u.pk],
            first.get(u.pk),
            u,
        )
        for u in unit_list
    ]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2] or far, s[3].name))
    ranked: list[Ranked] = []
    for i, (score, punctual, first_sent, unit) in enumerate(scored):
        previous = ranked[-1] if ranked else None
        same = previous and (previous.score, previous.on_time, previous.first_sent) == (score, punctual, first_sent)
        ranked.append(
            Ranked(
                position=previous.position if same and previous else i + 1,
                unit=unit,
                score=score,
                on_time=punctual,
                first_sent=first_sent,
                periods=n,
            )
        )
    return ranked


def clusters_of(plan: Plan) -> QuerySet[Cluster]:
    return Cluster.objects.filter(plan_id=plan.campaign_root_id).prefetch_related("units")


# --- what a board or a ranking is read for (shared by the pages and the API) ----------------------


def board_root(user: Any, period: Period, unit_id: int | str | None) -> Unit:
    """The subtree a board or a ranking shows: ``unit_id`` (in scope, else 404), else the plan's
    issuer when the user sees it, else the top of the user's scope. ``period.plan.issuer`` is read."""
    if unit_id:
        return get_for_user(Unit.objects.select_related("kind"), user, pk=unit_id)
    issuer = period.plan.issuer
    if allows(user, issuer, Perm.VIEW):
        return issuer
    roots = scope_roots(user)
    return roots[0] if roots else issuer


def name_levels(levels: list[LevelRow]) -> None:
    """Levels below the board's children have no report of their own to name them: named from the
    catalogue of unit kinds (one query, a few rows)."""
    unnamed = [level for level in levels if not level.kind_names]
    if not unnamed:
        return
    for kind in UnitKind.objects.filter(level__in=[level.depth for level in unnamed]):
        for level in unnamed:
            if level.depth == kind.level:
                level.kind_names.add(kind.label)


def ranking_period_ids(period: Period, *, whole: bool) -> list[int]:
    """The root periods a ranking averages: the campaign's (``whole``), else the period's own root."""
    if whole:
        return list(Period.objects.filter(plan_id=period.plan.campaign_root_id).values_list("pk", flat=True))
    return [campaign_period(period).pk]


def ranking_units(user: Any, root: Unit, period_ids: list[int], cluster: Cluster | None) -> list[Unit]:
    """Who is ranked: the cluster's units the user sees (``cluster.units`` prefetched), else the
    units directly below ``root`` that owe a report of those periods."""
    if cluster is not None:
        return [u for u in cluster.units.all() if allows(user, u, Perm.VIEW)]
    return list(Unit.objects.filter(parent=root, reports__root_period_id__in=period_ids).distinct().order_by("name"))
