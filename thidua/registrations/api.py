"""Registrations in the JSON API: unit registrations, their commitments, member pledges, coverage.

Read-only, and scoped exactly as the pages: a registration is seen by its unit and every level
above it, its pledges as it is (``ViaParent``), a plan's coverage below a unit the caller sees.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.campaigns.models import Plan
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, choice, page
from thidua.members.models import Member
from thidua.registrations.models import Commitment, MemberPledge, Registration, RegistrationEvent
from thidua.registrations.selectors import coverage, coverage_root
from thidua.units.models import Unit

router = Router(tags=["registrations"])

ID = {"ge": 1, "le": 2**62}
REGISTRATIONS = Registration.objects.select_related("unit", "plan", "plan__issuer")


class Ref(Schema):
    id: int
    name: str


class RegistrationOut(Schema):
    id: int
    plan_id: int
    plan_number: str
    unit: Ref
    status: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    comment: str  # the level above's reason when it returned the registration
    deadline_extended_to: dt.date | None
    created_at: dt.datetime


class RegistrationPage(Schema):
    count: int
    items: list[RegistrationOut]


class CommitmentOut(Schema):
    criterion_id: int
    criterion: str
    value: Decimal | None
    agreed: bool


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    reason: str


class RegistrationDetailOut(RegistrationOut):
    titles: list[Ref]
    pledge: str  # the collective's written pledge (giao ước thi đua)
    commitments: list[CommitmentOut]
    pledges: int  # members' pledges: GET /pledges?registration={id}
    events: list[EventOut]


def _registration(r: Registration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "plan_id": r.plan_id,
        "plan_number": r.plan.document_number,
        "unit": {"id": r.unit_id, "name": r.unit.name},
        "status": r.status,
        "submitted_at": r.submitted_at,
        "decided_at": r.decided_at,
        "comment": r.comment,
        "deadline_extended_to": r.deadline_extended_to,
        "created_at": r.created_at,
    }


@router.get("/registrations", response=RegistrationPage, summary="Unit registrations in my scope")
def list_registrations(
    request: HttpRequest,
    plan: int | None = Query(None, **ID),
    unit: int | None = Query(None, **ID),
    status: str | None = choice(Registration.Status.values),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """``plan``: registrations under that plan; ``unit``: of the unit and the units below it."""
    qs = REGISTRATIONS.visible_to(request.user)
    if plan is not None:
        qs = qs.filter(plan=get_for_user(Plan, request.user, pk=plan))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=get_for_user(Unit, request.user, pk=unit).path)
    if status:
        qs = qs.filter(status=status)
    return page(qs.order_by("plan_id", "unit__path", "id"), limit, offset, serialize=_registration)


@router.get(
    "/registrations/{registration_id}",
    response=RegistrationDetailOut,
    summary="One registration: titles, pledge, commitments, history",
)
def get_registration(request: HttpRequest, registration_id: int = Path(..., **ID)) -> Any:
    registration = get_for_user(
        REGISTRATIONS.prefetch_related("titles")
        .prefetch_related(
            Prefetch("commitments", Commitment.objects.select_related("criterion").order_by("criterion_id"))
        )
        .prefetch_related(Prefetch("events", RegistrationEvent.objects.order_by("at", "id"))),
        request.user,
        pk=registration_id,
    )
    return {
        **_registration(registration),
        "titles": [{"id": t.pk, "name": t.name} for t in registration.titles.all()],
        "pledge": registration.pledge,
        "commitments": [
            {"criterion_id": c.criterion_id, "criterion": c.criterion.name, "value": c.value, "agreed": c.agreed}
            for c in registration.commitments.all()
        ],
        "pledges": registration.pledges.count(),
        "events": list(registration.events.all()),
    }


# --- member pledges ---------------------------------------------------------------------------


class PledgeOut(Schema):
    id: int
    registration_id: int
    plan_id: int
    member: Ref
    unit_id: int  # the member's unit now
    title: Ref
    commitment: str
    created_at: dt.datetime


class PledgePage(Schema):
    count: int
    items: list[PledgeOut]


PLEDGES = MemberPledge.objects.select_related("member", "title")


def _pledge(p: MemberPledge) -> dict[str, Any]:
    return {
        "id": p.pk,
        "registration_id": p.registration_id,
        "plan_id": p.plan_id,
        "member": {"id": p.member_id, "name": p.member.full_name},
        "unit_id": p.member.unit_id,
        "title": {"id": p.title_id, "name": p.title.name},
        "commitment": p.commitment,
        "created_at": p.created_at,
    }


@router.get("/pledges", response=PledgePage, summary="Members' pledges (titles they registered for) in my scope")
def list_pledges(
    request: HttpRequest,
    registration: int | None = Query(None, **ID),
    plan: int | None = Query(None, **ID),
    member: int | None = Query(None, **ID),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = PLEDGES.visible_to(request.user)
    if registration is not None:
        qs = qs.filter(registration=get_for_user(Registration, request.user, pk=registration))
    if plan is not None:
        qs = qs.filter(plan=get_for_user(Plan, request.user, pk=plan))
    if member is not None:
        qs = qs.filter(member=get_for_user(Member, request.user, pk=member))
    return page(qs.order_by("registration_id", "member__sort_key", "title_id", "id"), limit, offset, serialize=_pledge)


@router.get("/pledges/{pledge_id}", response=PledgeOut, summary="One member's pledge")
def get_pledge(request: HttpRequest, pledge_id: int = Path(..., **ID)) -> Any:
    return _pledge(get_for_user(PLEDGES, request.user, pk=pledge_id))


# --- coverage ---------------------------------------------------------------------------------


class CoverageRowOut(Schema):
    unit: Ref
    members: int
    registered_members: int
    member_rate: float  # per cent
    grassroots: int  # grassroots unions below the unit
    registered_units: int
    unit_rate: float


class CoverageOut(Schema):
    plan_id: int
    campaign_id: int
    total: CoverageRowOut
    children: list[CoverageRowOut]


def _coverage_row(row: Any) -> dict[str, Any]:
    return {
        "unit": {"id": row.unit.pk, "name": row.unit.name},
        "members": row.members,
        "registered_members": row.registered_members,
        "member_rate": row.member_rate,
        "grassroots": row.grassroots,
        "registered_units": row.registered_units,
        "unit_rate": row.unit_rate,
    }


@router.get("/plans/{plan_id}/coverage", response=CoverageOut, summary="Registration coverage of a campaign")
def plan_coverage(request: HttpRequest, plan_id: int = Path(..., **ID), unit: int | None = Query(None, **ID)) -> Any:
    """Members and grassroots unions registered in the plan's campaign, below ``unit`` (default: as
    the coverage page chooses) and for each unit directly below it; the page's figures."""
    plan = get_for_user(Plan.objects.select_related("issuer"), request.user, pk=plan_id)
    asked = get_for_user(Unit, request.user, pk=unit) if unit is not None else None
    total, rows = coverage(plan, coverage_root(plan, request.user, asked), request.user)
    return {
        "plan_id": plan.pk,
        "campaign_id": plan.campaign_root_id,
        "total": _coverage_row(total),
        "children": [_coverage_row(r) for r in rows],
    }
