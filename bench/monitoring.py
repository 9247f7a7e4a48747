#!/usr/bin/env python
"""Monitoring at national scale: the roll-up tallies, side by side in one run (issue "Monitoring").

On the national tree bench/run.py builds (its own database, ``thidua_bench``) this adds, once,
a campaign of the root union with 12 monthly reporting periods, an obligation for every unit
below the root, one report per (unit, period) with a mix of states, an officer on every unit,
and rebuilds the tallies. Then it measures:

1. the country-wide board read from the tallies (``selectors.board``) against the same counts
   computed per request: a GROUP BY on the materialised path (child path prefix, level) and a
   hand-written recursive CTE over ``parent_id``; the same for one province;
2. a full ``tallies.rebuild()`` against one bare ``GROUP BY root_period_id, status`` over the
   reports (the physical limit);
3. the rows one verification updates (``tallies.move``) and the queries of a whole
   ``services.report_verify``, for a report of the deepest level;
4. ``reminders.run_pass`` over the ~130k reports of the current month: queries per batch and
   time per 10,000 reminders (the reminder stages and notifications are reset between runs);
5. the country-wide ``review.review()`` of one month (criteria values added to every verified
   report once), against the review of BENCH_REBUILD_BEFORE and the per-request counts.

    .venv/bin/python bench/monitoring.py          # `make bench` runs it after bench/run.py
    BENCH_ROUNDS=7 .venv/bin/python bench/monitoring.py
    BENCH_MEMBERS=200000 ...                      # if the tree is not there yet: a smaller one
    BENCH_REBUILD_BEFORE=f849476 ...              # also time tallies.rebuild() as of that commit
    BENCH_SKIP_REMINDERS=1 ...                    # leave out 4. (~10 minutes at the default size)
    BENCH_SECTIONS=2,5 ...                        # only those sections

Variants are interleaved in each round; medians are printed.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import BENCH_URL, MEMBERS, ensure_database, median_times, report, setup_django  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PLAN_TITLE = "Bench: báo cáo kết quả thi đua toàn quốc 2025"
OFFICER_PREFIX = "bench-mon-"
YEAR = 2025
TODAY = dt.date(YEAR + 1, 1, 3)  # December's reports are due on 05/01: the "before the due date" reminder
BOARD_MONTH = 11  # the board of November: most reports in, a few returned, some missing


def queries_of(fn: Any) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


# --- data ---------------------------------------------------------------------------------------


def national_tree() -> Any:
    from django.db import connection

    from thidua.demo.generator import build
    from thidua.units.models import Unit

    if not Unit.objects.filter(code="VN").exists():  # the same tree bench/run.py builds
        print(f"Building the national-shaped tree with {MEMBERS:,} members (once)…", flush=True)
        started = time.monotonic()
        units, members = build("national", members=MEMBERS)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  {units:,} units, {members:,} members in {time.monotonic() - started:.0f}s", flush=True)
    return Unit.objects.get(code="VN")


def monitoring_data(root: Any) -> tuple[Any, list[Any]]:
    """The campaign, its periods, obligations, reports and officers; missing rows are added."""
    from django.db import connection

    from thidua.campaigns import services as campaigns
    from thidua.campaigns.models import Plan
    from thidua.monitoring import tallies
    from thidua.monitoring.models import Period, Tally

    started = time.monotonic()
    plan = Plan.objects.filter(issuer=root, title=PLAN_TITLE).first()
    if plan is None:
        print("Creating the national monitoring campaign (once)…", flush=True)
        plan = campaigns.plan_create(
            issuer=root,
            issued_on=dt.date(YEAR, 1, 2),
            place="Hà Nội",
            title=PLAN_TITLE,
            window_start=dt.date(YEAR, 1, 1),
            window_end=dt.date(YEAR, 12, 31),
        )
        campaigns.content_save(plan=plan, name="Lao động giỏi, lao động sáng tạo")
        plan = campaigns.plan_issue(plan=plan, by=None, due_on=dt.date(YEAR, 1, 20))
    if not Period.objects.filter(plan=plan).exists():
        import calendar

        Period.objects.bulk_create(
            [
                Period(
                    plan=plan,
                    kind=Period.Kind.MONTH,
                    name=f"Tháng {m:02d}/{YEAR}",
                    start=dt.date(YEAR, m, 1),
                    end=dt.date(YEAR, m, calendar.monthrange(YEAR, m)[1]),
                    due_on=dt.date(YEAR + (m == 12), m % 12 + 1, 5),
                )
                for m in range(1, 13)
            ]
        )
    periods = list(Period.objects.filter(plan=plan).order_by("start"))
    month_of = {p.pk: p.start.month for p in periods}
    added: dict[str, int] = {}
    with connection.cursor() as cursor:
        # Every unit below the root owes the campaign (as the cascade of implementation plans would
        # leave it): obligations, then one report per (unit, period), in SQL (setup, not services).
        cursor.execute(
            """
            INSERT INTO campaigns_obligation (plan_id, unit_id, due_on, created_at)
            SELECT %s, u.id, %s, now() FROM units_unit u
            WHERE u.path LIKE %s AND u.depth > %s
            ON CONFLICT (plan_id, unit_id) DO NOTHING
            """,
            [plan.pk, dt.date(YEAR, 1, 20), root.path + "%", root.depth],
        )
        added["obligations"] = cursor.rowcount
        # A deterministic mix: months up to October mostly verified; November a mix; December
        # (due 05/01) mostly not sent. h picks the state, late one in seven of those sent, scores 50–100.
        cursor.execute(
            """
            WITH src AS (
                SELECT o.unit_id, u.parent_id AS unit_parent_id, u.depth AS unit_depth, p.id AS period_id, p.due_on, m.month,
                       (hashtext(o.unit_id::text || ':' || m.month::text)::bigint + 2147483648) %% 1000 AS h,
                       (hashtext(m.month::text || '/' || o.unit_id::text)::bigint + 2147483648) %% 5001 AS s
                FROM campaigns_obligation o
                JOIN units_unit u ON u.id = o.unit_id
                CROSS JOIN monitoring_period p
                JOIN (SELECT unnest(%s::bigint[]) AS id, unnest(%s::int[]) AS month) m ON m.id = p.id
                WHERE o.plan_id = %s
            ), typed AS (
                SELECT *, CASE
                    WHEN month <= 10 THEN CASE WHEN h < 850 THEN 'verified' WHEN h < 900 THEN 'submitted'
                         WHEN h < 920 THEN 'returned' WHEN h < 950 THEN 'draft' ELSE 'due' END
                    WHEN month = 11 THEN CASE WHEN h < 600 THEN 'verified' WHEN h < 800 THEN 'submitted'
                         WHEN h < 850 THEN 'returned' WHEN h < 900 THEN 'draft' ELSE 'due' END
                    ELSE CASE WHEN h < 30 THEN 'submitted' WHEN h < 80 THEN 'draft' ELSE 'due' END
                END AS status FROM src
            ), sent AS (
                SELECT *, status IN ('submitted', 'returned', 'verified') AS is_sent,
                       status IN ('submitted', 'returned', 'verified') AND s %% 7 = 0 AS is_late FROM typed
            )
            INSERT INTO monitoring_report (period_id, root_period_id, unit_id, status, narrative, self_score,
                score, late, submitted_at, verified_at, comment, reminder_stage, updated_at, unit_parent_id, unit_depth)
            SELECT period_id, period_id, unit_id, status,
                   CASE WHEN status = 'due' THEN '' ELSE 'Kết quả thực hiện trong kỳ.' END,
                   CASE WHEN status = 'due' THEN NULL ELSE 50 + s / 100.0 END,
                   CASE WHEN status = 'due' THEN NULL ELSE 50 + s / 100.0 END,
                   is_late,
                   CASE WHEN is_sent THEN due_on + CASE WHEN is_late THEN 3 ELSE -1 END + time '09:00' END,
                   CASE WHEN status = 'verified' THEN due_on + 6 + time '10:00' END,
                   CASE WHEN status = 'returned' THEN 'Bổ sung minh chứng.' ELSE '' END,
                   CASE WHEN status IN ('due', 'draft', 'returned') AND month <= 11 THEN 3 ELSE 0 END,
                   now(), unit_parent_id, unit_depth
            FROM sent
            ON CONFLICT (period_id, unit_id) DO NOTHING
            """,
            [list(month_of), list(month_of.values()), plan.pk],
        )
        added["reports"] = cursor.rowcount
        # An emulation officer on every unit below the root (no e-mail address: in-app notifications only).
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined, full_name, email_notifications)
            SELECT '!', false, %s || u.id, '', '', '', false, true, now(), 'Cán bộ ' || u.code, true
            FROM units_unit u WHERE u.path LIKE %s AND u.depth > %s
            ON CONFLICT (username) DO NOTHING
            """,
            [OFFICER_PREFIX, root.path + "%", root.depth],
        )
        cursor.execute(
            """
            INSERT INTO accounts_roleassignment (role, created_at, unit_id, user_id)
            SELECT 'officer', now(), u.id, usr.id FROM units_unit u
            JOIN accounts_user usr ON usr.username = %s || u.id
            WHERE u.path LIKE %s AND u.depth > %s
            ON CONFLICT (user_id, unit_id, role) DO NOTHING
            """,
            [OFFICER_PREFIX, root.path + "%", root.depth],
        )
        added["officers"] = cursor.rowcount
    if any(added.values()) or not Tally.objects.filter(period__in=periods).exists():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        rows = tallies.rebuild()
        print(
            f"  added {added['obligations']:,} obligations, {added['reports']:,} reports, "
            f"{added['officers']:,} officers; {rows:,} tally rows written, in {time.monotonic() - started:.0f}s",
            flush=True,
        )
    return plan, periods


def describe(root: Any, plan: Any, periods: list[Any]) -> str:
    from django.db.models import Count

    from thidua.accounts.models import RoleAssignment
    from thidua.campaigns.models import Obligation
    from thidua.members.models import Member
    from thidua.monitoring.models import Report, Tally
    from thidua.units.models import Unit

    units = Unit.objects.count()
    depth = Unit.objects.filter(path__startswith=root.path).order_by("-depth").values_list("depth", flat=True)[0]
    members = Member.objects.count()
    obligations = Obligation.objects.filter(plan=plan).count()
    states = dict(
        Report.objects.filter(period__in=periods).values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    reports = sum(states.values())
    officers = RoleAssignment.objects.filter(user__username__startswith=OFFICER_PREFIX).count()
    tally_rows = Tally.objects.filter(period__in=periods).count()
    line = (
        f"Tree: {units:,} units (depth {depth}), {members:,} members. Campaign of {root.name}: "
        f"{len(periods)} monthly periods, {obligations:,} obligations, {reports:,} reports "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(states.items()))}), {officers:,} officers, "
        f"{tally_rows:,} tally rows."
    )
    print("\n" + line, flush=True)
    return line


# --- 1. + 6. the board: tallies vs materialised-path GROUP BY vs recursive CTE --------------------


def canonical_board(board: Any) -> tuple[Any, ...]:
    def counts(c: Any) -> tuple[Any, ...]:
        return (c.due, c.draft, c.submitted, c.returned, c.verified, c.late, c.score_sum)

    return (
        counts(board.total),
        [(level.depth, counts(level.counts)) for level in board.levels],
        [(row.unit.pk, counts(row.counts), row.own.pk if row.own else None) for row in board.rows],
    )


def grouped_board(root: Any, period: Any, day: dt.date, groups: list[tuple[Any, ...]], own: list[Any]) -> Any:
    """A ``Board`` from per-request groups (child unit id, depth, status, n, late, score sum)."""
    from thidua.monitoring.selectors import Board, BoardRow, Counts, LevelRow

    total = Counts()
    levels: dict[int, LevelRow] = {}
    by_child: dict[int, BoardRow] = {}
    units = {r.unit_id: r.unit for r in own}

    def add(c: Any, status: str, n: int, late: int, score: Decimal) -> None:
        setattr(c, status, getattr(c, status) + n)
        c.late += late
        c.score_sum += score or Decimal(0)

    for child_id, depth, status, n, late, score in groups:
        add(total, status, n, late, score)
        add(levels.setdefault(depth, LevelRow(depth, set(), Counts())).counts, status, n, late, score)
        if depth > root.depth + 1:  # the child's own report is its row's ``own``, not its subtree
            add(by_child.setdefault(child_id, BoardRow(units[child_id])).counts, status, n, late, score)
    for r in own:
        by_child.setdefault(r.unit_id, BoardRow(r.unit)).own = r
    return Board(
        root=root,
        period=period,
        overdue=day > period.due_on,
        total=total,
        levels=[levels[d] for d in sorted(levels)],
        rows=sorted(by_child.values(), key=lambda r: r.unit.path),
    )


def board_bench(root: Any, period: Any, label: str) -> list[str]:
    from django.db import connection
    from django.db.models import Count, F, Q, Sum, Value
    from django.db.models.functions import Coalesce, Substr

    from thidua.monitoring import selectors
    from thidua.monitoring.models import Report

    def own_reports() -> list[Any]:
        return list(
            Report.objects.filter(root_period_id=period.pk, unit__parent_id=root.pk).select_related(
                "unit", "unit__kind"
            )
        )

    def tallies() -> Any:
        return canonical_board(selectors.board(root, period, day=TODAY))

    def path_group_by() -> Any:
        """What a page would do without tallies: the period's reports under the root, grouped by
        the child's path prefix and the level (+ the children's own reports)."""
        prefix = len(root.path) + 4
        rows = list(
            Report.objects.filter(
                root_period_id=period.pk, unit__path__startswith=root.path, unit__depth__gt=root.depth
            )
            .annotate(child=Substr("unit__path", 1, prefix), level=F("unit__depth"))
            .order_by()
            .values("child", "level", "status")
            .annotate(
                n=Count("id"),
                late_n=Count("id", filter=Q(late=True)),
                score_total=Coalesce(Sum("score", filter=Q(status="verified")), Value(Decimal(0))),
            )
            .values_list("child", "level", "status", "n", "late_n", "score_total")
        )
        own = own_reports()
        child_ids = {r.unit.path: r.unit_id for r in own}
        groups = [(child_ids[child], *rest) for child, *rest in rows]
        return canonical_board(grouped_board(root, period, TODAY, groups, own))

    def recursive_cte() -> Any:
        sql = """
            WITH RECURSIVE sub(id, top, depth) AS (
                SELECT id, id, depth FROM units_unit WHERE parent_id = %s
                UNION ALL
                SELECT u.id, sub.top, u.depth FROM units_unit u JOIN sub ON u.parent_id = sub.id
            )
            SELECT sub.top, sub.depth, r.status, COUNT(*), COUNT(*) FILTER (WHERE r.late),
                   COALESCE(SUM(r.score) FILTER (WHERE r.status = 'verified'), 0)
            FROM sub JOIN monitoring_report r ON r.unit_id = sub.id
            WHERE r.root_period_id = %s
            GROUP BY 1, 2, 3
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [root.pk, period.pk])
            groups = cursor.fetchall()
        return canonical_board(grouped_board(root, period, TODAY, groups, own_reports()))

    variants = {
        "tallies: board() (chosen)": tallies,
        "path GROUP BY per request": path_group_by,
        "recursive CTE per request (SQL)": recursive_cte,
    }
    queries = {name: queries_of(fn)[0] for name, fn in variants.items()}
    medians, results = median_times(variants, ROUNDS)
    expected = results["tallies: board() (chosen)"]
    assert all(result == expected for result in results.values()), "variants disagree"
    out = report(label, medians, queries, "tallies: board() (chosen)")
    fastest = min(medians, key=medians.__getitem__)
    budget = "ok" if queries["tallies: board() (chosen)"] <= 3 else "OVER BUDGET"
    line = f"   board(): {queries['tallies: board() (chosen)']} queries (budget ≤ 3: {budget}); fastest: {fastest}"
    print(line, flush=True)
    return [*out, line]


# --- 2. full rebuild vs the physical limit ------------------------------------------------------


def module_at(rev: str, path: str = "thidua/monitoring/tallies.py") -> Any:
    """A module of the project (``path``) as it was at git revision ``rev``, loaded on its own."""
    import importlib.util
    import shutil
    import subprocess
    import tempfile

    git = shutil.which("git")
    assert git is not None, "BENCH_REBUILD_BEFORE needs git"
    source = subprocess.run(
        [git, "-C", str(ROOT), "show", f"{rev}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = f"{Path(path).stem}_{rev}"
    file = Path(tempfile.mkdtemp()) / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def tallies_at(rev: str) -> Any:
    return module_at(rev)


def rebuild_bench(periods: list[Any]) -> list[str]:
    from django.db import connection

    from thidua.monitoring import tallies
    from thidua.monitoring.models import Tally

    def snapshot() -> list[tuple[Any, ...]]:
        return sorted(
            Tally.objects.filter(period__in=periods).values_list(
                "period_id", "path", "depth", "due", "draft", "submitted", "returned", "verified", "late", "score_sum"
            )
        )

    kept = snapshot()

    def sql(statement: str) -> Any:
        def run() -> int:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return len(cursor.fetchall())

        return run

    rebuild = "rebuild_states(), tallies right"
    emptied = "rebuild_states(), tallies emptied"
    drifted = "rebuild_states(), 1 % of rows wrong"
    bare = "bare GROUP BY root_period, status"
    variants: dict[str, Any] = {
        rebuild: tallies.rebuild_states,
        emptied: tallies.rebuild_states,
        drifted: tallies.rebuild_states,
    }
    # Untimed, before a variant's run: what it starts from (the tallies wiped, or every 100th row off by one).
    setups: dict[str, str] = {
        emptied: f"DELETE FROM {Tally._meta.db_table}",
        drifted: f"UPDATE {Tally._meta.db_table} SET due = due + 1 WHERE id % 100 = 0",
    }
    before = os.environ.get("BENCH_REBUILD_BEFORE")  # e.g. f849476: the rebuild of that commit beside ours
    if before:
        variants[f"rebuild() as of {before}"] = tallies_at(before).rebuild
        variants[f"rebuild() as of {before}"]()
        assert snapshot() == kept, f"the rebuild of {before} writes other tallies"
    variants |= {
        "  its _grouped() query alone": lambda: len(list(tallies._grouped(None))),
        # The bare count is answered from the (root_period, status) index alone (an index-only
        # scan); a roll-up needs columns only the table has. The same GROUP BY reading the table:
        "bare GROUP BY + sum(score) (table)": sql(
            "SELECT root_period_id, status, count(*), sum(score) FROM monitoring_report GROUP BY 1, 2"
        ),
        bare: sql("SELECT root_period_id, status, count(*) FROM monitoring_report GROUP BY 1, 2"),
        # The criterion tallies read the values of the verified reports: their own bare GROUP BY.
        "rebuild_criteria(), tallies right": tallies.rebuild_criteria,
        "bare GROUP BY criterion over the values": sql(
            "SELECT criterion_id, count(*), sum(number) FROM monitoring_reportvalue GROUP BY 1"
        ),
    }

    def prepare(name: str) -> None:
        # Autovacuum may be off (it is on the bench machine): each rebuild that writes leaves rows
        # dead, so the table is vacuumed before every run (not timed), as between real rebuilds.
        with connection.cursor() as cursor:
            if name in setups:
                cursor.execute(setups[name])
            cursor.execute(f"VACUUM {Tally._meta.db_table}")

    queries = {}
    written: dict[str, int] = {}
    for name, fn in variants.items():
        prepare(name)
        queries[name], written[name] = queries_of(fn)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(ROUNDS):
        for name, fn in variants.items():
            prepare(name)
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    tallies.rebuild()
    assert snapshot() == kept, "a rebuild changed the tallies"
    medians = {name: statistics.median(values) for name, values in times.items()}
    out = report(
        f"2. Full rebuild of the tallies ({len(kept):,} rows) against one bare GROUP BY over all reports",
        medians,
        queries,
        bare,
    )
    lines = [f"   rows written: {', '.join(f'{name}: {written[name]:,}' for name in (rebuild, drifted, emptied))}"]
    for name in (rebuild, drifted, emptied):
        ratio = medians[name] / medians[bare]
        lines.append(f"   {name} / bare GROUP BY: {ratio:.2f}× (target ≤ 1.5×: {'ok' if ratio <= 1.5 else 'NOT MET'})")
        table = medians[name] / medians["bare GROUP BY + sum(score) (table)"]
        lines.append(f"   {name} / the same GROUP BY reading the table: {table:.2f}×")
    ratio = medians["rebuild_criteria(), tallies right"] / medians["bare GROUP BY criterion over the values"]
    lines.append(f"   rebuild_criteria() / the bare GROUP BY over the values: {ratio:.2f}×")
    print("\n".join(lines), flush=True)
    return [*out, *lines]


# --- 3. one verification ------------------------------------------------------------------------


def verify_bench(period: Any) -> list[str]:
    from django.db import transaction

    from thidua.accounts.models import User
    from thidua.accounts.scope import forget_scope
    from thidua.monitoring import services, tallies
    from thidua.monitoring.models import Report
    from thidua.units.models import Unit

    deepest = Unit.objects.order_by("-depth").values_list("depth", flat=True)[0]
    report_ = (
        Report.objects.filter(root_period_id=period.pk, status="submitted", unit__depth=deepest)
        .select_related("period", "unit", "unit__parent")
        .order_by("pk")
        .first()
    )
    assert report_ is not None
    verifier = User.objects.get(username=f"{OFFICER_PREFIX}{report_.unit.parent_id}")

    class Rollback(Exception):
        pass

    def in_rollback(fn: Any) -> Any:
        out: list[Any] = []
        try:
            with transaction.atomic():
                out.append(fn())
                raise Rollback
        except Rollback:
            pass
        return out[0]

    def fresh() -> Any:
        forget_scope(verifier)
        return Report.objects.select_related("period", "unit", "unit__parent").get(pk=report_.pk)

    moved = in_rollback(lambda: tallies.move(report_, "submitted", "verified", score=report_.score or Decimal(0)))
    times, counts = [], []
    for _ in range(ROUNDS + 1):
        target = fresh()
        started = time.perf_counter()
        n, done = in_rollback(lambda t=target: queries_of(lambda: services.report_verify(report=t, by=verifier)))
        times.append(time.perf_counter() - started)
        counts.append(n)
        assert done.status == "verified"
    still = Report.objects.get(pk=report_.pk).status
    assert still == "submitted", still  # rolled back
    lines = [
        f"\n3. One report of the deepest level (depth {deepest}, {report_.unit.code}) verified by its district officer",
        f"   tallies.move updates {moved} rows (depth − 1 = {deepest - 1}: one per ancestor)",
        f"   services.report_verify: {max(counts)} queries (every round: {sorted(set(counts))}), "
        f"median {statistics.median(times[1:]) * 1000:.1f} ms (in a transaction rolled back)",
    ]
    print("\n".join(lines), flush=True)
    return lines


# --- 4. reminders -------------------------------------------------------------------------------


def reminders_bench(periods: list[Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thidua.monitoring import reminders
    from thidua.monitoring.models import Report
    from thidua.notifications.models import Notification

    current = periods[-1]  # December, due 05/01: reminded "before the due date" on TODAY

    def reset() -> None:
        """Back to no reminder sent, dead rows vacuumed (autovacuum may be off): runs compare."""
        Report.objects.filter(root_period_id=current.pk, reminder_stage__gt=0).update(reminder_stage=0)
        Notification.objects.filter(user__username__startswith=OFFICER_PREFIX).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Report._meta.db_table}, {Notification._meta.db_table}")

    reset()
    waiting = Report.objects.filter(root_period_id=current.pk, status__in=reminders.WAITING).count()
    per_batch: list[tuple[int, bool, float]] = []
    original = reminders._batch

    def counted_batch(*args: Any, **kwargs: Any) -> bool:
        before, started = len(ctx.captured_queries), time.perf_counter()
        sent = original(*args, **kwargs)
        per_batch.append((len(ctx.captured_queries) - before, sent, time.perf_counter() - started))
        return sent

    reminders._batch = counted_batch  # type: ignore[assignment]
    try:
        with CaptureQueriesContext(connection) as ctx:
            counted = reminders.run_pass(today=TODAY, batch=500)
    finally:
        reminders._batch = original  # type: ignore[assignment]
    rounds = max(1, min(ROUNDS, 3))
    times, passes = [], []
    for _ in range(rounds):
        reset()
        started = time.perf_counter()
        passes.append(reminders.run_pass(today=TODAY, batch=500))
        times.append(time.perf_counter() - started)
    reset()
    claimed, messages = passes[-1].claimed, passes[-1].messages
    assert claimed == counted.claimed == waiting, (claimed, counted.claimed, waiting)
    elapsed = statistics.median(times)
    full = [(n, seconds) for n, sent, seconds in per_batch if sent]
    empty = [(n, seconds) for n, sent, seconds in per_batch if not sent]
    first = statistics.median(seconds for _n, seconds in full[:10]) * 1000
    last = statistics.median(seconds for _n, seconds in full[-10:]) * 1000
    lines = [
        f"\n4. reminders.run_pass(today={TODAY:%d/%m/%Y}, batch=500) over the {waiting:,} reports of "
        f"{current.name} not sent ({rounds} runs, reset between them)",
        f"   {claimed:,} reminders, {messages:,} notifications written, {len(full)} batches "
        f"+ {len(empty)} empty claims (one per stage)",
        f"   queries per batch: {min(n for n, _s in full)}–{max(n for n, _s in full)}, per empty claim "
        f"{max(n for n, _s in empty)} (whole pass {len(ctx.captured_queries):,})",
        f"   median {elapsed:.1f} s a pass: {elapsed / claimed * 10000 * 1000:,.0f} ms per 10,000 reminders "
        f"(runs: {', '.join(f'{t:.1f}' for t in times)} s)",
        f"   a batch: {first:,.0f} ms for the first ten, {last:,.0f} ms for the last ten (medians); "
        f"the empty claims: {', '.join(f'{seconds * 1000:,.0f}' for _n, seconds in empty)} ms",
    ]
    print("\n".join(lines), flush=True)
    return lines


# --- 5. the country-wide review -----------------------------------------------------------------

CRITERIA = (
    ("Tổ chức phát động phong trào", "yes_no", {}),
    ("Sáng kiến được công nhận", "number", {"unit_label": "sáng kiến", "target": Decimal(2)}),
    ("Chấm điểm phong trào", "score", {"max_score": Decimal(10), "weight": Decimal(2)}),
)


def review_data(plan: Any) -> None:
    """Three criteria on the campaign, a value for each on every verified report (SQL, once), and
    the criterion tallies rebuilt."""
    from django.db import connection

    from thidua.campaigns.models import Criterion
    from thidua.monitoring import tallies
    from thidua.monitoring.models import CriterionTally, ReportValue

    content = plan.contents.first()
    criteria = list(Criterion.objects.filter(content__plan=plan).order_by("position"))
    if not criteria:
        criteria = [
            Criterion.objects.create(content=content, name=name, kind=kind, position=i, **extra)
            for i, (name, kind, extra) in enumerate(CRITERIA, start=1)
        ]
    if ReportValue.objects.filter(criterion__in=criteria).exists() and CriterionTally.objects.exists():
        return
    print("Adding criteria values to the verified reports (once)…", flush=True)
    started = time.monotonic()
    yes_no, number, score = (c.pk for c in criteria)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO monitoring_reportvalue (report_id, criterion_id, done, number)
            SELECT r.id, c.id,
                   CASE WHEN c.id = %s THEN (hashtext(r.id::text) %% 10) <> 0 END,
                   CASE WHEN c.id = %s THEN ((hashtext(r.id::text || 'n') %% 4) + 4) %% 4
                        WHEN c.id = %s THEN ((hashtext(r.id::text || 's') %% 11) + 11) %% 11 END
            FROM monitoring_report r CROSS JOIN (SELECT unnest(%s::bigint[]) AS id) c
            WHERE r.status = 'verified'
            ON CONFLICT DO NOTHING
            """,
            [yes_no, number, score, [yes_no, number, score]],
        )
        added = cursor.rowcount
        cursor.execute("VACUUM ANALYZE monitoring_reportvalue")
    written = tallies.rebuild()
    print(f"  {added:,} values, {written:,} tally rows written, in {time.monotonic() - started:.0f}s", flush=True)


def review_bench(root: Any, plan: Any, period: Any) -> list[str]:
    """review() of the whole country for one month: from the aggregates, against the same review
    as of BENCH_REBUILD_BEFORE (criteria summed from the values per request), and the per-request
    counts it replaced."""
    from thidua.accounts.models import RoleAssignment, User
    from thidua.accounts.roles import Role
    from thidua.monitoring import review
    from thidua.registrations import selectors as registrations

    review_data(plan)
    user, _created = User.objects.get_or_create(username=f"{OFFICER_PREFIX}root", defaults={"full_name": "Bench"})
    RoleAssignment.objects.get_or_create(user=user, unit=root, role=Role.OFFICER)
    day = period.due_on + dt.timedelta(days=10)
    chosen = "review() from the aggregates"
    variants: dict[str, Any] = {chosen: lambda: review.review(period, root, user, day=day)}
    before = os.environ.get("BENCH_REBUILD_BEFORE")
    if before:
        old = module_at(before, "thidua/monitoring/review.py")
        variants[f"review() as of {before}"] = lambda: old.review(period, root, user, day=day)
        variants["  its criteria_totals() (values scanned)"] = lambda: old.criteria_totals(plan, period, root)
    variants["  coverage_by_counting() (per request)"] = lambda: registrations.coverage_by_counting(plan, root, user)
    now = review.review(period, root, user, day=day)
    if before:
        then = old.review(period, root, user, day=day)
        assert [(c.criterion.name, c.reports, c.total, c.done, c.reached) for c in now.criteria] == [
            (c.criterion.name, c.reports, c.total, c.done, c.reached) for c in then.criteria
        ], "the two reviews sum the criteria differently"
    queries = {name: queries_of(fn)[0] for name, fn in variants.items()}
    medians, _results = median_times(variants, ROUNDS)
    out = report(
        f"5. Country-wide review of {period.name} ({root.name}; {sum(c.reports for c in now.criteria):,} values)",
        medians,
        queries,
        chosen,
    )
    line = f"   review(): {queries[chosen]} queries (target ≤ 3: {'ok' if queries[chosen] <= 3 else 'NOT MET'})"
    print(line, flush=True)
    return [*out, line]


def main() -> int:
    ensure_database(BENCH_URL)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from thidua.units.models import Unit

    call_command("migrate", verbosity=0)
    root = national_tree()
    plan, periods = monitoring_data(root)
    describe(root, plan, periods)
    period = periods[BOARD_MONTH - 1]
    province = Unit.objects.get(code="P09")
    sections = set(os.environ.get("BENCH_SECTIONS", "1,2,3,4,5").split(","))
    if os.environ.get("BENCH_SKIP_REMINDERS"):
        sections.discard("4")
    if "1" in sections:
        children = Unit.objects.filter(parent=root).count()
        board_bench(root, period, f"1. Country-wide board of {period.name} ({root.name}, {children} children)")
        units = Unit.objects.filter(path__startswith=province.path).count()
        board_bench(province, period, f"1b. Province board of {period.name} ({province.name}, {units:,} units)")
    if "2" in sections:
        rebuild_bench(periods)
    if "3" in sections:
        verify_bench(period)
    if "4" in sections:
        reminders_bench(periods)
    if "5" in sections:
        review_bench(root, plan, period)
    print(f"\nPostgreSQL {connection.pg_version}, {ROUNDS} interleaved rounds, medians.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
