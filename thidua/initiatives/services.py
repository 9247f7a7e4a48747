"""Writes of initiatives, initiative councils and effective models.

Rules:

* an initiative records its co-authors with their % contribution; every share is above 0 and
  they sum to exactly 100 (Decree 13/2012 and Circular 18/2013: each co-author's contribution);
  authors are members of the initiative's unit or a unit below it;
* the unit edits it while a draft and sends it to an initiative council; a council of the unit
  or of a unit above it (its secretary's desk: the council unit's emulation officers) records
  the session: members present, for, against. The session decides only with its quorum
  (default ≥ 2/3 of the members present) and the initiative is recognised only with approvals
  ≥ the pass threshold × **all** members (default 2/3); otherwise it is refused, with the reason.
  Quorum and threshold are data on the council, labelled "mặc định" until an administrator
  confirms them (RULES.md: a national agency's 2024 rule). Votes are counts recorded by the
  secretary; the secret e-ballot is the emulation council's (another part of issue 12);
* the scope of effect (unit / sector-province / national) is recognised later, separately,
  by a unit of that level above the initiative's unit (``Initiative.EFFECT_LEVEL``), and only
  widens;
* a model is submitted by its unit and approved or returned (with a reason) by the level
  directly above (``decides_above``); once approved it joins the library of that level and may
  be published on the public portal by it; other units under the library record adoptions.

Every change of state goes through ``thidua.core.transitions`` (conditional UPDATE + event row +
history); audited edits that keep the state through ``transitions.record``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.accounts.roles import Perm
from thidua.accounts.scope import allows
from thidua.campaigns.models import Plan
from thidua.core.text import clean_text, fold
from thidua.core.transitions import apply, record
from thidua.core.uploads import check_upload
from thidua.initiatives.models import (
    CouncilMember,
    EffectiveModel,
    Initiative,
    InitiativeAuthor,
    InitiativeCouncil,
    InitiativeEvent,
    InitiativeEvidence,
    InitiativeReview,
    ModelAdoption,
    ModelEvent,
    ModelEvidence,
    reviewer_of,
    unit_side,
)
from thidua.members.models import Member
from thidua.units.models import Unit

TITLE_MAX = 300
TEXT_MAX = 10_000
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
BENEFIT_MAX = 10**15  # a million billion đồng: anything larger is a typing error
HUNDRED = Decimal(100)


def _person(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _text(value: str | None, limit: int, field: str, missing: str = "") -> str:
    """Multi-line text stored NFC and trimmed; empty (when ``missing``) or too long is refused on ``field``."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if not text and missing:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: _("Nội dung quá dài (tối đa %(n)s ký tự).") % {"n": limit}})
    return text


def _title(value: str | None, field: str, missing: str) -> str:
    title = clean_text(value)
    if not title:
        raise ValidationError({field: missing})
    if len(title) > TITLE_MAX:
        raise ValidationError({field: _("Tên quá dài (tối đa %(n)s ký tự).") % {"n": TITLE_MAX}})
    return title


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


def _desk(by: Any, unit: Unit, field: str = "unit") -> None:
    """The person holds the emulation desk of ``unit`` (or a level above it); otherwise the id is
    refused without saying whether it exists."""
    if by is not None and not allows(by, unit, Perm.MANAGE_EMULATION):
        raise ValidationError({field: _("Bạn không phải cán bộ thi đua của đơn vị này.")})
    if not unit.is_active:
        raise ValidationError({field: _("Đơn vị đã giải thể.")})


def _policy(obj: Any, transition: Any, by: Any) -> None:
    """Refuse before validating input: an outsider learns nothing from the form's errors."""
    if by is not None and not transition.policy(by, obj):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def _benefit(value: Any) -> int:
    try:
        amount = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"benefit_vnd": _("Hiệu quả phải là số đồng (số nguyên).")}) from exc
    if amount < 0:
        raise ValidationError({"benefit_vnd": _("Hiệu quả không được âm.")})
    if amount > BENEFIT_MAX:
        raise ValidationError({"benefit_vnd": _("Hiệu quả quá lớn; hãy kiểm tra lại số đồng.")})
    return amount


def _plan(plan: Plan | int | str | None, by: Any) -> Plan | None:
    if plan in (None, ""):
        return None
    found = plan if isinstance(plan, Plan) else None
    if found is None:
        try:
            found = Plan.objects.filter(pk=int(plan)).first()  # type: ignore[arg-type]
        except (TypeError, ValueError):
            found = None
    if found is None or (by is not None and not allows(by, found, Perm.VIEW)):
        raise ValidationError({"plan": _("Kế hoạch không hợp lệ.")})
    return found


def _check_evidence(upload: Any) -> tuple[str, str]:
    try:
        return check_upload(upload, max_bytes=EVIDENCE_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc


# --- initiatives ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorShare:
    """One line of the authors' table as the person typed it."""

    member: Member | int | str | None
    share_percent: Decimal | str | int | float | None
    role: str = InitiativeAuthor.Role.CO


def _initiative_fields(
    *, title: str, field: str, description: str, first_applied_on: dt.date, benefit_vnd: Any, confidential_notes: str
) -> dict[str, Any]:
    if field not in Initiative.Field.values:
        raise ValidationError({"field": _("Lĩnh vực không hợp lệ.")})
    if first_applied_on > timezone.localdate():
        raise ValidationError({"first_applied_on": _("Ngày áp dụng lần đầu không được sau hôm nay.")})
    title = _title(title, "title", _("Hãy ghi tên sáng kiến."))
    return {
        "title": title,
        "field": field,
        "description": _text(description, TEXT_MAX, "description", _("Hãy mô tả nội dung sáng kiến.")),
        "first_applied_on": first_applied_on,
        "benefit_vnd": _benefit(benefit_vnd),
        "confidential_notes": _text(confidential_notes, TEXT_MAX, "confidential_notes"),
        "search_text": fold(title)[:400],
    }


def _authors(initiative: Initiative, authors: Sequence[AuthorShare]) -> list[InitiativeAuthor]:
    """The authors' table checked as a whole: members of the unit's subtree, each once, shares > 0
    summing to exactly 100 %."""
    if not authors:
        raise ValidationError({"authors": _("Hãy ghi ít nhất một tác giả.")})
    ids: list[int] = []
    shares: list[Decimal] = []
    for position, line in enumerate(authors, start=1):
        try:
            member_id = line.member.pk if isinstance(line.member, Member) else int(line.member or 0)
        except (TypeError, ValueError):
            member_id = 0
        if member_id <= 0:
            raise ValidationError({"authors": _("Dòng %(n)s: hãy chọn tác giả.") % {"n": position}})
        try:
            share = Decimal(str(line.share_percent).replace(",", ".").strip())
        except (InvalidOperation, ValueError):
            share = Decimal(-1)
        if not share.is_finite() or share <= 0 or share > HUNDRED or share != share.quantize(Decimal("0.01")):
            raise ValidationError(
                {
                    "authors": _(
                        "Dòng %(n)s: tỷ lệ đóng góp phải lớn hơn 0 và không quá 100, tối đa 2 chữ số thập phân."
                    )
                    % {"n": position}
                }
            )
        if line.role not in InitiativeAuthor.Role.values:
            raise ValidationError({"authors": _("Dòng %(n)s: vai trò không hợp lệ.") % {"n": position}})
        if member_id in ids:
            raise ValidationError({"authors": _("Dòng %(n)s: tác giả đã có ở dòng trên.") % {"n": position}})
        ids.append(member_id)
        shares.append(share)
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise ValidationError(
            {
                "authors": _("Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%% (hiện là %(total)s%%).")
                % {"total": f"{total.normalize():f}".replace(".", ",")}
            }
        )
    found = {
        m.pk: m
        for m in Member.objects.filter(
            pk__in=ids, unit__path__startswith=initiative.unit.path, status=Member.Status.ACTIVE
        )
    }
    if len(found) != len(ids):
        # Never name a member outside the unit: they may be outside the person's scope.
        raise ValidationError(
            {"authors": _("Tác giả phải là đoàn viên đang sinh hoạt của đơn vị áp dụng hoặc đơn vị trực thuộc.")}
        )
    return [
        InitiativeAuthor(initiative=initiative, member=found[i], share_percent=s, role=line.role)
        for i, s, line in zip(ids, shares, authors, strict=True)
    ]


@transaction.atomic
def initiative_create(
    *,
    unit: Unit | int | str | None,
    by: Any,
    title: str,
    field: str,
    description: str,
    first_applied_on: dt.date,
    benefit_vnd: Any = 0,
    confidential_notes: str = "",
    plan: Plan | int | str | None = None,
    authors: Sequence[AuthorShare] = (),
) -> Initiative:
    """A draft initiative of ``unit`` with its authors (shares summing to 100 %)."""
    owner = _unit(unit, "unit")
    _desk(by, owner)
    initiative = Initiative(
        unit=owner,
        plan=_plan(plan, by),
        created_by=_person(by),
        **_initiative_fields(
            title=title,
            field=field,
            description=description,
            first_applied_on=first_applied_on,
            benefit_vnd=benefit_vnd,
            confidential_notes=confidential_notes,
        ),
    )
    rows = _authors(initiative, authors)
    initiative._history_user = _person(by)  # type: ignore[attr-defined]
    initiative.save()
    InitiativeAuthor.objects.bulk_create(rows)
    InitiativeEvent.objects.create(initiative=initiative, to_status=initiative.status, action="create", by=_person(by))
    return initiative


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    by: Any,
    title: str,
    field: str,
    description: str,
    first_applied_on: dt.date,
    benefit_vnd: Any = 0,
    confidential_notes: str = "",
    plan: Plan | int | str | None = None,
    authors: Sequence[AuthorShare] = (),
) -> Initiative:
    """The draft's contents and authors, replaced as a whole; audited with the authors' table."""
    if by is not None and not unit_side(by, initiative):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    status = Initiative.objects.select_for_update().values_list("status", flat=True).get(pk=initiative.pk)
    if status != Initiative.Status.DRAFT:
        raise ValidationError(_("Chỉ sửa được sáng kiến đang soạn; hãy chuyển về đang soạn trước."))
    fields = _initiative_fields(
        title=title,
        field=field,
        description=description,
        first_applied_on=first_applied_on,
        benefit_vnd=benefit_vnd,
        confidential_notes=confidential_notes,
    )
    fields["plan"] = _plan(plan, by)
    rows = _authors(initiative, authors)
    initiative.authors.all().delete()
    InitiativeAuthor.objects.bulk_create(rows)
    listing = "; ".join(f"{r.member.full_name} {r.share_percent}%" for r in rows)
    record(
        initiative,
        "edit",
        by=by,
        reason=(_("Sửa nội dung sáng kiến. Tác giả: %(authors)s") % {"authors": listing})[:2000],
        changes={**fields, "updated_at": timezone.now()},
    )
    return initiative


def _check_complete(initiative: Initiative) -> None:
    shares = list(initiative.authors.values_list("share_percent", flat=True))
    if not shares or sum(shares, Decimal(0)) != HUNDRED:
        raise ValidationError(_("Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%; hãy sửa bảng tác giả."))


@transaction.atomic
def initiative_submit(*, initiative: Initiative, by: Any, seen: str | None = None) -> Initiative:
    """The unit sends the draft to its initiative council."""
    _policy(initiative, Initiative.SUBMIT, by)
    _check_complete(initiative)
    return apply(initiative, Initiative.SUBMIT, by=by, seen=seen)


@transaction.atomic
def initiative_redraft(*, initiative: Initiative, by: Any, reason: str = "", seen: str | None = None) -> Initiative:
    """Back to draft: withdrawn before the council meets, or refused and to be improved."""
    _policy(initiative, Initiative.REDRAFT, by)
    return apply(initiative, Initiative.REDRAFT, by=by, seen=seen, reason=_text(reason, 2000, "reason"))


@transaction.atomic
def evidence_add(*, initiative: Initiative, by: Any, upload: Any) -> InitiativeEvidence:
    """A file proving the initiative or its benefit, while it is a draft or before the council."""
    if by is not None and not unit_side(by, initiative):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if initiative.status not in (Initiative.Status.DRAFT, Initiative.Status.SUBMITTED):
        raise ValidationError({"evidence": _("Sáng kiến đã được hội đồng xét; không thêm minh chứng được.")})
    name, content_type = _check_evidence(upload)
    row = InitiativeEvidence(
        initiative=initiative, name=name, size=upload.size, content_type=content_type, created_by=_person(by)
    )
    row.file.save(name, upload, save=False)
    row.save()
    record(initiative, "evidence", by=by, reason=(_("Thêm minh chứng: %(name)s") % {"name": name})[:2000])
    return row


# --- councils -----------------------------------------------------------------------------------------


def _fraction(num: Any, den: Any, field: str) -> tuple[int, int]:
    try:
        n, d = int(num), int(den)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Tỷ lệ phải là phân số, ví dụ 2/3.")}) from exc
    if not (1 <= n <= d <= 100):
        raise ValidationError({field: _("Tỷ lệ phải là phân số từ 1/100 đến 1/1, ví dụ 2/3.")})
    return n, d


@transaction.atomic
def council_save(
    *,
    unit: Unit | int | str | None,
    by: Any,
    name: str,
    quorum: tuple[Any, Any] = InitiativeCouncil.DEFAULT_QUORUM,
    threshold: tuple[Any, Any] = InitiativeCouncil.DEFAULT_PASS,
    basis: str = "",
    council: InitiativeCouncil | None = None,
) -> InitiativeCouncil:
    """Create (or, given ``council``, change) a unit's initiative council and its rules."""
    if council is not None:
        owner = council.unit
        if by is not None and not council.can_manage(by):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    else:
        owner = _unit(unit, "unit")
        _desk(by, owner)
    name = _title(name, "name", _("Hãy đặt tên hội đồng."))
    quorum_num, quorum_den = _fraction(*quorum, "quorum")
    pass_num, pass_den = _fraction(*threshold, "threshold")
    values = {
        "name": name,
        "quorum_num": quorum_num,
        "quorum_den": quorum_den,
        "pass_num": pass_num,
        "pass_den": pass_den,
        "basis": clean_text(basis)[:300],
    }
    if council is None:
        council = InitiativeCouncil(unit=owner, **values)
        if not values["basis"]:
            council.basis = InitiativeCouncil._meta.get_field("basis").get_default()
    else:
        for key, value in values.items():
            setattr(council, key, value)
    council._history_user = _person(by)  # type: ignore[attr-defined]
    council.save()
    return council


@transaction.atomic
def council_member_add(
    *,
    council: InitiativeCouncil,
    by: Any,
    full_name: str,
    position: str = "",
    role: str = CouncilMember.Role.MEMBER,
    member: Member | int | None = None,
) -> CouncilMember:
    if by is not None and not council.can_manage(by):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if role not in CouncilMember.Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    linked = None
    if member not in (None, ""):
        linked = Member.objects.filter(
            pk=member.pk if isinstance(member, Member) else int(member),  # type: ignore[arg-type]
            unit__path__startswith=council.unit.path,
        ).first()
        if linked is None:
            raise ValidationError({"member": _("Đoàn viên phải thuộc đơn vị của hội đồng.")})
    name = clean_text(full_name) or (linked.full_name if linked else "")
    if not name:
        raise ValidationError({"full_name": _("Hãy ghi họ và tên thành viên.")})
    return CouncilMember.objects.create(
        council=council, full_name=name[:120], position=clean_text(position)[:120], role=role, member=linked
    )


@transaction.atomic
def council_member_remove(*, member: CouncilMember, by: Any) -> None:
    if by is not None and not member.council.can_manage(by):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    member.delete()


def quorum_met(present: int, total: int, num: int, den: int) -> bool:
    """At least num/den of all members present (integers only: 2/3 of 9 is exactly 6)."""
    return total > 0 and present * den >= num * total


def passes(approve: int, total: int, num: int, den: int) -> bool:
    """Approvals at least num/den of **all** members, present or not (absent members count against)."""
    return total > 0 and approve * den >= num * total


def _count(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Hãy ghi một số nguyên không âm.")}) from exc
    if number < 0 or number > 1000:
        raise ValidationError({field: _("Hãy ghi một số nguyên không âm.")})
    return number


@transaction.atomic
def review_record(
    *,
    initiative: Initiative,
    council: InitiativeCouncil | int | str | None,
    by: Any,
    held_on: dt.date,
    present: Any,
    approve: Any,
    reject: Any,
    minutes_number: str = "",
    note: str = "",
    seen: str | None = None,
) -> InitiativeReview:
    """The council's session for one initiative, as its secretary counted it; recognises or refuses.

    Nothing is recorded when the quorum is not met: such a session cannot decide.
    """
    chosen: InitiativeCouncil | None
    if isinstance(council, InitiativeCouncil):
        chosen = council
    else:
        try:
            chosen = InitiativeCouncil.objects.filter(pk=int(council or 0)).select_related("unit").first()
        except (TypeError, ValueError):
            chosen = None
    path = initiative.unit.path
    if (
        chosen is None
        or not chosen.active
        or not path.startswith(chosen.unit.path)
        or (by is not None and not chosen.can_manage(by))
    ):
        raise ValidationError({"council": _("Hãy chọn hội đồng sáng kiến của đơn vị hoặc cấp trên mà bạn phụ trách.")})
    if initiative.status != Initiative.Status.SUBMITTED:
        raise ValidationError(_("Chỉ xét sáng kiến đã gửi hội đồng."))
    total = chosen.members.count()
    if total == 0:
        raise ValidationError({"council": _("Hội đồng chưa có thành viên; hãy bổ sung danh sách thành viên.")})
    present_n = _count(present, "present")
    approve_n = _count(approve, "approve")
    reject_n = _count(reject, "reject")
    if present_n > total:
        raise ValidationError(
            {"present": _("Số có mặt không được lớn hơn số thành viên hội đồng (%(n)s).") % {"n": total}}
        )
    if approve_n + reject_n > present_n:
        raise ValidationError({"approve": _("Tổng số phiếu đồng ý và không đồng ý vượt số thành viên có mặt.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Ngày họp không được sau hôm nay.")})
    if held_on < initiative.first_applied_on:
        raise ValidationError({"held_on": _("Ngày họp không được trước ngày áp dụng lần đầu.")})
    if not quorum_met(present_n, total, chosen.quorum_num, chosen.quorum_den):
        raise ValidationError(
            {
                "present": _(
                    "Phiên họp chưa đủ số thành viên tối thiểu (%(num)s/%(den)s của %(total)s thành viên); "
                    "hội đồng không quyết định được."
                )
                % {"num": chosen.quorum_num, "den": chosen.quorum_den, "total": total}
            }
        )
    passed = passes(approve_n, total, chosen.pass_num, chosen.pass_den)
    note = _text(note, 2000, "note")
    review = InitiativeReview.objects.create(
        initiative=initiative,
        council=chosen,
        held_on=held_on,
        members_total=total,
        present=present_n,
        approve=approve_n,
        reject=reject_n,
        quorum_num=chosen.quorum_num,
        quorum_den=chosen.quorum_den,
        pass_num=chosen.pass_num,
        pass_den=chosen.pass_den,
        passed=passed,
        minutes_number=clean_text(minutes_number)[:60],
        note=note,
        recorded_by=_person(by),
    )
    summary = _(
        "%(council)s họp ngày %(day)s: có mặt %(present)s/%(total)s, đồng ý %(approve)s, không đồng ý %(reject)s."
    ) % {
        "council": chosen.name,
        "day": _fmt(held_on),
        "present": present_n,
        "total": total,
        "approve": approve_n,
        "reject": reject_n,
    }
    if passed:
        apply(initiative, Initiative.RECOGNISE, by=by, seen=seen, reason=summary, changes={"recognised_on": held_on})
    else:
        reason = _("Không đạt tỷ lệ đồng ý %(num)s/%(den)s tổng số thành viên hội đồng.") % {
            "num": chosen.pass_num,
            "den": chosen.pass_den,
        }
        if note:
            reason = f"{reason} {note}"
        apply(
            initiative,
            Initiative.REFUSE,
            by=by,
            seen=seen,
            reason=f"{summary} {reason}"[:2000],
            changes={"refusal_reason": reason},
        )
    return review


def effect_units(initiative: Initiative, scope: str) -> list[Unit]:
    """The units (the initiative's unit and those above it) whose level may recognise ``scope``."""
    path = initiative.unit.path
    above = [path[:end] for end in range(4, len(path) + 1, 4)]
    level = Initiative.EFFECT_LEVEL.get(scope)
    if level is None:
        return []
    return list(Unit.objects.filter(path__in=above, kind__level__lte=level).select_related("kind").order_by("-path"))


@transaction.atomic
def effect_recognise(
    *, initiative: Initiative, by: Any, scope: str, recognised_on: dt.date, note: str = ""
) -> Initiative:
    """The scope of effect, recognised after the unit-level recognition by a unit of that level
    (the nearest one the person holds the emulation desk of); it only widens."""
    if by is not None and not unit_side(by, initiative):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if initiative.status != Initiative.Status.RECOGNISED:
        raise ValidationError(_("Chỉ công nhận phạm vi ảnh hưởng của sáng kiến đã được công nhận."))
    if scope not in Initiative.Effect.values:
        raise ValidationError({"scope": _("Phạm vi ảnh hưởng không hợp lệ.")})
    if Initiative.EFFECT_RANK[scope] <= Initiative.EFFECT_RANK[initiative.effect_scope]:
        raise ValidationError({"scope": _("Sáng kiến đã được công nhận ở phạm vi này hoặc rộng hơn.")})
    deciding = next(
        (u for u in effect_units(initiative, scope) if by is None or allows(by, u, Perm.MANAGE_EMULATION)), None
    )
    if deciding is None:
        raise ValidationError(
            {"scope": _("Phạm vi này do đơn vị cấp tương ứng công nhận; bạn không phụ trách đơn vị đó.")}
        )
    if recognised_on > timezone.localdate() or (initiative.recognised_on and recognised_on < initiative.recognised_on):
        raise ValidationError({"recognised_on": _("Ngày công nhận phải từ ngày hội đồng công nhận đến hôm nay.")})
    label = Initiative.Effect(scope).label
    record(
        initiative,
        "effect",
        by=by,
        reason=(
            _("%(unit)s công nhận phạm vi ảnh hưởng: %(scope)s (ngày %(day)s). %(note)s")
            % {"unit": deciding.name, "scope": label, "day": _fmt(recognised_on), "note": _text(note, 1000, "note")}
        ).strip()[:2000],
        changes={"effect_scope": scope, "effect_on": recognised_on, "effect_unit": deciding},
    )
    return initiative


# --- effective models -------------------------------------------------------------------------------


def _model_fields(*, title: str, summary: str, results: str, started_on: dt.date | None) -> dict[str, Any]:
    title = _title(title, "title", _("Hãy ghi tên mô hình."))
    if started_on is not None and started_on > timezone.localdate():
        raise ValidationError({"started_on": _("Ngày bắt đầu không được sau hôm nay.")})
    return {
        "title": title,
        "summary": _text(summary, TEXT_MAX, "summary", _("Hãy mô tả nội dung, cách làm.")),
        "results": _text(results, TEXT_MAX, "results", _("Hãy ghi kết quả đạt được.")),
        "started_on": started_on,
        "search_text": fold(title)[:400],
    }


@transaction.atomic
def model_create(
    *,
    unit: Unit | int | str | None,
    by: Any,
    title: str,
    summary: str,
    results: str,
    started_on: dt.date | None = None,
    plan: Plan | int | str | None = None,
) -> EffectiveModel:
    owner = _unit(unit, "unit")
    _desk(by, owner)
    model = EffectiveModel(
        unit=owner,
        plan=_plan(plan, by),
        created_by=_person(by),
        **_model_fields(title=title, summary=summary, results=results, started_on=started_on),
    )
    model._history_user = _person(by)  # type: ignore[attr-defined]
    model.save()
    ModelEvent.objects.create(model=model, to_status=model.status, action="create", by=_person(by))
    return model


@transaction.atomic
def model_update(
    *,
    model: EffectiveModel,
    by: Any,
    title: str,
    summary: str,
    results: str,
    started_on: dt.date | None = None,
    plan: Plan | int | str | None = None,
) -> EffectiveModel:
    if by is not None and not unit_side(by, model):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    status = EffectiveModel.objects.select_for_update().values_list("status", flat=True).get(pk=model.pk)
    if status not in (EffectiveModel.Status.DRAFT, EffectiveModel.Status.RETURNED):
        raise ValidationError(_("Chỉ sửa được mô hình đang soạn hoặc bị trả lại."))
    fields = _model_fields(title=title, summary=summary, results=results, started_on=started_on)
    fields["plan"] = _plan(plan, by)
    record(model, "edit", by=by, reason=_("Sửa nội dung mô hình"), changes={**fields, "updated_at": timezone.now()})
    return model


@transaction.atomic
def model_evidence_add(*, model: EffectiveModel, by: Any, upload: Any) -> ModelEvidence:
    if by is not None and not unit_side(by, model):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if model.status == EffectiveModel.Status.APPROVED:
        raise ValidationError({"evidence": _("Mô hình đã được duyệt; không thêm minh chứng được.")})
    name, content_type = _check_evidence(upload)
    row = ModelEvidence(model=model, name=name, size=upload.size, content_type=content_type, created_by=_person(by))
    row.file.save(name, upload, save=False)
    row.save()
    record(model, "evidence", by=by, reason=(_("Thêm minh chứng: %(name)s") % {"name": name})[:2000])
    return row


@transaction.atomic
def model_submit(*, model: EffectiveModel, by: Any, seen: str | None = None) -> EffectiveModel:
    """The unit sends its model to the level directly above."""
    _policy(model, EffectiveModel.SUBMIT, by)
    return apply(model, EffectiveModel.SUBMIT, by=by, seen=seen, changes={"return_reason": ""})


@transaction.atomic
def model_approve(
    *, model: EffectiveModel, by: Any, publish: bool = False, seen: str | None = None, today: dt.date | None = None
) -> EffectiveModel:
    """The level directly above approves: the model joins its library (every unit under it reads
    it and may adopt it) and, when ``publish``, the public portal."""
    _policy(model, EffectiveModel.APPROVE, by)
    library = model.unit.parent or model.unit
    return apply(
        model,
        EffectiveModel.APPROVE,
        by=by,
        seen=seen,
        reason=_("Đăng công khai trên cổng thông tin") if publish else "",
        changes={"approved_on": today or timezone.localdate(), "library_unit": library, "published": bool(publish)},
    )


@transaction.atomic
def model_return(*, model: EffectiveModel, by: Any, reason: str, seen: str | None = None) -> EffectiveModel:
    _policy(model, EffectiveModel.RETURN, by)
    reason = _text(reason, 2000, "reason", _("Hãy ghi lý do để đơn vị biết cần bổ sung gì."))
    return apply(model, EffectiveModel.RETURN, by=by, seen=seen, reason=reason, changes={"return_reason": reason})


@transaction.atomic
def model_publish(*, model: EffectiveModel, by: Any, published: bool) -> EffectiveModel:
    """The approving level shows an approved model on the public portal, or takes it down."""
    if by is not None and not reviewer_of(by, model):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if model.status != EffectiveModel.Status.APPROVED:
        raise ValidationError(_("Chỉ mô hình đã duyệt mới được đăng công khai."))
    if model.published != bool(published):
        record(
            model,
            "publish" if published else "unpublish",
            by=by,
            reason=_("Đăng công khai trên cổng thông tin") if published else _("Gỡ khỏi cổng thông tin"),
            changes={"published": bool(published)},
        )
    return model


@transaction.atomic
def adoption_record(
    *,
    model: EffectiveModel,
    by: Any,
    unit: Unit | int | str | None,
    adopted_on: dt.date,
    results: str = "",
) -> ModelAdoption:
    """A unit takes up an approved model it reads in its library (nhân rộng mô hình)."""
    if by is not None and not allows(by, model, Perm.VIEW):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    adopting = _unit(unit, "unit")
    _desk(by, adopting)
    if model.status != EffectiveModel.Status.APPROVED:
        raise ValidationError(_("Chỉ nhân rộng mô hình đã được duyệt."))
    if adopting.path.startswith(model.unit.path):
        raise ValidationError({"unit": _("Đơn vị xây dựng mô hình (và đơn vị trực thuộc) không ghi nhân rộng.")})
    if adopted_on > timezone.localdate():
        raise ValidationError({"adopted_on": _("Ngày áp dụng không được sau hôm nay.")})
    if model.started_on and adopted_on < model.started_on:
        raise ValidationError({"adopted_on": _("Ngày áp dụng không được trước khi mô hình bắt đầu.")})
    if model.adoptions.filter(unit=adopting).exists():
        raise ValidationError({"unit": _("%(unit)s đã ghi nhận áp dụng mô hình này.") % {"unit": adopting.name}})
    adoption = ModelAdoption(
        model=model,
        unit=adopting,
        adopted_on=adopted_on,
        results=_text(results, TEXT_MAX, "results"),
        created_by=_person(by),
    )
    adoption._history_user = _person(by)  # type: ignore[attr-defined]
    adoption.save()
    return adoption


def authors_from(lines: Iterable[dict[str, Any]]) -> list[AuthorShare]:
    """The formset's cleaned lines as ``AuthorShare`` (blank lines dropped)."""
    return [
        AuthorShare(member=line.get("member"), share_percent=line.get("share_percent"), role=line.get("role") or "co")
        for line in lines
        if line and line.get("member")
    ]
