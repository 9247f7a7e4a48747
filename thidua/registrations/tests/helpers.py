from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from thidua.campaigns.tests.factories import issued_plan
from thidua.registrations.imports import TEMPLATE_HEADERS
from thidua.registrations.models import CoverageTally
from thidua.units.models import UnitTally

TODAY = dt.date(2025, 2, 1)
# What one drain of pending marks may add to a read (``thidua.units.tallies.drain``): the
# check, the savepoint pair, the lock, the marks, the units, their ancestors, two writes of
# unit counts, three reads and two writes of coverage counts, the marks deleted.
DRAIN_STATEMENTS = 16


def open_plan(world: Any) -> Any:
    return issued_plan(world.P, registration_deadline=dt.date(2025, 3, 31))


def xlsx(rows: list[list[Any]], *, headers: list[str] | None = None, title_rows: int = 2) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(title_rows):
        sheet.append(["DANH SÁCH ĐĂNG KÝ"])
    if title_rows:
        sheet.merge_cells("A1:G1")
    sheet.append(headers or TEMPLATE_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot() -> tuple[list[tuple], list[tuple]]:
    """The kept rows that count something (a row left at zero equals a missing one)."""
    unit_rows = sorted(
        row
        for row in UnitTally.objects.values_list("unit_id", "own_members", "own_grassroots", "members", "grassroots")
        if any(row[1:])
    )
    campaign_rows = sorted(
        row
        for row in CoverageTally.objects.values_list(
            "campaign_id", "unit_id", "own_members", "own_units", "members", "units"
        )
        if any(row[2:])
    )
    return unit_rows, campaign_rows
