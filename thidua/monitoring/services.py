"""Writes of monitoring: the reporting calendar, reports and their evidence, verification,
score adjustments, closing periods.

Every change of a report's or a period's state goes through ``thidua.core.transitions``
(conditional UPDATE + event row + history), and moves the report's count in the roll-up
tallies (``thidua.monitoring.tallies.move``) in the same transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows, scope_for
from thidua.campaigns.models import Criterion, Plan, plan_manager
from thidua.campaigns.services import plan_issued
from thidua.core.text import clean_text
from thidua.core.transitions import Transition, apply, record
from thidua.core.uploads import check_upload
from thidua.monitoring import scoring, tallies
from thidua.monitoring.models import Cluster, Evidence, Period, Report, ReportValue, ScoreAdjustment, Tally
from thidua.notifications.services import notify, officers_of
from thidua.units.models import Unit

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 20
NARRATIVE_MAX = 20000


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- the calendar ---------------------------------------------------------------------------


def _require_plan_manager(plan: Plan, by: Any) -> None:
    if by is not None and not plan_manager(by, plan):
        raise PermissionDenied(_("Chỉ cán bộ thi đua của đơn vị ban hành mới sửa lịch báo cáo."))


def _validate_period(plan: Plan, start: dt.date, end: dt.date, due_on: dt.date) -> None:
    errors = {}
    if start > end:
        errors["end"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    elif start < plan.window_start or end > plan.window_end:
        errors["start"] = _("Kỳ báo cáo phải nằm trong thời gian thi đua (%(start)s – %(end)s).") % {
            "start": _fmt(plan.window_start),
            "end": _fmt(plan.window_end),
        }
    if due_on < start:
        errors["due_on"] = _("Hạn báo cáo không được trước ngày bắt đầu kỳ.")
    elif due_on > end + dt.timedelta(days=60):
        errors["due_on"] = _("Hạn báo cáo quá 60 ngày sau khi kỳ kết thúc.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def period_add(*, plan: Plan, by: Any, kind: str, name: str, start: dt.date, end: dt.date, due_on: dt.date) -> Period:
    """A period the plan sets itself; every issued plan below it inherits it, and every unit
    the plan applies to owes a report for it at once."""
    _require_plan_manager(plan, by)
    if plan.status not in (Plan.Status.DRAFT, Plan.Status.ISSUED):
        raise ValidationError(_("Kế hoạch đã kết thúc hoặc bị thu hồi; không thêm kỳ báo cáo."))
    name = clean_text(name)[:120]
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên kỳ báo cáo.")})
    if kind not in Period.Kind.values:
        raise ValidationError({"kind": _("Loại kỳ không hợp lệ.")})
    _validate_period(plan, start, end, due_on)
    if Period.objects.filter(plan=plan, name=name).exists():
        raise ValidationError({"name": _("Kế hoạch đã có kỳ “%(name)s”.") % {"name": name}})
    period = Period.objects.create(plan=plan, kind=kind, name=name, start=start, end=end, due_on=due_on)
    if plan.status == Plan.Status.ISSUED:
        _cascade(plan)
    return period


def periods_generate(*, plan: Plan, by: Any, due_day: int = 5) -> list[Period]:
    """One period per calendar month of the window, each due on ``due_day`` of the next month."""
    _require_plan_manager(plan, by)
    if not 1 <= due_day <= 28:
        raise ValidationError({"due_day": _("Ngày hạn báo cáo hằng tháng từ 1 đến 28.")})
    existing = set(Period.objects.filter(plan=plan).values_list("name", flat=True))
    made = []
    with transaction.atomic():
        year, month = plan.window_start.year, plan.window_start.month
        while dt.date(year, month, 1) <= plan.window_end:
            first = dt.date(year, month, 1)
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            start, end = max(first, plan.window_start), min(last, plan.window_end)
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            due = min(dt.date(next_year, next_month, due_day), end + dt.timedelta(days=60))
            name = f"Tháng {month:02d}/{year}"  # data, named as the plan's documents are (in Vietnamese)
            if name not in existing:
                made.append(
                    period_add(plan=plan, by=by, kind=Period.Kind.MONTH, name=name, start=start, end=end, due_on=due)
                )
            year, month = next_year, next_month
    return made


@transaction.atomic
def period_delete(*, period: Period, by: Any) -> None:
    """A plan drops a period it set itself while no report of it (at any level) has begun."""
    _require_plan_manager(period.plan, by)
    if period.inherited:
        raise ValidationError(_("Kỳ báo cáo do cấp trên đặt; cấp dưới không bỏ được."))
    family = Period.objects.filter(Q(pk=period.pk) | Q(root_id=period.pk))
    if Report.objects.filter(period__in=family).exclude(status=Report.Status.DUE).exists():
        raise ValidationError(_("Đã có đơn vị báo cáo kỳ này; không xóa được."))
    ids = list(family.values_list("pk", flat=True))
    Report.objects.filter(period_id__in=ids).delete()
    Tally.objects.filter(period_id=period.pk).delete()
    # Copies first (deepest plans first), then the period itself.
    for copy in Period.objects.filter(root_id=period.pk).order_by("-plan__issuer__depth"):
        copy.delete()
    period.delete()


def _copy_periods(plan: Plan) -> None:
    """The plan inherits every period of its parent it does not hold yet (never drops one)."""
    if plan.parent_id is None:
        return
    held = set(Period.objects.filter(plan=plan, source__isnull=False).values_list("source_id", flat=True))
    Period.objects.bulk_create(
        [
            Period(
                plan=plan,
                kind=p.kind,
                name=p.name,
                start=p.start,
                end=p.end,
                due_on=p.due_on,
                source=p,
                root_id=p.root_id or p.pk,
                status=p.status,
            )
            for p in Period.objects.filter(plan_id=plan.parent_id)
            if p.pk not in held
        ]
    )


def ensure_reports(plan: Plan) -> int:
    """Every unit the plan applies to owes a report for each of its periods (rows created once)."""
    periods = list(Period.objects.filter(plan=plan))
    units = list(Unit.objects.filter(obligations__plan=plan).only("id", "path", "depth", "parent_id"))
    if not periods or not units:
        return 0
    have = set(Report.objects.filter(period__in=periods).values_list("period_id", "unit_id"))
    new = [Report.owed(period, unit) for period in periods for unit in units if (period.pk, unit.pk) not in have]
    Report.objects.bulk_create(new, batch_size=2000)
    tallies.add_owed(new)
    return len(new)


def _cascade(plan: Plan) -> None:
    """Reports for ``plan``'s periods, then its issued implementations inherit them, down the tree."""
    ensure_reports(plan)
    for child in Plan.objects.filter(parent=plan, status__in=Plan.PUBLISHED):
        _copy_periods(child)
        _cascade(child)


@receiver(plan_issued)
def _on_plan_issued(sender: Any, plan: Plan, **kwargs: Any) -> None:
    _copy_periods(plan)
    ensure_reports(plan)


@transaction.atomic
def period_close(*, period: Period, by: Any, reason: str = "", seen: str | None = None) -> Period:
    """The campaign's level closes a period: its reports and rankings are frozen, at every level."""
    apply(period, Period.CLOSE, by=by, seen=seen, reason=(reason or "").strip()[:2000])
    Period.objects.filter(root_id=period.pk).update(status=Period.Status.CLOSED)
    return period


@transaction.atomic
def period_reopen(*, period: Period, by: Any, reason: str, seen: str | None = None) -> Period:
    reason = (reason or "").strip()
    if by is not None and not Period.REOPEN.policy(by, period):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại kỳ báo cáo.")})
    apply(period, Period.REOPEN, by=by, seen=seen, reason=reason[:2000])
    Period.objects.filter(root_id=period.pk).update(status=Period.Status.OPEN)
    return period


# --- reports ------------------------------------------------------------------------------


def criteria_of(report: Report) -> list[Criterion]:
    """The criteria a report answers: those of the plan the unit implements (its period's plan)."""
    return list(
        Criterion.objects.filter(content__plan_id=report.period.plan_id).order_by("content__position", "position")
    )


def _locked(report: Report) -> Report:
    """The report row locked for this transaction, with the state others may have changed since."""
    fresh = Report.objects.select_for_update().get(pk=report.pk)
    report.status, report.score, report.self_score, report.late = (
        fresh.status,
        fresh.score,
        fresh.self_score,
        fresh.late,
    )
    return report


def _require_open(report: Report) -> None:
    if Period.objects.filter(pk=report.period_id, status=Period.Status.CLOSED).exists():
        raise ValidationError(_("Kỳ báo cáo đã chốt; không thay đổi được báo cáo."))


def _require_editable(report: Report, by: Any) -> None:
    if by is not None and not allows(by, report, Perm.MANAGE_EMULATION):
        raise PermissionDenied(_("Bạn không có quyền sửa báo cáo này."))
    _require_open(report)
    _locked(report)
    if not report.editable:
        raise ValidationError(_("Báo cáo đã gửi hoặc đã được xác nhận; không sửa được (cấp trên mở lại nếu cần sửa)."))


def _move(report: Report, transition: Transition, *, by: Any, seen: str | None, **kwargs: Any) -> Report:
    """Apply a transition and move the report's count in the tallies, in one transaction."""
    before = report.status
    late_before = report.late
    score_before = report.score if before == Report.Status.VERIFIED else None
    apply(report, transition, by=by, seen=seen, **kwargs)
    score_after = report.score if report.status == Report.Status.VERIFIED else None
    tallies.move(
        report,
        before,
        report.status,
        late=report.late and not late_before,
        score=(score_after or Decimal(0)) - (score_before or Decimal(0)),
    )
    verified = Report.Status.VERIFIED
    if (before == verified) != (report.status == verified):  # its values count in the review, or stop
        tallies.values_move(report, 1 if report.status == verified else -1)
    return report


@transaction.atomic
def report_save(
    *,
    report: Report,
    by: Any,
    values: Mapping[int, Any],
    narrative: str,
) -> Report:
    """The unit writes its values and narrative; the self-assessed total is computed from them."""
    _require_editable(report, by)
    criteria = criteria_of(report)
    known = {c.pk: c for c in criteria}
    unknown = [k for k in values if k not in known]
    if unknown:
        raise ValidationError(_("Tiêu chí không thuộc kế hoạch của báo cáo này."))
    errors: list[str] = []
    parsed: dict[int, tuple[bool | None, Decimal | None]] = {}
    for criterion_id, raw in values.items():
        try:
            parsed[criterion_id] = scoring.parse_value(known[criterion_id], raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    narrative = (narrative or "").strip()
    if len(narrative) > NARRATIVE_MAX:
        raise ValidationError(_("Phần tình hình, kết quả quá dài (tối đa %(n)s ký tự).") % {"n": NARRATIVE_MAX})
    for criterion_id, (done, number) in parsed.items():
        ReportValue.objects.update_or_create(
            report=report, criterion_id=criterion_id, defaults={"done": done, "number": number}
        )
    current = {v.criterion_id: (v.done, v.number) for v in report.values.all()}
    total = scoring.total(criteria, current)
    report.narrative = narrative
    report.self_score = total
    report.score = total
    Report.objects.filter(pk=report.pk).update(narrative=narrative, self_score=total, score=total)
    if report.status == Report.Status.DUE:
        _move(report, Report.START, by=by, seen=None)
    return report


@transaction.atomic
def evidence_add(*, report: Report, upload: Any, by: Any) -> Evidence:
    _require_editable(report, by)
    if report.evidence.count() >= EVIDENCE_MAX_FILES:
        raise ValidationError({"file": _("Mỗi báo cáo tối đa %(n)s tệp minh chứng.") % {"n": EVIDENCE_MAX_FILES}})
    try:
        name, content_type = check_upload(upload, max_bytes=EVIDENCE_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    evidence = Evidence(report=report, name=name, size=upload.size, content_type=content_type, uploaded_by=by)
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: Any) -> None:
    _require_editable(evidence.report, by)
    evidence.file.delete(save=False)
    evidence.delete()


def _notify(units: Iterable[Any], message: str, url: str, subject: str = "") -> None:
    people = officers_of(units)
    notify(((person, message, url) for group in people.values() for person in group), subject=subject)


@transaction.atomic
def report_submit(*, report: Report, by: Any, seen: str | None = None, today: dt.date | None = None) -> Report:
    """Sent to the level above; after the period's due date it is marked late (and keeps its period)."""
    _require_open(report)
    _locked(report)
    if not report.narrative.strip() and not report.values.exists():
        raise ValidationError(_("Hãy nhập kết quả hoặc tình hình thực hiện trước khi gửi."))
    today = today or timezone.localdate()
    at = (
        timezone.now() if today == timezone.localdate() else timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    )
    late = report.late or today > report.period.due_on
    _move(report, Report.SUBMIT, by=by, seen=seen, changes={"submitted_at": at, "late": late, "comment": ""})
    unit = report.unit
    if unit.parent_id:
        message = _("%(unit)s đã gửi báo cáo %(period)s%(late)s.") % {
            "unit": unit.name,
            "period": report.period.name,
            "late": _(" (muộn)") if late else "",
        }
        _notify([unit.parent], message, reverse("monitoring:report", args=[report.pk]))
    return report


def _decision(report: Report, text: str) -> None:
    _notify([report.unit], text, reverse("monitoring:report", args=[report.pk]))


@transaction.atomic
def report_verify(*, report: Report, by: Any, seen: str | None = None) -> Report:
    """Verified by the level directly above the reporting unit."""
    _require_open(report)
    _locked(report)
    _move(
        report,
        Report.VERIFY,
        by=by,
        seen=seen,
        changes={"verified_at": timezone.now(), "verified_by": by if getattr(by, "pk", None) else None},
    )
    _decision(
        report,
        _("Báo cáo %(period)s của %(unit)s đã được xác nhận.")
        % {"period": report.period.name, "unit": report.unit.name},
    )
    return report


def _with_reason(report: Report, transition: Transition, by: Any, reason: str, field: str) -> str:
    if by is not None and not transition.policy(by, report):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))  # before asking for a reason
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Hãy ghi lý do để đơn vị biết cần sửa gì.")})
    return reason[:2000]


@transaction.atomic
def report_return(*, report: Report, by: Any, comment: str, seen: str | None = None) -> Report:
    """Returned to the unit with the reason, by the level directly above it."""
    comment = _with_reason(report, Report.RETURN, by, comment, "comment")
    _require_open(report)
    _locked(report)
    _move(report, Report.RETURN, by=by, seen=seen, reason=comment, changes={"comment": comment})
    _decision(
        report,
        _("Báo cáo %(period)s của %(unit)s bị trả lại: %(comment)s")
        % {"period": report.period.name, "unit": report.unit.name, "comment": comment[:200]},
    )
    return report


@transaction.atomic
def report_reopen(*, report: Report, by: Any, reason: str, seen: str | None = None) -> Report:
    """A verified report opened again for the unit to change, with the reason (audited)."""
    reason = _with_reason(report, Report.REOPEN, by, reason, "reason")
    _require_open(report)
    _locked(report)
    _move(report, Report.REOPEN, by=by, seen=seen, reason=reason, changes={"comment": reason})
    _decision(
        report,
        _("Báo cáo %(period)s của %(unit)s được mở lại để sửa: %(reason)s")
        % {"period": report.period.name, "unit": report.unit.name, "reason": reason[:200]},
    )
    return report


def _adjusting_level(report: Report, by: Any) -> Unit:
    """The level the adjustment is made at: the nearest unit above the report's on which the user
    holds the emulation permission (the top of the tree for a system administrator)."""
    paths = tallies.ancestors(report.unit.path)
    own = scope_for(by).unit_ids_with(Perm.MANAGE_EMULATION) if by is not None else []
    level = Unit.objects.filter(path__in=paths, pk__in=own).order_by("-depth").first()
    return level or report.unit.parent  # type: ignore[return-value]


@transaction.atomic
def score_adjust(*, report: Report, by: Any, score: Any, reason: str) -> ScoreAdjustment:
    """A level above changes a verified report's score; the original and each level's change stay."""
    if by is not None and not report.can_adjust(by):
        raise PermissionDenied(_("Chỉ cấp trên của đơn vị mới điều chỉnh điểm báo cáo đã xác nhận."))
    _require_open(report)
    _locked(report)
    if report.status != Report.Status.VERIFIED:
        raise ValidationError(_("Chỉ điều chỉnh điểm của báo cáo đã xác nhận."))
    reason = (reason or "").strip()
    errors = {}
    try:
        after = Decimal(str(score).strip().replace(",", "."))
        if not after.is_finite() or not 0 <= after <= 100 or after != after.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["score"] = _("Điểm là một số từ 0 đến 100, tối đa hai chữ số thập phân.")
    if not reason:
        errors["reason"] = _("Hãy ghi lý do điều chỉnh điểm.")
    if errors:
        raise ValidationError(errors)
    before = report.score
    level = _adjusting_level(report, by)
    adjustment = ScoreAdjustment.objects.create(
        report=report, level=level, before=before, after=after, reason=reason[:2000], by=by
    )
    text = _("Điều chỉnh điểm %(before)s → %(after)s (%(level)s): %(reason)s") % {
        "before": before if before is not None else "–",
        "after": after,
        "level": level.name,
        "reason": reason,
    }
    record(report, "adjust", by=by, reason=text[:2000], changes={"score": after})
    tallies.move(report, report.status, report.status, score=after - (before or Decimal(0)))
    return adjustment


def criteria_of_plan(plan: Plan) -> list[Criterion]:
    return list(Criterion.objects.filter(content__plan=plan).order_by("content__position", "position"))


# --- clusters (cụm, khối thi đua) ------------------------------------------------------------------


@transaction.atomic
def cluster_save(*, plan: Plan, by: Any, kind: str, name: str, unit_ids: Iterable[Any]) -> Cluster:
    """A named group of the campaign's units that compete together (set by the campaign's issuer)."""
    _require_plan_manager(plan, by)
    if plan.root_id is not None:
        raise ValidationError(_("Cụm, khối thi đua do đơn vị phát động phong trào đặt."))
    name = clean_text(name)[:200]
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên cụm, khối thi đua.")})
    try:
        ids = {int(i) for i in unit_ids}
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Đơn vị không hợp lệ.")) from exc
    units = list(Unit.objects.filter(pk__in=ids, path__startswith=plan.issuer.path).exclude(pk=plan.issuer_id))
    if len(units) != len(ids) or len(units) < 2:
        raise ValidationError(_("Chọn ít nhất hai đơn vị thuộc phạm vi kế hoạch."))
    cluster, _created = Cluster.objects.update_or_create(plan=plan, name=name, defaults={"kind": kind})
    cluster.units.set(units)
    return cluster


@transaction.atomic
def cluster_delete(*, cluster: Cluster, by: Any) -> None:
    _require_plan_manager(cluster.plan, by)
    cluster.delete()
