"""Initiatives and effective models in the JSON API, read-only and scoped exactly as the pages are.

Confidential parts of an initiative are sent only to those who read them on the page (the unit's
emulation officers and the levels above); authors carry their name, unit and share, never a
member's phone, ID number or date of birth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, choice, page
from thidua.core.text import fold
from thidua.initiatives.models import EffectiveModel, Initiative, sees_confidential

router = Router(tags=["initiatives"])


class AuthorOut(Schema):
    member_id: int
    full_name: str
    unit_name: str
    share_percent: Decimal
    role: str


class ReviewOut(Schema):
    council_id: int
    council_name: str
    held_on: dt.date
    members_total: int
    present: int
    approve: int
    reject: int
    pass_num: int
    pass_den: int
    passed: bool


class InitiativeOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    field: str
    first_applied_on: dt.date
    benefit_vnd: int
    status: str
    recognised_on: dt.date | None = None
    effect_scope: str
    plan_id: int | None = None


class InitiativeDetailOut(InitiativeOut):
    description: str
    confidential_notes: str | None = None
    refusal_reason: str
    authors: list[AuthorOut]
    reviews: list[ReviewOut]


class InitiativePage(Schema):
    count: int
    items: list[InitiativeOut]


class AdoptionOut(Schema):
    unit_id: int
    unit_name: str
    adopted_on: dt.date
    results: str


class ModelOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    status: str
    approved_on: dt.date | None = None
    published: bool
    adoption_count: int


class ModelDetailOut(ModelOut):
    summary: str
    results: str
    adoptions: list[AdoptionOut]


class ModelPage(Schema):
    count: int
    items: list[ModelOut]


def _initiative(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.pk,
        "unit_id": i.unit_id,
        "unit_name": i.unit.name,
        "title": i.title,
        "field": i.field,
        "first_applied_on": i.first_applied_on,
        "benefit_vnd": i.benefit_vnd,
        "status": i.status,
        "recognised_on": i.recognised_on,
        "effect_scope": i.effect_scope,
        "plan_id": i.plan_id,
    }


def _model(m: EffectiveModel) -> dict[str, Any]:
    return {
        "id": m.pk,
        "unit_id": m.unit_id,
        "unit_name": m.unit.name,
        "title": m.title,
        "status": m.status,
        "approved_on": m.approved_on,
        "published": m.published,
        "adoption_count": m.adoption_count,  # type: ignore[attr-defined]
    }


INITIATIVES = Initiative.objects.select_related("unit")
MODELS = EffectiveModel.objects.select_related("unit").annotate(adoption_count=Count("adoptions", distinct=True))


@router.get("/initiatives", response=InitiativePage, summary="Initiatives in my scope")
def list_initiatives(
    request: HttpRequest,
    status: str = choice(Initiative.Status.values, ""),
    year: int | None = Query(None, ge=1900, le=2999),
    unit: int | None = Query(None, ge=1, le=2**62),
    q: str = Query("", max_length=100),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = INITIATIVES.visible_to(request.user).order_by("-first_applied_on", "-pk")
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(first_applied_on__year=year)
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    return page(qs, limit, offset, serialize=_initiative)


@router.get("/initiatives/{initiative_id}", response=InitiativeDetailOut, summary="One initiative")
def get_initiative(request: HttpRequest, initiative_id: int = Path(..., ge=1, le=2**62)) -> Any:
    initiative = get_for_user(INITIATIVES, request.user, pk=initiative_id)
    authors = [
        {
            "member_id": a.member_id,
            "full_name": a.member.full_name,
            "unit_name": a.member.unit.name,
            "share_percent": a.share_percent,
            "role": a.role,
        }
        for a in initiative.authors.select_related("member", "member__unit")
    ]
    reviews = [
        {
            "council_id": r.council_id,
            "council_name": r.council.name,
            "held_on": r.held_on,
            "members_total": r.members_total,
            "present": r.present,
            "approve": r.approve,
            "reject": r.reject,
            "pass_num": r.pass_num,
            "pass_den": r.pass_den,
            "passed": r.passed,
        }
        for r in initiative.reviews.select_related("council")
    ]
    return {
        **_initiative(initiative),
        "description": initiative.description,
        "confidential_notes": initiative.confidential_notes if sees_confidential(request.user, initiative) else None,
        "refusal_reason": initiative.refusal_reason,
        "authors": authors,
        "reviews": reviews,
    }


@router.get("/models", response=ModelPage, summary="Effective models in my scope (mine and my libraries')")
def list_models(
    request: HttpRequest,
    status: str = choice(EffectiveModel.Status.values, ""),
    q: str = Query("", max_length=100),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = MODELS.visible_to(request.user).order_by("-approved_on", "-pk")
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    return page(qs, limit, offset, serialize=_model)


@router.get("/models/{model_id}", response=ModelDetailOut, summary="One effective model and where it spread")
def get_model(request: HttpRequest, model_id: int = Path(..., ge=1, le=2**62)) -> Any:
    model = get_for_user(MODELS, request.user, pk=model_id)
    adoptions = [
        {"unit_id": a.unit_id, "unit_name": a.unit.name, "adopted_on": a.adopted_on, "results": a.results}
        for a in model.adoptions.select_related("unit").order_by("adopted_on", "pk")
    ]
    return {**_model(model), "summary": model.summary, "results": model.results, "adoptions": adoptions}
