"""Plan 07's second act: monthly reports 10/2018 – 09/2019 from the Bắc Kạn units, with the gaps,
late and returned reports a real year has, verified by the level above, clusters and the
interim (sơ kết) and final (tổng kết) periods. Everything goes through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from thidua.accounts.models import User
from thidua.campaigns.models import Criterion, Plan
from thidua.monitoring import services
from thidua.monitoring.models import Period, Report
from thidua.notifications.services import officers_of
from thidua.units.models import Unit

NARRATIVES = [
    "Tổ chức tuyên truyền, quán triệt kế hoạch thi đua tới đoàn viên; phát động thi đua trong đơn vị.",
    "Duy trì sinh hoạt công đoàn định kỳ; phối hợp với chuyên môn đăng ký sáng kiến, cải tiến kỹ thuật.",
    "Tham gia ngày công giúp địa phương xây dựng nông thôn mới; thăm hỏi đoàn viên có hoàn cảnh khó khăn.",
    "Tuyên truyền về Đại hội Mặt trận Tổ quốc các cấp; vận động đoàn viên tham gia phong trào của địa phương.",
]


def load_calendar(plan: Plan, by: Any) -> None:
    """Monthly reports due on the 5th of the next month, and the interim and final reviews."""
    services.periods_generate(plan=plan, by=by, due_day=5)
    services.period_add(
        plan=plan,
        by=by,
        kind=Period.Kind.INTERIM,
        name="Sơ kết 6 tháng (đến 31/03/2019)",
        start=dt.date(2018, 10, 1),
        end=dt.date(2019, 3, 31),
        due_on=dt.date(2019, 4, 10),
    )
    services.period_add(
        plan=plan,
        by=by,
        kind=Period.Kind.FINAL,
        name="Tổng kết phong trào (đến 30/09/2019)",
        start=dt.date(2018, 10, 1),
        end=dt.date(2019, 9, 30),
        due_on=dt.date(2019, 10, 15),
    )


def load_clusters(plan: Plan, by: Any) -> None:
    """The province's emulation clusters: its district federations in two, its sector unions in a block."""
    units = list(
        Unit.objects.filter(parent=plan.issuer, obligations__plan=plan).select_related("kind").order_by("code")
    )
    districts = [u for u in units if "huyện" in u.name.lower() or "thành phố" in u.name.lower()]
    others = [u for u in units if u not in districts]
    half = (len(districts) + 1) // 2
    groups = [("cum", "Cụm thi đua số 1", districts[:half]), ("cum", "Cụm thi đua số 2", districts[half:])]
    groups.append(("khoi", "Khối công đoàn ngành và tương đương", others))
    for kind, name, members in groups:
        if len(members) >= 2:
            services.cluster_save(plan=plan, by=by, kind=kind, name=name, unit_ids=[u.pk for u in members])


def _values(report: Report, criteria: list[Criterion], rng: random.Random, strength: float) -> dict[int, Any]:
    values: dict[int, Any] = {}
    for c in criteria:
        if c.kind == Criterion.Kind.YES_NO:
            values[c.pk] = rng.random() < 0.7 + 0.3 * strength
        elif c.kind == Criterion.Kind.SCORE:
            top = c.max_score or Decimal(100)
            values[c.pk] = str(min(top, Decimal(int(top * Decimal(0.55 + 0.4 * strength + rng.uniform(-0.1, 0.1))))))
        else:
            target = c.target or Decimal(1)
            values[c.pk] = str(max(0, round(float(target) * (0.3 + 1.1 * strength) * rng.uniform(0.6, 1.3))))
    return values


def load_reports(plan: Plan, rng: random.Random | None = None) -> int:
    """Every report of the campaign written, sent and decided as its year would have gone."""
    rng = rng or random.Random("reports-07")
    reports = list(
        Report.objects.filter(root_period__plan=plan)
        .select_related("period", "unit", "unit__parent")
        .order_by("period__due_on", "unit__path")
    )
    units = {r.unit_id: r.unit for r in reports}
    strength = {uid: rng.uniform(0.2, 1.0) for uid in units}
    chronic = {uid for uid in units if rng.random() < 0.08}  # units that often do not report
    desks = officers_of({u.parent for u in units.values() if u.parent_id})
    criteria: dict[int, list[Criterion]] = {}
    sent = 0
    for report in reports:
        miss = 0.55 if report.unit_id in chronic else 0.06
        if rng.random() < miss:
            continue  # never sent: the board shows it missing
        plan_id = report.period.plan_id
        if plan_id not in criteria:
            criteria[plan_id] = services.criteria_of(report)
        services.report_save(
            report=report,
            by=None,
            values=_values(report, criteria[plan_id], rng, strength[report.unit_id]),
            narrative=rng.choice(NARRATIVES),
        )
        due = report.period.due_on
        late = rng.random() < 0.15
        day = due + dt.timedelta(days=rng.randint(1, 15)) if late else due - dt.timedelta(days=rng.randint(0, 5))
        services.report_submit(report=report, by=None, today=day)
        sent += 1
        decider = next(iter(desks.get(report.unit.parent_id, [])), None) if report.unit.parent_id else None
        if decider is not None and not Report.VERIFY.policy(decider, report):
            decider = None
        roll = rng.random()
        last_month = report.period.due_on >= dt.date(2019, 10, 1)
        if last_month and roll < 0.35:
            continue  # the latest reports are still waiting for the level above
        if roll < 0.1:
            services.report_return(
                report=report, by=decider, comment="Đề nghị bổ sung số liệu ngày công và biên bản phát động."
            )
            if rng.random() < 0.3:
                continue  # not corrected yet
            services.report_submit(report=report, by=None, today=day + dt.timedelta(days=rng.randint(2, 8)))
        services.report_verify(report=report, by=decider)
    return sent


def close_old_periods(plan: Plan, by: User) -> int:
    """The province froze every month up to August 2019 and the interim review; the rest stay open."""
    closed = 0
    for period in Period.objects.filter(plan=plan, due_on__lte=dt.date(2019, 9, 5)).order_by("due_on"):
        services.period_close(period=period, by=by, reason="Chốt số liệu và xếp hạng của kỳ.")
        closed += 1
    return closed
