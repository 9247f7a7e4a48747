"""Plans for tests, built through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from thidua.campaigns import services
from thidua.campaigns.models import Plan


def make_plan(
    issuer: Any, *, by: Any = None, issued_on: dt.date = dt.date(2025, 3, 1), contents: int = 1, **fields: Any
) -> Plan:
    data: dict[str, Any] = {
        "issued_on": issued_on,
        "place": "Bắc Kạn",
        "title": "Phát động thi đua năm 2025",
        "window_start": dt.date(2025, 1, 1),
        "window_end": dt.date(2025, 12, 31),
    }
    data.update(fields)
    plan = services.plan_create(issuer=issuer, by=by, **data)
    for i in range(contents):
        content = services.content_save(plan=plan, name=f"Nội dung {i + 1}", required=True)
        services.criterion_save(
            content=content, name="Sáng kiến", kind="number", unit_label="sáng kiến", target=Decimal("2")
        )
    return plan


def issued_plan(issuer: Any, *, due_on: dt.date | None = None, **kwargs: Any) -> Plan:
    plan = make_plan(issuer, **kwargs)
    return services.plan_issue(plan=plan, by=kwargs.get("by"), due_on=due_on)
