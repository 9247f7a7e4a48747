#!/usr/bin/env python
"""Eligibility at national scale (issue 12, "Recognition"): one bulk check against a per-candidate loop.

On the national tree bench/run.py builds (database ``thidua_bench``, ~134k units, 2M members) this
adds, once, ten years (2016–2025) of award history and yearly records with plain
``INSERT … SELECT`` for every 40th member (~50k people: Lao động tiên tiến most years, Chiến sĩ
thi đua cơ sở every third year, 1 % of them revoked; a task rating every year). The candidates
are every 200th member (10,000, spread over the whole country). Then it measures
``eligibility.check`` for the provincial Bằng khen (a streak of two CSTĐ cơ sở, or two excellent
years with two initiatives, plus the exclusions and "one achievement, one award"):

1. the bulk check of the 10,000 candidates, and its query count;
2. side by side on the first BENCH_NAIVE candidates (default 1,000): the bulk check against the
   naive loop that checks one candidate at a time (``check([c], …)`` per candidate).

    .venv/bin/python bench/recognition.py       # `make bench` runs it after bench/run.py
    BENCH_ROUNDS=5 BENCH_NAIVE=2000 .venv/bin/python bench/recognition.py
    BENCH_KIND=cstd-co-so ...                  # another award kind

The initiatives source is empty here (``thidua.initiatives`` is not migrated into the bench
database by this script); with it, the check makes one more query, whatever the number of candidates.
Variants are interleaved in each round; medians are printed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import BENCH_URL, ensure_database, median_times, report, setup_django  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
NAIVE = int(os.environ.get("BENCH_NAIVE", "1000"))
KIND = os.environ.get("BENCH_KIND", "bang-khen-tinh-ca-nhan")
HISTORY_EVERY, CANDIDATE_EVERY = 40, 200
FIRST, LAST = 2016, 2025
MARK = "BENCH-KT"


def no_initiatives(member_ids: Any, start: dt.date, end: dt.date) -> dict[int, list[Any]]:
    return {}


def ensure_history() -> None:
    from django.core.management import call_command
    from django.db import connection

    from thidua.recognition.catalogue import load
    from thidua.recognition.models import Award, AwardKind

    call_command("migrate", "recognition", verbosity=0)
    load()
    if Award.objects.filter(decision_ref=MARK).exists():
        return
    ldtt = AwardKind.objects.get(code="ldtt").pk
    cstd = AwardKind.objects.get(code="cstd-co-so").pk
    with connection.cursor() as cursor:
        for year in range(FIRST, LAST + 1):
            for kind, condition in ((ldtt, "(m.id / 40 + %(y)s) %% 10 < 8"), (cstd, "(m.id / 40 + %(y)s) %% 3 = 0")):
                cursor.execute(
                    f"""
                    INSERT INTO recognition_award (kind_id, member_id, unit_id, period_start, period_end, year,
                        decided_on, decision_ref, initiative_refs, revoked_at, revoke_reason, created_at)
                    SELECT %(kind)s, m.id, m.unit_id, make_date(%(y)s, 1, 1), make_date(%(y)s, 12, 31), %(y)s,
                        make_date(%(y)s + 1, 1, 20), %(mark)s, '[]'::jsonb,
                        CASE WHEN m.id %% 100 = 40 THEN now() END, '', now()
                    FROM members_member m
                    WHERE m.id %% {HISTORY_EVERY} = 0 AND {condition}
                    """,
                    {"kind": kind, "y": year, "mark": MARK},
                )
            cursor.execute(
                f"""
                INSERT INTO recognition_annualrecord (member_id, unit_id, year, rating, months_worked, days_off,
                    maternity_days, discipline, under_investigation, note)
                SELECT m.id, m.unit_id, %(y)s,
                    CASE WHEN (m.id / 40 + %(y)s) %% 3 = 0 THEN 'excellent' ELSE 'good' END,
                    12, (m.id / 40) %% 45, 0, CASE WHEN m.id %% 1000 = 0 THEN 'reprimand' ELSE '' END, false, ''
                FROM members_member m WHERE m.id %% {HISTORY_EVERY} = 0
                """,
                {"y": year},
            )
        cursor.execute("ANALYZE recognition_award; ANALYZE recognition_annualrecord;")


def main() -> int:
    ensure_database(BENCH_URL)
    setup_django()
    from django.db.models.functions import Mod

    from thidua.members.models import Member
    from thidua.recognition.eligibility import check
    from thidua.recognition.models import AnnualRecord, Award, AwardKind

    ensure_history()
    print(f"history: {Award.objects.count():,} awards, {AnnualRecord.objects.count():,} yearly records", flush=True)
    spread = Member.objects.annotate(spread=Mod("id", CANDIDATE_EVERY)).filter(spread=0)
    candidates = list(spread.order_by("id")[:10_000])
    kind = AwardKind.objects.get(code=KIND)
    end = dt.date(LAST, 12, 31)

    def bulk(people: list[Any]) -> Any:
        return lambda: check(people, kind, end, initiative_source=no_initiatives)

    def naive(people: list[Any]) -> Any:
        def run() -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            for person in people:
                out.update(check([person], kind, end, initiative_source=no_initiatives))
            return out

        return run

    from run import count_queries

    sample = candidates[:NAIVE]
    variants = {
        f"bulk, {len(candidates):,} candidates": bulk(candidates),
        f"bulk, {len(sample):,} candidates": bulk(sample),
        f"naive loop, {len(sample):,} candidates": naive(sample),
    }
    queries = {name: count_queries(fn) for name, fn in variants.items()}
    medians, results = median_times(variants, ROUNDS)
    bulk_result = results[f"bulk, {len(sample):,} candidates"]
    naive_result = results[f"naive loop, {len(sample):,} candidates"]
    assert {c.pk: v.status for c, v in bulk_result.items()} == {c.pk: v.status for c, v in naive_result.items()}
    big = results[f"bulk, {len(candidates):,} candidates"]
    eligible = sum(v.ok for v in big.values())
    print(f"eligible: {eligible:,} of {len(big):,}; the bulk and naive verdicts agree on the sample", flush=True)
    report(
        f"Eligibility check ({kind.name}, ten years of history)",
        medians,
        queries,
        baseline=f"bulk, {len(sample):,} candidates",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
