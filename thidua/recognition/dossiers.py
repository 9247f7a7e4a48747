"""Nomination dossiers (hồ sơ đề nghị khen thưởng): writes and reads.

A unit's emulation officers draw up a dossier (``nomination_create``), add the members and
collectives they propose (``candidate_add``: each checked against every rule of the rule set in
force by ``eligibility.check``, refused with every reason), attach the achievement report and the
minutes of their own review (``file_add``), and send it to the level above (``nomination_submit``).
The level holding it forwards it up (``nomination_forward``), returns it with a reason
(``nomination_return``), takes it to decide at its own level (``nomination_take``: its kind of
unit must hold the awarding power for every award in it) or rejects it (``nomination_reject``).

Every move goes through ``thidua.core.transitions.apply`` (conditional UPDATE from the state the
person saw, ``seen``), which writes the processing log (``NominationEvent``); changes of content
(candidates, files, an import) are recorded in the same log with ``transitions.record``. The desk
that receives the dossier is notified in the same transaction.

Who decides is data: ``AwardingPower`` by kind of unit with validity dates
(``thidua.recognition.catalogue``). The unit that would decide an award of a dossier is the
nearest unit above the proposer whose kind holds that power today (``deciders``): after
01/07/2025 a district federation no longer decides Giấy khen, the commune-level union does
(Decree 129/2025 art. 59; Confederation letter 4282/TLĐ-ToC).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from thidua.accounts.roles import Perm, Role
from thidua.accounts.scope import PATH_STEP, scope_for
from thidua.core.text import clean_text, fold
from thidua.core.transitions import Transition, apply, record, status_label
from thidua.core.uploads import check_upload
from thidua.members.models import Member
from thidua.monitoring.models import Period
from thidua.monitoring.selectors import ranking
from thidua.notifications.services import notify, officers_of
from thidua.recognition import eligibility
from thidua.recognition.eligibility import REFUSED, VOTE, Reason, Verdict
from thidua.recognition.models import (
    AwardDecision,
    AwardingPower,
    AwardKind,
    BallotItem,
    Candidate,
    CouncilSession,
    DecisionLine,
    Nomination,
    NominationFile,
    Subject,
    proposer_desk,
)
from thidua.units.models import Unit

MAX_FILE_BYTES = 10 * 1024 * 1024
TITLE_MAX = 300
TEXT_MAX = 10_000
ACHIEVEMENT_MAX = 2000
REASON_MAX = 2000
LIST_LIMIT = 50  # rows of each highlighted list on the board

NOMINATIONS = Nomination.objects.select_related("proposer", "holder", "campaign", "campaign__issuer")


def _person(by: Any) -> Any:
    return by if by is not None and getattr(by, "pk", None) else None


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def _refuse_unless(policy_ok: bool) -> None:
    if not policy_ok:
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def _require_proposer_desk(by: Any, nomination: Nomination) -> None:
    """``by=None`` is the system itself (demo loader, commands, imports already checked)."""
    if by is not None:
        _refuse_unless(proposer_desk(by, nomination))


def _lock_editable(nomination: Nomination) -> None:
    """Changed only while drawn up or returned; the row lock makes a submission wait for the change."""
    editable = [Nomination.Status.DRAFT, Nomination.Status.RETURNED]
    if not Nomination.objects.select_for_update().filter(pk=nomination.pk, status__in=editable).exists():
        raise ValidationError(_("Hồ sơ đã gửi cấp trên; không sửa được nữa."))


# --- who decides --------------------------------------------------------------------------------


def _above(unit: Unit) -> list[Unit]:
    """The units strictly above ``unit``, nearest first (one query on the path's prefixes)."""
    prefixes = [unit.path[:end] for end in range(PATH_STEP, len(unit.path), PATH_STEP)]
    if not prefixes:
        return []
    return sorted(Unit.objects.filter(path__in=prefixes), key=lambda u: -len(u.path))


def _powers(kinds: Iterable[AwardKind], day: dt.date) -> dict[int, set[int]]:
    """Award kind id -> ids of the unit kinds that may award it on ``day`` (one query)."""
    found: dict[int, set[int]] = defaultdict(set)
    for power in AwardingPower.objects.filter(award_kind__in=[k.pk for k in kinds]):
        if power.in_force(day):
            found[power.award_kind_id].add(power.unit_kind_id)
    return found


def deciders(proposer: Unit, kinds: Iterable[AwardKind], day: dt.date | None = None) -> dict[int, Unit | None]:
    """For each award kind (by id): the nearest unit above ``proposer`` whose kind holds the power
    to award it on ``day`` (today), or None when no level above may (two queries)."""
    kinds = list(kinds)
    powers = _powers(kinds, day or timezone.localdate())
    chain = _above(proposer)
    return {k.pk: next((u for u in chain if u.kind_id in powers.get(k.pk, set())), None) for k in kinds}


def _no_decider(nomination: Nomination, kind: AwardKind) -> Reason:
    text = _(
        "Không có cấp nào phía trên %(unit)s có thẩm quyền tặng “%(award)s” vào ngày %(date)s. Căn cứ: thẩm quyền "
        "khen thưởng theo loại đơn vị."
    ) % {"unit": nomination.proposer.name, "award": kind.name, "date": _d(timezone.localdate())}
    return Reason(rule_kind="power", text=text, source="", unconfirmed=False)


def check_batch(
    nomination: Nomination,
    kind: AwardKind,
    recipients: Sequence[Any],
    *,
    ranking: dict[Any, float] | None = None,
    decider: Unit | Literal[False] | None = False,
) -> dict[Any, Verdict]:
    """One bulk eligibility check of ``recipients`` for ``kind`` over the dossier's period."""
    if decider is False:
        decider = deciders(nomination.proposer, [kind])[kind.pk]
    verdicts = eligibility.check(
        recipients,
        kind,
        nomination.period_end,
        period_start=nomination.period_start,
        campaign=nomination.campaign,
        ranking=ranking,
        awarding_unit=decider,
    )
    if decider is None:
        reason = _no_decider(nomination, kind)
        for verdict in verdicts.values():
            verdict.refuse(reason)
    return verdicts


def _verdict_fields(verdict: Verdict) -> dict[str, Any]:
    notes = [str(n) for n in verdict.notes]
    if verdict.status != eligibility.ELIGIBLE:
        notes += verdict.messages  # a tie to vote on, or why it is refused
    return {
        "verdict": verdict.status,
        "notes": notes,
        "rule_set": verdict.rule_set,
        "initiative_refs": sorted({i.id for i in verdict.initiatives}),
        "checked_at": timezone.now(),
    }


def recipient_name(recipient: Any) -> str:
    return recipient.full_name if isinstance(recipient, Member) else recipient.name


def refusal(recipient: Any, kind: AwardKind, verdict: Verdict) -> list[str]:
    """The message of a refused candidate: who, for what, then every reason."""
    head = _("%(who)s không đủ điều kiện đề nghị “%(award)s”:") % {
        "who": recipient_name(recipient),
        "award": kind.name,
    }
    return [head, *verdict.messages]


# --- the dossier ---------------------------------------------------------------------------------


def _clean_fields(
    *,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    achievement: str,
    deadline: dt.date | None,
    campaign: Any,
    proposer: Unit,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = clean_text(title)
    if not title:
        errors["title"] = _("Hãy ghi trích yếu của hồ sơ.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Trích yếu dài quá %(n)s ký tự.") % {"n": TITLE_MAX}
    if period_start > period_end:
        errors["period_end"] = _("Ngày kết thúc thành tích phải từ ngày bắt đầu trở đi.")
    elif (period_end - period_start).days > 366 * 10:
        errors["period_end"] = _("Thời gian thành tích dài quá 10 năm.")
    achievement = (achievement or "").strip()
    if len(achievement) > TEXT_MAX:
        errors["achievement"] = _("Tóm tắt thành tích dài quá %(n)s ký tự.") % {"n": TEXT_MAX}
    if campaign is not None and not proposer.path.startswith(campaign.issuer.path):
        errors["campaign"] = _("Phong trào này không áp dụng cho đơn vị đề nghị.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "achievement": achievement,
        "deadline": deadline,
        "campaign": campaign,
    }


@transaction.atomic
def nomination_create(
    *,
    proposer: Unit,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    campaign: Any = None,
    achievement: str = "",
    deadline: dt.date | None = None,
    by: Any,
) -> Nomination:
    """A new dossier of ``proposer``, on its own desk (the holder) until it is sent up."""
    if by is not None:
        scope = scope_for(by)
        _refuse_unless(
            scope.granted_at(proposer.path, Perm.MANAGE_EMULATION) or Role.ADMIN in scope.roles_at(proposer.path)
        )
    if proposer.dissolved_on is not None:
        raise ValidationError({"proposer": _("Đơn vị đã giải thể; không lập hồ sơ được.")})
    values = _clean_fields(
        title=title,
        period_start=period_start,
        period_end=period_end,
        achievement=achievement,
        deadline=deadline,
        campaign=campaign,
        proposer=proposer,
    )
    nomination = Nomination(proposer=proposer, holder=proposer, created_by=_person(by), **values)
    nomination._history_user = _person(by)  # type: ignore[attr-defined]
    nomination.save()
    return nomination


@transaction.atomic
def nomination_update(
    *,
    nomination: Nomination,
    by: Any,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    campaign: Any = None,
    achievement: str = "",
    deadline: dt.date | None = None,
) -> Nomination:
    """Change the dossier's particulars while it is on the proposer's desk. Candidates are checked
    again against the new period when it is sent."""
    _require_proposer_desk(by, nomination)
    _lock_editable(nomination)
    values = _clean_fields(
        title=title,
        period_start=period_start,
        period_end=period_end,
        achievement=achievement,
        deadline=deadline,
        campaign=campaign,
        proposer=nomination.proposer,
    )
    for name, value in values.items():
        setattr(nomination, name, value)
    nomination._history_user = _person(by)  # type: ignore[attr-defined]
    nomination.save()
    return nomination


# --- candidates ---------------------------------------------------------------------------------


def _recipient_in_branch(nomination: Nomination, member: Member | None, unit: Unit | None) -> None:
    proposer = nomination.proposer
    if member is not None:
        if member.status != Member.Status.ACTIVE or not member.unit.path.startswith(proposer.path):
            raise ValidationError(
                {"member": _("Đoàn viên không thuộc %(unit)s (hoặc đã thôi sinh hoạt).") % {"unit": proposer.name}}
            )
    elif unit is not None and (unit.dissolved_on is not None or not unit.path.startswith(proposer.path)):
        raise ValidationError(
            {"unit": _("Tập thể được đề nghị phải là %(unit)s hoặc đơn vị trực thuộc.") % {"unit": proposer.name}}
        )


def _next_position(nomination: Nomination) -> int:
    last = nomination.candidates.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def candidate_add(
    *,
    nomination: Nomination,
    kind: AwardKind,
    member: Member | None = None,
    unit: Unit | None = None,
    achievement: str = "",
    by: Any,
) -> Candidate:
    """Propose one member (of the proposer or below it) or one collective (the proposer or a unit
    below it) for ``kind``. An ineligible candidate is refused with every reason; one tied at a
    quota's boundary is admitted, marked for the council's vote."""
    _require_proposer_desk(by, nomination)
    _lock_editable(nomination)
    if (member is None) == (unit is None):
        raise ValidationError(_("Chọn đúng một người được đề nghị: một đoàn viên hoặc một tập thể."))
    if not kind.active:
        raise ValidationError({"kind": _("“%(award)s” không còn được dùng.") % {"award": kind.name}})
    _recipient_in_branch(nomination, member, unit)
    achievement = (achievement or "").strip()
    if len(achievement) > ACHIEVEMENT_MAX:
        raise ValidationError({"achievement": _("Thành tích dài quá %(n)s ký tự.") % {"n": ACHIEVEMENT_MAX}})
    recipient: Any = member if member is not None else unit
    same = nomination.candidates.filter(kind=kind)
    if (same.filter(member=member) if member is not None else same.filter(member__isnull=True, unit=unit)).exists():
        raise ValidationError(
            _("%(who)s đã có trong hồ sơ với “%(award)s”.") % {"who": recipient_name(recipient), "award": kind.name}
        )
    verdict = check_batch(nomination, kind, [recipient])[recipient]
    if verdict.status == REFUSED:
        raise ValidationError(refusal(recipient, kind, verdict))
    candidate = Candidate(
        nomination=nomination,
        kind=kind,
        member=member,
        unit=member.unit if member is not None else unit,  # type: ignore[arg-type]
        achievement=achievement,
        position=_next_position(nomination),
        **_verdict_fields(verdict),
    )
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:  # a double click: the other request added it
        raise ValidationError(_("%(who)s đã có trong hồ sơ.") % {"who": recipient_name(recipient)}) from None
    record(
        nomination,
        "candidate",
        by=by,
        reason=_("Thêm %(who)s – %(award)s") % {"who": recipient_name(recipient), "award": kind.name},
    )
    return candidate


@transaction.atomic
def candidate_remove(*, candidate: Candidate, by: Any) -> None:
    nomination = candidate.nomination
    _require_proposer_desk(by, nomination)
    _lock_editable(nomination)
    text = _("Bỏ %(who)s – %(award)s") % {"who": candidate.recipient_name, "award": candidate.kind.name}
    candidate.delete()
    record(nomination, "candidate", by=by, reason=text)


def _tie_scores(candidates: Sequence[Candidate]) -> dict[Any, float]:
    """The dossier's order as a ranking, keeping the ties found when candidates were added: a run of
    candidates admitted for a vote shares one score, so a re-check puts them to the vote again."""
    scores: dict[Any, float] = {}
    rank = 0.0
    previous_vote = False
    for candidate in candidates:
        vote = candidate.verdict == VOTE
        if not (vote and previous_vote):
            rank += 1
        previous_vote = vote
        scores[candidate.member or candidate.unit] = -rank
    return scores


def candidates_recheck(nomination: Nomination) -> list[tuple[Candidate, Verdict]]:
    """Check every candidate again (one bulk ``eligibility.check`` per award kind) and store the
    verdicts; returns each candidate with its new verdict, in the dossier's order."""
    candidates = list(
        nomination.candidates.exclude(outcome=Candidate.Outcome.WITHDRAWN)
        .select_related("kind", "member", "member__unit", "unit")
        .order_by("position", "pk")
    )
    by_kind: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_kind[candidate.kind_id].append(candidate)
    kinds = {c.kind_id: c.kind for c in candidates}
    who_decides = deciders(nomination.proposer, kinds.values())
    results: dict[int, Verdict] = {}
    for kind_id, group in by_kind.items():
        recipients = [c.member or c.unit for c in group]
        verdicts = check_batch(
            nomination, kinds[kind_id], recipients, ranking=_tie_scores(group), decider=who_decides[kind_id]
        )
        for candidate in group:
            verdict = verdicts[candidate.member or candidate.unit]
            results[candidate.pk] = verdict
            for name, value in _verdict_fields(verdict).items():
                setattr(candidate, name, value)
    if candidates:
        with transaction.atomic():
            Candidate.objects.bulk_update(
                candidates, ["verdict", "notes", "rule_set", "initiative_refs", "checked_at"], batch_size=500
            )
    return [(c, results[c.pk]) for c in candidates]


def _recheck_or_refuse(nomination: Nomination) -> None:
    refused = [(c, v) for c, v in candidates_recheck(nomination) if v.status == REFUSED]
    if refused:
        lines = [
            _("Có %(n)s người, tập thể không còn đủ điều kiện; hãy bỏ ra hoặc trả lại hồ sơ:") % {"n": len(refused)}
        ]
        for candidate, verdict in refused:
            lines.append(
                _("%(who)s – %(award)s: %(reasons)s")
                % {"who": candidate.recipient_name, "award": candidate.kind.name, "reasons": " ".join(verdict.messages)}
            )
        raise ValidationError(lines)


# --- files ---------------------------------------------------------------------------------------


@transaction.atomic
def file_add(*, nomination: Nomination, kind: str, upload: Any, by: Any) -> NominationFile:
    """The achievement report, the unit's review minutes or evidence (PDF, Word, Excel, images)."""
    _require_proposer_desk(by, nomination)
    _lock_editable(nomination)
    if kind not in NominationFile.Kind.values:
        raise ValidationError({"kind": _("Loại tệp không hợp lệ.")})
    try:
        name, content_type = check_upload(upload, max_bytes=MAX_FILE_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    row = NominationFile(
        nomination=nomination, kind=kind, name=name, size=upload.size, content_type=content_type, created_by=_person(by)
    )
    row.file.save(name, upload, save=False)
    row.save()
    record(
        nomination,
        "file",
        by=by,
        reason=_("Đính kèm %(kind)s: %(name)s") % {"kind": row.get_kind_display(), "name": name},
    )
    return row


@transaction.atomic
def file_delete(*, file: NominationFile, by: Any) -> None:
    nomination = file.nomination
    _require_proposer_desk(by, nomination)
    _lock_editable(nomination)
    text = _("Xoá tệp %(kind)s: %(name)s") % {"kind": file.get_kind_display(), "name": file.name}
    stored = file.file
    file.delete()
    transaction.on_commit(lambda: stored.delete(save=False))
    record(nomination, "file", by=by, reason=text)


# --- completeness ---------------------------------------------------------------------------------


def with_parts(qs: QuerySet[Nomination]) -> QuerySet[Nomination]:
    """Annotate what completeness needs, as subqueries (no join multiplies the rows):
    ``candidate_count``, ``has_report``, ``has_minutes``."""
    counted = (
        Candidate.objects.filter(nomination=OuterRef("pk"))
        .exclude(outcome=Candidate.Outcome.WITHDRAWN)
        .order_by()
        .values("nomination")
        .annotate(n=Count("pk"))
        .values("n")
    )
    files = NominationFile.objects.filter(nomination=OuterRef("pk"))
    return qs.annotate(
        candidate_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        has_report=Exists(files.filter(kind=NominationFile.Kind.REPORT)),
        has_minutes=Exists(files.filter(kind=NominationFile.Kind.MINUTES)),
    )


def missing_parts(nomination: Nomination) -> list[str]:
    """What the dossier lacks before it can be sent (Law art. 84; Decree 152/2025): at least one
    candidate, the achievement report and the minutes of the unit's review. Reads the
    ``with_parts`` annotations when present (lists), else asks the database."""
    if hasattr(nomination, "has_report"):
        count = nomination.candidate_count  # type: ignore[attr-defined]
        kinds = {k for k, ok in (("report", nomination.has_report), ("minutes", nomination.has_minutes)) if ok}  # type: ignore[attr-defined]
    else:
        count = nomination.candidates.exclude(outcome=Candidate.Outcome.WITHDRAWN).count()
        kinds = set(nomination.files.values_list("kind", flat=True))
    missing = []
    if not count:
        missing.append(_("chưa có người, tập thể nào được đề nghị"))
    labels = dict(NominationFile.Kind.choices)
    for kind in NominationFile.REQUIRED:
        if kind not in kinds:
            missing.append(_("thiếu tệp “%(kind)s”") % {"kind": labels[kind]})
    return missing


def late_condition(today: dt.date | None = None) -> Q:
    """``Nomination.is_late`` as a query: sent after its deadline, or still unsent past it."""
    today = today or timezone.localdate()
    unsent = Q(
        deadline__lt=today,
        submitted_at__isnull=True,
        status__in=[Nomination.Status.DRAFT, Nomination.Status.RETURNED],
    )
    return unsent | Q(deadline__isnull=False, submitted_at__date__gt=F("deadline"))


def incomplete_condition() -> Q:
    """On annotated rows (``with_parts``): a required part is missing."""
    return Q(candidate_count=0) | Q(has_report=False) | Q(has_minutes=False)


# --- moves ---------------------------------------------------------------------------------------


def _precheck(transition: Transition, nomination: Nomination, by: Any) -> None:
    """Lock the dossier, read it again, then check who and which state before any work is done.

    Every move runs in a transaction and starts here, so moves of one dossier happen one after the
    other: a "forward" to the province and a "take" at the district sent at the same moment cannot
    both pass (the second sees the new holder, whose desk it does not hold, or the new state)."""
    if transaction.get_connection().in_atomic_block:
        seen_as = (nomination.status, nomination.holder_id)
        list(Nomination.objects.select_for_update().filter(pk=nomination.pk).values_list("pk", flat=True))
        nomination.refresh_from_db()
        if (nomination.status, nomination.holder_id) != seen_as:  # someone moved it meanwhile
            raise ValidationError(
                str(transition.stale_message) % {"status": status_label(Nomination, nomination.status)}
            )
    if by is not None:
        _refuse_unless(transition.policy(by, nomination))
    if not transition.allowed_from(nomination.status):
        raise ValidationError(str(transition.stale_message) % {"status": status_label(Nomination, nomination.status)})


def _move(units: tuple[Unit, Unit], why: str = "") -> str:
    text = _("%(from)s → %(to)s") % {"from": units[0].name, "to": units[1].name}
    return f"{text}: {why}"[:REASON_MAX] if why else text[:REASON_MAX]


def _tell(unit: Unit, nomination: Nomination, message: str) -> None:
    url = reverse("recognition:nomination", args=[nomination.pk])
    people = officers_of([unit]).get(unit.pk, [])
    notify(((person, message, url) for person in people), subject=_("[Thi Đua] Hồ sơ đề nghị khen thưởng"))


def _fresh(nomination: Nomination) -> Nomination:
    return NOMINATIONS.get(pk=nomination.pk)


def nomination_submit(*, nomination: Nomination, by: Any, seen: str | None = None) -> Nomination:
    """Send the dossier to the proposer's parent. Needs a candidate, the report and the minutes;
    every candidate is checked again and one no longer eligible stops it, with every reason."""
    _precheck(Nomination.SUBMIT, nomination, by)
    parent = nomination.proposer.parent
    if parent is None:
        raise ValidationError(_("Đơn vị đề nghị là cấp cao nhất; không có cấp trên để gửi hồ sơ."))
    missing = missing_parts(nomination)
    if missing:
        raise ValidationError(_("Hồ sơ chưa đủ để gửi: %(parts)s.") % {"parts": "; ".join(missing)})
    _recheck_or_refuse(nomination)  # kept even when the move fails: the page shows the reasons
    with transaction.atomic():
        _precheck(Nomination.SUBMIT, nomination, by)  # again, locked
        _lock_editable(nomination)
        changes: dict[str, Any] = {"holder": parent}
        if nomination.submitted_at is None:
            changes["submitted_at"] = timezone.now()  # the first sending: lateness is judged on it
        apply(
            nomination,
            Nomination.SUBMIT,
            by=by,
            seen=seen,
            reason=_move((nomination.proposer, parent)),
            changes=changes,
        )
        _tell(
            parent,
            nomination,
            _("%(unit)s gửi hồ sơ đề nghị khen thưởng “%(title)s”.")
            % {"unit": nomination.proposer.name, "title": nomination.title[:200]},
        )
    return _fresh(nomination)


def nomination_forward(*, nomination: Nomination, by: Any, seen: str | None = None, note: str = "") -> Nomination:
    """The holding level sends the dossier on to its own parent (not from the top of the tree)."""
    _precheck(Nomination.FORWARD, nomination, by)
    holder = nomination.holder
    parent = holder.parent
    if parent is None:
        raise ValidationError(
            _("%(unit)s là cấp cao nhất; không chuyển hồ sơ lên được nữa. Hãy nhận xét quyết định hoặc trả lại.")
            % {"unit": holder.name}
        )
    _recheck_or_refuse(nomination)
    with transaction.atomic():
        _precheck(Nomination.FORWARD, nomination, by)  # again, locked
        if nomination.holder_id != holder.pk:
            raise ValidationError(_("Hồ sơ vừa được chuyển đi; hãy tải lại trang."))
        apply(
            nomination,
            Nomination.FORWARD,
            by=by,
            seen=seen,
            reason=_move((holder, parent), clean_text(note)),
            changes={"holder": parent},
        )
        _tell(
            parent,
            nomination,
            _("%(from)s chuyển lên hồ sơ đề nghị khen thưởng “%(title)s” của %(unit)s.")
            % {"from": holder.name, "title": nomination.title[:200], "unit": nomination.proposer.name},
        )
    return _fresh(nomination)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    return reason[:REASON_MAX]


@transaction.atomic
def nomination_return(*, nomination: Nomination, by: Any, reason: str, seen: str | None = None) -> Nomination:
    """The holding level returns the dossier to the proposer, with the reason, to be completed."""
    _precheck(Nomination.RETURN, nomination, by)
    why = _reason(reason)
    holder = nomination.holder
    apply(
        nomination,
        Nomination.RETURN,
        by=by,
        seen=seen,
        reason=_move((holder, nomination.proposer), why),
        changes={"holder": nomination.proposer},
    )
    _tell(
        nomination.proposer,
        nomination,
        _("%(from)s trả lại hồ sơ “%(title)s”: %(reason)s")
        % {"from": holder.name, "title": nomination.title[:150], "reason": why[:200]},
    )
    return _fresh(nomination)


def powerless_kinds(nomination: Nomination, unit: Unit, day: dt.date | None = None) -> list[AwardKind]:
    """The award kinds of the dossier's candidates that ``unit``'s kind may not award on ``day``."""
    kinds = {
        c.kind_id: c.kind
        for c in nomination.candidates.exclude(outcome=Candidate.Outcome.WITHDRAWN).select_related("kind")
    }
    powers = _powers(kinds.values(), day or timezone.localdate())
    return [k for k in kinds.values() if unit.kind_id not in powers.get(k.pk, set())]


@transaction.atomic
def nomination_take(*, nomination: Nomination, by: Any, seen: str | None = None, note: str = "") -> Nomination:
    """ "Decide here": the holding level keeps the dossier for its council and its decision. Its
    kind of unit must hold the awarding power in force today for every award in the dossier."""
    _precheck(Nomination.TAKE, nomination, by)
    holder = nomination.holder
    lacking = powerless_kinds(nomination, holder)
    if lacking:
        raise ValidationError(
            _("%(unit)s không có thẩm quyền tặng: %(kinds)s. Hãy chuyển hồ sơ lên cấp trên.")
            % {"unit": holder.name, "kinds": ", ".join(f"“{k.name}”" for k in lacking)}
        )
    if not nomination.candidates.exclude(outcome=Candidate.Outcome.WITHDRAWN).exists():
        raise ValidationError(_("Hồ sơ không có người, tập thể nào được đề nghị."))
    apply(nomination, Nomination.TAKE, by=by, seen=seen, reason=clean_text(note)[:REASON_MAX])
    _tell(
        nomination.proposer,
        nomination,
        _("%(unit)s nhận xét quyết định hồ sơ “%(title)s” tại cấp mình.")
        % {"unit": holder.name, "title": nomination.title[:200]},
    )
    return _fresh(nomination)


@transaction.atomic
def nomination_reject(*, nomination: Nomination, by: Any, reason: str, seen: str | None = None) -> Nomination:
    """The holding level does not propose the dossier further (with the reason); its candidates
    are withdrawn."""
    _precheck(Nomination.REJECT, nomination, by)
    why = _reason(reason)
    if DecisionLine.objects.filter(
        candidate__nomination=nomination, decision__status__in=[AwardDecision.Status.DRAFT, AwardDecision.Status.ISSUED]
    ).exists():
        raise ValidationError(
            _("Hồ sơ có người, tập thể trong một quyết định; bỏ khỏi quyết định trước khi trả hồ sơ.")
        )
    if BallotItem.objects.filter(
        candidate__nomination=nomination,
        session__status__in=[CouncilSession.Status.DRAFT, CouncilSession.Status.OPEN],
    ).exists():
        raise ValidationError(_("Hồ sơ đang có trong một phiên họp hội đồng chưa kết thúc."))
    apply(nomination, Nomination.REJECT, by=by, seen=seen, reason=why)
    # Only what is still undecided is withdrawn; an award already made stays what it is.
    nomination.candidates.filter(outcome__in=[Candidate.Outcome.PROPOSED, Candidate.Outcome.PASSED]).update(
        outcome=Candidate.Outcome.WITHDRAWN
    )
    _tell(
        nomination.proposer,
        nomination,
        _("%(unit)s không đề nghị hồ sơ “%(title)s”: %(reason)s")
        % {"unit": nomination.holder.name, "title": nomination.title[:150], "reason": why[:200]},
    )
    return _fresh(nomination)


# --- bulk: from a campaign's ranking -------------------------------------------------------------


@dataclass
class BulkResult:
    """What a bulk nomination did: who was added (with a vote note when tied), who was refused and why."""

    added: list[Candidate] = field(default_factory=list)
    refused: list[tuple[str, list[str]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the dossier for that award


def ranked_units(nomination: Nomination) -> list[Any]:
    """The campaign's ranking of the units directly below the proposer (``monitoring.selectors.ranking``:
    verified reports over every period of the campaign), best first."""
    campaign = nomination.campaign
    if campaign is None:
        return []
    period_ids = list(Period.objects.filter(plan_id=campaign.campaign_root_id).values_list("pk", flat=True))
    if not period_ids:
        return []
    units = (
        Unit.objects.filter(
            parent=nomination.proposer, reports__root_period_id__in=period_ids, dissolved_on__isnull=True
        )
        .distinct()
        .order_by("name")
    )
    return ranking(period_ids, units)


def nominate_from_ranking(
    *,
    nomination: Nomination,
    kind: AwardKind,
    top_n: int | None = None,
    top_percent: float | None = None,
    by: Any,
) -> BulkResult:
    """Propose the best-ranked collectives of the campaign for ``kind``: the first ``top_n`` (or
    ``top_percent`` % of those ranked, rounded up), and any tied with the last of them. Each is
    checked with its ranking (a tie at a quota's boundary becomes a vote); those eligible are added,
    the others reported with every reason."""
    _require_proposer_desk(by, nomination)
    if nomination.campaign is None:
        raise ValidationError(_("Hồ sơ chưa gắn với phong trào thi đua nào; không có bảng xếp hạng."))
    if kind.subject != Subject.COLLECTIVE:
        raise ValidationError(
            {"kind": _("Bảng xếp hạng của phong trào xếp các tập thể; hãy chọn danh hiệu, hình thức cho tập thể.")}
        )
    if (top_n is None) == (top_percent is None):
        raise ValidationError(_("Chọn số lượng hoặc tỷ lệ đứng đầu bảng xếp hạng (một trong hai)."))
    ranked = ranked_units(nomination)
    if not ranked:
        raise ValidationError(
            _("Chưa có bảng xếp hạng: các đơn vị trực thuộc %(unit)s chưa có báo cáo được xác nhận trong phong trào.")
            % {"unit": nomination.proposer.name}
        )
    if top_percent is not None:
        if not 0 < top_percent <= 100:
            raise ValidationError({"top_percent": _("Tỷ lệ phải trên 0 và không quá 100%.")})
        count = math.ceil(top_percent * len(ranked) / 100 - 1e-9)
    else:
        count = int(top_n or 0)
        if count < 1:
            raise ValidationError({"top_n": _("Số lượng phải từ 1 trở lên.")})
    count = min(count, len(ranked))
    boundary = ranked[count - 1].position
    chosen = [r for r in ranked if r.position <= boundary]  # ties with the last one are all taken
    result = BulkResult()
    with transaction.atomic():
        _lock_editable(nomination)
        existing = set(nomination.candidates.filter(kind=kind, member__isnull=True).values_list("unit_id", flat=True))
        fresh = []
        for row in chosen:
            if row.unit.pk in existing:
                result.skipped.append(row.unit.name)
            else:
                fresh.append(row)
        units = [r.unit for r in fresh]
        verdicts = check_batch(nomination, kind, units, ranking={r.unit: -float(r.position) for r in fresh})
        position = _next_position(nomination)
        for row in fresh:
            verdict = verdicts[row.unit]
            if verdict.status == REFUSED:
                result.refused.append((row.unit.name, verdict.messages))
                continue
            note = _("Xếp thứ %(position)s trong phong trào, %(score)s điểm.") % {
                "position": row.position,
                "score": row.score,
            }
            candidate = Candidate(
                nomination=nomination,
                kind=kind,
                unit=row.unit,
                achievement=note,
                position=position,
                **_verdict_fields(verdict),
            )
            position += 1
            result.added.append(candidate)
        Candidate.objects.bulk_create(result.added)
        if result.added:
            record(
                nomination,
                "candidate",
                by=by,
                reason=_("Thêm %(n)s tập thể từ bảng xếp hạng phong trào – %(award)s")
                % {"n": len(result.added), "award": kind.name},
            )
    return result


# --- bulk: from an Excel list (previewed, then written whole) ---------------------------------------


def candidates_import(*, nomination: Nomination, rows: Sequence[dict[str, Any]], by: Any) -> int:
    """Write a previewed list whole or nothing: each row is checked again (the branch, duplicates,
    every rule) and any failure names its row and writes nothing. A second submit of the same list
    finds the candidates already there and writes nothing."""
    _require_proposer_desk(by, nomination)
    if not rows:
        raise ValidationError(_("Danh sách trống; không có gì để ghi."))
    with transaction.atomic():
        _lock_editable(nomination)
        kinds = AwardKind.objects.in_bulk({int(r["kind"]) for r in rows})
        members = Member.objects.select_related("unit").in_bulk({int(r["member"]) for r in rows if r.get("member")})
        units = Unit.objects.in_bulk({int(r["unit"]) for r in rows if r.get("unit") and not r.get("member")})
        taken_members = set(nomination.candidates.filter(member__isnull=False).values_list("kind_id", "member_id"))
        taken_units = set(nomination.candidates.filter(member__isnull=True).values_list("kind_id", "unit_id"))
        errors: list[str] = []
        lines: list[tuple[dict[str, Any], AwardKind, Any]] = []
        for row in rows:
            number = row.get("row")
            kind = kinds.get(int(row["kind"]))
            member = members.get(int(row["member"])) if row.get("member") else None
            unit = None if member is not None else units.get(int(row.get("unit") or 0))
            if kind is None or (member is None and unit is None):
                errors.append(_("Dòng %(row)s: không còn tìm thấy người, tập thể hoặc danh hiệu.") % {"row": number})
                continue
            try:
                _recipient_in_branch(nomination, member, unit)
            except ValidationError as exc:
                errors.append(_("Dòng %(row)s: %(error)s") % {"row": number, "error": " ".join(exc.messages)})
                continue
            if (member is not None and (kind.pk, member.pk) in taken_members) or (
                member is None and unit is not None and (kind.pk, unit.pk) in taken_units
            ):
                errors.append(
                    _("Dòng %(row)s: %(who)s đã có trong hồ sơ với “%(award)s”.")
                    % {"row": number, "who": recipient_name(member or unit), "award": kind.name}
                )
                continue
            lines.append((row, kind, member or unit))
        by_kind: dict[int, list[tuple[dict[str, Any], AwardKind, Any]]] = defaultdict(list)
        for line in lines:
            by_kind[line[1].pk].append(line)
        who_decides = deciders(nomination.proposer, [group[0][1] for group in by_kind.values()])
        new: list[Candidate] = []
        position = _next_position(nomination)
        for kind_id, group in by_kind.items():
            kind = group[0][1]
            verdicts = check_batch(
                nomination, kind, [recipient for _r, _k, recipient in group], decider=who_decides[kind_id]
            )
            for row, _kind, recipient in group:
                verdict = verdicts[recipient]
                if verdict.status == REFUSED:
                    errors.append(
                        _("Dòng %(row)s: %(reasons)s")
                        % {"row": row.get("row"), "reasons": " ".join(refusal(recipient, kind, verdict))}
                    )
                    continue
                is_member = isinstance(recipient, Member)
                new.append(
                    Candidate(
                        nomination=nomination,
                        kind=kind,
                        member=recipient if is_member else None,
                        unit=recipient.unit if is_member else recipient,
                        achievement=str(row.get("achievement", ""))[:ACHIEVEMENT_MAX],
                        position=position,
                        **_verdict_fields(verdict),
                    )
                )
                position += 1
        if errors:
            raise ValidationError([_("Chưa ghi gì:"), *sorted(errors, key=_row_of)])
        try:
            with transaction.atomic():
                Candidate.objects.bulk_create(new)
        except IntegrityError:
            raise ValidationError(_("Danh sách này đã được ghi trước đó; không ghi lại lần nữa.")) from None
        record(
            nomination,
            "candidate",
            by=by,
            reason=_("Nhập %(n)s người, tập thể từ tệp Excel") % {"n": len(new)},
        )
    return len(new)


def _row_of(message: str) -> int:
    digits = "".join(ch for ch in message.split(":", 1)[0] if ch.isdigit())
    return int(digits) if digits else 0


# --- reads ---------------------------------------------------------------------------------------


def desk_units(user: Any) -> list[Unit]:
    """The units whose emulation desk the user holds (where they draw up dossiers)."""
    scope = scope_for(user)
    ids = set(scope.unit_ids_with(Perm.MANAGE_EMULATION))
    ids |= {unit_id for unit_id, _path in scope.units_with_role(Role.ADMIN)}
    if not ids and scope.is_global:
        return list(Unit.objects.filter(depth__lte=2, dissolved_on__isnull=True).order_by("path")[:50])
    return list(Unit.objects.filter(pk__in=ids, dissolved_on__isnull=True).select_related("kind").order_by("path"))


def at_desk_condition(user: Any) -> Q:
    """Open dossiers now on a desk the user holds: their own drafts and returned ones, and those sent to them."""
    scope = scope_for(user)
    open_ = Q(status__in=[Nomination.Status.DRAFT, Nomination.Status.RETURNED, Nomination.Status.SUBMITTED])
    if scope.is_global:
        return open_
    condition = Q(holder_id__in=scope.unit_ids_with(Perm.MANAGE_EMULATION))
    for _unit_id, path in scope.units_with_role(Role.ADMIN):
        condition |= Q(holder__path__startswith=path)
    return open_ & condition


def _title_matches(qs: QuerySet[Nomination], words: list[str]) -> list[int]:
    """Ids whose title contains every folded word (titles are short and a user's dossiers few
    enough to fold in Python: one query, no stored folded column)."""
    return [pk for pk, title in qs.values_list("pk", "title") if all(w in fold(title) for w in words)]


def nominations_for(
    user: Any,
    *,
    status: str = "",
    at_desk: bool = False,
    campaign_id: int | None = None,
    year: int | None = None,
    q: str = "",
) -> QuerySet[Nomination]:
    """The dossiers the user sees (their units' and those proposed below them), filtered; the one
    query behind the list and its export."""
    qs = Nomination.objects.visible_to(user)
    if status in Nomination.Status.values:
        qs = qs.filter(status=status)
    if at_desk:
        qs = qs.filter(at_desk_condition(user))
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if year:
        qs = qs.filter(period_end__year=year)
    words = fold(q).split()
    if words:
        by_proposer = Q()
        for word in words:
            by_proposer &= Q(proposer__search_text__contains=word)
        qs = qs.filter(by_proposer | Q(pk__in=_title_matches(qs, words)))
    return with_parts(qs.select_related("proposer", "holder", "campaign"))


@dataclass
class Board:
    """Dossiers sent to or through a level: counts per status, those waiting at its desk, the late
    and the incomplete ones (each list bounded)."""

    root: Unit
    counts: list[tuple[str, str, int]]
    total: int
    waiting: list[Nomination]
    late: list[Nomination]
    incomplete: list[Nomination]
    late_count: int
    incomplete_count: int


def board(user: Any, root: Unit, today: dt.date | None = None) -> Board:
    """The board of ``root`` (a unit the user sees): every dossier proposed at or below it, in a
    fixed number of queries whatever their number."""
    today = today or timezone.localdate()
    qs = Nomination.objects.visible_to(user).filter(proposer__path__startswith=root.path)
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    counts = [(value, str(label), by_status.get(value, 0)) for value, label in Nomination.Status.choices]
    rows = with_parts(qs.select_related("proposer", "holder"))
    open_rows = rows.filter(status__in=Nomination.OPEN)
    late = open_rows.filter(late_condition(today))
    incomplete = open_rows.filter(status__in=[Nomination.Status.DRAFT, Nomination.Status.RETURNED]).filter(
        incomplete_condition()
    )
    waiting = rows.filter(holder=root, status__in=[Nomination.Status.SUBMITTED, Nomination.Status.TAKEN])
    editable = Q(status__in=[Nomination.Status.DRAFT, Nomination.Status.RETURNED])
    tally = open_rows.aggregate(
        late=Count("pk", filter=late_condition(today)),
        incomplete=Count("pk", filter=editable & incomplete_condition()),
    )
    return Board(
        root=root,
        counts=counts,
        total=sum(by_status.values()),
        waiting=list(waiting.order_by("submitted_at", "pk")[:LIST_LIMIT]),
        late=list(late.order_by("deadline", "pk")[:LIST_LIMIT]),
        incomplete=list(incomplete.order_by("deadline", "pk")[:LIST_LIMIT]),
        late_count=tally["late"],
        incomplete_count=tally["incomplete"],
    )
