"""Recount the reporting tallies from the reports (after a restore, a unit move, or to check them)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from thidua.monitoring import tallies


class Command(BaseCommand):
    help = "Rebuild every roll-up tally of reports from the reports themselves, in one pass."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = tallies.rebuild()
        self.stdout.write(f"{rows} tally rows rebuilt in {time.perf_counter() - started:.2f} s.")
