"""Builders for decision tests: dossiers taken at a level, candidates a council passed, a closed
session, a draft decision. Dossiers and sessions are other parts of issue 12 with their own
services; here their rows are made directly so these tests stand on the decision services alone."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from thidua.recognition import decisions
from thidua.recognition.catalogue import load
from thidua.recognition.models import (
    AwardCouncil,
    AwardDecision,
    AwardKind,
    BallotItem,
    Candidate,
    CouncilSession,
    Nomination,
)
from thidua.units.models import Unit

YEAR = 2025
END = dt.date(YEAR, 12, 31)
ISSUED_ON = dt.date(2026, 1, 15)
_n = itertools.count(1)


def catalogue() -> None:
    if not AwardKind.objects.filter(code="ldtt").exists():
        load()


def kind(code: str) -> AwardKind:
    return AwardKind.objects.get(code=code)


def nomination(holder: Unit, proposer: Unit | None = None, *, end: dt.date = END, **fields: Any) -> Nomination:
    """A dossier taken at ``holder`` (its council votes, it decides)."""
    return Nomination.objects.create(
        proposer=proposer or holder,
        holder=holder,
        title=fields.pop("title", f"Đề nghị khen thưởng {next(_n)}"),
        period_start=dt.date(end.year, 1, 1),
        period_end=end,
        status=fields.pop("status", Nomination.Status.TAKEN),
        **fields,
    )


def candidate(
    holder: Unit,
    code: str,
    *,
    member: Any = None,
    unit: Unit | None = None,
    outcome: str = Candidate.Outcome.PASSED,
    dossier: Nomination | None = None,
    end: dt.date = END,
) -> Candidate:
    """A candidate (a member, or the collective ``unit``) for ``code`` in a dossier taken at ``holder``."""
    dossier = dossier or nomination(holder, member.unit if member is not None else unit, end=end)
    return Candidate.objects.create(
        nomination=dossier,
        kind=kind(code),
        member=member,
        unit=member.unit if member is not None else unit,
        outcome=outcome,
        achievement="Hoàn thành xuất sắc nhiệm vụ",
        position=next(_n),
    )


def closed_session(unit: Unit, candidates: list[Candidate], *, status: str = CouncilSession.Status.CLOSED) -> Any:
    """A session of ``unit``'s council that voted on ``candidates`` (result as their outcome says)."""
    council = AwardCouncil.objects.filter(unit=unit).first() or AwardCouncil.objects.create(
        unit=unit, name=f"Hội đồng thi đua – khen thưởng {unit.name}"
    )
    session = CouncilSession.objects.create(
        council=council,
        title=f"Phiên họp xét khen thưởng năm {YEAR}",
        held_on=dt.date(YEAR + 1, 1, 10),
        status=status,
        council_size=5,
        present_count=5,
    )
    for position, c in enumerate(candidates, start=1):
        passed = c.outcome == Candidate.Outcome.PASSED
        BallotItem.objects.create(
            session=session,
            candidate=c,
            threshold="80%",
            approve=5 if passed else 2,
            reject=0 if passed else 3,
            result=BallotItem.Result.PASSED if passed else BallotItem.Result.FAILED,
            position=position,
        )
    return session


def draft(
    issuer: Unit,
    candidates: list[Candidate] | None = None,
    *,
    session: Any = None,
    by: Any = None,
    **fields: Any,
) -> AwardDecision:
    values: dict[str, Any] = {
        "title": f"Về việc khen thưởng thành tích năm {YEAR}",
        "issued_on": ISSUED_ON,
        "place": "Alpha",
        "achievement": f"Đã có thành tích xuất sắc trong phong trào thi đua năm {YEAR}",
        "period_start": dt.date(YEAR, 1, 1),
        "period_end": END,
        "signer_name": "Nguyễn Văn Ký",
    }
    values.update(fields)
    return decisions.decision_draft(issuer, session=session, candidates=candidates, by=by, **values)


def issued(issuer: Unit, candidates: list[Candidate], *, on: dt.date = ISSUED_ON, **fields: Any) -> AwardDecision:
    decision = draft(issuer, candidates, **fields)
    return decisions.decision_issue(decision=decision, by=None, issued_on=on)
