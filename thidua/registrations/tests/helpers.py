from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from thidua.campaigns.tests.factories import issued_plan
from thidua.registrations.imports import TEMPLATE_HEADERS

TODAY = dt.date(2025, 2, 1)


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
