"""Recognition in the JSON API, read-only: the catalogue and rule sets (shared by every unit, for
any logged-in account), and in the caller's scope, exactly as the pages: awards, nomination
dossiers (with their candidates, verdict notes and processing log), decisions (with their lines)
and council sessions.

A council session carries its per-candidate counts and results only once the ballot is closed;
receipts (who voted) and choices (what was chosen) are never sent, in any state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, choice, page
from thidua.core.text import fold
from thidua.recognition import selectors
from thidua.recognition.models import (
    Award,
    AwardDecision,
    AwardKind,
    BallotItem,
    Candidate,
    CouncilSession,
    DecisionLine,
    Nomination,
    NominationEvent,
    Rule,
    RuleSet,
)

router = Router(tags=["recognition"])


class AwardKindOut(Schema):
    id: int
    code: str
    name: str
    category: str
    system: str
    subject: str
    cadence: str
    owner_id: int | None = None
    quota_per_round: int | None = None
    once_in_lifetime: bool
    salary_multiplier: Decimal | None = None
    confidence: str
    source: str
    active: bool


class RuleOut(Schema):
    id: int
    award_kind: str | None = None
    subject: str
    kind: str
    params: dict[str, Any]
    explanation: str
    source: str
    confidence: str
    active: bool


class RuleSetOut(Schema):
    id: int
    code: str
    name: str
    legal_basis: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    confidence: str
    rules: list[RuleOut]


class AwardOut(Schema):
    id: int
    kind: str
    member_id: int | None = None
    recipient_name: str
    unit_id: int
    unit_name: str
    period_start: dt.date
    period_end: dt.date
    decided_on: dt.date
    decision_ref: str
    decision_id: int | None = None
    decision_number: str = ""
    revoked: bool
    revoke_reason: str = ""


class AwardPage(Schema):
    count: int
    items: list[AwardOut]


def _kind(k: AwardKind) -> dict[str, Any]:
    return {
        "id": k.pk,
        "code": k.code,
        "name": k.name,
        "category": k.category,
        "system": k.system,
        "subject": k.subject,
        "cadence": k.cadence,
        "owner_id": k.owner_id,
        "quota_per_round": k.quota_per_round,
        "once_in_lifetime": k.once_in_lifetime,
        "salary_multiplier": k.salary_multiplier,
        "confidence": k.confidence,
        "source": k.source,
        "active": k.active,
    }


def _rule(r: Rule) -> dict[str, Any]:
    return {
        "id": r.pk,
        "award_kind": r.award_kind.code if r.award_kind else None,
        "subject": r.subject,
        "kind": r.kind,
        "params": r.params,
        "explanation": r.explanation,
        "source": r.source,
        "confidence": r.confidence,
        "active": r.active,
    }


def _rule_set(rs: RuleSet) -> dict[str, Any]:
    return {
        "id": rs.pk,
        "code": rs.code,
        "name": rs.name,
        "legal_basis": rs.legal_basis,
        "valid_from": rs.valid_from,
        "valid_to": rs.valid_to,
        "confidence": rs.confidence,
        "rules": [_rule(r) for r in rs.rules.all()],
    }


def _award(a: Award) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind.code,
        "member_id": a.member_id,
        "recipient_name": a.recipient_name,
        "unit_id": a.unit_id,
        "unit_name": a.unit.name,
        "period_start": a.period_start,
        "period_end": a.period_end,
        "decided_on": a.decided_on,
        "decision_ref": a.decision_ref,
        "decision_id": a.decision_id,
        "decision_number": a.decision.document_number if a.decision is not None else a.decision_ref,
        "revoked": a.revoked,
        "revoke_reason": a.revoke_reason,
    }


@router.get("/award-kinds", response=list[AwardKindOut], summary="The award catalogue (titles and forms)")
def list_award_kinds(request: HttpRequest) -> Any:
    return [_kind(k) for k in selectors.catalogue()]


@router.get("/rule-sets", response=list[RuleSetOut], summary="Award rule sets with their rules")
def list_rule_sets(request: HttpRequest) -> Any:
    return [_rule_set(rs) for rs in selectors.rule_sets()]


@router.get("/awards", response=AwardPage, summary="Awards received in my scope")
def list_awards(
    request: HttpRequest,
    kind: str = Query("", max_length=40),
    year: int | None = Query(None, ge=1900, le=2200),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = selectors.awards_for(request.user).select_related("decision__issuer").order_by("-period_end", "-pk")
    if kind:
        qs = qs.filter(kind__code=kind)
    if year is not None:
        qs = qs.filter(year=year)
    return page(qs, limit, offset, serialize=_award)


@router.get("/awards/{award_id}", response=AwardOut, summary="One award")
def get_award(request: HttpRequest, award_id: int = Path(..., ge=1, le=2**62)) -> Any:
    awards = selectors.awards_for(request.user).select_related("decision__issuer")
    return _award(get_for_user(awards, request.user, pk=award_id))


# --- nomination dossiers, decisions and council sessions (scoped as their pages) -------------------


class NominationOut(Schema):
    id: int
    status: str
    title: str
    proposer_id: int
    proposer_name: str
    holder_id: int
    holder_name: str
    campaign_id: int | None = None
    period_start: dt.date
    period_end: dt.date
    deadline: dt.date | None = None
    submitted_at: dt.datetime | None = None
    candidate_count: int


class NominationPage(Schema):
    count: int
    items: list[NominationOut]


class CandidateOut(Schema):
    id: int
    kind: str
    kind_name: str
    member_id: int | None = None
    unit_id: int
    recipient_name: str
    unit_name: str
    achievement: str
    verdict: str
    notes: list[Any]
    outcome: str


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    at: dt.datetime
    by: str


class NominationDetailOut(NominationOut):
    achievement: str
    candidates: list[CandidateOut]
    events: list[EventOut]


class DecisionOut(Schema):
    id: int
    status: str
    document_number: str
    number: int | None = None
    year: int
    issuer_id: int
    issuer_name: str
    issued_on: dt.date
    title: str
    achievement: str
    campaign_id: int | None = None
    session_id: int | None = None
    period_start: dt.date
    period_end: dt.date
    publish: bool
    base_salary: int | None = None
    revoke_reason: str
    line_count: int


class DecisionPage(Schema):
    count: int
    items: list[DecisionOut]


class DecisionLineOut(Schema):
    id: int
    kind: str
    kind_name: str
    member_id: int | None = None
    unit_id: int
    recipient_name: str
    position: str
    unit_name: str
    achievement: str
    prize: int
    prize_note: str
    gold_book: int | None = None
    award_id: int | None = None


class DecisionDetailOut(DecisionOut):
    lines: list[DecisionLineOut]


class SessionOut(Schema):
    id: int
    status: str
    council_id: int
    council_name: str
    unit_id: int
    title: str
    held_on: dt.date
    place: str
    council_size: int
    present_count: int
    quorum: str
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


class SessionPage(Schema):
    count: int
    items: list[SessionOut]


class BallotItemOut(Schema):
    candidate_id: int
    recipient_name: str
    kind: str
    kind_name: str
    threshold: str
    # Null until the ballot is closed: nobody reads a running tally.
    approve: int | None = None
    reject: int | None = None
    result: str | None = None


class SessionDetailOut(SessionOut):
    items: list[BallotItemOut]


NOMINATIONS = Nomination.objects.select_related("proposer", "holder").annotate(candidate_count=Count("candidates"))
DECISIONS = AwardDecision.objects.select_related("issuer").annotate(line_count=Count("lines"))
SESSIONS = CouncilSession.objects.select_related("council")


def _nomination(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.pk,
        "status": n.status,
        "title": n.title,
        "proposer_id": n.proposer_id,
        "proposer_name": n.proposer.name,
        "holder_id": n.holder_id,
        "holder_name": n.holder.name,
        "campaign_id": n.campaign_id,
        "period_start": n.period_start,
        "period_end": n.period_end,
        "deadline": n.deadline,
        "submitted_at": n.submitted_at,
        "candidate_count": n.candidate_count,  # type: ignore[attr-defined]
    }


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind.code,
        "kind_name": c.kind.name,
        "member_id": c.member_id,
        "unit_id": c.unit_id,
        "recipient_name": c.recipient_name,
        "unit_name": c.unit.name,
        "achievement": c.achievement,
        "verdict": c.verdict,
        "notes": c.notes if isinstance(c.notes, list) else [],
        "outcome": c.outcome,
    }


def _event(e: NominationEvent) -> dict[str, Any]:
    return {
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason": e.reason,
        "at": e.at,
        "by": str(e.by) if e.by is not None else "",
    }


def _decision(d: AwardDecision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "status": d.status,
        "document_number": d.document_number,
        "number": d.number,
        "year": d.year,
        "issuer_id": d.issuer_id,
        "issuer_name": d.issuer.name,
        "issued_on": d.issued_on,
        "title": d.title,
        "achievement": d.achievement,
        "campaign_id": d.campaign_id,
        "session_id": d.session_id,
        "period_start": d.period_start,
        "period_end": d.period_end,
        "publish": d.publish,
        "base_salary": d.base_salary,
        "revoke_reason": d.revoke_reason,
        "line_count": d.line_count,  # type: ignore[attr-defined]
    }


def _line(line: DecisionLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "kind": line.kind.code,
        "kind_name": line.kind.name,
        "member_id": line.member_id,
        "unit_id": line.unit_id,
        "recipient_name": line.recipient_name,
        "position": line.position,
        "unit_name": line.unit_name or line.unit.name,
        "achievement": line.achievement,
        "prize": line.prize,
        "prize_note": line.prize_note,
        "gold_book": line.gold_book,
        "award_id": line.award_id,
    }


def _session(s: CouncilSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "status": s.status,
        "council_id": s.council_id,
        "council_name": s.council.name,
        "unit_id": s.council.unit_id,
        "title": s.title,
        "held_on": s.held_on,
        "place": s.place,
        "council_size": s.council_size,
        "present_count": s.present_count,
        "quorum": s.quorum,
        "opened_at": s.opened_at,
        "closed_at": s.closed_at,
    }


def _item(item: BallotItem, closed: bool) -> dict[str, Any]:
    counted = {"approve": item.approve, "reject": item.reject, "result": item.result} if closed else {}
    return {
        "candidate_id": item.candidate_id,
        "recipient_name": item.candidate.recipient_name,
        "kind": item.candidate.kind.code,
        "kind_name": item.candidate.kind.name,
        "threshold": item.threshold,
        **counted,
    }


def _searched(qs: QuerySet[Any], q: str, *lookups: str) -> QuerySet[Any]:
    for word in fold(q).split()[:8]:
        condition = None
        for lookup in lookups:
            term = Q(**{f"{lookup}__contains": word})
            condition = term if condition is None else condition | term
        qs = qs.filter(condition)
    return qs


@router.get("/nominations", response=NominationPage, summary="Nomination dossiers in my scope")
def list_nominations(
    request: HttpRequest,
    status: str = choice(Nomination.Status.values, ""),
    year: int | None = Query(None, ge=1900, le=2200),
    campaign: int | None = Query(None, ge=1, le=2**62),
    q: str = Query("", max_length=100),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = NOMINATIONS.visible_to(request.user).order_by("-created_at", "-pk")
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(period_end__year=year)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    return page(_searched(qs, q, "proposer__search_text"), limit, offset, serialize=_nomination)


@router.get(
    "/nominations/{nomination_id}",
    response=NominationDetailOut,
    summary="One dossier with its candidates, their eligibility notes and its processing log",
)
def get_nomination(request: HttpRequest, nomination_id: int = Path(..., ge=1, le=2**62)) -> Any:
    candidates = Candidate.objects.select_related("kind", "member", "unit").order_by("position", "pk")
    events = NominationEvent.objects.select_related("by").order_by("at", "pk")
    nomination = get_for_user(
        NOMINATIONS.prefetch_related(Prefetch("candidates", queryset=candidates)).prefetch_related(
            Prefetch("events", queryset=events)
        ),
        request.user,
        pk=nomination_id,
    )
    return {
        **_nomination(nomination),
        "achievement": nomination.achievement,
        "candidates": [_candidate(c) for c in nomination.candidates.all()],
        "events": [_event(e) for e in nomination.events.all()],
    }


@router.get("/award-decisions", response=DecisionPage, summary="Award decisions in my scope")
def list_decisions(
    request: HttpRequest,
    status: str = choice(AwardDecision.Status.values, ""),
    year: int | None = Query(None, ge=1900, le=2200),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = DECISIONS.visible_to(request.user).order_by("-issued_on", "-pk")
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(year=year)
    return page(qs, limit, offset, serialize=_decision)


@router.get(
    "/award-decisions/{decision_id}",
    response=DecisionDetailOut,
    summary="One award decision with its recipients (prize, gold-book number)",
)
def get_decision(request: HttpRequest, decision_id: int = Path(..., ge=1, le=2**62)) -> Any:
    lines = DecisionLine.objects.select_related("kind", "member", "unit").order_by("order", "pk")
    decision = get_for_user(DECISIONS.prefetch_related(Prefetch("lines", lines)), request.user, pk=decision_id)
    return {**_decision(decision), "lines": [_line(line) for line in decision.lines.all()]}


@router.get("/council-sessions", response=SessionPage, summary="Council sessions in my scope")
def list_sessions(
    request: HttpRequest,
    status: str = choice(CouncilSession.Status.values, ""),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = SESSIONS.visible_to(request.user).order_by("-held_on", "-pk")
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    return page(qs, limit, offset, serialize=_session)


@router.get(
    "/council-sessions/{session_id}",
    response=SessionDetailOut,
    summary="One council session; its per-candidate counts only once the ballot is closed",
)
def get_session(request: HttpRequest, session_id: int = Path(..., ge=1, le=2**62)) -> Any:
    items = BallotItem.objects.select_related("candidate__kind", "candidate__member", "candidate__unit")
    session = get_for_user(
        SESSIONS.prefetch_related(Prefetch("items", items.order_by("position", "pk"))), request.user, pk=session_id
    )
    closed = session.status == CouncilSession.Status.CLOSED
    return {**_session(session), "items": [_item(item, closed) for item in session.items.all()]}
