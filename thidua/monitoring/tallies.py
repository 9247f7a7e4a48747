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
  the reporting unit's parent) and a roll-up of those groups in Python, written with one COPY
  on PostgreSQL (``bench/monitoring.py`` measures it against a bare GROUP BY of the reports).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

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
    """One GROUP BY over the reports: counts per (root period, reporting unit's parent, depth).

    Grouped by the parent's id (an integer key) rather than by a prefix of the unit's path: on
    the national tree (1.6M reports) that halves the query, and PostgreSQL can run it in parallel.
    """
    reports = Report.objects.all() if period_ids is None else Report.objects.filter(root_period_id__in=period_ids)
    counts = {state: Count("id", filter=Q(status=state)) for state in STATES}
    return (
        reports.filter(unit__parent__isnull=False)
        .order_by()
        .values("root_period_id", "unit__parent_id", "unit__depth")
        .annotate(
            **counts,
            late_n=Count("id", filter=Q(late=True)),
            score_total=Coalesce(Sum("score", filter=Q(status="verified")), Value(Decimal(0))),
        )
        .values_list("root_period_id", "unit__parent_id", "unit__depth", *STATES, "late_n", "score_total")
    )


def _paths(ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 5000):
        found.update(Unit.objects.filter(pk__in=id_list[start : start + 5000]).values_list("id", "path"))
    return found


COLUMNS = ("period_id", "path", "depth", *STATES, "late", "score_sum", "unit_id")


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Write tally rows (values in ``COLUMNS`` order): one COPY on PostgreSQL (a quarter of the
    time ``bulk_create`` takes for the national tree's 12k rows), ``bulk_create`` elsewhere."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {Tally._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        Tally.objects.bulk_create([Tally(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=2000)


@transaction.atomic
def rebuild(period_ids: list[int] | None = None) -> int:
    """Recompute the tallies of the given root periods (all when None) from the reports."""
    groups = list(_grouped(period_ids))
    parent_paths = _paths({parent_id for _p, parent_id, *_rest in groups})
    totals: dict[tuple[int, str, int], list[Any]] = defaultdict(lambda: [0] * (len(STATES) + 1) + [Decimal(0)])
    for period_id, parent_id, level, *numbers in groups:
        parent_path = parent_paths[parent_id]
        for end in range(PATH_STEP, len(parent_path) + 1, PATH_STEP):
            row = totals[(period_id, parent_path[:end], level)]
            for i, value in enumerate(numbers):
                row[i] += value
    stale = Tally.objects.all() if period_ids is None else Tally.objects.filter(period_id__in=period_ids)
    stale.delete()
    unit_ids = {path: pk for pk, path in parent_paths.items()}
    above = sorted({path for _p, path, _d in totals} - unit_ids.keys())  # ancestors that are nobody's parent here
    for start in range(0, len(above), 5000):
        unit_ids.update(Unit.objects.filter(path__in=above[start : start + 5000]).values_list("path", "id"))
    rows = [
        (period_id, path, depth, *numbers, unit_ids[path])
        for (period_id, path, depth), numbers in totals.items()
        if path in unit_ids
    ]
    _insert(rows)
    return len(rows)
