#!/usr/bin/env python
"""Registration benchmarks (issue 4), side by side in one run.

1. Country-wide registration coverage roll-up on the national tree (the
   database bench/run.py builds): ``coverage()`` reading the kept subtree counts, the same
   read right after a write (it drains the write's marks first), ``coverage_by_counting()``
   (five grouped queries, what ``coverage()`` did before) and a naive per-unit computation
   (four COUNTs per province); plus one full ``rebuild`` of the counts.
2. Importing 50,000 pledges from one Excel file: our parser + commit against
   django-import-export on the same file (rows per second, peak RSS), with the sheet read by
   python-calamine (chosen) and by openpyxl's read-only streaming reader.
3. Refusing crafted files (a lying <dimension> with 500,000 empty rows, one far cell, broken
   XML, a zip bomb): time from upload bytes to the message.

    .venv/bin/python bench/registrations.py          # `make bench` runs it after bench/run.py
    BENCH_SKIP_COVERAGE=1 .venv/bin/python bench/registrations.py   # 2. and 3. only (no national tree)
    BENCH_SKIP_IMPORT=1 ...                          # skip 2.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import BENCH_URL, ensure_database  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))


def setup() -> None:
    ensure_database(BENCH_URL)
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["THIDUA_DB_POOL"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def national_plan() -> Any:
    """A plan of the national root with registrations for about half the grassroots unions."""
    from django.db import connection

    from thidua.campaigns import services
    from thidua.campaigns.models import Plan
    from thidua.members.models import Member
    from thidua.registrations.models import MemberPledge, Registration
    from thidua.testing import title
    from thidua.units.models import Unit

    root = Unit.objects.get(code="VN")
    plan = Plan.objects.filter(issuer=root, title="Bench: phong trào toàn quốc").first()
    if plan:
        return plan
    print("Creating the national bench plan and ~1M pledges (once)…", flush=True)
    plan = services.plan_create(
        issuer=root,
        issued_on=dt.date(2025, 1, 5),
        place="Hà Nội",
        title="Bench: phong trào toàn quốc",
        window_start=dt.date(2025, 1, 1),
        window_end=dt.date(2025, 12, 31),
    )
    services.content_save(plan=plan, name="Lao động giỏi")
    plan = services.plan_issue(plan=plan, by=None)
    grassroots = list(Unit.objects.filter(kind__is_grassroots=True).values_list("id", flat=True).order_by("id"))
    chosen = grassroots[::2]
    Registration.objects.bulk_create(
        [Registration(plan=plan, unit_id=u, status=Registration.Status.ACCEPTED) for u in chosen], batch_size=5000
    )
    registration_of = dict(Registration.objects.filter(plan=plan).values_list("unit_id", "id"))
    award = title("Lao động tiên tiến")
    table = MemberPledge._meta.db_table
    # Read first: the COPY below holds the connection, so no cursor may stream during it.
    registered = set(chosen)
    rows = [
        (member_id, unit_id)
        for member_id, unit_id in Member.objects.values_list("id", "unit_id").iterator(chunk_size=50000)
        if unit_id in registered and member_id % 5  # about 80 % of their members
    ]
    now = dt.datetime.now(dt.UTC)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {table} (registration_id, plan_id, member_id, title_id, commitment, created_at) FROM STDIN"
        ) as copy,
    ):
        for member_id, unit_id in rows:
            copy.write_row((registration_of[unit_id], plan.pk, member_id, award.pk, "", now))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from thidua.units import tallies

    tallies.rebuild()  # the COPY bypassed the services that keep the coverage counts
    return plan


def province_plan(province: Any) -> Any:
    """The province's own issued plan: the import needs only the province, not the national tree."""
    from thidua.campaigns import services
    from thidua.campaigns.models import Plan

    plan = Plan.objects.filter(issuer=province, title="Bench: nhập đăng ký từ Excel").first()
    if plan:
        return plan
    plan = services.plan_create(
        issuer=province,
        issued_on=dt.date(2025, 1, 5),
        place="Bắc Kạn",
        title="Bench: nhập đăng ký từ Excel",
        window_start=dt.date(2025, 1, 1),
        window_end=dt.date(2025, 12, 31),
    )
    services.content_save(plan=plan, name="Lao động giỏi")
    return services.plan_issue(plan=plan, by=None)


def time_interleaved(variants: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    times: dict[str, list[float]] = {k: [] for k in variants}
    results: dict[str, Any] = {k: fn() for k, fn in variants.items()}
    for _ in range(ROUNDS):
        for name, fn in variants.items():
            started = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - started)
    return {k: statistics.median(v) for k, v in times.items()}, results


def coverage_bench() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thidua.accounts.models import User
    from thidua.members.models import Member
    from thidua.registrations.models import MemberPledge, Registration
    from thidua.registrations.selectors import coverage, coverage_by_counting
    from thidua.units import tallies
    from thidua.units.models import DirtyUnit, Unit

    plan = national_plan()
    root = plan.issuer
    # The national federation's view: a system administrator sees the whole tree.
    admin, _created = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    pending = DirtyUnit.objects.count()
    if pending:  # e.g. every unit, marked by the migration that added the counts
        started = time.perf_counter()
        tallies.drain()
        print(f"\n   draining {pending:,} pending marks took {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    tallies.rebuild()
    rebuild_s = time.perf_counter() - started
    grassroots = list(Unit.objects.filter(kind__is_grassroots=True).values_list("id", flat=True)[:1000])
    writes = iter(grassroots * 10)

    def figures(rows: list[Any]) -> list[tuple[int, int, int, int]]:
        return [(r.members, r.registered_members, r.grassroots, r.registered_units) for r in rows]

    def ours() -> list[tuple[int, int, int, int]]:
        return figures(coverage(plan, root, admin)[1])

    def after_write() -> list[tuple[int, int, int, int]]:
        tallies.touch([next(writes)])  # what a member or pledge written in one grassroots union leaves
        return figures(coverage(plan, root, admin)[1])

    def counting() -> list[tuple[int, int, int, int]]:
        return figures(coverage_by_counting(plan, root, admin)[1])

    def naive() -> list[tuple[int, int, int, int]]:
        out = []
        for child in Unit.objects.filter(parent=root, dissolved_on__isnull=True).order_by("name"):
            out.append(
                (
                    Member.objects.filter(unit__path__startswith=child.path, status="active").count(),
                    MemberPledge.objects.filter(plan=plan, member__unit__path__startswith=child.path)
                    .values("member_id")
                    .distinct()
                    .count(),
                    Unit.objects.filter(
                        path__startswith=child.path, kind__is_grassroots=True, dissolved_on__isnull=True
                    ).count(),
                    Registration.objects.filter(
                        plan=plan, unit__path__startswith=child.path, unit__kind__is_grassroots=True
                    )
                    .exclude(status="draft")
                    .count(),
                )
            )
        return out

    chosen = "coverage(): kept counts (chosen)"
    variants = {
        chosen: ours,
        "coverage() right after a write (drains it)": after_write,
        "coverage_by_counting(): 5 grouped queries": counting,
        "naive: 4 COUNTs per province": naive,
    }
    queries = {}
    ours()  # the administrator's scope, read once per request, is not what is compared
    for name, fn in variants.items():
        with CaptureQueriesContext(connection) as ctx:
            fn()
        queries[name] = len(ctx.captured_queries)
    medians, results = time_interleaved(variants)
    assert all(result == results[chosen] for result in results.values()), "variants disagree"
    pledges = MemberPledge.objects.filter(plan=plan).count()
    print(
        f"\n1. Country-wide coverage roll-up ({Unit.objects.count():,} units, {pledges:,} pledges; {len(results[chosen])} children of the root)"
    )
    base = medians[chosen]
    for name, value in medians.items():
        print(f"   {name:<44}{value * 1000:>10.1f} ms {queries[name]:>6} queries {value / base:>8.2f}×")
    print(f"   {'rebuild of every kept count (once)':<44}{rebuild_s * 1000:>10.1f} ms")
    marked = list(Unit.objects.filter(kind__is_grassroots=True).values_list("id", flat=True)[:10_000])
    tallies.touch(marked)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        tallies.drain()
        drain_s = time.perf_counter() - started
    label = f"drain of {len(marked):,} marks (once)"
    print(f"   {label:<44}{drain_s * 1000:>10.1f} ms {len(ctx.captured_queries):>6} queries")


def import_bench() -> None:
    from import_export import fields, resources, widgets
    from openpyxl import Workbook
    from tablib import Dataset

    from thidua.campaigns.models import Title
    from thidua.members.models import Member
    from thidua.registrations import services
    from thidua.registrations.imports import parse_pledges
    from thidua.registrations.models import ImportBatch, MemberPledge, Registration
    from thidua.testing import title
    from thidua.units.models import Unit

    # A Bắc Kạn-shaped province with 60,000 members sits beside the national tree for this.
    if not Unit.objects.filter(code="BK").exists():
        from thidua.demo.generator import build

        print("Adding a Bắc Kạn-shaped province with 60,000 members (once)…", flush=True)
        build("bac-kan", members=60_000, seed=7)
        from django.db import connection

        with connection.cursor() as cursor:
            # Fresh statistics: without them django-import-export's per-row look-up measured 462 s, not 182 s.
            cursor.execute("ANALYZE")
    province = Unit.objects.get(code="BK")
    plan = province_plan(province)
    from collections import Counter

    # Trees built before the generator made citizen IDs unique may hold a few duplicates; leave those out.
    counts = Counter(Member.objects.filter(unit__path__startswith=province.path).values_list("id_number", flat=True))
    members = list(
        Member.objects.filter(unit__path__startswith=province.path, status="active")
        .exclude(id_number__in=[number for number, n in counts.items() if n > 1])
        .order_by("id")
        .only("id", "full_name", "search_name", "birth_year", "id_number", "date_of_birth")[:IMPORT_ROWS]
    )
    award = title("Đoàn viên công đoàn xuất sắc")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đăng ký")
    sheet.append(["STT", "Họ và tên", "Năm sinh", "Ngày sinh (dd/mm/yyyy)", "Số CCCD", "Danh hiệu đăng ký", "Cam kết"])
    for i, m in enumerate(members, start=1):
        sheet.append([i, m.full_name, m.birth_year, "", m.id_number, award.name, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    registration, _ = Registration.objects.get_or_create(plan=plan, unit=province, defaults={"status": "draft"})

    def reset() -> None:
        MemberPledge.objects.filter(registration=registration).delete()
        ImportBatch.objects.filter(registration=registration).delete()
        Registration.objects.filter(pk=registration.pk).update(status="draft")

    def ours() -> int:
        """What the upload view and "Ghi tất cả" do, one after the other."""
        from django.contrib.auth import get_user_model

        admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
            "bench-admin", password="x" * 12
        )
        pool = list(
            Member.objects.filter(unit__path__startswith=province.path, status="active").only(
                "id", "full_name", "search_name", "birth_year", "id_number", "date_of_birth"
            )
        )
        taken = set(MemberPledge.objects.filter(plan=plan).values_list("member_id", "title_id"))
        result = parse_pledges(content, members=pool, taken=taken, unit=province, user=admin)
        assert not result.errors, result.errors[:3]
        batch = ImportBatch.objects.create(
            registration=registration,
            file_name="bench.xlsx",
            rows=[{k: r[k] for k in ("row", "member", "title", "commitment")} for r in result.rows],
        )
        return services.import_commit(batch=batch, by=admin, today=dt.date(2025, 2, 1))

    class MemberWidget(widgets.ForeignKeyWidget):
        """The usual django-import-export way: one lookup per row (by CCCD here, the cheapest key)."""

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return Member.objects.get(id_number=row["Số CCCD"], unit__path__startswith=province.path)

    class PledgeResource(resources.ModelResource):
        member = fields.Field(column_name="Họ và tên", attribute="member", widget=MemberWidget(Member))
        title = fields.Field(
            column_name="Danh hiệu đăng ký", attribute="title", widget=widgets.ForeignKeyWidget(Title, "name")
        )
        commitment = fields.Field(
            column_name="Cam kết", attribute="commitment", widget=widgets.CharWidget(allow_blank=True)
        )

        class Meta:
            model = MemberPledge
            fields = ("member", "title", "commitment")
            import_id_fields: tuple[str, ...] = ()
            use_bulk = True
            batch_size = 2000

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.registration = registration
            instance.plan_id = plan.pk

        def get_instance(self, instance_loader: Any, row: Any) -> None:
            return None

    def theirs() -> int:
        dataset = Dataset().load(io.BytesIO(content), format="xlsx")
        result = PledgeResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
        return result.totals["new"]

    variant = os.environ.get("BENCH_IMPORT_VARIANT")
    if variant == "ours-openpyxl":  # the same import, every sheet read by openpyxl's streaming reader
        from thidua.registrations import imports

        imports._scan_sheet = lambda xml: imports._Shape(canonical=False)  # type: ignore[assignment]
    if variant:  # one measurement in a fresh process: wall time and the process's peak RSS
        import json
        import resource

        reset()
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        written = (theirs if variant == "theirs" else ours)()
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert written == len(members) == MemberPledge.objects.filter(registration=registration).count(), (
            variant,
            written,
        )
        reset()
        print("RESULT " + json.dumps({"elapsed": elapsed, "rss_kib": peak, "rss_before_kib": before, "rows": written}))
        return
    import json
    import subprocess

    print(
        f"\n2. Importing {len(members):,} pledges from one .xlsx ({len(content) / 1e6:.1f} MB), PostgreSQL; each run in a fresh process"
    )
    rounds = max(1, min(ROUNDS, 3))
    labels = {
        "ours": "ours: calamine (chosen) + import_commit",
        "ours-openpyxl": "ours: openpyxl read-only + import_commit",
        "theirs": "django-import-export 4.4",
    }
    figures: dict[str, list[dict[str, float]]] = {k: [] for k in labels}
    for _ in range(rounds):
        for key in labels:
            out = subprocess.run(
                [sys.executable, __file__],
                env={**os.environ, "BENCH_IMPORT_VARIANT": key, "BENCH_SKIP_COVERAGE": "1"},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            figures[key].append(json.loads(out.split("RESULT ", 1)[1]))
    base = statistics.median(r["elapsed"] for r in figures["ours"])
    for key, runs in figures.items():
        elapsed = statistics.median(r["elapsed"] for r in runs)
        peak = statistics.median(r["rss_kib"] for r in runs) / 1024
        print(
            f"   {labels[key]:<38}{elapsed:>8.1f} s {len(members) / elapsed:>9,.0f} rows/s  peak RSS {peak:>7.0f} MiB  {elapsed / base:>6.2f}×",
            flush=True,
        )


def refusal_bench() -> None:
    """Crafted files (the import corpus of thidua/registrations/tests/test_import_corpus.py): time to refuse."""
    import zipfile

    from openpyxl import Workbook

    from thidua.registrations.imports import TEMPLATE_HEADERS, parse_pledges

    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(TEMPLATE_HEADERS)
    )
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def workbook_with(sheet: str) -> bytes:
        base = io.BytesIO()
        Workbook().save(base)
        out = io.BytesIO()
        with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
                target.writestr(info.filename, data)
        return out.getvalue()

    def sheet(dimension: str, rows: str) -> str:
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><dimension ref="{dimension}"/>'
            f'<sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'
        )

    empty_rows = "".join(f'<row r="{n}"/>' for n in range(3, 500_003))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * (200 * 1024 * 1024))
    files = {
        "500,000 empty rows, <dimension A1:XFD500002>": workbook_with(sheet("A1:XFD500002", empty_rows)),
        "500,000 empty <row/>, no addresses": workbook_with(sheet("A1:XFD500002", "<row/>" * 500_000)),
        "one cell at XFD1048576": workbook_with(sheet("A1", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')),
        "broken XML": workbook_with(sheet("A1", "")[:-30]),
        "zip bomb (200 MiB member)": bomb.getvalue(),
    }
    print("\n3. Refusing crafted files (parse_pledges, no database rows needed)")
    for name, content in files.items():
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            result = parse_pledges(content, members=[], taken=set(), titles=[])
            times.append(time.perf_counter() - started)
            assert result.refused, (name, result.errors[:2])
        unzipped = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
        print(
            f"   {name:<46}{len(content) / 1024:>9,.1f} KB zipped {unzipped / 1024 / 1024:>8.1f} MB unzipped"
            f"{statistics.median(times) * 1000:>9.0f} ms  “{result.errors[0][2][:60]}…”",
            flush=True,
        )


def main() -> int:
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from thidua.units.models import Unit

    if os.environ.get("BENCH_SKIP_COVERAGE"):
        pass
    elif Unit.objects.filter(code="VN").exists():
        coverage_bench()
    else:
        print("1. skipped: run bench/run.py first, it builds the national tree the coverage roll-up needs.")
    if not os.environ.get("BENCH_SKIP_IMPORT"):
        import_bench()
    if not os.environ.get("BENCH_IMPORT_VARIANT"):
        refusal_bench()
        print(f"\n{ROUNDS} interleaved rounds for 1. and 3., {max(1, min(ROUNDS, 3))} for 2.; medians.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
