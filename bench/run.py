#!/usr/bin/env python
"""`make bench`: tree storage benchmarks on the national-shaped tree in PostgreSQL.

Compares, side by side in one run (variants interleaved, median of several
rounds), for the materialised path we chose (django-treebeard MP_Node):

1. member counts rolled up for every unit of one province;
2. "first page of members in my subtree" for a province and a district officer;

against a parent column walked with recursive CTEs (django-tree-queries, the
alternative STYLE.md names) and against a naive per-node computation.

    make bench                          # builds the tree once (~2M members), then measures
    BENCH_MEMBERS=500000 make bench     # smaller tree
    BENCH_ROUNDS=9 make bench

Uses THIDUA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/thidua_bench),
a database of its own that it creates and keeps between runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get("THIDUA_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thidua_bench")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "2000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["THIDUA_DB_POOL"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def median_times(variants: dict[str, Callable[[], Any]], rounds: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Run every variant once per round, interleaved; return medians (seconds) and last results."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    results: dict[str, Any] = {}
    for name, fn in variants.items():  # warm-up: caches, plans
        results[name] = fn()
    for _ in range(rounds):
        for name, fn in variants.items():
            started = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}, results


def report(title: str, medians: dict[str, float], queries: dict[str, int], baseline: str) -> list[str]:
    lines = [f"\n{title}", f"{'variant':<34}{'median ms':>11}{'queries':>9}   ratio to {baseline}"]
    for name, value in medians.items():
        ratio = value / medians[baseline] if medians[baseline] else float("nan")
        lines.append(f"{name:<34}{value * 1000:>11.1f}{queries[name]:>9}   {ratio:>8.2f}×")
    print("\n".join(lines), flush=True)
    return lines


def count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def main() -> int:
    ensure_database(BENCH_URL)
    setup_django()
    from django.core.management import call_command
    from django.db import connection, models
    from django.db.models import Count
    from tree_queries.models import TreeNode

    from thidua.accounts.models import Role, RoleAssignment, User
    from thidua.accounts.scope import forget_scope
    from thidua.demo.generator import build
    from thidua.members.models import Member
    from thidua.members.selectors import member_list
    from thidua.units.models import Unit
    from thidua.units.selectors import subtree_rollup

    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(code="VN").exists():
        print(f"Building the national-shaped tree with {MEMBERS:,} members (once)…", flush=True)
        started = time.monotonic()
        units, members = build("national", members=MEMBERS)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  {units:,} units, {members:,} members in {time.monotonic() - started:.0f}s", flush=True)

    class CteUnit(TreeNode):
        """The same units table seen through django-tree-queries (parent column + recursive CTE)."""

        name = models.CharField(max_length=255)
        path = models.CharField(max_length=255)

        class Meta:
            app_label = "bench"
            db_table = "units_unit"
            managed = False

    total_units = Unit.objects.count()
    total_members = Member.objects.count()
    province = Unit.objects.get(code="P09")
    district = Unit.objects.get(code="P09-D03")
    grassroots = Unit.objects.get(code="P09-D03-0005")
    province_units = Unit.objects.filter(path__startswith=province.path).count()
    province_members = Member.objects.filter(unit__path__startswith=province.path).count()
    print(
        f"\nTree: {total_units:,} units, {total_members:,} members; province {province.name}: "
        f"{province_units:,} units, {province_members:,} members",
        flush=True,
    )

    # --- 1. roll-up for every unit of one province ---------------------------
    def rollup_mp() -> dict[int, int]:
        return {pk: v["members"] for pk, v in subtree_rollup(province).items()}

    def rollup_cte() -> dict[int, int]:
        nodes = list(
            CteUnit.objects.with_tree_fields()
            .descendants(province.pk, include_self=True)
            .values_list("id", "tree_path")
        )
        ids = [pk for pk, _ in nodes]
        direct = dict(
            Member.objects.filter(unit_id__in=ids, status=Member.Status.ACTIVE)
            .values("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )
        totals = dict.fromkeys(ids, 0)
        for pk, tree_path in nodes:
            n = direct.get(pk, 0)
            if n:
                for ancestor in tree_path:
                    if ancestor in totals:
                        totals[ancestor] += n
        return totals

    def rollup_sql_cte() -> dict[int, int]:
        """Hand-written recursive CTE that starts at the province (no whole-tree walk)."""
        sql = """
            WITH RECURSIVE sub(id, anc) AS (
                SELECT id, ARRAY[id] FROM units_unit WHERE id = %s
                UNION ALL
                SELECT u.id, sub.anc || u.id FROM units_unit u JOIN sub ON u.parent_id = sub.id
            ),
            direct AS (
                SELECT m.unit_id, COUNT(*) AS n FROM members_member m
                WHERE m.unit_id IN (SELECT id FROM sub) AND m.status = 'active' GROUP BY m.unit_id
            )
            SELECT a.anc_id, COALESCE(SUM(direct.n), 0)
            FROM sub CROSS JOIN LATERAL unnest(sub.anc) AS a(anc_id)
            LEFT JOIN direct ON direct.unit_id = sub.id
            GROUP BY a.anc_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [province.pk])
            return {pk: int(n) for pk, n in cursor.fetchall()}

    def rollup_naive() -> dict[int, int]:
        return {
            u.pk: Member.objects.filter(unit__path__startswith=u.path, status=Member.Status.ACTIVE).count()
            for u in Unit.objects.filter(path__startswith=province.path)
        }

    variants = {
        "materialised path (chosen)": rollup_mp,
        "recursive CTE (tree-queries)": rollup_cte,
        "recursive CTE (hand-written SQL)": rollup_sql_cte,
        "naive: one COUNT per unit": rollup_naive,
    }
    queries = {name: count_queries(fn) for name, fn in variants.items()}
    medians, results = median_times(variants, ROUNDS)
    expected = results["materialised path (chosen)"]
    assert all(result == expected for result in results.values()), "variants disagree"
    out = report(
        f"1. Member counts rolled up for all {province_units:,} units of one province",
        medians,
        queries,
        "materialised path (chosen)",
    )

    # --- 2. first page of members in my subtree -------------------------------
    officers = {}
    for label, unit in (("province", province), ("district", district), ("grassroots", grassroots)):
        user, _ = User.objects.get_or_create(username=f"bench-{label}")
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role=Role.OFFICER)
        officers[label] = (user, unit)

    for letter, (label, (user, unit)) in zip("abc", officers.items(), strict=True):

        def page_mp(user: Any = user) -> list[int]:
            forget_scope(user)
            return list(member_list(user).values_list("id", flat=True)[:50])

        def page_cte(unit: Unit = unit) -> list[int]:
            ids = CteUnit.objects.descendants(unit.pk, include_self=True).values("id")
            return list(
                Member.objects.filter(unit_id__in=ids).order_by("sort_key", "id").values_list("id", flat=True)[:50]
            )

        def page_sql_cte(unit: Unit = unit) -> list[int]:
            sql = """
                WITH RECURSIVE sub(id) AS (
                    SELECT id FROM units_unit WHERE id = %s
                    UNION ALL SELECT u.id FROM units_unit u JOIN sub ON u.parent_id = sub.id
                )
                SELECT m.id FROM members_member m WHERE m.unit_id IN (SELECT id FROM sub)
                ORDER BY m.sort_key, m.id LIMIT 50
            """
            with connection.cursor() as cursor:
                cursor.execute(sql, [unit.pk])
                return [row[0] for row in cursor.fetchall()]

        def page_naive(unit: Unit = unit) -> list[int]:
            ids, frontier = [unit.pk], [unit.pk]
            while frontier:
                children = []
                for pk in frontier:
                    children.extend(Unit.objects.filter(parent_id=pk).values_list("id", flat=True))
                ids.extend(children)
                frontier = children
            return list(
                Member.objects.filter(unit_id__in=ids).order_by("sort_key", "id").values_list("id", flat=True)[:50]
            )

        variants = {
            "materialised path (chosen)": page_mp,
            "recursive CTE (tree-queries)": page_cte,
            "recursive CTE (hand-written SQL)": page_sql_cte,
            "naive: children per node": page_naive,
        }
        queries = {name: count_queries(fn) for name, fn in variants.items()}
        medians, results = median_times(variants, ROUNDS)
        first = results["materialised path (chosen)"]
        assert first and all(r == first for r in results.values()), "variants disagree"
        out += report(
            f"2{letter}. First page (50) of members in a {label} officer's subtree ({unit.name})",
            medians,
            queries,
            "materialised path (chosen)",
        )

    print(f"\nPostgreSQL {connection.pg_version}, {ROUNDS} interleaved rounds, medians.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
