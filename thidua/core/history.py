"""Audit trail rows for the history pages, diffed without extra queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet


def history_rows(records: QuerySet[Any], *, hidden: Iterable[str] = (), limit: int = 100) -> list[dict[str, Any]]:
    """Newest first; each row lists field changes against the record before it.

    One extra record is read so the oldest row shown can still be diffed,
    which keeps the page at one query however long the history.
    """
    hidden_fields = set(hidden)
    fetched = list(records.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for index, record in enumerate(fetched[:limit]):
        previous = fetched[index + 1] if index + 1 < len(fetched) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                if change.field in hidden_fields:
                    continue
                try:
                    label = record.instance_type._meta.get_field(change.field).verbose_name
                except Exception:  # noqa: BLE001 - a removed field still shows by name
                    label = change.field
                changes.append({"field": label, "old": change.old, "new": change.new})
        rows.append({"record": record, "changes": changes})
    return rows
