"""Roll-up counts of reports, kept up to date as reports move, so boards never count reports.

A ``Tally`` row (root period, unit X, depth d) counts, by state, the reports of the period
made by units d deep strictly below X. A unit's own report is its ``Report`` row, so a board
of X reads X's row (per-level summary), its children's rows (their subtrees) and the
children's own reports: two queries whatever the size of the tree.

* ``move``: one report changed state: one UPDATE of the rows of its unit's ancestors
  (depth − 1 rows), in the caller's transaction.
* ``add_owed``: reports were created (a period added, a plan issued): their ancestors'
  "due" counts grow, rows created where missing.
* ``rebuild``: everything recomputed from the reports, in one GROUP BY over them (grouped by
  the reporting unit's parent) and a roll-up of those groups in Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr

from thidua.accounts.scope import PATH_STEP
from thidua.monitoring.models import Report, Tally
from thidua.units.models import Unit

STATES = Report.TALLIED


def ancestors(path: str) -> list[str]:
    """Paths of the units strictly above the unit at ``path``, from the top."""
    return [path[:end] for end in range(PATH_STEP, len(path), PATH_STEP)]


def move(
    report: Report,
    before: str,
    after: str,
    *,
    late: bool = False,
    score: Decimal = Decimal(0),
) -> int:
    """Count ``report`` (of unit path/depth) under ``after`` instead of ``before``; ``late`` adds
    one to the late count, ``score`` is added to the verified score sum. Returns rows updated."""
    paths = ancestors(report.unit.path)
    if not paths:
        return 0
    changes: dict[str, Any] = {}
    if before != after:
        changes[before] = F(before) - 1
        changes[after] = F(after) + 1
    if late:
        changes["late"] = F("late") + 1
    if score:
        changes["score_sum"] = F("score_sum") + score
    if not changes:
        return 0
    updated = Tally.objects.filter(period_id=report.root_period_id, path__in=paths, depth=report.unit.depth).update(
        **changes
    )
    if updated != len(paths):  # rows missing (a unit moved since): recount this period
        rebuild([report.root_period_id])
    return updated


def add_owed(reports: Iterable[Report]) -> None:
    """New reports (status "due") counted under each of their units' ancestors."""
    grown: Counter[tuple[int, str, int]] = Counter()
    for report in reports:
        for path in ancestors(report.unit.path):
            grown[(report.root_period_id, path, report.unit.depth)] += 1
    if not grown:
        return
    with transaction.atomic():
        unit_ids = dict(Unit.objects.filter(path__in={path for _p, path, _d in grown}).values_list("path", "id"))
        for (period_id, path, depth), n in grown.items():
            updated = Tally.objects.filter(period_id=period_id, path=path, depth=depth).update(due=F("due") + n)
            if not updated:
                Tally.objects.create(period_id=period_id, path=path, depth=depth, unit_id=unit_ids[path], due=n)


def _grouped(period_ids: list[int] | None) -> Any:
    """One GROUP BY over the reports: counts per (root period, reporting unit's parent, depth)."""
    reports = Report.objects.all() if period_ids is None else Report.objects.filter(root_period_id__in=period_ids)
    counts = {state: Count("id", filter=Q(status=state)) for state in STATES}
    return (
        reports.filter(unit__depth__gt=1)
        .annotate(
            parent_path=Substr("unit__path", 1, (F("unit__depth") - 1) * PATH_STEP),
            level=F("unit__depth"),
        )
        .order_by()
        .values("root_period_id", "parent_path", "level")
        .annotate(
            **counts,
            late_n=Count("id", filter=Q(late=True)),
            score_total=Coalesce(Sum("score", filter=Q(status="verified")), Value(Decimal(0))),
        )
        .values_list("root_period_id", "parent_path", "level", *STATES, "late_n", "score_total")
    )


@transaction.atomic
def rebuild(period_ids: list[int] | None = None) -> int:
    """Recompute the tallies of the given root periods (all when None) from the reports."""
    totals: dict[tuple[int, str, int], list[Any]] = defaultdict(lambda: [0] * (len(STATES) + 1) + [Decimal(0)])
    for period_id, parent_path, level, *numbers in _grouped(period_ids):
        for end in range(PATH_STEP, len(parent_path) + 1, PATH_STEP):
            row = totals[(period_id, parent_path[:end], level)]
            for i, value in enumerate(numbers):
                row[i] += value
    stale = Tally.objects.all() if period_ids is None else Tally.objects.filter(period_id__in=period_ids)
    stale.delete()
    paths = {path for _p, path, _d in totals}
    unit_ids: dict[str, int] = {}
    path_list = sorted(paths)
    for start in range(0, len(path_list), 5000):
        unit_ids.update(Unit.objects.filter(path__in=path_list[start : start + 5000]).values_list("path", "id"))
    rows = [
        Tally(
            period_id=period_id,
            path=path,
            depth=depth,
            unit_id=unit_ids[path],
            **dict(zip(STATES, numbers[: len(STATES)], strict=True)),
            late=numbers[len(STATES)],
            score_sum=numbers[len(STATES) + 1],
        )
        for (period_id, path, depth), numbers in totals.items()
        if path in unit_ids
    ]
    Tally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
