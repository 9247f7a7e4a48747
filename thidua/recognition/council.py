"""The emulation and commendation council (Hội đồng thi đua – khen thưởng): members, sessions with
attendance and quorum, the secret e-ballot per candidate, the tally (services and selectors).

Rules (docs/RULES.md, "mặc định — cần xác nhận" unless the council's basis says otherwise): a session
is valid when at least ``council.quorum`` of the whole council is present; a candidate passes when
the approvals reach ``item.threshold`` of the **whole** council (``session.council_size``, the active
members when the ballot opened), not of those present or of those who voted: absent members vote in
writing, entered by the secretary (Decree 98/2023 art. 30(7); a Hanoi rule of 2025 under Decree
152/2025 repeats it). Only the council unit's emulation desk (``council_desk``) manages the council
and its sessions; a member votes through the account on their seat.

Secret ballot: how nobody, not even an administrator reading the database, joins a voter to a choice
after the tally.

* ``BallotReceipt`` (session, member, written) says *that* a member voted. The unique constraint
  (session, member) makes a second ballot fail in the database itself, whatever the race.
* ``BallotChoice`` (item, approve) says *what* was chosen, with no voter, no time and a random UUID
  key; the choices of one ballot are inserted in a shuffled order. Receipt and choices are written
  in one transaction, so a ballot is counted exactly when its receipt exists.
* ``session_close`` counts the choices into ``BallotItem.approve/reject`` with one GROUP BY, writes
  the results, and deletes every choice of the session in the same transaction. From then on the
  receipts hold who voted and the items hold only totals: there is nothing left to join.
* While the ballot is open the tally is never shown, to anyone (``session_results`` refuses, the
  pages show only "x / N members have voted", from the receipts).

Residual risk, stated plainly: while a ballot is open, someone with direct access to the PostgreSQL
server could correlate a receipt with its choices through the physical order of the rows or the
transaction ids (``xmin``) they share, or through the write-ahead log, its archives, a streaming
replica or a backup taken during the ballot. After the close the deleted choices stay on disk as dead
tuples until VACUUM, and in the WAL and backups until those are recycled. Mitigations here: no
timestamps and random keys on choices, shuffled inserts, deletion at close, and right after a close
on PostgreSQL a ``VACUUM recognition_ballotchoice`` (VACUUM cannot run inside a transaction, so it
runs after the commit; a failure is logged, the close stands). Operators should keep WAL archives
and backups taken during a ballot under the same protection as the database (docs/recognition.md).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua.accounts.models import RoleAssignment, User
from thidua.accounts.roles import Perm
from thidua.accounts.scope import PATH_STEP, scope_for
from thidua.core import transitions
from thidua.core.text import clean_text
from thidua.notifications.services import notify
from thidua.recognition.models import (
    Attendance,
    AwardCouncil,
    AwardCouncilMember,
    AwardKind,
    BallotChoice,
    BallotItem,
    BallotReceipt,
    Candidate,
    CouncilSession,
    Nomination,
    _acts_for,
    council_desk,
    meets,
    parse_ratio,
)
from thidua.units.models import Unit

log = logging.getLogger(__name__)

NAME_MAX = 200
TITLE_MAX = 300
PLACE_MAX = 200
# One role per council that the minutes name (the chair signs right, the secretary left).
SINGLE_ROLES = (AwardCouncilMember.Role.CHAIR, AwardCouncilMember.Role.SECRETARY)


def _person(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def manages(user: Any, council: AwardCouncil) -> bool:
    """The council unit's emulation desk (or a system administrator above it) manages the council."""
    return _acts_for(user, council.unit.path)


def _require_desk(by: Any, council: AwardCouncil) -> None:
    if by is not None and not manages(by, council):
        raise _refuse()


def _ratio(value: Any, field: str) -> str:
    text = clean_text(str(value or ""))
    try:
        parse_ratio(text)
    except ValueError:
        raise ValidationError({field: _("Nhập tỷ lệ dạng “2/3” hoặc “90%” (lớn hơn 0, không quá 100%).")}) from None
    return text


def _thresholds(value: Mapping[str, Any] | None) -> dict[str, str]:
    """Per-kind thresholds {award kind code: ratio}; every code must name a kind of the catalogue."""
    cleaned = {clean_text(str(code)): _ratio(ratio, "thresholds") for code, ratio in (value or {}).items()}
    known = set(AwardKind.objects.filter(code__in=list(cleaned)).values_list("code", flat=True))
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise ValidationError(
            {
                "thresholds": _("Không có danh hiệu, hình thức mã “%(codes)s” trong danh mục.")
                % {"codes": ", ".join(unknown)}
            }
        )
    return cleaned


# --- councils and members ---------------------------------------------------------------------------


def _refuse_while_voting(council: AwardCouncil) -> None:
    """Seats (who votes on them, who is a member) do not change while a ballot of the council is open:
    the open session's row is locked as a ballot locks it, so a change waits for no ballot, and a
    desk cannot move a seat onto its own account, vote, and move it back."""
    open_sessions = CouncilSession.objects.select_for_update().filter(
        council=council, status=CouncilSession.Status.OPEN
    )
    if list(open_sessions.values_list("pk", flat=True)):
        raise ValidationError(_("Hội đồng đang có phiên bỏ phiếu; chỉ thay đổi thành viên sau khi kết thúc bỏ phiếu."))


@transaction.atomic
def council_save(
    *,
    by: Any,
    name: str,
    unit: Unit | int | str | None = None,
    council: AwardCouncil | None = None,
    quorum: str = AwardCouncil.DEFAULT_QUORUM,
    threshold: str = AwardCouncil.DEFAULT_THRESHOLD,
    thresholds: Mapping[str, Any] | None = None,
    basis: str = "",
    active: bool = True,
) -> AwardCouncil:
    """Create a unit's council (``unit``) or change one (``council``): name, quorum, thresholds."""
    if council is None:
        owner = unit if isinstance(unit, Unit) else None
        if owner is None:
            try:
                owner = Unit.objects.filter(pk=int(unit or 0)).first()
            except (TypeError, ValueError):
                owner = None
        # An id the person does not hold the desk of is refused without saying whether it exists.
        if owner is None or (by is not None and not _acts_for(by, owner.path)):
            raise ValidationError({"unit": _("Bạn không phải cán bộ thi đua của đơn vị này.")})
        if not owner.is_active:
            raise ValidationError({"unit": _("Đơn vị đã giải thể.")})
        council = AwardCouncil(unit=owner)
    else:
        _require_desk(by, council)
    council.name = clean_text(name)[:NAME_MAX]
    if not council.name:
        raise ValidationError({"name": _("Hãy đặt tên hội đồng.")})
    council.quorum = _ratio(quorum, "quorum")
    council.threshold = _ratio(threshold, "threshold")
    council.thresholds = _thresholds(thresholds)
    council.basis = clean_text(basis)[:300] or str(AwardCouncil._meta.get_field("basis").get_default())
    council.active = bool(active)
    council._history_user = _person(by)  # type: ignore[attr-defined]
    council.save()
    return council


def eligible_accounts(council: AwardCouncil) -> QuerySet[User]:
    """Accounts that may take a seat: active, holding a role on the council's unit or above it, so
    the council's pages (and their ballot) are in their scope. Someone from a lower level is given
    the role "Thành viên Hội đồng TĐKT" on the council's unit first."""
    path = council.unit.path
    prefixes = [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]
    holders = RoleAssignment.objects.filter(unit__path__in=prefixes, unit__dissolved_on__isnull=True).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("full_name", "username")


def _account(council: AwardCouncil, value: Any) -> User | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, User) else value
    try:
        user = User.objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError):
        user = None
    if user is None or not scope_for(user).allows(council.unit.path, Perm.VIEW):
        raise ValidationError(
            {
                "user": _(
                    "Tài khoản này không thuộc phạm vi của đơn vị có hội đồng; hãy giao vai trò "
                    "“Thành viên Hội đồng TĐKT” tại đơn vị này cho tài khoản trước."
                )
            }
        )
    return user


def _member_values(council: AwardCouncil, full_name: str, position: str, role: str, user: Any) -> dict[str, Any]:
    if role not in AwardCouncilMember.Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    account = _account(council, user)
    name = clean_text(full_name) or (account.full_name if account else "")
    if not name:
        raise ValidationError({"full_name": _("Hãy ghi họ và tên thành viên.")})
    return {"full_name": name[:120], "position": clean_text(position)[:120], "role": role, "user": account}


def _save_seat(member: AwardCouncilMember) -> AwardCouncilMember:
    if member.active and member.role in SINGLE_ROLES:
        taken = AwardCouncilMember.objects.filter(council=member.council_id, role=member.role, active=True)
        if taken.exclude(pk=member.pk).exists():
            raise ValidationError(
                {"role": _("Hội đồng đã có “%(role)s”; mỗi hội đồng chỉ có một.") % {"role": member.get_role_display()}}
            )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            {"user": _("Tài khoản này đã có ghế trong hội đồng (kể cả ghế đã thôi); hãy sửa ghế đó.")}
        ) from None
    return member


@transaction.atomic
def council_member_add(
    *,
    council: AwardCouncil,
    by: Any,
    full_name: str = "",
    position: str = "",
    role: str = AwardCouncilMember.Role.MEMBER,
    user: Any = None,
) -> AwardCouncilMember:
    """Add a seat; ``user`` is the account that votes on it (optional: without one the member votes in writing)."""
    _require_desk(by, council)
    _refuse_while_voting(council)
    values = _member_values(council, full_name, position, role, user)
    seat = AwardCouncilMember(council=council, **values)
    seat._history_user = _person(by)  # type: ignore[attr-defined]
    return _save_seat(seat)


@transaction.atomic
def council_member_update(
    *,
    member: AwardCouncilMember,
    by: Any,
    full_name: str = "",
    position: str = "",
    role: str = AwardCouncilMember.Role.MEMBER,
    user: Any = None,
    active: bool = True,
) -> AwardCouncilMember:
    _require_desk(by, member.council)
    _refuse_while_voting(member.council)
    for key, value in _member_values(member.council, full_name, position, role, user).items():
        setattr(member, key, value)
    member.active = bool(active)
    member._history_user = _person(by)  # type: ignore[attr-defined]
    return _save_seat(member)


@transaction.atomic
def council_member_deactivate(*, member: AwardCouncilMember, by: Any) -> AwardCouncilMember:
    """The member leaves the council; the seat stays (receipts and minutes name it)."""
    _require_desk(by, member.council)
    _refuse_while_voting(member.council)
    member.active = False
    member._history_user = _person(by)  # type: ignore[attr-defined]
    member.save(update_fields=["active"])
    return member


# --- sessions -----------------------------------------------------------------------------------------


def waiting_candidates(council: AwardCouncil) -> QuerySet[Candidate]:
    """Candidates of dossiers taken at the council's unit, still proposed and on no unclosed session."""
    busy = BallotItem.objects.exclude(session__status=CouncilSession.Status.CLOSED).values("candidate_id")
    return (
        Candidate.objects.filter(
            nomination__status=Nomination.Status.TAKEN,
            nomination__holder=council.unit_id,
            outcome=Candidate.Outcome.PROPOSED,
        )
        .exclude(pk__in=busy)
        .select_related("kind", "member", "unit", "nomination", "nomination__proposer")
        .order_by("nomination__proposer__path", "nomination_id", "position", "pk")
    )


def _ids(values: Iterable[Any], field: str) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationError({field: _("Danh sách chọn không hợp lệ.")}) from None
    return ids


def _waiting(council: AwardCouncil, values: Iterable[Any]) -> list[Candidate]:
    ids = _ids(values, "candidates")
    if not ids:
        raise ValidationError({"candidates": _("Hãy chọn ít nhất một người, tập thể được đề nghị.")})
    found = {c.pk: c for c in waiting_candidates(council).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationError(
            {"candidates": _("Có người, tập thể không còn chờ hội đồng này xét; hãy tải lại trang và chọn lại.")}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


def _locked_draft(session: CouncilSession) -> CouncilSession:
    """The session row locked for this transaction; only a draft is changed."""
    locked = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if locked.status != CouncilSession.Status.DRAFT:
        raise ValidationError(_("Phiên họp đã mở bỏ phiếu; không sửa chương trình và danh sách có mặt được nữa."))
    return locked


def _session_fields(title: str, held_on: Any, place: str) -> dict[str, Any]:
    title = clean_text(title)[:TITLE_MAX]
    if not title:
        raise ValidationError({"title": _("Hãy ghi nội dung phiên họp.")})
    if held_on is None:
        raise ValidationError({"held_on": _("Hãy ghi ngày họp (dd/mm/yyyy).")})
    return {"title": title, "held_on": held_on, "place": clean_text(place)[:PLACE_MAX]}


@transaction.atomic
def session_create(
    *,
    council: AwardCouncil,
    title: str,
    held_on: Any,
    place: str = "",
    candidates: Iterable[Any],
    by: Any,
) -> CouncilSession:
    """A draft session with a ballot item per candidate (threshold of its award kind) and an
    attendance row per active member (present by default)."""
    _require_desk(by, council)
    if not council.active:
        raise ValidationError(_("Hội đồng không còn hoạt động."))
    fields = _session_fields(title, held_on, place)
    chosen = _waiting(council, candidates)
    session = CouncilSession(council=council, created_by=_person(by), **fields)
    session._history_user = _person(by)  # type: ignore[attr-defined]
    session.save()
    BallotItem.objects.bulk_create(
        BallotItem(session=session, candidate=c, threshold=council.threshold_for(c.kind), position=n)
        for n, c in enumerate(chosen, start=1)
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, member=m, present=True) for m in council.members.filter(active=True)
    )
    return session


@transaction.atomic
def session_update(*, session: CouncilSession, title: str, held_on: Any, place: str = "", by: Any) -> CouncilSession:
    _require_desk(by, session.council)
    locked = _locked_draft(session)
    for key, value in _session_fields(title, held_on, place).items():
        setattr(locked, key, value)
    locked._history_user = _person(by)  # type: ignore[attr-defined]
    locked.save()
    return locked


def _sync_attendance(session: CouncilSession) -> None:
    """Attendance rows for exactly the active members (a member added after the session was
    prepared is present by default; one who left is dropped)."""
    active = set(session.council.members.filter(active=True).values_list("pk", flat=True))
    rows = set(Attendance.objects.filter(session=session).values_list("member_id", flat=True))
    Attendance.objects.filter(session=session).exclude(member_id__in=active).delete()
    Attendance.objects.bulk_create(Attendance(session=session, member_id=pk, present=True) for pk in active - rows)


@transaction.atomic
def attendance_set(*, session: CouncilSession, present: Iterable[Any], by: Any) -> int:
    """Mark the active members in ``present`` as present and the others absent; returns how many are present."""
    _require_desk(by, session.council)
    locked = _locked_draft(session)
    ids = set(_ids(present, "present"))
    _sync_attendance(locked)
    members = set(Attendance.objects.filter(session=locked).values_list("member_id", flat=True))
    if ids - members:
        raise ValidationError({"present": _("Có người không phải thành viên của hội đồng.")})
    rows = Attendance.objects.filter(session=locked)
    rows.filter(member_id__in=ids).update(present=True)
    rows.exclude(member_id__in=ids).update(present=False)
    return len(ids)


@transaction.atomic
def session_item_add(*, session: CouncilSession, candidates: Iterable[Any], by: Any) -> list[BallotItem]:
    _require_desk(by, session.council)
    locked = _locked_draft(session)
    chosen = _waiting(locked.council, candidates)
    last = max(locked.items.values_list("position", flat=True), default=0)
    return BallotItem.objects.bulk_create(
        BallotItem(session=locked, candidate=c, threshold=locked.council.threshold_for(c.kind), position=last + n)
        for n, c in enumerate(chosen, start=1)
    )


@transaction.atomic
def session_item_remove(*, session: CouncilSession, item: Any, by: Any) -> None:
    _require_desk(by, session.council)
    locked = _locked_draft(session)
    (item_id,) = _ids([item], "item")
    if not BallotItem.objects.filter(session=locked, pk=item_id).delete()[0]:
        raise ValidationError({"item": _("Người, tập thể này không có trong chương trình phiên họp.")})


@transaction.atomic
def session_open(*, session: CouncilSession, by: Any, seen: str | None = None) -> CouncilSession:
    """Open the secret ballot: the council as it stands is the denominator of every threshold.

    Refused without quorum (present ≥ ``council.quorum`` of the whole council), without members
    or candidates, or when a candidate's dossier has left the council meanwhile. Present members
    with an account are told that the ballot is open.
    """
    _require_desk(by, session.council)
    locked = CouncilSession.objects.select_for_update().select_related("council", "council__unit").get(pk=session.pk)
    if locked.status != CouncilSession.Status.DRAFT:
        transitions.apply(locked, CouncilSession.OPEN_BALLOT, by=by, seen=seen)  # raises the stale message
    council = locked.council
    _sync_attendance(locked)
    size = council.members.filter(active=True).count()
    present = Attendance.objects.filter(session=locked, present=True).count()
    items = list(locked.items.select_related("candidate", "candidate__kind", "candidate__nomination"))
    if not size:
        raise ValidationError(_("Hội đồng chưa có thành viên nào."))
    if not items:
        raise ValidationError(_("Phiên họp chưa có người, tập thể nào để bỏ phiếu."))
    if not meets(present, size, council.quorum):
        raise ValidationError(
            _(
                "Không đủ số thành viên có mặt để mở bỏ phiếu: có mặt %(present)s/%(size)s, "
                "cần ít nhất %(quorum)s tổng số thành viên hội đồng."
            )
            % {"present": present, "size": size, "quorum": council.quorum}
        )
    unable = list(
        AwardCouncilMember.objects.filter(council=council, active=True, pk__in=present_ids(locked))
        .filter(Q(user__isnull=True) | Q(user__is_active=False))
        .values_list("full_name", flat=True)
    )
    if unable:
        raise ValidationError(
            _(
                "%(names)s được ghi có mặt nhưng không có tài khoản bỏ phiếu: hãy gắn tài khoản, hoặc ghi vắng "
                "mặt để thư ký nhập phiếu bằng văn bản."
            )
            % {"names": ", ".join(unable)}
        )
    gone = [
        i.candidate.recipient_name
        for i in items
        if i.candidate.outcome != Candidate.Outcome.PROPOSED
        or i.candidate.nomination.status != Nomination.Status.TAKEN
        or i.candidate.nomination.holder_id != council.unit_id
    ]
    if gone:
        raise ValidationError(
            _("Hồ sơ của %(names)s không còn chờ hội đồng xét; hãy bỏ khỏi chương trình.") % {"names": ", ".join(gone)}
        )
    # The thresholds in force when the ballot opens are the ones the tally applies.
    for item in items:
        item.threshold = council.threshold_for(item.candidate.kind)
    BallotItem.objects.bulk_update(items, ["threshold"])
    transitions.apply(
        locked,
        CouncilSession.OPEN_BALLOT,
        by=by,
        seen=seen,
        changes={"council_size": size, "present_count": present, "quorum": council.quorum, "opened_at": timezone.now()},
    )
    voters = (
        AwardCouncilMember.objects.filter(
            council=council, active=True, user__isnull=False, user__is_active=True, pk__in=present_ids(locked)
        )
        .select_related("user")
        .order_by("pk")
    )
    url = reverse("recognition:ballot", args=[locked.pk])
    message = _("Phiên họp “%(title)s” của %(council)s đã mở bỏ phiếu kín; mời đồng chí bỏ phiếu.") % {
        "title": locked.title,
        "council": council.name,
    }
    notify(((m.user, message, url) for m in voters), subject=_("Mời bỏ phiếu kín"))
    return locked


def present_ids(session: CouncilSession) -> QuerySet[Attendance, Any]:
    return Attendance.objects.filter(session=session, present=True).values("member_id")


# --- ballots --------------------------------------------------------------------------------------------


def seat_for(session: CouncilSession, user: Any) -> AwardCouncilMember | None:
    """The user's active seat on the session's council, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return AwardCouncilMember.objects.filter(council=session.council_id, user=user, active=True).first()


def is_secretary(user: Any, session: CouncilSession) -> bool:
    seat = seat_for(session, user)
    return seat is not None and seat.role == AwardCouncilMember.Role.SECRETARY


def may_record_written(user: Any, session: CouncilSession) -> bool:
    """The council's secretary (seat holder) or the council desk enters absent members' written ballots."""
    return council_desk(user, session) or is_secretary(user, session)


def _choices(session: CouncilSession, choices: Mapping[Any, Any]) -> list[BallotChoice]:
    """One approve/reject per item of the session, nothing more, nothing less."""
    items = dict(BallotItem.objects.filter(session=session).values_list("pk", "candidate_id"))
    picked: dict[int, bool] = {}
    for key, value in choices.items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("Phiếu có mục không thuộc phiên họp này.")) from None
        if item_id not in items:
            raise ValidationError(_("Phiếu có mục không thuộc phiên họp này."))
        if not isinstance(value, bool):
            raise ValidationError(_("Mỗi người, tập thể chỉ chọn “Đồng ý” hoặc “Không đồng ý”."))
        picked[item_id] = value
    missing = [pk for pk in items if pk not in picked]
    if missing:
        names = [
            c.recipient_name
            for c in Candidate.objects.filter(pk__in=[items[pk] for pk in missing]).select_related("member", "unit")
        ]
        raise ValidationError(
            _("Hãy chọn “Đồng ý” hoặc “Không đồng ý” cho từng người: còn thiếu %(names)s.")
            % {"names": ", ".join(names)}
        )
    rows = [BallotChoice(item_id=pk, approve=approve) for pk, approve in picked.items()]
    secrets.SystemRandom().shuffle(rows)
    return rows


def _record_ballot(
    session: CouncilSession, member: AwardCouncilMember, choices: Mapping[Any, Any], *, written: bool
) -> BallotReceipt:
    """Inside the caller's transaction, with the session row locked: the receipt, then the choices."""
    rows = _choices(session, choices)
    try:
        with transaction.atomic():
            receipt = BallotReceipt.objects.create(session=session, member=member, written=written)
    except IntegrityError:
        if written:
            raise ValidationError(_("Thành viên này đã có phiếu trong phiên họp; mỗi người chỉ một phiếu.")) from None
        raise ValidationError(_("Bạn đã bỏ phiếu trong phiên họp này; mỗi thành viên chỉ bỏ phiếu một lần.")) from None
    BallotChoice.objects.bulk_create(rows)
    return receipt


def _locked_open(session: CouncilSession) -> CouncilSession:
    """The session row locked FOR UPDATE: a ballot and the close never interleave (the close counts
    every ballot committed before it, and no choice is written after it)."""
    locked = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if locked.status == CouncilSession.Status.DRAFT:
        raise ValidationError(_("Phiên họp chưa mở bỏ phiếu."))
    if locked.status != CouncilSession.Status.OPEN:
        raise ValidationError(_("Phiên họp đã kết thúc bỏ phiếu; không nhận thêm phiếu."))
    return locked


@transaction.atomic
def ballot_cast(*, session: CouncilSession, user: Any, choices: Mapping[Any, Any], by: Any = None) -> BallotReceipt:
    """A present member's electronic ballot: ``choices`` maps each item id of the session to True
    (approve) or False (reject). Once per member (the receipt's unique constraint)."""
    seat = seat_for(session, user)
    if seat is None or (by is not None and by != user):
        raise _refuse()
    locked = _locked_open(session)
    attendance = Attendance.objects.filter(session=locked, member=seat).first()
    if attendance is None:
        raise ValidationError(_("Đồng chí không có tên trong danh sách thành viên của phiên họp này."))
    if not attendance.present:
        raise ValidationError(
            _("Đồng chí được ghi là vắng mặt: phiếu của thành viên vắng mặt gửi bằng văn bản, do thư ký hội đồng nhập.")
        )
    return _record_ballot(locked, seat, choices, written=False)


@transaction.atomic
def written_ballot_record(
    *, session: CouncilSession, member: AwardCouncilMember | int | str, choices: Mapping[Any, Any], by: Any
) -> BallotReceipt:
    """An absent member's written ballot, entered by the secretary or the council desk."""
    if by is not None and not may_record_written(by, session):
        raise _refuse()
    (member_id,) = _ids([member], "member")
    seat = AwardCouncilMember.objects.filter(council=session.council_id, pk=member_id, active=True).first()
    if seat is None:
        raise ValidationError({"member": _("Người này không phải thành viên của hội đồng.")})
    locked = _locked_open(session)
    if not Attendance.objects.filter(session=locked, member=seat, present=False).exists():
        raise ValidationError(
            {"member": _("Chỉ nhập phiếu bằng văn bản cho thành viên được ghi vắng mặt; người có mặt tự bỏ phiếu.")}
        )
    receipt = _record_ballot(locked, seat, choices, written=True)
    # Who entered whose written ballot, in the session's history; the choice is never written there.
    transitions.record(
        locked, "written_ballot", by=by, reason=_("Nhập phiếu bằng văn bản của %(name)s") % {"name": seat.full_name}
    )
    return receipt


# --- close and results -----------------------------------------------------------------------------------


def _vacuum_choices() -> None:
    """Reclaim the deleted choices' dead tuples on PostgreSQL (VACUUM cannot run in a transaction)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {BallotChoice._meta.db_table}")
    except Exception:  # the close has committed; an operator can VACUUM later
        log.warning("VACUUM %s after a ballot close failed", BallotChoice._meta.db_table, exc_info=True)


@transaction.atomic
def session_close(*, session: CouncilSession, by: Any, seen: str | None = None) -> CouncilSession:
    """Close the ballot and count it: per item the approvals and rejections (one GROUP BY), passed
    when approvals reach the item's threshold of the whole council (``session.council_size``),
    the candidates' outcomes, then every choice of the session deleted: in the same transaction."""
    _require_desk(by, session.council)
    locked = CouncilSession.objects.select_for_update().select_related("council").get(pk=session.pk)
    transitions.apply(locked, CouncilSession.CLOSE_BALLOT, by=by, seen=seen, changes={"closed_at": timezone.now()})
    counts = {
        row["item_id"]: row
        for row in BallotChoice.objects.filter(item__session=locked)
        .order_by()
        .values("item_id")
        .annotate(yes=Count("id", filter=Q(approve=True)), no=Count("id", filter=Q(approve=False)))
    }
    items = list(locked.items.all())
    passed: list[int] = []
    failed: list[int] = []
    for item in items:
        row = counts.get(item.pk, {"yes": 0, "no": 0})
        item.approve, item.reject = row["yes"], row["no"]
        ok = meets(item.approve, locked.council_size, item.threshold)
        item.result = BallotItem.Result.PASSED if ok else BallotItem.Result.FAILED
        (passed if ok else failed).append(item.candidate_id)
    BallotItem.objects.bulk_update(items, ["approve", "reject", "result"])
    proposed = Candidate.objects.filter(outcome=Candidate.Outcome.PROPOSED)
    proposed.filter(pk__in=passed).update(outcome=Candidate.Outcome.PASSED)
    proposed.filter(pk__in=failed).update(outcome=Candidate.Outcome.FAILED)
    BallotChoice.objects.filter(item__session=locked).delete()
    transaction.on_commit(_vacuum_choices)
    return locked


@dataclass(frozen=True)
class Results:
    """The tally of a closed session, as the minutes and the results table show it."""

    session: CouncilSession
    items: list[BallotItem]
    voted: int
    written: int

    @property
    def passed(self) -> list[BallotItem]:
        return [i for i in self.items if i.result == BallotItem.Result.PASSED]

    @property
    def failed(self) -> list[BallotItem]:
        return [i for i in self.items if i.result == BallotItem.Result.FAILED]


class TallyNotReady(ValidationError):
    """The tally of a session whose ballot has not closed was asked for."""


def session_results(session: CouncilSession) -> Results:
    """The tally, only after the ballot closed (for everyone, superusers included)."""
    if session.status != CouncilSession.Status.CLOSED:
        raise TallyNotReady(_("Kết quả chỉ được công bố sau khi kết thúc bỏ phiếu."))
    items = list(ballot_items(session))
    receipts = BallotReceipt.objects.filter(session=session).aggregate(
        voted=Count("id"), written=Count("id", filter=Q(written=True))
    )
    return Results(session=session, items=items, voted=receipts["voted"], written=receipts["written"])


# --- selectors ---------------------------------------------------------------------------------------------


def councils_for(user: Any) -> QuerySet[AwardCouncil]:
    return (
        AwardCouncil.objects.visible_to(user)
        .select_related("unit")
        .annotate(size=Count("members", filter=Q(members__active=True), distinct=True))
    )


def desk_units(user: Any) -> list[Unit]:
    """The units whose emulation desk the user holds (where they set up councils)."""
    scope = scope_for(user)
    ids = scope.unit_ids_with(Perm.MANAGE_EMULATION)
    if not ids and scope.is_global:
        return list(Unit.objects.filter(depth__lte=2, dissolved_on__isnull=True).order_by("path")[:50])
    return list(Unit.objects.filter(pk__in=ids, dissolved_on__isnull=True).order_by("path"))


def ballot_items(session: CouncilSession) -> QuerySet[BallotItem]:
    return session.items.select_related(
        "candidate", "candidate__kind", "candidate__member", "candidate__unit", "candidate__nomination"
    ).order_by("position", "pk")


def attendance_of(session: CouncilSession) -> list[Attendance]:
    return list(Attendance.objects.filter(session=session).select_related("member").order_by("member_id"))


def progress(session: CouncilSession) -> tuple[int, int]:
    """(members who have voted, council size): all that is shown while the ballot is open."""
    return BallotReceipt.objects.filter(session=session).count(), session.council_size


def sessions_of(council: AwardCouncil) -> QuerySet[CouncilSession]:
    return council.sessions.annotate(item_count=Count("items")).order_by("-held_on", "-pk")


def my_open_ballots(user: Any) -> list[tuple[CouncilSession, AwardCouncilMember]]:
    """Open sessions where the user holds an active seat, is present and has not voted yet."""
    seats = {
        s.council_id: s
        for s in AwardCouncilMember.objects.filter(user=user, active=True, council__active=True).only(
            "id", "council_id"
        )
    }
    if not seats:
        return []
    sessions = (
        CouncilSession.objects.visible_to(user)
        .filter(status=CouncilSession.Status.OPEN, council_id__in=list(seats))
        .filter(attendance__member__in=list(seats.values()), attendance__present=True)
        .exclude(receipts__member__in=list(seats.values()))
        .select_related("council", "council__unit")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("held_on", "pk")
    )
    return [(s, seats[s.council_id]) for s in sessions]
