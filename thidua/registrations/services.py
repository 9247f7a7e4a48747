"""Writes to registrations: open, pledge, submit, accept or return, import from Excel.

Accept and return are decided by the level directly above the registering
unit (``thidua.registrations.models.decides``, the one policy pages, services
and the API share); every change of state goes through
``thidua.core.transitions.apply`` (conditional UPDATE + RegistrationEvent), so
two officers acting at once get exactly one decision and the other is told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.accounts.roles import Perm
from thidua.campaigns.models import Criterion, Plan, Title
from thidua.core.transitions import apply, record
from thidua.members.models import Member
from thidua.notifications.services import notify, officers_of
from thidua.registrations.models import (
    Commitment,
    ImportBatch,
    MemberPledge,
    Registration,
    decides,
)
from thidua.units import tallies
from thidua.units.models import Unit


def registration_deadline(plan: Plan) -> dt.date:
    return plan.registration_closes_on


def _check_open(plan: Plan, today: dt.date | None = None, closes_on: dt.date | None = None) -> None:
    """The plan takes registrations today; ``closes_on`` is a unit's own (extended) deadline."""
    today = today or timezone.localdate()
    deadline = closes_on or registration_deadline(plan)
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError(_("Kế hoạch chưa ban hành hoặc đã kết thúc; không nhận đăng ký."))
    if today < plan.window_start:
        raise ValidationError(
            _("Chưa đến thời gian thi đua của kế hoạch (từ %(date)s).")
            % {"date": plan.window_start.strftime("%d/%m/%Y")}
        )
    if today > deadline:
        raise ValidationError(_("Đã hết hạn đăng ký thi đua (%(date)s).") % {"date": deadline.strftime("%d/%m/%Y")})


@transaction.atomic
def registration_open(*, plan: Plan, unit: Unit, by: Any, today: dt.date | None = None) -> Registration:
    """The unit's registration for the plan, created as a draft on first use."""
    if not unit.path.startswith(plan.issuer.path):
        raise ValidationError(_("Đơn vị không thuộc phạm vi của kế hoạch này."))
    existing = Registration.objects.filter(plan=plan, unit=unit).first()
    if existing:
        return existing
    _check_open(plan, today)
    try:
        with transaction.atomic():
            registration = Registration(plan=plan, unit=unit, created_by=by)
            registration._history_user = by  # type: ignore[attr-defined]
            registration.save()
    except IntegrityError:  # a double click: the other request created it
        return Registration.objects.get(plan=plan, unit=unit)
    return registration


def _require_editable(registration: Registration, today: dt.date | None = None) -> None:
    """Written only while a draft or returned; the row lock makes a submission wait for the edit."""
    editable = [Registration.Status.DRAFT, Registration.Status.RETURNED]
    rows = list(
        Registration.objects.select_for_update()
        .filter(pk=registration.pk, status__in=editable)
        .values_list("deadline_extended_to", flat=True)
    )
    if not rows:
        raise ValidationError(_("Đăng ký đã gửi cấp trên; không sửa được nữa."))
    registration.deadline_extended_to = rows[0]  # an extension given since the page was read counts
    _check_open(registration.plan, today, closes_on=registration.closes_on)


@transaction.atomic
def registration_update(
    *,
    registration: Registration,
    by: Any,
    titles: Iterable[Title],
    pledge: str,
    commitments: dict[int, Decimal | None],
    today: dt.date | None = None,
) -> Registration:
    _require_editable(registration, today)
    titles = list(titles)
    wrong = [t.name for t in titles if not t.for_collective]
    if wrong:
        raise ValidationError({"titles": _("Không phải danh hiệu tập thể: %(names)s.") % {"names": ", ".join(wrong)}})
    registration.pledge = (pledge or "").strip()[:5000]
    registration._history_user = by  # type: ignore[attr-defined]
    registration.save()
    registration.titles.set(titles)
    criteria = {c.pk: c for c in Criterion.objects.filter(content__plan=registration.plan)}
    for criterion_id, value in commitments.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ValidationError(_("Tiêu chí không thuộc kế hoạch này."))
        if value is not None and value < 0:
            raise ValidationError(_("Cam kết “%(name)s” không được âm.") % {"name": criterion.name})
        if value is not None and criterion.target is not None and value < criterion.target:
            raise ValidationError(
                _("Cam kết “%(name)s” thấp hơn chỉ tiêu %(target)s.")
                % {"name": criterion.name, "target": criterion.target}
            )
        Commitment.objects.update_or_create(
            registration=registration, criterion=criterion, defaults={"value": value, "agreed": True}
        )
    return registration


def _members_allowed(registration: Registration, member_ids: Iterable[int], by: Any) -> dict[int, Member]:
    # ``by=None`` is the system itself (demo loader, commands): no account's scope applies.
    pool = Member.objects.all() if by is None else Member.objects.visible_to(by, Perm.MANAGE_MEMBERS)
    members = {
        m.pk: m
        for m in pool.filter(
            pk__in=list(member_ids), unit__path__startswith=registration.unit.path, status=Member.Status.ACTIVE
        )
    }
    return members


@transaction.atomic
def pledges_add(
    *,
    registration: Registration,
    by: Any,
    member_ids: Iterable[int],
    title: Title,
    commitment: str = "",
    today: dt.date | None = None,
) -> int:
    """Register many members of the unit for one title; members already registered for it are skipped."""
    _require_editable(registration, today)
    if not title.for_individual:
        raise ValidationError(_("“%(name)s” không phải danh hiệu cá nhân.") % {"name": title.name})
    ids = list(dict.fromkeys(int(i) for i in member_ids))
    members = _members_allowed(registration, ids, by)
    outside = [i for i in ids if i not in members]
    if outside:
        raise ValidationError(
            _("Có %(n)s đoàn viên không thuộc đơn vị hoặc ngoài phạm vi của bạn.") % {"n": len(outside)}
        )
    already = set(
        MemberPledge.objects.filter(plan=registration.plan, title=title, member_id__in=ids).values_list(
            "member_id", flat=True
        )
    )
    new = [
        MemberPledge(
            registration=registration,
            plan=registration.plan,
            member_id=i,
            title=title,
            commitment=commitment[:500],
            created_by=by,
        )
        for i in ids
        if i not in already
    ]
    MemberPledge.objects.bulk_create(new, ignore_conflicts=True)
    tallies.touch(members[p.member_id].unit_id for p in new)  # coverage counts them where they are
    return len(new)


@transaction.atomic
def pledge_remove(*, pledge: MemberPledge, by: Any) -> None:
    _require_editable(pledge.registration)
    pledge._history_user = by  # type: ignore[attr-defined]
    pledge.delete()
    tallies.touch(Member.objects.filter(pk=pledge.member_id).values_list("unit_id", flat=True))


@transaction.atomic
def registration_submit(
    *, registration: Registration, by: Any, today: dt.date | None = None, seen: str | None = None
) -> Registration:
    _require_editable(registration, today)  # locks the row: no pledge slips in while it is sent
    if not registration.titles.exists() and not registration.pledges.exists():
        raise ValidationError(_("Hãy đăng ký ít nhất một danh hiệu tập thể hoặc đăng ký cho đoàn viên trước khi gửi."))
    # ``today`` (the demo, a back-dated import) dates the submission too; otherwise it is now.
    at = timezone.now() if today is None else timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    apply(registration, Registration.SUBMIT, by=by, seen=seen, changes={"submitted_at": at})
    # No longer a draft: the unit counts as registered. Accepting or returning keeps it so.
    tallies.touch([registration.unit_id])
    return _fresh(registration)


def _require_live_plan(registration: Registration) -> None:
    """A recalled plan no longer exists for the units: nothing is decided under it."""
    if not Plan.objects.filter(pk=registration.plan_id, status__in=Plan.PUBLISHED).exists():
        raise ValidationError(_("Kế hoạch đã bị thu hồi; không duyệt đăng ký theo kế hoạch này."))


def _fresh(registration: Registration) -> Registration:
    return Registration.objects.select_related("unit", "plan", "plan__issuer").get(pk=registration.pk)


def _notify_unit(registration: Registration, message: str) -> None:
    url = reverse("registrations:detail", args=[registration.pk])
    people = officers_of([registration.unit]).get(registration.unit_id, [])
    notify((person, message, url) for person in people)


@transaction.atomic
def registration_accept(*, registration: Registration, by: Any, seen: str | None = None) -> Registration:
    """Accepted by the level directly above the registering unit (``decides``)."""
    _require_live_plan(registration)
    apply(
        registration,
        Registration.ACCEPT,
        by=by,
        seen=seen,
        changes={"decided_at": timezone.now(), "decided_by": by if getattr(by, "pk", None) else None, "comment": ""},
    )
    fresh = _fresh(registration)
    _notify_unit(fresh, _("Đăng ký thi đua của %(unit)s đã được chấp nhận.") % {"unit": fresh.unit.name})
    return fresh


@transaction.atomic
def registration_return(*, registration: Registration, by: Any, comment: str, seen: str | None = None) -> Registration:
    """Returned, with the reason, by the level directly above the registering unit (``decides``)."""
    if by is not None and not Registration.RETURN.policy(by, registration):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))  # before asking for a reason
    _require_live_plan(registration)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Hãy ghi lý do trả lại để đơn vị sửa.")})
    apply(
        registration,
        Registration.RETURN,
        by=by,
        seen=seen,
        reason=comment[:2000],
        changes={
            "decided_at": timezone.now(),
            "decided_by": by if getattr(by, "pk", None) else None,
            "comment": comment[:2000],
        },
    )
    fresh = _fresh(registration)
    _notify_unit(
        fresh,
        _("Đăng ký thi đua của %(unit)s bị trả lại: %(comment)s") % {"unit": fresh.unit.name, "comment": comment[:200]},
    )
    return fresh


@transaction.atomic
def deadline_extend(
    *, registration: Registration, by: Any, until: dt.date, reason: str, today: dt.date | None = None
) -> Registration:
    """The level above gives one unit until ``until`` to write and send its registration.

    Audited three ways: an event row on the registration's history (who, when, why, to which day),
    a django-simple-history row, and a notification to the unit's officers.
    """
    today = today or timezone.localdate()
    if by is not None and not decides(by, registration):
        raise PermissionDenied(_("Chỉ cấp trên trực tiếp của đơn vị mới gia hạn được đăng ký."))
    locked = Registration.objects.select_for_update().select_related("plan", "unit").get(pk=registration.pk)
    if not locked.editable:
        raise ValidationError(_("Đăng ký đã gửi cấp trên; không cần gia hạn."))
    if locked.plan.status != Plan.Status.ISSUED:
        raise ValidationError(_("Kế hoạch không còn hiệu lực; không gia hạn được."))
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Hãy ghi lý do gia hạn.")
    if until < today:
        errors["until"] = _("Ngày gia hạn phải từ hôm nay trở đi.")
    elif until > locked.plan.window_end:
        errors["until"] = _("Ngày gia hạn phải trong thời gian thi đua (đến %(date)s).") % {
            "date": locked.plan.window_end.strftime("%d/%m/%Y")
        }
    elif until <= locked.plan.registration_closes_on:
        errors["until"] = _("Hạn đăng ký của kế hoạch là %(date)s; ngày gia hạn phải sau ngày đó.") % {
            "date": locked.plan.registration_closes_on.strftime("%d/%m/%Y")
        }
    if errors:
        raise ValidationError(errors)
    text = _("Gia hạn đăng ký đến %(date)s: %(reason)s") % {"date": until.strftime("%d/%m/%Y"), "reason": reason}
    record(locked, "extend", by=by, reason=text[:2000], changes={"deadline_extended_to": until})
    _notify_unit(
        locked,
        _("%(unit)s được gia hạn đăng ký thi đua đến %(date)s.")
        % {"unit": locked.unit.name, "date": until.strftime("%d/%m/%Y")},
    )
    return _fresh(locked)


@transaction.atomic
def import_commit(*, batch: ImportBatch, by: Any, today: dt.date | None = None) -> int:
    """Write a previewed import whole, or nothing; a second submit of the same batch writes nothing."""
    registration = batch.registration
    _require_editable(registration, today)
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.COMMITTED, committed_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Tệp này đã được ghi trước đó; không ghi lại lần nữa."))
    rows = batch.rows
    # The rule of _members_allowed, read as the ids of the whole unit: one range scan, where
    # 50,000 ids as parameters and as model instances took 4 s and 90 MiB (bench/registrations.py).
    pool = Member.objects.all() if by is None else Member.objects.visible_to(by, Perm.MANAGE_MEMBERS)
    allowed = dict(
        pool.filter(unit__path__startswith=registration.unit.path, status=Member.Status.ACTIVE).values_list(
            "pk", "unit_id"
        )
    )
    if not {r["member"] for r in rows} <= allowed.keys():
        raise ValidationError(_("Danh sách đoàn viên đã thay đổi từ khi xem trước; hãy tải tệp lên lại."))
    taken = set(
        MemberPledge.objects.filter(
            plan=registration.plan, member__unit__path__startswith=registration.unit.path
        ).values_list("member_id", "title_id")
    )
    too_long = [r for r in rows if len(r.get("commitment", "")) > 500]  # MemberPledge.commitment's max_length
    if too_long:  # the preview refuses these; a commitment is never cut short without a word
        raise ValidationError(
            _("Dòng %(rows)s: cam kết quá dài; không ghi gì.")
            % {"rows": ", ".join(str(r["row"]) for r in too_long[:20])}
        )
    clashes = [r for r in rows if (r["member"], r["title"]) in taken]
    if clashes:
        raise ValidationError(
            _("Dòng %(rows)s: đoàn viên đã đăng ký danh hiệu này từ trước; không ghi gì.")
            % {"rows": ", ".join(str(r["row"]) for r in clashes[:20])}
        )
    # Ids, not instances: 50,000 related-object assignments were a third of the write (bench).
    by_id = getattr(by, "pk", None)
    MemberPledge.objects.bulk_create(
        [
            MemberPledge(
                registration_id=registration.pk,
                plan_id=registration.plan_id,
                member_id=r["member"],
                title_id=r["title"],
                commitment=r.get("commitment", ""),
                created_by_id=by_id,
            )
            for r in rows
        ],
        batch_size=2000,
    )
    tallies.touch(allowed[r["member"]] for r in rows)
    return len(rows)
