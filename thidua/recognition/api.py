"""Recognition in the JSON API, read-only: the catalogue and rule sets (shared by every unit, for
any logged-in account) and the awards in the caller's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, page
from thidua.recognition import selectors
from thidua.recognition.models import Award, AwardKind, Rule, RuleSet

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
    revoked: bool


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
        "revoked": a.revoked,
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
    qs = selectors.awards_for(request.user).order_by("-period_end", "-pk")
    if kind:
        qs = qs.filter(kind__code=kind)
    if year is not None:
        qs = qs.filter(year=year)
    return page(qs, limit, offset, serialize=_award)


@router.get("/awards/{award_id}", response=AwardOut, summary="One award")
def get_award(request: HttpRequest, award_id: int = Path(..., ge=1, le=2**62)) -> Any:
    return _award(get_for_user(selectors.awards_for(request.user), request.user, pk=award_id))
