"""Recount the roll-up tallies from the data (after a restore, a bulk load, or to check them):
the reporting tallies from the reports, the units' subtree counts from the members and units,
and the registration coverage from the pledges and registrations."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from thidua.monitoring import tallies
from thidua.units import tallies as unit_tallies


class Command(BaseCommand):
    help = "Rebuild every roll-up tally (reports, unit counts, registration coverage) from the data, in one pass."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = tallies.rebuild()
        self.stdout.write(f"Reporting tallies recounted: {rows} rows written in {time.perf_counter() - started:.2f} s.")
        started = time.perf_counter()
        rows = unit_tallies.rebuild()  # and, through its signal, the registration coverage rows
        self.stdout.write(
            f"{rows} unit count rows and the registration coverage rebuilt in {time.perf_counter() - started:.2f} s."
        )
