"""Writes of inspections: rounds and their inspected units, findings with evidence, follow-ups.

Rules (Hướng dẫn công tác thi đua, khen thưởng của Tổng Liên đoàn: the levels that launch or
implement a campaign inspect it, conclude, and follow the remedies through):

* a round is run by the plan's issuer, a level above it, or a unit the plan applies to, and
  only that unit's emulation officers (or the levels above them) change it;
* it inspects units below the inspecting unit that the plan reaches (they, or a unit above them,
  hold an obligation of it), each on a day inside the round;
* findings and follow-ups are recorded while the round is under way; closing the round needs a
  finding for every inspected unit; follow-ups live on after it, until accepted;
* a follow-up goes to the inspected unit or a unit below it; its officers report it done with a
  note, the inspecting level accepts it or sends it back with the reason.

Every change of state goes through ``thidua.core.transitions`` (conditional UPDATE + event row +
history); audited edits that keep the state through ``transitions.record``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows
from thidua.campaigns.models import Plan
from thidua.core.text import clean_text, fold
from thidua.core.transitions import apply, record
from thidua.core.uploads import check_upload
from thidua.inspections import selectors
from thidua.inspections.models import (
    Finding,
    FollowUp,
    FollowUpEvent,
    Inspection,
    InspectionEvent,
    InspectionTarget,
    inspecting_level,
)
from thidua.notifications.services import notify, officers_of
from thidua.units.models import Unit

TEXT_MAX = 5000
NAME_MAX = 200
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
ROUND_MAX_DAYS = 366
FOLLOW_UP_MAX_DAYS = 2 * 366


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _text(value: str | None, limit: int, field: str, missing: str) -> str:
    """Multi-line text stored NFC and trimmed; empty or too long is the person's error on ``field``."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: _("Nội dung quá dài (tối đa %(n)s ký tự).") % {"n": limit}})
    return text


def _require(by: Any, inspection: Inspection) -> None:
    if by is not None and not inspecting_level(by, inspection):
        raise PermissionDenied(_("Chỉ cán bộ thi đua của đơn vị kiểm tra mới thực hiện được thao tác này."))


def _locked(inspection: Inspection) -> Inspection:
    """The inspection row locked for this transaction, with the state others may have changed since."""
    inspection.status = Inspection.objects.select_for_update().values_list("status", flat=True).get(pk=inspection.pk)
    return inspection


def _require_open(inspection: Inspection) -> None:
    if inspection.status == Inspection.Status.CLOSED:
        raise ValidationError(_("Đợt kiểm tra đã kết thúc; không thay đổi được."))


def _require_under_way(inspection: Inspection) -> None:
    if inspection.status == Inspection.Status.PLANNED:
        raise ValidationError(_("Hãy bắt đầu đợt kiểm tra trước khi ghi kết luận."))
    if inspection.status == Inspection.Status.CLOSED:
        raise ValidationError(_("Đợt kiểm tra đã kết thúc; không ghi thêm kết luận hay yêu cầu."))


def _unit(value: Unit | int | str | None, field: str) -> Unit:
    if isinstance(value, Unit):
        return value
    try:
        unit = Unit.objects.filter(pk=int(value or 0)).first()
    except (TypeError, ValueError):
        unit = None
    if unit is None:
        raise ValidationError({field: _("Đơn vị không hợp lệ.")})
    return unit


def _notify(units: Iterable[Unit], message: str, url: str, subject: str = "") -> None:
    people = officers_of(units)
    notify(((person, message, url) for group in people.values() for person in group), subject=subject)


# --- rounds ---------------------------------------------------------------------------------------


def _validate_dates(plan: Plan, start: dt.date, end: dt.date) -> None:
    errors = {}
    if end < start:
        errors["end"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    elif (end - start).days > ROUND_MAX_DAYS:
        errors["end"] = _("Một đợt kiểm tra không kéo dài quá 12 tháng.")
    if not plan.window_start <= start <= plan.window_end:
        errors["start"] = _("Đợt kiểm tra phải bắt đầu trong thời gian thi đua của kế hoạch (%(start)s – %(end)s).") % {
            "start": _fmt(plan.window_start),
            "end": _fmt(plan.window_end),
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def inspection_create(
    *,
    plan: Plan,
    unit: Unit | int | str | None,
    by: Any,
    name: str,
    start: dt.date,
    end: dt.date,
    note: str = "",
) -> Inspection:
    """A round planned by ``unit`` under ``plan`` (its officers, or a level above them)."""
    inspecting = _unit(unit, "unit")
    if by is not None and not (allows(by, inspecting, Perm.MANAGE_EMULATION) and allows(by, plan, Perm.VIEW)):
        # Outside the person's desks, a unit id is refused without saying whether it exists.
        raise ValidationError({"unit": _("Bạn không phải cán bộ thi đua của đơn vị kiểm tra này.")})
    if plan.status not in Plan.PUBLISHED:
        raise ValidationError(_("Chỉ kiểm tra việc thực hiện kế hoạch đã ban hành."))
    if not inspecting.is_active:
        raise ValidationError({"unit": _("Đơn vị đã giải thể không tiến hành kiểm tra được.")})
    if not selectors.may_inspect_from(plan, inspecting, selectors.plan_reach(plan)):
        raise ValidationError(
            {
                "unit": _(
                    "Đơn vị kiểm tra phải là đơn vị ban hành kế hoạch, cấp trên của đơn vị đó, hoặc đơn vị thực hiện kế hoạch."
                )
            }
        )
    name = clean_text(name)[:NAME_MAX]
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên đợt kiểm tra.")})
    note = _text(note, TEXT_MAX, "note", "") if (note or "").strip() else ""
    _validate_dates(plan, start, end)
    inspection = Inspection(
        plan=plan,
        unit=inspecting,
        name=name,
        start=start,
        end=end,
        note=note,
        search_text=fold(name)[:400],
        created_by=by if getattr(by, "pk", None) else None,
    )
    inspection._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    inspection.save()
    InspectionEvent.objects.create(
        inspection=inspection,
        to_status=inspection.status,
        action="create",
        by=by if getattr(by, "pk", None) else None,
    )
    return inspection


@transaction.atomic
def inspection_update(
    *, inspection: Inspection, by: Any, name: str, start: dt.date, end: dt.date, note: str = ""
) -> Inspection:
    """The round's name, dates and method, until it is closed; its units' days must still fit."""
    _require(by, inspection)
    _locked(inspection)
    _require_open(inspection)
    name = clean_text(name)[:NAME_MAX]
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên đợt kiểm tra.")})
    note = _text(note, TEXT_MAX, "note", "") if (note or "").strip() else ""
    _validate_dates(inspection.plan, start, end)
    outside = inspection.targets.exclude(scheduled_on__range=(start, end)).select_related("unit").first()
    if outside is not None:
        raise ValidationError(
            {
                "start": _("Ngày kiểm tra %(unit)s (%(day)s) nằm ngoài thời gian mới của đợt.")
                % {"unit": outside.unit.name, "day": _fmt(outside.scheduled_on)}
            }
        )
    changes = {"name": name, "start": start, "end": end, "note": note, "search_text": fold(name)[:400]}
    changed = [k for k in ("name", "start", "end", "note") if getattr(inspection, k) != changes[k]]
    if changed:
        record(
            inspection,
            "edit",
            by=by,
            reason=_("Sửa thông tin đợt kiểm tra"),
            changes={**changes, "updated_at": timezone.now()},
        )
    return inspection


@transaction.atomic
def targets_add(
    *, inspection: Inspection, by: Any, units: Iterable[Unit | int | str], scheduled_on: dt.date
) -> list[InspectionTarget]:
    """Units inspected in the round on ``scheduled_on``; their officers are told."""
    _require(by, inspection)
    _locked(inspection)
    _require_open(inspection)
    try:
        ids = {u.pk if isinstance(u, Unit) else int(u) for u in units}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"units": _("Đơn vị không hợp lệ.")}) from exc
    if not ids:
        raise ValidationError({"units": _("Hãy chọn ít nhất một đơn vị được kiểm tra.")})
    top = inspection.unit
    found = list(Unit.objects.filter(pk__in=ids).order_by("path"))
    if len(found) != len(ids) or any(not u.path.startswith(top.path) or u.pk == top.pk for u in found):
        # Never name a unit outside the inspecting unit's subtree: it may be outside the person's scope.
        raise ValidationError({"units": _("Chỉ kiểm tra được các đơn vị trực thuộc đơn vị kiểm tra.")})
    reach = selectors.plan_reach(inspection.plan)
    errors = []
    taken = set(inspection.targets.values_list("unit_id", flat=True))
    for unit in found:
        if not unit.is_active:
            errors.append(_("%(unit)s đã giải thể.") % {"unit": unit.name})
        elif not selectors.in_reach(unit.path, reach):
            errors.append(_("%(unit)s không thực hiện kế hoạch này.") % {"unit": unit.name})
        elif unit.pk in taken:
            errors.append(_("%(unit)s đã có trong đợt kiểm tra.") % {"unit": unit.name})
    if errors:
        raise ValidationError({"units": errors})
    if not inspection.start <= scheduled_on <= inspection.end:
        raise ValidationError(
            {
                "scheduled_on": _("Ngày kiểm tra phải trong thời gian của đợt (%(start)s – %(end)s).")
                % {"start": _fmt(inspection.start), "end": _fmt(inspection.end)}
            }
        )
    InspectionTarget.objects.bulk_create(
        [InspectionTarget(inspection=inspection, unit=u, scheduled_on=scheduled_on) for u in found],
        ignore_conflicts=True,
    )
    targets = list(inspection.targets.filter(unit__in=found).select_related("unit"))
    record(
        inspection,
        "targets",
        by=by,
        reason=(
            _("Thêm đơn vị được kiểm tra ngày %(day)s: %(units)s")
            % {
                "day": _fmt(scheduled_on),
                "units": ", ".join(u.name for u in found),
            }
        )[:2000],
    )
    for target in targets:
        _notify(
            [target.unit],
            _("%(unit)s sẽ được %(inspector)s kiểm tra ngày %(day)s (%(name)s).")
            % {"unit": target.unit.name, "inspector": top.name, "day": _fmt(scheduled_on), "name": inspection.name},
            reverse("inspections:target", args=[target.pk]),
        )
    return targets


@transaction.atomic
def target_remove(*, target: InspectionTarget, by: Any) -> None:
    """A unit taken off the round, while nothing has been concluded about it."""
    inspection = target.inspection
    _require(by, inspection)
    _locked(inspection)
    _require_open(inspection)
    if target.findings.exists():
        raise ValidationError(_("Đã có kết luận về đơn vị này; không bỏ khỏi đợt kiểm tra được."))
    name = target.unit.name
    target.delete()
    record(inspection, "targets", by=by, reason=(_("Bỏ đơn vị khỏi đợt kiểm tra: %(unit)s") % {"unit": name})[:2000])


@transaction.atomic
def inspection_start(*, inspection: Inspection, by: Any, seen: str | None = None) -> Inspection:
    _require(by, inspection)
    if not inspection.targets.exists():
        raise ValidationError(_("Hãy thêm đơn vị được kiểm tra trước khi bắt đầu."))
    return apply(inspection, Inspection.START, by=by, seen=seen)


@transaction.atomic
def inspection_close(*, inspection: Inspection, by: Any, reason: str = "", seen: str | None = None) -> Inspection:
    """The inspecting level ends the round once every inspected unit has its conclusion; the units
    are told, and their follow-ups stay open until accepted."""
    _require(by, inspection)
    _locked(inspection)
    missing = list(inspection.targets.filter(findings__isnull=True).values_list("unit__name", flat=True))
    if missing:
        raise ValidationError(
            _("Chưa có kết luận cho: %(units)s. Hãy ghi kết luận trước khi kết thúc đợt kiểm tra.")
            % {"units": ", ".join(missing)}
        )
    apply(inspection, Inspection.CLOSE, by=by, seen=seen, reason=(reason or "").strip()[:2000])
    for target in inspection.targets.select_related("unit"):
        _notify(
            [target.unit],
            _("%(inspector)s đã kết thúc %(name)s; xem kết luận và yêu cầu khắc phục.")
            % {"inspector": inspection.unit.name, "name": inspection.name},
            reverse("inspections:target", args=[target.pk]),
        )
    return inspection


# --- findings -------------------------------------------------------------------------------------


@transaction.atomic
def finding_add(*, target: InspectionTarget, by: Any, severity: str, text: str, upload: Any = None) -> Finding:
    """A conclusion about one inspected unit, with an optional evidence file (checked by its bytes)."""
    inspection = target.inspection
    _require(by, inspection)
    _locked(inspection)
    _require_under_way(inspection)
    if severity not in Finding.Severity.values:
        raise ValidationError({"severity": _("Mức độ không hợp lệ.")})
    text = _text(text, TEXT_MAX, "text", _("Hãy ghi nội dung kết luận."))
    finding = Finding(target=target, severity=severity, text=text, created_by=by if getattr(by, "pk", None) else None)
    if upload is not None:
        try:
            name, content_type = check_upload(upload, max_bytes=EVIDENCE_MAX_BYTES)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
        finding.evidence_name, finding.evidence_size, finding.evidence_type = name, upload.size, content_type
        finding.evidence.save(name, upload, save=False)
    finding._history_user = finding.created_by  # type: ignore[attr-defined]
    finding.save()
    return finding


@transaction.atomic
def finding_remove(*, finding: Finding, by: Any) -> None:
    """A finding recorded by mistake, while the round is under way and nothing follows from it."""
    inspection = finding.target.inspection
    _require(by, inspection)
    _locked(inspection)
    _require_under_way(inspection)
    if finding.follow_ups.exists():
        raise ValidationError(_("Kết luận đã có yêu cầu khắc phục; không xóa được."))
    if finding.evidence:
        finding.evidence.delete(save=False)
    finding.delete()


# --- follow-ups -----------------------------------------------------------------------------------


@transaction.atomic
def followup_add(
    *, finding: Finding, by: Any, owner: Unit | int | str | None, description: str, due_on: dt.date
) -> FollowUp:
    """A requirement the inspected unit (or a unit below it) must fix by ``due_on``; its officers are told."""
    target = finding.target
    inspection = target.inspection
    _require(by, inspection)
    _locked(inspection)
    _require_under_way(inspection)
    unit = _unit(owner, "owner")
    if not unit.path.startswith(target.unit.path) or not unit.is_active:
        raise ValidationError({"owner": _("Đơn vị thực hiện phải là đơn vị được kiểm tra hoặc đơn vị trực thuộc.")})
    description = _text(description, TEXT_MAX, "description", _("Hãy ghi nội dung yêu cầu khắc phục."))
    if due_on < target.scheduled_on:
        raise ValidationError(
            {
                "due_on": _("Hạn khắc phục không được trước ngày kiểm tra (%(day)s).")
                % {"day": _fmt(target.scheduled_on)}
            }
        )
    if (due_on - target.scheduled_on).days > FOLLOW_UP_MAX_DAYS:
        raise ValidationError({"due_on": _("Hạn khắc phục không quá 2 năm sau ngày kiểm tra.")})
    person = by if getattr(by, "pk", None) else None
    follow_up = FollowUp(
        finding=finding,
        inspection=inspection,
        owner=unit,
        description=description,
        due_on=due_on,
        created_by=person,
    )
    follow_up._history_user = person  # type: ignore[attr-defined]
    follow_up.save()
    FollowUpEvent.objects.create(follow_up=follow_up, to_status=follow_up.status, action="create", by=person)
    _notify(
        [unit],
        _("%(inspector)s yêu cầu %(unit)s khắc phục trước ngày %(day)s: %(text)s")
        % {"inspector": inspection.unit.name, "unit": unit.name, "day": _fmt(due_on), "text": description[:200]},
        reverse("inspections:followup", args=[follow_up.pk]),
        subject=_("Yêu cầu khắc phục sau kiểm tra"),
    )
    return follow_up


def _policy(follow_up: FollowUp, transition: Any, by: Any) -> None:
    """Refuse before asking for a note or reason: an outsider learns nothing from the form's errors."""
    if by is not None and not transition.policy(by, follow_up):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


@transaction.atomic
def followup_done(
    *, follow_up: FollowUp, by: Any, note: str, seen: str | None = None, today: dt.date | None = None
) -> FollowUp:
    """The owner unit reports the follow-up done, saying what it did; the inspecting level is told."""
    _policy(follow_up, FollowUp.DONE, by)
    note = _text(note, TEXT_MAX, "note", _("Hãy ghi kết quả khắc phục."))
    apply(
        follow_up,
        FollowUp.DONE,
        by=by,
        seen=seen,
        reason=note[:2000],
        changes={
            "done_note": note,
            "done_on": today or timezone.localdate(),
            "done_by": by if getattr(by, "pk", None) else None,
            "comment": "",
        },
    )
    _notify(
        [follow_up.inspection.unit],
        _("%(unit)s đã báo cáo khắc phục: %(text)s")
        % {"unit": follow_up.owner.name, "text": follow_up.description[:200]},
        reverse("inspections:followup", args=[follow_up.pk]),
    )
    return follow_up


@transaction.atomic
def followup_close(*, follow_up: FollowUp, by: Any, reason: str = "", seen: str | None = None) -> FollowUp:
    """The inspecting level accepts the remedy: the follow-up is closed."""
    _policy(follow_up, FollowUp.CLOSE, by)
    apply(
        follow_up,
        FollowUp.CLOSE,
        by=by,
        seen=seen,
        reason=(reason or "").strip()[:2000],
        changes={"closed_at": timezone.now(), "closed_by": by if getattr(by, "pk", None) else None},
    )
    _notify(
        [follow_up.owner],
        _("Kết quả khắc phục đã được xác nhận: %(text)s") % {"text": follow_up.description[:200]},
        reverse("inspections:followup", args=[follow_up.pk]),
    )
    return follow_up


@transaction.atomic
def followup_reopen(*, follow_up: FollowUp, by: Any, reason: str, seen: str | None = None) -> FollowUp:
    """The inspecting level sends the remedy back, saying why: the follow-up is open again."""
    _policy(follow_up, FollowUp.REOPEN, by)
    reason = _text(reason, 2000, "reason", _("Hãy ghi lý do để đơn vị biết cần khắc phục thêm gì."))
    apply(follow_up, FollowUp.REOPEN, by=by, seen=seen, reason=reason, changes={"comment": reason, "done_on": None})
    _notify(
        [follow_up.owner],
        _("Kết quả khắc phục bị trả lại: %(reason)s") % {"reason": reason[:200]},
        reverse("inspections:followup", args=[follow_up.pk]),
    )
    return follow_up
