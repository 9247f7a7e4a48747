"""Writes of recognition: awards (created from decisions, revoked) and the yearly records.

The award API is small on purpose; decisions (a later part of issue 12) call ``award_create``
for each person or collective they award and ``award_revoke`` when a decision is withdrawn.
Every write leaves a history row (simple_history) naming who made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.members.models import Member
from thidua.recognition.models import AnnualRecord, Award, AwardKind, Subject
from thidua.units.models import Unit


def _as_user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


@transaction.atomic
def award_create(
    *,
    kind: AwardKind,
    member: Member | None = None,
    unit: Unit | None = None,
    period_end: dt.date,
    period_start: dt.date | None = None,
    decided_on: dt.date,
    decision_ref: str = "",
    awarded_by: Unit | None = None,
    campaign: Any = None,
    initiative_refs: Iterable[int] = (),
    decision: Any = None,
    by: Any,
) -> Award:
    """Record an award to a member (``member``) or a collective (``unit``), exactly one of them.

    The achievement period defaults to the calendar year of ``period_end``. The same kind is not
    awarded twice for the same period to the same recipient unless the first was revoked.
    ``initiative_refs`` are the ids of the initiatives the award relied on (they cannot be relied on
    again by an award of the other category: Ministry of Home Affairs letter 5007/2023).
    ``decision`` is the ``AwardDecision`` that made it (``decisions.decision_issue``).
    """
    if (member is None) == (unit is None):
        raise ValidationError(_("Chọn đúng một người nhận: một cá nhân hoặc một tập thể."))
    if (member is not None) != (kind.subject == Subject.INDIVIDUAL):
        raise ValidationError(_("“%(award)s” không dành cho đối tượng này.") % {"award": kind.name})
    start = period_start or dt.date(period_end.year, 1, 1)
    if start > period_end:
        raise ValidationError(_("Thời gian thành tích không hợp lệ: ngày bắt đầu sau ngày kết thúc."))
    award = Award(
        kind=kind,
        member=member,
        unit=member.unit if member is not None else unit,
        period_start=start,
        period_end=period_end,
        year=period_end.year,
        decided_on=decided_on,
        decision_ref=decision_ref.strip()[:100],
        awarded_by=awarded_by,
        campaign=campaign,
        initiative_refs=sorted({int(i) for i in initiative_refs}),
        decision=decision,
        created_by=_as_user(by),
    )
    award._history_user = _as_user(by)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:
        raise ValidationError(
            _("“%(award)s” đã được tặng cho người nhận này với cùng kỳ thành tích.") % {"award": kind.name}
        ) from None
    return award


@transaction.atomic
def award_revoke(*, award: Award, reason: str, by: Any) -> Award:
    """Revoke an award (thu hồi): it stays in the history, marked, and stops counting for streaks,
    prerequisites and "once only". A conditional UPDATE: of two revocations, one wins."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do thu hồi."))
    now = timezone.now()
    changed = Award.objects.filter(pk=award.pk, revoked_at__isnull=True).update(revoked_at=now, revoke_reason=reason)
    if not changed:
        raise ValidationError(_("Khen thưởng này đã bị thu hồi."))
    award.refresh_from_db()
    award._history_user = _as_user(by)  # type: ignore[attr-defined]
    award.save(update_fields=["revoked_at"])  # one history row for the revocation
    return award


@transaction.atomic
def annual_record_save(
    *,
    year: int,
    member: Member | None = None,
    unit: Unit | None = None,
    by: Any,
    **values: Any,
) -> AnnualRecord:
    """Create or update the yearly record of a member or a collective (rating, months worked, days
    off, maternity days, discipline, under investigation, note)."""
    if (member is None) == (unit is None):
        raise ValidationError(_("Chọn đúng một đối tượng: một cá nhân hoặc một tập thể."))
    allowed = {"rating", "months_worked", "days_off", "maternity_days", "discipline", "under_investigation", "note"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if member is not None:
        record = AnnualRecord.objects.filter(member=member, year=year).first() or AnnualRecord(
            member=member, unit=member.unit, year=year
        )
    else:
        record = AnnualRecord.objects.filter(member__isnull=True, unit=unit, year=year).first() or AnnualRecord(
            unit=unit, year=year
        )
    for name, value in values.items():
        setattr(record, name, value)
    record.full_clean(exclude=["member", "unit"], validate_constraints=False)
    record._history_user = _as_user(by)  # type: ignore[attr-defined]
    record.save()
    return record
