"""Roll-up counts of reports, kept up to date as reports move, so boards never count reports.

A ``Tally`` row (root period, unit X, depth d) counts, by state, the reports of the period
made by units d deep strictly below X. A unit's own report is its ``Report`` row, so a board
of X reads X's row (per-level summary), its children's rows (their subtrees) and the
children's own reports: two queries whatever the size of the tree.

* ``move``: one report changed state: one UPDATE of the rows of its unit's ancestors
  (depth − 1 rows), in the caller's transaction.
* ``add_owed``: reports were created (a period added, a plan issued): their ancestors'
  "due" counts grow, rows created where missing.
* ``rebuild``: everything recomputed from the reports, in one GROUP BY over the reports table
  alone (by the parent and depth each report carries) and a roll-up of those groups in Python;
  the rows that differ are replaced (one COPY on PostgreSQL). ``bench/monitoring.py`` measures
  it against a bare GROUP BY of the reports.
* ``on_unit_moved``: a unit moved; its subtree's reports follow and their periods are recounted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.dispatch import receiver

from thidua.accounts.scope import PATH_STEP
from thidua.campaigns.models import Criterion
from thidua.monitoring.models import CriterionTally, Report, ReportValue, Tally
from thidua.units import tallies as unit_tallies
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


def _state_counts(reports: Any, *keys: str) -> Any:
    """``reports`` counted per ``keys``: by state, late, and the verified scores summed."""
    counts = {state: Count("id", filter=Q(status=state)) for state in STATES}
    return (
        reports.order_by()
        .values(*keys)
        .annotate(
            **counts,
            late_n=Count("id", filter=Q(late=True)),
            score_total=Coalesce(Sum("score", filter=Q(status="verified")), Value(Decimal(0))),
        )
        .values_list(*keys, *STATES, "late_n", "score_total")
    )


def _grouped(period_ids: list[int] | None) -> Any:
    """One GROUP BY over the reports alone: counts per (root period, reporting unit's parent, depth).

    Reports carry their unit's parent and depth (``Report.unit_parent``, ``unit_depth``), so this
    reads one table, as a bare count would, and PostgreSQL runs it in parallel.
    """
    reports = Report.objects.all() if period_ids is None else Report.objects.filter(root_period_id__in=period_ids)
    return _state_counts(reports.filter(unit_parent__isnull=False), "root_period_id", "unit_parent_id", "unit_depth")


def _paths(ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 5000):
        found.update(Unit.objects.filter(pk__in=id_list[start : start + 5000]).values_list("id", "path"))
    return found


NUMBERS = (*STATES, "late", "score_sum")
CRITERION_NUMBERS = ("reports", "total", "done", "reached")


def _insert(model: type[Tally] | type[CriterionTally], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Write rows (values in ``columns`` order): one COPY on PostgreSQL (a quarter of the time
    ``bulk_create`` takes for the national tree's 12k tally rows), ``bulk_create`` elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=2000)  # type: ignore[arg-type]


Key = tuple[int, str, int]


def _replace(
    model: type[Tally] | type[CriterionTally],
    level: str,
    numbers: tuple[str, ...],
    groups: Iterable[tuple[Any, ...]],
    period_ids: list[int] | None,
) -> int:
    """Roll ``groups`` (root period, parent unit id, ``level`` value, *``numbers``) up to every
    ancestor of the parent and the parent itself, and make ``model``'s rows of those periods equal
    to the result: rows that differ are deleted by id and inserted again. Returns rows written."""
    kept = model.objects.all() if period_ids is None else model.objects.filter(period_id__in=period_ids)
    existing: dict[Key, tuple[int, tuple[Any, ...]]] = {}
    unit_ids: dict[str, int] = {}
    for pk, period_id, path, key, unit_id, *values in kept.values_list(
        "pk", "period_id", "path", level, "unit_id", *numbers
    ):
        existing[(period_id, path, key)] = (pk, tuple(values))
        unit_ids[path] = unit_id
    groups = list(groups)
    parent_paths = {pk: path for path, pk in unit_ids.items()}
    parent_paths.update(_paths({parent_id for _p, parent_id, *_rest in groups} - parent_paths.keys()))
    totals: dict[Key, list[Any]] = {}
    for period_id, parent_id, key, *values in groups:
        parent_path = parent_paths[parent_id]
        for end in range(PATH_STEP, len(parent_path) + 1, PATH_STEP):
            row = totals.get((period_id, parent_path[:end], key))
            if row is None:
                totals[(period_id, parent_path[:end], key)] = list(values)
            else:
                for i, value in enumerate(values):
                    row[i] += value
    unit_ids.update((path, pk) for pk, path in parent_paths.items())
    above = sorted({path for _p, path, _k in totals} - unit_ids.keys())  # ancestors that are nobody's parent here
    for start in range(0, len(above), 5000):
        unit_ids.update(Unit.objects.filter(path__in=above[start : start + 5000]).values_list("path", "id"))
    wrong = [pk for key, (pk, values) in existing.items() if tuple(totals.get(key, ())) != values]
    rows = [
        (*key, *values, unit_ids[key[1]])
        for key, values in totals.items()
        if key[1] in unit_ids and (key not in existing or tuple(values) != existing[key][1])
    ]
    for start in range(0, len(wrong), 5000):
        model.objects.filter(pk__in=wrong[start : start + 5000]).delete()
    _insert(model, ("period_id", "path", level, *numbers, "unit_id"), rows)
    return len(rows)


def criterion_tops(criterion_ids: Iterable[int]) -> dict[int, int]:
    """Each criterion mapped to the campaign criterion it was copied from (``source`` followed up;
    one query per level of copying, usually one or two)."""
    source: dict[int, int | None] = {}
    pending = set(criterion_ids)
    while pending:
        found = dict(Criterion.objects.filter(pk__in=pending).values_list("pk", "source_id"))
        source.update(found)
        pending = {s for s in found.values() if s is not None and s not in source}
    tops: dict[int, int] = {}
    for pk in criterion_ids:
        top = pk
        while source.get(top) is not None:
            top = source[top]  # type: ignore[assignment]
        tops[pk] = top
    return tops


def _value_sums(values: Any, *keys: str) -> list[tuple[Any, ...]]:
    """``values`` summed per ``keys`` and criterion, merged under the campaign's own criteria:
    rows of (*keys, campaign criterion, reports, total, done, reached)."""
    rows = list(
        values.order_by()
        .values(*keys, "criterion_id")
        .annotate(
            n=Count("id"),
            sum=Coalesce(Sum("number"), Value(Decimal(0))),
            done_n=Count("id", filter=Q(done=True)),
            reached_n=Count("id", filter=Q(number__gte=F("criterion__target"))),
        )
        .values_list(*keys, "criterion_id", "n", "sum", "done_n", "reached_n")
    )
    at = len(keys)
    tops = criterion_tops({row[at] for row in rows})
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        sums = merged.setdefault((*row[:at], tops[row[at]]), [0, Decimal(0), 0, 0])
        for i, value in enumerate(row[at + 1 :]):
            sums[i] += value
    return [(*key, *numbers) for key, numbers in merged.items()]


def _criterion_groups(period_ids: list[int] | None) -> list[tuple[Any, ...]]:
    """One GROUP BY over the verified reports' values: per (root period, reporting unit's parent,
    criterion), merged under the campaign's own criteria."""
    values = ReportValue.objects.filter(report__status=Report.Status.VERIFIED, report__unit_parent__isnull=False)
    if period_ids is not None:
        values = values.filter(report__root_period_id__in=period_ids)
    return _value_sums(values, "report__root_period_id", "report__unit_parent_id")


@transaction.atomic
def rebuild(period_ids: list[int] | None = None) -> int:
    """Recompute the tallies and the criterion tallies of the given root periods (all when None)
    from the reports.

    Everything is counted again; only the rows that differ from the count are written (stale and
    wrong rows deleted by id, the right ones inserted), so a rebuild of correct tallies writes
    nothing. Returns the number of rows written.
    """
    return rebuild_states(period_ids) + rebuild_criteria(period_ids)


def rebuild_states(period_ids: list[int] | None = None) -> int:
    """The report counts by state (``Tally``)."""
    return _replace(Tally, "depth", NUMBERS, _grouped(period_ids), period_ids)


def rebuild_criteria(period_ids: list[int] | None = None) -> int:
    """The verified values per campaign criterion (``CriterionTally``)."""
    return _replace(CriterionTally, "criterion_id", CRITERION_NUMBERS, _criterion_groups(period_ids), period_ids)


def values_move(report: Report, sign: int) -> int:
    """``report`` became verified (``sign`` 1) or stopped being verified (−1): its values are added
    to (taken from) the criterion rows of its unit's ancestors, in the caller's transaction.
    Missing rows are inserted first (``ignore_conflicts``: two first verifications under a new
    ancestor both succeed). Returns the rows updated."""
    paths = ancestors(report.unit.path)
    values = list(
        ReportValue.objects.filter(report=report).values_list("criterion_id", "criterion__target", "done", "number")
    )
    if not paths or not values:
        return 0
    tops = criterion_tops({criterion for criterion, *_rest in values})
    sums: dict[int, list[Any]] = {}
    for criterion, target, done, number in values:
        row = sums.setdefault(tops[criterion], [0, Decimal(0), 0, 0])
        row[0] += 1
        row[1] += number or Decimal(0)
        row[2] += done is True
        row[3] += number is not None and target is not None and number >= target
    unit_ids = dict(Unit.objects.filter(path__in=paths).values_list("path", "id"))
    CriterionTally.objects.bulk_create(
        [
            CriterionTally(period_id=report.root_period_id, path=path, unit_id=unit_ids[path], criterion_id=top)
            for top in sums
            for path in paths
            if path in unit_ids
        ],
        ignore_conflicts=True,
    )
    updated = 0
    for top, (n, total, done, reached) in sums.items():
        updated += CriterionTally.objects.filter(
            period_id=report.root_period_id, path__in=paths, criterion_id=top
        ).update(
            reports=F("reports") + sign * n,
            total=F("total") + sign * total,
            done=F("done") + sign * done,
            reached=F("reached") + sign * reached,
        )
    return updated


def _shift(
    model: type[Tally] | type[CriterionTally],
    key: str,
    rows: dict[tuple[int, int], list[Any]],
    paths: list[str],
    sign: int,
) -> None:
    """Add (``sign`` 1) or take (−1) ``rows`` ((period, ``key`` value) → numbers in the model's
    order) to or from the rows of ``paths``; rows missing are inserted first."""
    if not paths or not rows:
        return
    numbers = NUMBERS if model is Tally else CRITERION_NUMBERS
    if sign > 0:
        unit_ids = dict(Unit.objects.filter(path__in=paths).values_list("path", "id"))
        missing = [
            model(period_id=period_id, path=path, unit_id=unit_ids[path], **{key: value})
            for period_id, value in rows
            for path in paths
            if path in unit_ids
        ]
        model.objects.bulk_create(missing, ignore_conflicts=True)  # type: ignore[arg-type]
    for (period_id, value), values in rows.items():
        changes = {name: F(name) + sign * amount for name, amount in zip(numbers, values, strict=True) if amount}
        if changes:
            model.objects.filter(period_id=period_id, path__in=paths, **{key: value}).update(**changes)
    if sign < 0:  # rows that now count nothing are dropped, as a rebuild would not write them
        periods = {period_id for period_id, _value in rows}
        model.objects.filter(period_id__in=periods, path__in=paths, **dict.fromkeys(numbers, 0)).delete()


@receiver(unit_tallies.moved)
def on_unit_moved(sender: Any, unit_id: int, old_path: str, old_depth: int, **kwargs: Any) -> None:
    """A unit moved (in the move's transaction). Its subtree's reports leave the rows of its old
    ancestors and join its new ones', the rows of the units inside the subtree take their new
    paths and depths, and the reports their unit's new parent and depth. Statements in proportion
    to the periods and levels the subtree reports in, whatever the size of the tree."""
    unit = Unit.objects.get(pk=unit_id)
    shift = unit.depth - old_depth
    subtree = Report.objects.filter(unit__path__startswith=unit.path)
    states: dict[tuple[int, int], list[Any]] = {
        (period_id, depth): numbers
        for period_id, depth, *numbers in _state_counts(subtree, "root_period_id", "unit_depth")
    }
    if not states:
        return
    values = ReportValue.objects.filter(report__in=subtree.filter(status=Report.Status.VERIFIED))
    criteria: dict[tuple[int, int], list[Any]] = {
        (period_id, top): numbers for period_id, top, *numbers in _value_sums(values, "report__root_period_id")
    }
    _shift(Tally, "depth", states, ancestors(old_path), -1)
    _shift(CriterionTally, "criterion_id", criteria, ancestors(old_path), -1)
    inside = Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]
    Tally.objects.filter(unit__path__startswith=unit.path).update(path=Subquery(inside), depth=F("depth") + shift)
    CriterionTally.objects.filter(unit__path__startswith=unit.path).update(path=Subquery(inside))
    subtree.filter(unit_id=unit.pk).update(unit_parent_id=unit.parent_id)
    if shift:
        subtree.update(unit_depth=F("unit_depth") + shift)
    _shift(Tally, "depth", {(p, d + shift): numbers for (p, d), numbers in states.items()}, ancestors(unit.path), 1)
    _shift(CriterionTally, "criterion_id", criteria, ancestors(unit.path), 1)
