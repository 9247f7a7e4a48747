#!/usr/bin/env python
"""A decision with 500 recipients (issue 12, "Recognition"): its .docx and its certificates PDF.

Builds, in a throwaway SQLite database (a temporary ``THIDUA_VAR_DIR``; ``BENCH_DATABASE_URL``
points it at a PostgreSQL database instead), a province decision with BENCH_RECIPIENTS lines
(default 500: nine in ten members, one in ten grassroots unions) and one with a tenth as many,
then measures side by side, interleaved, median of BENCH_ROUNDS runs:

1. ``documents.render_decision``: the QUYẾT ĐỊNH with its annex (the list of recipients);
2. ``certificates.certificates_pdf``: one A4 landscape certificate per recipient;
3. ``certificates.certificates_pdf(blank=True)``: the same on pre-printed blanks (text only);

with, for each, the queries it makes, the peak Python memory of one run (tracemalloc, measured
in a separate run so it does not slow the timed ones), the growth of the peak resident memory
over one render in a fresh process (which also counts lxml's and reportlab's C allocations; Linux), the size of
the file, and the ratios of the big decision to the small one (ten times the recipients) for the
time and the Python peak.

    .venv/bin/python bench/decision_documents.py
    BENCH_RECIPIENTS=1000 BENCH_ROUNDS=5 .venv/bin/python bench/decision_documents.py
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import count_queries, median_times  # noqa: E402

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi", "Đỗ", "Hà", "Lục", "Ma", "Nông", "Triệu"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Quốc", "Thu", "Minh", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hạnh", "Khánh", "Lâm", "Mỹ", "Nhung", "Phượng", "Quý", "Sơn"]


def setup(*, child: bool = False) -> None:
    if child:  # a --rss process: the parent's database, already built
        pass
    elif os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        os.environ["THIDUA_DB_POOL"] = "0"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["THIDUA_VAR_DIR"] = tempfile.mkdtemp(prefix="thidua-bench-docs-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if child:
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def name(index: int) -> str:
    surname = SURNAMES[index % len(SURNAMES)]
    middle = MIDDLE[index // len(SURNAMES) % len(MIDDLE)]
    given = GIVEN[index // (len(SURNAMES) * len(MIDDLE)) % len(GIVEN)]
    return f"{surname} {middle} {given}"


def build(recipients: int, tag: str) -> Any:
    """A province decision (Ban Thường vụ) with ``recipients`` lines, issued: prizes and gold book set."""
    from thidua.members.services import member_create
    from thidua.recognition.catalogue import load
    from thidua.recognition.models import AwardDecision, AwardKind, DecisionLine
    from thidua.testing import make_unit
    from thidua.units.models import Unit
    from thidua.units.services import unit_update

    load()
    province = Unit.objects.filter(code="BENCH-BK").first()
    if province is None:
        national = make_unit(None, "Tổng Liên đoàn Lao động Việt Nam", "confederation", "BENCH-TLD")
        province = make_unit(national, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BENCH-BK")
        unit_update(unit=province, short_name="LĐLĐ", place_name="Bắc Kạn")
        province = Unit.objects.get(pk=province.pk)
    district = make_unit(province, f"Liên đoàn Lao động huyện Ba Bể {tag}", "district-federation", f"BENCH-D{tag}")
    collectives = recipients // 10
    people = recipients - collectives
    unions = [
        make_unit(district, f"Công đoàn cơ sở Trường số {n} {tag}", "grassroots", f"BENCH-{tag}-G{n}")
        for n in range(max(collectives, 1))
    ]
    decision = AwardDecision.objects.create(
        issuer=province,
        number=int(tag) if tag.isdigit() else 1,
        year=2026,
        issued_on=dt.date(2026, 12, 20),
        place="Bắc Kạn",
        title="Khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua năm 2026",
        legal_basis="Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022\nCăn cứ Điều lệ Công đoàn Việt Nam",
        achievement="Đã có thành tích xuất sắc trong phong trào thi đua “Lao động giỏi, lao động sáng tạo” năm 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        signer_name="Triệu Thị Mai",
        base_salary=2_340_000,
        status=AwardDecision.Status.ISSUED,
    )
    person_kind = AwardKind.objects.get(code="bang-khen-ldld-ca-nhan")
    unit_kind = AwardKind.objects.get(code="bang-khen-ldld-tap-the")
    lines = []
    for index in range(people):
        union = unions[index % len(unions)]
        member = member_create(unit=union, full_name=name(index), gender="F" if index % 2 else "M", birth_year=1985)
        lines.append(
            DecisionLine(
                decision=decision,
                kind=person_kind,
                member=member,
                unit=union,
                position="Giáo viên",
                unit_name=union.name,
                prize=1_490_000,
                gold_book=index + 1,
                order=index,
            )
        )
    for index in range(collectives):
        lines.append(
            DecisionLine(
                decision=decision,
                kind=unit_kind,
                unit=unions[index],
                unit_name=district.name,
                prize=2_980_000,
                gold_book=people + index + 1,
                order=people + index,
            )
        )
    DecisionLine.objects.bulk_create(lines)
    return decision


def peak(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Peak Python memory (MiB) of one run of ``fn`` and its result."""
    tracemalloc.start()
    try:
        result = fn()
        _current, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return top / 2**20, result


def rss_child(kind: str, decision_id: int) -> None:
    """In a fresh process (``--rss``): how much the peak resident memory grows over one render.
    Counts what tracemalloc does not see (lxml's and reportlab's C allocations). Linux only."""
    from thidua.recognition.certificates import certificates_pdf, fonts
    from thidua.recognition.documents import render_decision
    from thidua.recognition.models import AwardDecision

    fonts()
    decision = AwardDecision.objects.select_related("issuer").get(pk=decision_id)
    render = {"docx": render_decision, "pdf": certificates_pdf, "blank": lambda d: certificates_pdf(d, blank=True)}
    gc.collect()
    before = _status("VmRSS")
    render[kind](decision)
    print((_status("VmHWM") - before) / 1024)


def rss_peak(kind: str, decision_id: int) -> float | None:
    command = [sys.executable, __file__, "--rss", kind, str(decision_id)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB
    raise OSError(key)


def main() -> int:
    setup()
    from thidua.recognition.certificates import certificates_pdf, fonts
    from thidua.recognition.documents import render_decision
    from thidua.recognition.models import AwardKind, CertificateLayout

    fonts()  # registered once per process, as in a server worker
    small, big = max(RECIPIENTS // 10, 1), RECIPIENTS
    decisions = {small: build(small, "1"), big: build(big, "2")}
    CertificateLayout.objects.get_or_create(kind=AwardKind.objects.get(code="bang-khen-ldld-ca-nhan"))
    renderers: dict[str, tuple[str, Callable[[Any], bytes]]] = {
        ".docx (decision + annex)": ("docx", render_decision),
        "certificates PDF": ("pdf", certificates_pdf),
        "certificates on blanks": ("blank", lambda d: certificates_pdf(d, blank=True)),
    }
    variants: dict[str, Callable[[], Any]] = {}
    resident: dict[str, float | None] = {}
    for kind, (code, render) in renderers.items():
        for size, decision in decisions.items():
            variants[f"{kind}, {size}"] = lambda render=render, decision=decision: render(decision)
            resident[f"{kind}, {size}"] = rss_peak(code, decision.pk)
    queries = {label: count_queries(fn) for label, fn in variants.items()}
    memory: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for label, fn in variants.items():
        memory[label], output = peak(fn)
        sizes[label] = len(output)
    medians, _results = median_times(variants, ROUNDS)

    print(f"\nDecision documents: {big} recipients ({big - big // 10} members, {big // 10} unions) against {small}")
    print(
        f"{'variant':<36}{'median ms':>11}{'queries':>9}{'py peak MiB':>12}{'RSS +MiB':>10}{'file KiB':>10}"
        f"{'× time':>8}{'× py':>8}"
    )
    for label in variants:
        base = f"{label.rsplit(', ', 1)[0]}, {small}"
        ratio_time = medians[label] / medians[base] if medians[base] else float("nan")
        ratio_memory = memory[label] / memory[base] if memory[base] else float("nan")
        print(
            f"{label:<36}{medians[label] * 1000:>11.1f}{queries[label]:>9}{memory[label]:>12.1f}"
            f"{'n/a' if resident[label] is None else format(resident[label], '.1f'):>10}"
            f"{sizes[label] / 1024:>10.0f}{ratio_time:>8.2f}{ratio_memory:>8.2f}"
        )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--rss"]:
        setup(child=True)
        rss_child(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
