from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from thidua.demo.generator import build


class Command(BaseCommand):
    help = (
        "Generate a deterministic tree for benchmarks: --shape province (Bắc Kạn-shaped, ~50k members) "
        "or --shape national (~134k units, millions of members). Adds to the current database."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--shape", choices=["province", "national"], default="province")
        parser.add_argument(
            "--members", type=int, default=None, help="Default 50,000 (province) or 2,000,000 (national)."
        )
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args: Any, **options: Any) -> None:
        shape = "bac-kan" if options["shape"] == "province" else "national"
        members = options["members"] or (50_000 if shape == "bac-kan" else 2_000_000)
        started = time.monotonic()
        units, saved = build(shape, members=members, seed=options["seed"])
        self.stdout.write(f"{options['shape']}: {units} units, {saved} members in {time.monotonic() - started:.1f}s")
