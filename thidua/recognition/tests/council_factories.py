"""Council test helpers: a council with seats and accounts, dossiers taken at its unit (written
through the ORM: the dossier workflow is another part of issue 12), and sessions built through the
council services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thidua.accounts.roles import Role
from thidua.recognition import council as services
from thidua.recognition.catalogue import load
from thidua.recognition.models import (
    AwardCouncil,
    AwardCouncilMember,
    AwardKind,
    Candidate,
    CouncilSession,
    Nomination,
)
from thidua.testing import make_member, make_user
from thidua.units.models import Unit

HELD = dt.date(2026, 1, 20)


def kind(code: str) -> AwardKind:
    if not AwardKind.objects.filter(code=code).exists():
        load()
    return AwardKind.objects.get(code=code)


def make_council(
    unit: Unit, *, size: int = 7, name: str = "", thresholds: dict[str, str] | None = None, tag: str = ""
) -> AwardCouncil:
    """A council of ``size`` seats at ``unit``, each with an account holding the council role there;
    the first seat chairs, the second is the secretary."""
    kind("ldtt")  # the catalogue, which per-kind thresholds name
    council = services.council_save(
        unit=unit, by=None, name=name or f"Hội đồng TĐKT {unit.name}", thresholds=thresholds or {}
    )
    roles = [AwardCouncilMember.Role.CHAIR, AwardCouncilMember.Role.SECRETARY]
    for n in range(size):
        user = make_user(f"hd-{tag or unit.code}-{n}", (unit, Role.COUNCIL))
        services.council_member_add(
            council=council,
            by=None,
            full_name=f"Thành viên {n} {unit.code}",
            role=roles[n] if n < len(roles) else AwardCouncilMember.Role.MEMBER,
            user=user,
        )
    return council


def seats(council: AwardCouncil) -> list[AwardCouncilMember]:
    return list(council.members.select_related("user").order_by("pk"))


def taken_nomination(holder: Unit, proposer: Unit, title: str = "Hồ sơ đề nghị năm 2025") -> Nomination:
    return Nomination.objects.create(
        status=Nomination.Status.TAKEN,
        proposer=proposer,
        holder=holder,
        title=title,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )


def candidate(
    nomination: Nomination, code: str, name: str = "", *, unit: Unit | None = None, **fields: Any
) -> Candidate:
    award = kind(code)
    if award.subject == "individual":
        member = make_member(unit or nomination.proposer, name or None)
        return Candidate.objects.create(
            nomination=nomination,
            kind=award,
            member=member,
            unit=member.unit,
            achievement=fields.pop("achievement", "Hoàn thành xuất sắc nhiệm vụ năm 2025"),
            notes=fields.pop("notes", ["Đủ điều kiện theo Luật Thi đua, khen thưởng 2022"]),
            **fields,
        )
    return Candidate.objects.create(nomination=nomination, kind=award, unit=unit or nomination.proposer, **fields)


def draft_session(
    council: AwardCouncil, candidates: list[Candidate], title: str = "Phiên xét khen thưởng năm 2025"
) -> CouncilSession:
    return services.session_create(
        council=council, title=title, held_on=HELD, place="Hội trường", candidates=candidates, by=None
    )


def open_session(council: AwardCouncil, candidates: list[Candidate], absent: int = 0) -> CouncilSession:
    """A session opened with the last ``absent`` seats marked absent."""
    session = draft_session(council, candidates)
    members = seats(council)
    present = [m.pk for m in members[: len(members) - absent]]
    services.attendance_set(session=session, present=present, by=None)
    return services.session_open(session=session, by=None)


def choices(session: CouncilSession, *approve: bool) -> dict[int, bool]:
    """A ballot: ``approve`` in the order of the session's items."""
    items = list(session.items.order_by("position", "pk").values_list("pk", flat=True))
    assert len(items) == len(approve)
    return dict(zip(items, approve, strict=True))


def fresh(session: CouncilSession) -> CouncilSession:
    return CouncilSession.objects.select_related("council", "council__unit").get(pk=session.pk)
