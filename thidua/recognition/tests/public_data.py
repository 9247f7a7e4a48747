"""Dossiers, decisions and their awards for the statistics, honour-roll and API tests, built through
the ORM as the finished workflow leaves them (the workflow's own services are tested apart)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from thidua.members.models import Member
from thidua.recognition import services
from thidua.recognition.catalogue import load
from thidua.recognition.models import Award, AwardDecision, AwardKind, Candidate, DecisionLine, Nomination
from thidua.units.models import Unit

END = dt.date(2025, 12, 31)
_numbers = itertools.count(1)


def kind(code: str) -> AwardKind:
    if not AwardKind.objects.filter(code=code).exists():
        load()
    return AwardKind.objects.get(code=code)


def nomination(
    proposer: Unit,
    *,
    status: str = Nomination.Status.SUBMITTED,
    end: dt.date = END,
    campaign: Any = None,
    title: str = "Đề nghị khen thưởng năm 2025",
) -> Nomination:
    return Nomination.objects.create(
        proposer=proposer,
        holder=proposer.parent or proposer,
        status=status,
        campaign=campaign,
        title=title,
        period_start=dt.date(end.year, 1, 1),
        period_end=end,
        achievement="Hoàn thành xuất sắc nhiệm vụ",
    )


def propose(nom: Nomination, recipient: Member | Unit, code: str, **fields: Any) -> Candidate:
    who = {"member": recipient, "unit": recipient.unit} if isinstance(recipient, Member) else {"unit": recipient}
    return Candidate.objects.create(nomination=nom, kind=kind(code), **who, **fields)


def decision(
    issuer: Unit,
    *,
    status: str = AwardDecision.Status.ISSUED,
    publish: bool = False,
    issued_on: dt.date = dt.date(2026, 1, 20),
    end: dt.date = END,
    campaign: Any = None,
    title: str = "Về việc khen thưởng thành tích năm 2025",
) -> AwardDecision:
    return AwardDecision.objects.create(
        issuer=issuer,
        status=status,
        number=next(_numbers) if status != AwardDecision.Status.DRAFT else None,
        year=issued_on.year,
        issued_on=issued_on,
        place="Bắc Kạn",
        title=title,
        achievement="Đã có thành tích xuất sắc trong phong trào thi đua năm 2025",
        campaign=campaign,
        period_start=dt.date(end.year, 1, 1),
        period_end=end,
        signer_name="Nguyễn Văn Ký",
        publish=publish,
    )


def decide(
    dec: AwardDecision,
    recipient: Member | Unit,
    code: str,
    *,
    candidate: Candidate | None = None,
    position: str = "",
    achievement: str = "",
    prize: int = 0,
    gold_book: int | None = None,
) -> DecisionLine:
    """A line of ``dec`` and, when the decision is issued (or revoked), the award it made."""
    award_kind = kind(code)
    member = recipient if isinstance(recipient, Member) else None
    unit = recipient.unit if isinstance(recipient, Member) else recipient
    award = None
    if dec.status != AwardDecision.Status.DRAFT:
        award = services.award_create(
            kind=award_kind,
            member=member,
            unit=None if member is not None else unit,
            period_end=dec.period_end,
            period_start=dec.period_start,
            decided_on=dec.issued_on,
            decision_ref=dec.document_number,
            awarded_by=dec.issuer,
            campaign=dec.campaign,
            by=None,
        )
        Award.objects.filter(pk=award.pk).update(decision=dec)
        award.decision = dec
    return DecisionLine.objects.create(
        decision=dec,
        candidate=candidate,
        kind=award_kind,
        member=member,
        unit=unit,
        position=position,
        unit_name=unit.name,
        achievement=achievement,
        prize=prize,
        gold_book=gold_book,
        award=award,
        order=next(_numbers),
    )


def revoke_decision(dec: AwardDecision, reason: str = "Hồ sơ khai không đúng") -> None:
    """As the decision's REVOKE leaves it: revoked, with its awards revoked."""
    AwardDecision.objects.filter(pk=dec.pk).update(status=AwardDecision.Status.REVOKED, revoke_reason=reason)
    for award in Award.objects.filter(decision=dec, revoked_at__isnull=True):
        services.award_revoke(award=award, reason=reason, by=None)
