"""Reminders about reports not sent, escalating: before the due date, on it, and N days after it
to the level above. Safe to run every minute and as several copies at once.

Each report keeps the last reminder stage sent (``Report.reminder_stage``). A pass takes a
batch of reports whose stage is behind where the calendar says it should be, claims them
with a conditional UPDATE (``WHERE reminder_stage < stage``, inside a transaction that locks
the rows: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, the database's write lock on
SQLite), and writes the notifications in the same transaction; e-mail leaves after commit.
A second copy running at the same moment skips the claimed rows or finds them moved on, so
nobody is reminded twice — the way healthchecks' ``sendreports`` claims its checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.campaigns.models import Plan
from thidua.monitoring.models import Period, Report
from thidua.notifications.services import notify, officers_of

BEFORE, ON_DUE, ESCALATED = 1, 2, 3
WAITING = (Report.Status.DUE, Report.Status.DRAFT, Report.Status.RETURNED)


@dataclass
class Pass:
    claimed: int = 0
    messages: int = 0
    queries: int = 0


def days_before() -> int:
    return int(settings.THIDUA_REMIND_DAYS_BEFORE)


def escalate_after() -> int:
    return int(settings.THIDUA_ESCALATE_AFTER_DAYS)


def _stage_filter(stage: int, today: dt.date) -> Q:
    """Reports that have reached ``stage`` by ``today`` and were not reminded at it yet."""
    if stage == BEFORE:
        window = Q(period__due_on__gt=today, period__due_on__lte=today + dt.timedelta(days=days_before()))
    elif stage == ON_DUE:
        window = Q(period__due_on__lte=today, period__due_on__gt=today - dt.timedelta(days=escalate_after()))
    else:
        window = Q(period__due_on__lte=today - dt.timedelta(days=escalate_after()))
    # Only periods still open, of plans still in force (a recalled or closed plan reminds nobody).
    return window & Q(
        reminder_stage__lt=stage,
        status__in=WAITING,
        period__status=Period.Status.OPEN,
        period__plan__status=Plan.Status.ISSUED,
    )


def _claim(stage: int, today: dt.date, batch: int, after: int) -> list[Report]:
    """Lock and move a batch to ``stage``; returns the reports this process claimed.

    ``after`` is the last id this pass claimed at this stage: each batch reads on from there
    instead of from the first report again (bench/monitoring.py: a claim read 1.4M rows to find
    500 at the end of a national pass when it started from the top each time).
    """
    candidates = Report.objects.filter(_stage_filter(stage, today), pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    reports = list(candidates.select_related("unit", "unit__parent", "period")[:batch])
    if not reports:
        return []
    # The conditional UPDATE is the claim: a row another copy moved on is no longer < stage.
    claimed = Report.objects.filter(pk__in=[r.pk for r in reports], reminder_stage__lt=stage).update(
        reminder_stage=stage
    )
    if claimed != len(reports):  # another copy took some of them between our read and our write
        raise Contended
    return reports


class Contended(Exception):
    """The batch was partly claimed elsewhere: this transaction rolls back and the batch is read again."""


def _message(report: Report, stage: int) -> str:
    values = {"unit": report.unit.name, "period": report.period.name, "due": report.period.due_on.strftime("%d/%m/%Y")}
    if stage == BEFORE:
        return _("Sắp đến hạn báo cáo %(period)s (%(due)s) của %(unit)s.") % values
    if stage == ON_DUE:
        return _("Hôm nay hoặc đã qua hạn báo cáo %(period)s (%(due)s) của %(unit)s; hãy gửi báo cáo.") % values
    return _("%(unit)s chưa gửi báo cáo %(period)s, đã quá hạn %(due)s; đề nghị cấp trên đôn đốc.") % values


def run_pass(*, today: dt.date | None = None, batch: int = 500) -> Pass:
    """Every reminder due by ``today``, in batches of ``batch``; each batch is one transaction of
    a fixed number of queries (claim select, claim update, officers, notifications)."""
    today = today or timezone.localdate()
    result = Pass()
    for stage in (ESCALATED, ON_DUE, BEFORE):  # the furthest stage first: a late start skips the milder ones
        after = 0
        while True:
            try:
                last = _batch(stage, today, batch, result, after)
            except Contended:
                continue  # read the same stretch again: the rows another copy took are gone from it
            if last is None:
                break
            after = last
    return result


def _batch(stage: int, today: dt.date, batch: int, result: Pass, after: int) -> int | None:
    """Claim and remind one batch in one transaction; the last id claimed, None when none was left."""
    with transaction.atomic():
        reports = _claim(stage, today, batch, after)
        if not reports:
            return None
        result.claimed += len(reports)
        units: set[Any] = {r.unit for r in reports}
        if stage == ESCALATED:
            units |= {r.unit.parent for r in reports if r.unit.parent_id}
        people = officers_of(units)
        messages: list[tuple[Any, str, str]] = []
        for report in reports:
            url = reverse("monitoring:report", args=[report.pk])
            text = _message(report, stage)
            targets = people.get(report.unit_id, [])
            if stage == ESCALATED and report.unit.parent_id:
                targets = targets + people.get(report.unit.parent_id, [])
            messages.extend((person, text, url) for person in dict.fromkeys(targets))
        result.messages += notify(messages, subject=_("[Thi Đua] Nhắc báo cáo kết quả thi đua"))
    return reports[-1].pk
