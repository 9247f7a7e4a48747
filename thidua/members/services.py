"""Writes to members. Validation lives here so forms, imports and the API agree.

A member added, moved, leaving or gone marks their unit(s) for the kept subtree counts
(``thidua.units.tallies.touch``): active members, and the coverage of their pledges.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.members.models import Member
from thidua.units import tallies
from thidua.units.models import Unit

MIN_BIRTH_YEAR = 1930
MIN_WORKING_AGE = 15  # Labour Code 2019, art. 143: minors under 15 only in narrow cases
_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
_ID_NUMBER = re.compile(r"^\d{12}$")

MEMBER_FIELDS = (
    "full_name",
    "given_name",
    "gender",
    "birth_year",
    "position",
    "job",
    "joined_on",
    "status",
    "phone",
    "id_number",
    "date_of_birth",
)


def _validate(member: Member, by: Any = None) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not member.full_name:
        errors["full_name"] = _("Họ và tên không được để trống.")
    elif len(member.full_name.split(" ")) < 2:
        errors["full_name"] = _("Hãy nhập đầy đủ họ và tên (ít nhất hai chữ).")
    elif any(ch.isdigit() for ch in member.full_name):
        errors["full_name"] = _("Họ và tên không được chứa chữ số.")
    if member.birth_year is None:
        errors["birth_year"] = _("Hãy nhập năm sinh.")
    elif not (MIN_BIRTH_YEAR <= member.birth_year <= today.year - MIN_WORKING_AGE):
        errors["birth_year"] = _("Năm sinh %(year)s không hợp lệ: phải từ %(min)s đến %(max)s.") % {
            "year": member.birth_year,
            "min": MIN_BIRTH_YEAR,
            "max": today.year - MIN_WORKING_AGE,
        }
    if member.date_of_birth and member.birth_year and member.date_of_birth.year != member.birth_year:
        errors["date_of_birth"] = _("Ngày sinh không khớp với năm sinh.")
    if member.joined_on:
        if member.joined_on > today:
            errors["joined_on"] = _("Ngày vào công đoàn không được ở tương lai.")
        elif member.birth_year and member.joined_on.year < member.birth_year + MIN_WORKING_AGE:
            errors["joined_on"] = _("Ngày vào công đoàn quá sớm so với năm sinh.")
    if member.phone and not _PHONE.match(member.phone.replace(" ", "").replace(".", "")):
        errors["phone"] = _("Số điện thoại không hợp lệ (ví dụ 0912345678).")
    if member.id_number and not _ID_NUMBER.match(member.id_number):
        errors["id_number"] = _("Số CCCD gồm đúng 12 chữ số.")
    if member.gender not in Member.Gender.values:
        errors["gender"] = _("Giới tính không hợp lệ.")
    if member.status not in Member.Status.values:
        errors["status"] = _("Trạng thái không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    duplicate = Member.objects.filter(
        unit_id=member.unit_id, search_name=member.search_name, birth_year=member.birth_year
    ).exclude(pk=member.pk)
    if duplicate.exists():
        raise ValidationError(
            _("Đơn vị đã có đoàn viên “%(name)s” sinh năm %(year)s.")
            % {"name": member.full_name, "year": member.birth_year}
        )
    if member.id_number:
        # Only where the acting officer can see: a refusal must not reveal that a
        # citizen ID exists in another branch (commands and imports pass by=None).
        candidates = Member.objects.visible_to(by) if by is not None else Member.objects.all()
        same_id = candidates.filter(id_number=member.id_number).exclude(pk=member.pk)
        if same_id.exists():
            raise ValidationError({"id_number": _("Số CCCD này đã thuộc về một đoàn viên khác.")})


@transaction.atomic
def member_create(*, unit: Unit, by: Any = None, **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_create does not take {sorted(unknown)}")
    if not unit.is_active:
        raise ValidationError(_("Không thể thêm đoàn viên vào đơn vị đã giải thể."))
    member = Member(unit=unit, created_by=by, **fields)
    member.refresh_derived()
    _validate(member, by)
    member._history_user = by  # type: ignore[attr-defined]
    member.save()
    tallies.touch([member.unit_id])
    return member


@transaction.atomic
def member_update(*, member: Member, by: Any = None, **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_FIELDS) - {"unit"}
    if unknown:
        raise TypeError(f"member_update does not change {sorted(unknown)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = (member.unit_id, member.status)
    for key, value in fields.items():
        setattr(member, key, value)
    if "full_name" in fields and "given_name" not in fields:
        member.given_name = ""
    member.refresh_derived()
    _validate(member, by)
    member._history_user = by  # type: ignore[attr-defined]
    member.save()
    if (member.unit_id, member.status) != before:  # counted (and their pledges) elsewhere, or no longer
        tallies.touch([before[0], member.unit_id])
    return member


@transaction.atomic
def member_delete(*, member: Member, by: Any = None) -> None:
    member._history_user = by  # type: ignore[attr-defined]
    unit_id = Member.objects.filter(pk=member.pk).values_list("unit_id", flat=True).first()
    member.delete()
    tallies.touch([unit_id])
