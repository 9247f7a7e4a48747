"""Award decisions (Quyết định khen thưởng): drafting from the council's passing list, issuing
(number, prize money, gold-book numbers, the awards), revoking; and the reads their pages need.

Rules applied here and their sources (docs/RULES.md):

* A decision is numbered per issuer and year like every document (Decree 30/2020: numbering
  restarts each year), through the shared counter of ``campaigns.services``; so is the gold book
  (sổ vàng, ``AwardDecision.GOLD_BOOK``): one number per recipient, in the order of the annex.
* Prize money is computed on the base salary in force on the decision date and rounded **up** to
  the next 10,000 đồng; for several titles (danh hiệu) over the same achievement period only the
  highest is paid, while a title and a form (hình thức) are both paid (Decree 152/2025 art. 49).
  A title already paid for the same period by an earlier decision counts: the higher one now
  receives only the difference, a lower or equal one nothing, so the total is the highest's.
* The issuer's kind of unit must hold the power to award each kind on the decision date
  (``AwardingPower``; Law art. 80, Decree 129/2025 art. 59).
* A decision awards only candidates the issuer's council passed (``Candidate.Outcome.PASSED``) from
  dossiers taken at the issuer: no shortcut around the council's ballot.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.accounts.roles import Perm
from thidua.accounts.scope import scope_for
from thidua.campaigns.services import next_number, reserve_numbers
from thidua.core.text import clean_text, fold
from thidua.core.transitions import Transition, apply, record, state_token, status_label
from thidua.notifications.services import notify, officers_of
from thidua.ops.webhooks import Event, register
from thidua.recognition.models import (
    Award,
    AwardDecision,
    AwardingPower,
    AwardKind,
    BaseSalary,
    Candidate,
    CertificateLayout,
    CouncilSession,
    DecisionLine,
    Nomination,
    Subject,
    decision_desk,
)
from thidua.recognition.services import award_create, award_revoke
from thidua.units.models import Unit

PRIZE_STEP = 10_000
SETTLED = (Candidate.Outcome.AWARDED, Candidate.Outcome.FAILED, Candidate.Outcome.WITHDRAWN)
LIVE = (AwardDecision.Status.DRAFT, AwardDecision.Status.ISSUED)

# What an officer may change on a draft (the status, number, prize and gold book are the services').
DECISION_FIELDS = (
    "title",
    "issued_on",
    "place",
    "achievement",
    "period_start",
    "period_end",
    "legal_basis",
    "signer_capacity",
    "signer_position",
    "signer_name",
    "recipients",
    "campaign",
    "publish",
    "issuer_short_name",
)
TEXT_FIELDS = (
    "title",
    "place",
    "achievement",
    "signer_capacity",
    "signer_position",
    "signer_name",
    "issuer_short_name",
)

LINES = DecisionLine.objects.select_related("kind", "member", "unit", "award", "candidate", "candidate__nomination")


def _d(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _as_user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# --- reads -----------------------------------------------------------------------------------------


def desk_units(user: Any) -> list[Unit]:
    """The units whose emulation desk the user holds itself: where they draft and issue decisions."""
    ids = scope_for(user).unit_ids_with(Perm.MANAGE_EMULATION)
    return list(Unit.objects.filter(pk__in=ids, dissolved_on__isnull=True).order_by("path"))


def decisions_for(user: Any, query: str = "", status: str = "", year: int | None = None) -> QuerySet[AwardDecision]:
    """Decisions of the user's units and those below, each with its number of lines and prize total."""
    qs = (
        AwardDecision.objects.visible_to(user)
        .select_related("issuer")
        .annotate(line_count=Count("lines"), prize_total=Sum("lines__prize"))
    )
    if status in AwardDecision.Status.values:
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(year=year)
    for word in fold(query).split():
        # Recipients through a subquery: a join on the lines would multiply the counts above.
        recipients = DecisionLine.objects.filter(
            Q(member__search_name__contains=word) | Q(member__isnull=True, unit__search_text__contains=word)
        ).values("decision_id")
        condition = Q(issuer__search_text__contains=word) | Q(pk__in=recipients)
        if word.isdigit() and len(word) < 9:
            condition |= Q(number=int(word))
        qs = qs.filter(condition)
    return qs


def decision_lines(decision: AwardDecision) -> list[DecisionLine]:
    """The annex of a decision in its order (one query, whatever the number of lines)."""
    return list(LINES.filter(decision=decision).order_by("order", "pk"))


def closed_sessions(user: Any) -> QuerySet[CouncilSession]:
    """Closed sessions of the councils of the units whose desk the user holds."""
    units = [u.pk for u in desk_units(user)]
    return (
        CouncilSession.objects.filter(status=CouncilSession.Status.CLOSED, council__unit_id__in=units)
        .select_related("council", "council__unit")
        .order_by("-held_on", "-pk")
    )


def _in_live_decision() -> QuerySet[DecisionLine]:
    return DecisionLine.objects.filter(decision__status__in=LIVE, candidate__isnull=False)


def available_candidates(*issuers: Unit) -> QuerySet[Candidate]:
    """Candidates the issuers' councils passed, in dossiers taken at them, in no live decision."""
    return (
        Candidate.objects.filter(
            outcome=Candidate.Outcome.PASSED,
            nomination__holder__in=[u.pk for u in issuers],
            nomination__status=Nomination.Status.TAKEN,
        )
        .exclude(pk__in=_in_live_decision().values("candidate_id"))
        .select_related("kind", "member", "member__unit", "unit", "nomination")
        .order_by("nomination_id", "position", "pk")
    )


def session_candidates(session: CouncilSession) -> list[Candidate]:
    """The candidates a closed session passed (in ballot order)."""
    items = session.items.filter(result="passed", candidate__outcome=Candidate.Outcome.PASSED)
    return [
        item.candidate
        for item in items.select_related(
            "candidate__kind",
            "candidate__member",
            "candidate__member__unit",
            "candidate__unit",
            "candidate__nomination",
        ).order_by("position", "pk")
    ]


def base_salary_on(day: dt.date) -> BaseSalary | None:
    """The base salary in force on ``day`` (the latest one starting on or before it)."""
    return BaseSalary.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def prize_for(base: int, multiplier: Decimal | None) -> int:
    """Base salary × multiplier, rounded up to the next 10,000 đồng (Decree 152/2025 art. 49)."""
    if not multiplier or base <= 0:
        return 0
    amount = Decimal(base) * Decimal(multiplier)
    return math.ceil(amount / PRIZE_STEP) * PRIZE_STEP


def may_act(user: Any, decision: AwardDecision) -> bool:
    """The issuer's own emulation desk (or an administrator of it) drafts, issues and revokes."""
    return decision_desk(user, decision)


# --- checks ----------------------------------------------------------------------------------------


def _require_desk(by: Any, issuer: Unit) -> None:
    if by is not None and not decision_desk(by, AwardDecision(issuer=issuer)):
        raise PermissionDenied(
            _("Chỉ bộ phận thi đua – khen thưởng của %(unit)s lập quyết định này.") % {"unit": issuer.name}
        )


def _require_draft(decision: AwardDecision) -> None:
    if decision.status != AwardDecision.Status.DRAFT:
        raise ValidationError(_("Quyết định đã ban hành hoặc đã thu hồi; không sửa được nữa."))


def _check_powers(issuer: Unit, lines: Sequence[Any], day: dt.date) -> None:
    """Refuse, naming them, the lines whose kind the issuer's kind of unit may not award on ``day``."""
    kinds = {line.kind_id for line in lines}
    powers = AwardingPower.objects.filter(award_kind_id__in=kinds, unit_kind_id=issuer.kind_id)
    allowed = {p.award_kind_id for p in powers if p.in_force(day)}
    refused = [line for line in lines if line.kind_id not in allowed]
    if refused:
        names = "; ".join(f"{line.kind.name} ({line.recipient_name})" for line in refused)
        raise ValidationError(
            _("%(unit)s không có thẩm quyền tặng vào ngày %(date)s: %(names)s.")
            % {"unit": issuer.name, "date": _d(day), "names": names}
        )


def _check_candidates(issuer: Unit, candidates: Sequence[Candidate], period_end: dt.date, *, exclude: int = 0) -> None:
    """Every candidate passed the council, in a dossier taken at the issuer, for this period, and
    is in no other live decision; refuse naming each one that is not."""
    problems: list[str] = []
    in_decisions = dict(
        _in_live_decision()
        .filter(candidate__in=[c.pk for c in candidates])
        .exclude(decision_id=exclude)
        .values_list("candidate_id", "decision_id")
    )
    for c in candidates:
        who = f"{c.recipient_name} – {c.kind.name}"
        if c.outcome != Candidate.Outcome.PASSED:
            problems.append(
                _("%(who)s: chưa được hội đồng thông qua (%(outcome)s)")
                % {"who": who, "outcome": c.get_outcome_display()}
            )
        elif c.nomination.holder_id != issuer.pk or c.nomination.status != Nomination.Status.TAKEN:
            problems.append(_("%(who)s: hồ sơ không do %(unit)s xét quyết định") % {"who": who, "unit": issuer.name})
        elif c.nomination.period_end != period_end:
            problems.append(
                _("%(who)s: thành tích đến ngày %(theirs)s, khác kỳ của quyết định (%(ours)s)")
                % {"who": who, "theirs": _d(c.nomination.period_end), "ours": _d(period_end)}
            )
        elif c.pk in in_decisions:
            problems.append(_("%(who)s: đã có trong một quyết định khác") % {"who": who})
    if problems:
        raise ValidationError(problems)


def _validate(decision: AwardDecision) -> None:
    errors: dict[str, str] = {}
    for name in ("title", "place", "achievement", "signer_name", "signer_position"):
        if not getattr(decision, name):
            errors[name] = str(_("Trường này không được để trống."))
    for name in TEXT_FIELDS:
        limit = getattr(AwardDecision._meta.get_field(name), "max_length", None)
        if limit and len(getattr(decision, name) or "") > limit:
            errors[name] = _("Tối đa %(limit)s ký tự.") % {"limit": limit}
    if decision.period_start and decision.period_end and decision.period_start > decision.period_end:
        errors["period_end"] = _("Ngày kết thúc thành tích phải sau ngày bắt đầu.")
    if errors:
        raise ValidationError(errors)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for name in TEXT_FIELDS:
        if name in out:
            out[name] = clean_text(out[name])
    for name in ("legal_basis", "recipients"):
        if name in out:
            out[name] = "\n".join(line for line in (clean_text(x) for x in (out[name] or "").splitlines()) if line)
    return out


# --- lines -----------------------------------------------------------------------------------------


def _line_for(decision: AwardDecision, candidate: Candidate) -> DecisionLine:
    member = candidate.member
    unit = member.unit if member is not None else candidate.unit
    return DecisionLine(
        decision=decision,
        candidate=candidate,
        kind=candidate.kind,
        member=member,
        unit=unit,
        position=member.position if member is not None else "",
        unit_name=unit.name,
        achievement=decision.achievement,
    )


def _line_key(line: DecisionLine) -> tuple[int, str, int]:
    """One award kind once per recipient in a decision (the lines' unique constraints)."""
    return (line.kind_id, "m", line.member_id) if line.member_id else (line.kind_id, "u", line.unit_id)


def _order_key(line: DecisionLine) -> tuple[int, int, str]:
    return (0 if line.member_id else 1, -line.kind.rank, fold(line.recipient_name))


def _renumber(decision: AwardDecision) -> None:
    """Individuals first, then collectives; within each, the higher award first, then by name."""
    lines = sorted(LINES.filter(decision=decision), key=_order_key)
    for order, line in enumerate(lines, start=1):
        line.order = order
    DecisionLine.objects.bulk_update(lines, ["order"])


def _add_lines(decision: AwardDecision, candidates: Sequence[Candidate]) -> None:
    _check_candidates(decision.issuer, candidates, decision.period_end, exclude=decision.pk)
    lines = [_line_for(decision, c) for c in candidates]
    _check_powers(decision.issuer, lines, decision.issued_on)
    taken = {_line_key(line) for line in DecisionLine.objects.filter(decision=decision)}
    for line in lines:
        key = _line_key(line)
        if key in taken:
            raise ValidationError(
                _("%(who)s đã có trong quyết định với “%(award)s”.")
                % {"who": line.recipient_name, "award": line.kind.name}
            )
        taken.add(key)
    DecisionLine.objects.bulk_create(lines)


# --- writes ----------------------------------------------------------------------------------------


@transaction.atomic
def decision_draft(
    issuer: Unit,
    *,
    session: CouncilSession | None = None,
    candidates: Iterable[Candidate] | None = None,
    title: str,
    issued_on: dt.date,
    place: str,
    achievement: str,
    period_start: dt.date,
    period_end: dt.date,
    legal_basis: str = "",
    signer_capacity: str = "TM. BAN THƯỜNG VỤ",
    signer_position: str = "CHỦ TỊCH",
    signer_name: str,
    recipients: str = "",
    campaign: Any = None,
    publish: bool = False,
    issuer_short_name: str = "",
    by: Any,
) -> AwardDecision:
    """A draft decision of ``issuer`` awarding what ``session`` (closed, of a council of the issuer)
    passed and/or the given ``candidates`` (passed, in dossiers taken at the issuer)."""
    _require_desk(by, issuer)
    chosen: list[Candidate] = []
    if session is not None:
        if session.council.unit_id != issuer.pk:
            raise ValidationError({"session": _("Phiên họp không phải của hội đồng thi đua – khen thưởng của đơn vị.")})
        if session.status != CouncilSession.Status.CLOSED:
            raise ValidationError({"session": _("Phiên họp chưa kiểm phiếu; chỉ lập quyết định sau khi đóng phiên.")})
        chosen += session_candidates(session)
    if candidates is not None:
        ids = {c.pk for c in chosen}
        more = Candidate.objects.filter(pk__in=[c.pk for c in candidates]).select_related(
            "kind", "member", "member__unit", "unit", "nomination"
        )
        chosen += [c for c in more if c.pk not in ids]
    if not chosen:
        raise ValidationError(_("Không có người, tập thể nào được hội đồng thông qua để khen thưởng."))
    fields = _clean(
        {
            "title": title,
            "issued_on": issued_on,
            "place": place,
            "achievement": achievement,
            "period_start": period_start,
            "period_end": period_end,
            "legal_basis": legal_basis,
            "signer_capacity": signer_capacity,
            "signer_position": signer_position,
            "signer_name": signer_name,
            "recipients": recipients,
            "campaign": campaign,
            "publish": publish,
            "issuer_short_name": issuer_short_name,
        }
    )
    decision = AwardDecision(issuer=issuer, session=session, year=issued_on.year, created_by=_as_user(by), **fields)
    _validate(decision)
    decision._history_user = _as_user(by)  # type: ignore[attr-defined]
    decision.save()
    _add_lines(decision, chosen)
    _renumber(decision)
    record(decision, "draft", by=_as_user(by), reason=_("Lập dự thảo với %(n)s người, tập thể") % {"n": len(chosen)})
    return decision


@transaction.atomic
def decision_update(*, decision: AwardDecision, by: Any, **fields: Any) -> AwardDecision:
    """Change a draft's text; lines that carried the old achievement take the new one."""
    unknown = set(fields) - set(DECISION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    decision = AwardDecision.objects.select_for_update().select_related("issuer").get(pk=decision.pk)
    _require_desk(by, decision.issuer)
    _require_draft(decision)
    old_achievement = decision.achievement
    for name, value in _clean(fields).items():
        setattr(decision, name, value)
    decision.year = decision.issued_on.year
    _validate(decision)
    lines = list(LINES.filter(decision=decision))
    if lines:
        _check_powers(decision.issuer, lines, decision.issued_on)
        ends = {line.candidate.nomination.period_end for line in lines if line.candidate is not None}
        if ends and ends != {decision.period_end}:
            raise ValidationError(
                {
                    "period_end": _(
                        "Kỳ thành tích phải trùng kỳ trong hồ sơ đề nghị của những người, tập thể trong quyết định."
                    )
                }
            )
    decision._history_user = _as_user(by)  # type: ignore[attr-defined]
    decision.save()
    if decision.achievement != old_achievement:
        DecisionLine.objects.filter(decision=decision, achievement=old_achievement).update(
            achievement=decision.achievement
        )
    return decision


@transaction.atomic
def line_add(*, decision: AwardDecision, candidates: Iterable[Candidate], by: Any) -> AwardDecision:
    """Add passed candidates (taken at the issuer, in no live decision) to a draft."""
    decision = AwardDecision.objects.select_for_update().select_related("issuer").get(pk=decision.pk)
    _require_desk(by, decision.issuer)
    _require_draft(decision)
    chosen = list(
        Candidate.objects.filter(pk__in=[c.pk for c in candidates]).select_related(
            "kind", "member", "member__unit", "unit", "nomination"
        )
    )
    if not chosen:
        raise ValidationError(_("Hãy chọn người, tập thể cần thêm."))
    _add_lines(decision, chosen)
    _renumber(decision)
    names = ", ".join(c.recipient_name for c in chosen)
    record(decision, "line_add", by=_as_user(by), reason=(_("Thêm: %(names)s") % {"names": names})[:500])
    return decision


@transaction.atomic
def line_remove(*, line: DecisionLine, by: Any) -> AwardDecision:
    """Take a line out of a draft (the candidate stays passed and may go in another decision)."""
    decision = AwardDecision.objects.select_for_update().select_related("issuer").get(pk=line.decision_id)
    _require_desk(by, decision.issuer)
    _require_draft(decision)
    line = LINES.get(pk=line.pk)
    if DecisionLine.objects.filter(decision=decision).count() <= 1:
        raise ValidationError(_("Quyết định cần ít nhất một người, tập thể được khen thưởng."))
    line.delete()
    _renumber(decision)
    record(
        decision,
        "line_remove",
        by=_as_user(by),
        reason=_("Bỏ: %(who)s – %(award)s") % {"who": line.recipient_name, "award": line.kind.name},
    )
    return decision


def _recipient(line: DecisionLine) -> tuple[str, int]:
    return ("m", line.member_id) if line.member_id else ("u", line.unit_id)


def _prizes(decision: AwardDecision, lines: Sequence[DecisionLine], base: int) -> None:
    """Set each line's prize and note (see the module docstring: one paid title per recipient and
    period, counting titles already paid by earlier decisions; forms always paid)."""
    for line in lines:
        line.prize = prize_for(base, line.kind.salary_multiplier)
        line.prize_note = "" if line.kind.salary_multiplier else _("Danh mục chưa có mức tiền thưởng")
    titles: dict[tuple[str, int], list[DecisionLine]] = defaultdict(list)
    for line in lines:
        if line.kind.category == AwardKind.Category.TITLE:
            titles[_recipient(line)].append(line)
    if not titles:
        return
    members = [key[1] for key in titles if key[0] == "m"]
    units = [key[1] for key in titles if key[0] == "u"]
    earlier = (
        DecisionLine.objects.filter(
            Q(member_id__in=members) | Q(member__isnull=True, unit_id__in=units),
            decision__status=AwardDecision.Status.ISSUED,
            award__revoked_at__isnull=True,
            award__period_end=decision.period_end,
            kind__category=AwardKind.Category.TITLE,
            prize__gt=0,
        )
        .exclude(decision=decision)
        .select_related("kind", "decision", "decision__issuer")
    )
    # Per recipient: the highest title already paid for this period, and all it was paid so far
    # (several earlier decisions may each have paid a difference).
    paid: dict[tuple[str, int], DecisionLine] = {}
    paid_total: dict[tuple[str, int], int] = defaultdict(int)
    for line in earlier:
        key = _recipient(line)
        paid_total[key] += line.prize
        if key not in paid or (line.kind.rank, line.prize) > (paid[key].kind.rank, paid[key].prize):
            paid[key] = line
    for key, group in titles.items():
        best = max(group, key=lambda x: (x.kind.rank, x.prize))
        for line in group:
            if line is not best and line.prize:
                line.prize = 0
                line.prize_note = _("Chỉ nhận tiền thưởng danh hiệu cao nhất cùng kỳ: “%(award)s”") % {
                    "award": best.kind.name
                }
        before = paid.get(key)
        if before is None or not best.prize:
            continue
        ref = before.decision.document_number
        owed = best.prize - paid_total[key]
        if before.kind.rank >= best.kind.rank or owed <= 0:
            best.prize = 0
            best.prize_note = _("Đã nhận tiền thưởng danh hiệu “%(award)s” cùng kỳ (Quyết định %(ref)s)") % {
                "award": before.kind.name,
                "ref": ref,
            }
        else:
            # Only the highest title is paid: what was paid for lower titles of the period is deducted.
            best.prize = owed
            best.prize_note = _("Đã trừ %(amount)s đồng tiền thưởng danh hiệu “%(award)s” (Quyết định %(ref)s)") % {
                "amount": _money(paid_total[key]),
                "award": before.kind.name,
                "ref": ref,
            }


def _nomination_url(nomination_id: int) -> str:
    try:
        return reverse("recognition:nomination", args=[nomination_id])
    except NoReverseMatch:  # the dossier pages are another part of issue 12
        return reverse("recognition:awards")


def _notify_proposers(decision: AwardDecision, lines: Sequence[DecisionLine], message: str) -> None:
    by_nomination: dict[int, int] = defaultdict(int)
    proposer_of: dict[int, int] = {}
    for line in lines:
        if line.candidate is not None:
            by_nomination[line.candidate.nomination_id] += 1
    if not by_nomination:
        return
    for pk, proposer_id in Nomination.objects.filter(pk__in=list(by_nomination)).values_list("pk", "proposer_id"):
        proposer_of[pk] = proposer_id
    officers = officers_of(Unit.objects.filter(pk__in=set(proposer_of.values())))
    notify(
        (
            (person, message % {"number": decision.document_number, "count": count}, _nomination_url(pk))
            for pk, count in by_nomination.items()
            for person in officers.get(proposer_of.get(pk, 0), [])
        ),
        subject=_("Quyết định khen thưởng %(number)s") % {"number": decision.document_number},
    )


@transaction.atomic
def decision_issue(
    *, decision: AwardDecision, by: Any, seen: str | None = None, issued_on: dt.date | None = None
) -> AwardDecision:
    """Issue a draft: one transaction that moves it to ISSUED first (of two officers issuing at once,
    one wins and the other is told), then numbers it, computes the prizes on the base salary in
    force on the decision date, gives each recipient a gold-book number, creates the awards, marks
    the candidates awarded and the settled dossiers decided, and tells the proposing units.
    ``issued_on`` defaults to today."""
    # Locked first: no line is added or removed, and no other issue runs, until this one commits.
    decision = AwardDecision.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=decision.pk)
    _refuse_stale(decision, AwardDecision.ISSUE, seen)
    today = timezone.localdate()
    day = issued_on or today
    if day > today:
        raise ValidationError({"issued_on": _("Ngày ban hành không được sau hôm nay.")})
    if day < decision.period_start:
        raise ValidationError({"issued_on": _("Ngày ban hành không được trước kỳ thành tích.")})
    lines = decision_lines(decision)
    if not lines:
        raise ValidationError(_("Quyết định chưa có người, tập thể nào được khen thưởng."))
    # The dossiers may have moved since the draft (a dossier rejected, a candidate withdrawn).
    _check_candidates(
        decision.issuer,
        [line.candidate for line in lines if line.candidate is not None],
        decision.period_end,
        exclude=decision.pk,
    )
    _check_powers(decision.issuer, lines, day)
    salary = base_salary_on(day)
    if salary is None:
        raise ValidationError(
            _("Chưa có mức lương cơ sở áp dụng vào ngày %(date)s; quản trị hệ thống cần nhập trước.")
            % {"date": _d(day)}
        )
    _refuse_awarded_twice(decision, lines)
    decision = apply(
        decision,
        AwardDecision.ISSUE,
        by=by,
        seen=seen,
        changes={"issued_on": day, "year": day.year, "base_salary": salary.amount},
    )
    issuer = decision.issuer

    def used(number: int) -> bool:
        return AwardDecision.objects.filter(issuer=issuer, year=day.year, number=number).exists()

    decision.number = next_number(issuer=issuer, doc_type=AwardDecision.DOC_TYPE, year=day.year, taken=used)
    decision._history_user = _as_user(by)  # type: ignore[attr-defined]
    decision.save(update_fields=["number"])
    _prizes(decision, lines, salary.amount)
    gold = reserve_numbers(issuer=issuer, doc_type=AwardDecision.GOLD_BOOK, year=day.year, count=len(lines))
    for line, number in zip(lines, gold, strict=True):
        line.gold_book = number
        line.award = award_create(
            kind=line.kind,
            member=line.member,
            unit=None if line.member_id else line.unit,
            period_start=decision.period_start,
            period_end=decision.period_end,
            decided_on=day,
            decision_ref=decision.document_number,
            awarded_by=issuer,
            campaign=decision.campaign,
            initiative_refs=line.candidate.initiative_refs if line.candidate is not None else (),
            decision=decision,
            by=by,
        )
    DecisionLine.objects.bulk_update(lines, ["prize", "prize_note", "gold_book", "award"])
    candidate_ids = [line.candidate_id for line in lines if line.candidate_id]
    Candidate.objects.filter(pk__in=candidate_ids).update(outcome=Candidate.Outcome.AWARDED)
    settled = (
        Nomination.objects.filter(pk__in=Candidate.objects.filter(pk__in=candidate_ids).values("nomination_id"))
        .filter(status=Nomination.Status.TAKEN)
        .annotate(open=Count("candidates", filter=~Q(candidates__outcome__in=SETTLED)))
        .filter(open=0)
    )
    for nomination in settled:
        apply(nomination, Nomination.DECIDE, by=None, reason=decision.document_number)
    _notify_proposers(
        decision,
        lines,
        _("Quyết định %(number)s khen thưởng %(count)s người, tập thể trong hồ sơ đề nghị của đơn vị."),
    )
    return decision


def _refuse_stale(decision: AwardDecision, transition: Transition, seen: str | None) -> None:
    """Before the checks that read the lines: a page that is out of date is told so first (``apply``
    asks again, atomically, so of two people acting at once one still loses there)."""
    if not transition.allowed_from(decision.status) or (seen and seen != state_token(decision)):
        raise ValidationError(str(transition.stale_message) % {"status": status_label(AwardDecision, decision.status)})


def _refuse_awarded_twice(decision: AwardDecision, lines: Sequence[DecisionLine]) -> None:
    """One query: a standing award of the same kind, recipient and period already exists."""
    condition = Q(pk__in=[])
    for line in lines:
        if line.member_id:
            condition |= Q(kind_id=line.kind_id, member_id=line.member_id)
        else:
            condition |= Q(kind_id=line.kind_id, member__isnull=True, unit_id=line.unit_id)
    found = (
        Award.objects.standing()
        .filter(condition, period_end=decision.period_end)
        .select_related("kind", "member", "unit")
    )
    names = [f"{a.recipient_name} – {a.kind.name} ({a.decision_ref})" for a in found]
    if names:
        raise ValidationError(
            _("Đã được tặng cùng kỳ thành tích: %(names)s. Hãy bỏ khỏi quyết định.") % {"names": "; ".join(names)}
        )


@transaction.atomic
def decision_revoke(*, decision: AwardDecision, reason: str, by: Any, seen: str | None = None) -> AwardDecision:
    """Revoke an issued decision with a reason; each of its awards is revoked too (they stay in the
    history, marked, and stop counting for streaks and prerequisites)."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do thu hồi.")})
    decision = AwardDecision.objects.select_related("issuer").get(pk=decision.pk)
    decision = apply(decision, AwardDecision.REVOKE, by=by, reason=reason, seen=seen, changes={"revoke_reason": reason})
    why = _("Thu hồi theo việc thu hồi Quyết định %(number)s: %(reason)s") % {
        "number": decision.document_number,
        "reason": reason,
    }
    for award in Award.objects.filter(decision=decision, revoked_at__isnull=True):
        award_revoke(award=award, reason=why, by=_as_user(by))
    _notify_proposers(
        decision,
        decision_lines(decision),
        _("Quyết định %(number)s (%(count)s người, tập thể của đơn vị) đã bị thu hồi."),
    )
    return decision


# --- certificate layouts (printing on pre-printed blanks) ------------------------------------------


def layout_kinds(user: Any) -> QuerySet[AwardKind]:
    """The award kinds whose blank layout the user may adjust: every kind for a system
    administrator; for an emulation desk, the kinds its kind of unit may award (those it prints)."""
    kinds = (
        AwardKind.objects.filter(active=True).select_related("layout").order_by("system", "category", "-rank", "name")
    )
    if scope_for(user).is_global:
        return kinds
    unit_kinds = {u.kind_id for u in desk_units(user)}
    return kinds.filter(powers__unit_kind_id__in=unit_kinds).distinct()


def may_edit_layout(user: Any, kind: AwardKind) -> bool:
    return layout_kinds(user).filter(pk=kind.pk).exists()


@transaction.atomic
def layout_save(*, kind: AwardKind, positions: dict[str, Any], by: Any) -> CertificateLayout:
    """Save the positions of a kind's blank (checked by ``certificates.validate_positions`` first);
    every change is kept in the layout's history."""
    if by is not None and not may_edit_layout(by, kind):
        raise PermissionDenied(_("Bạn không có quyền chỉnh bố cục in của “%(award)s”.") % {"award": kind.name})
    layout = CertificateLayout.objects.select_for_update().filter(kind=kind).first() or CertificateLayout(kind=kind)
    layout.positions = positions
    layout._history_user = _as_user(by)  # type: ignore[attr-defined]
    layout.save()
    return layout


# --- webhooks ---------------------------------------------------------------------------------------


def decision_webhook_summary(decision: Any) -> dict[str, Any]:
    """Counts and recipients of a decision for a webhook: names, positions, units and awards only
    (no phone, identity number or birth date; the member register keeps those)."""
    lines = decision_lines(decision)
    individuals = sum(1 for line in lines if line.member_id)
    return {
        "counts": {
            "total": len(lines),
            "individuals": individuals,
            "collectives": len(lines) - individuals,
            "prize_total": sum(line.prize for line in lines),
        },
        "recipients": [
            {
                "subject": Subject.INDIVIDUAL if line.member_id else Subject.COLLECTIVE,
                "name": line.recipient_name,
                "position": line.position,
                "unit_name": line.unit_name,
                "award_kind": line.kind.code,
                "award_name": line.kind.name,
                "gold_book": line.gold_book,
                "prize": line.prize,
            }
            for line in lines
        ],
    }


DECISION_WEBHOOK_FIELDS = {
    "document_number": "document_number",
    "number": "number",
    "year": "year",
    "title": "title",
    "status": "status",
    "issued_on": "issued_on",
    "issuer_id": "issuer_id",
    "issuer_name": "issuer.name",
    "period_start": "period_start",
    "period_end": "period_end",
    "revoke_reason": "revoke_reason",
}


def _decision_event(name: str, action: str, label: Any) -> Event:
    return Event(
        name,
        "recognition.AwardDecision",
        action,
        label,
        "decision",
        ("issuer",),
        DECISION_WEBHOOK_FIELDS,
        "recognition:decision",
        "/api/award-decisions/{id}",
        summary=decision_webhook_summary,
    )


register(_decision_event("decision.issued", "issue", gettext_lazy("Quyết định khen thưởng được ban hành")))
register(_decision_event("decision.revoked", "revoke", gettext_lazy("Quyết định khen thưởng bị thu hồi")))


__all__ = [
    "available_candidates",
    "base_salary_on",
    "closed_sessions",
    "decision_draft",
    "decision_issue",
    "decision_lines",
    "decision_revoke",
    "decision_update",
    "decisions_for",
    "desk_units",
    "layout_kinds",
    "layout_save",
    "line_add",
    "line_remove",
    "may_act",
    "may_edit_layout",
    "prize_for",
]
