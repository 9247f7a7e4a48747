"""Inspections in the JSON API, read-only and scoped exactly as the pages are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, choice, page
from thidua.inspections.models import Finding, FollowUp, Inspection

router = Router(tags=["inspections"])


class TargetOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    scheduled_on: dt.date


class InspectionOut(Schema):
    id: int
    plan_id: int
    plan_number: str
    unit_id: int
    unit_name: str
    name: str
    start: dt.date
    end: dt.date
    status: str


class InspectionDetailOut(InspectionOut):
    note: str
    targets: list[TargetOut]


class InspectionPage(Schema):
    count: int
    items: list[InspectionOut]


class FindingOut(Schema):
    id: int
    inspection_id: int
    target_id: int
    unit_id: int
    unit_name: str
    severity: str
    text: str
    has_evidence: bool
    created_at: dt.datetime


class FindingPage(Schema):
    count: int
    items: list[FindingOut]


class FollowUpOut(Schema):
    id: int
    inspection_id: int
    finding_id: int
    owner_id: int
    owner_name: str
    description: str
    due_on: dt.date
    status: str
    overdue: bool
    done_on: dt.date | None = None
    done_note: str


class FollowUpPage(Schema):
    count: int
    items: list[FollowUpOut]


def _inspection(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "plan_id": i.plan_id,
        "plan_number": i.plan.document_number,
        "unit_id": i.unit_id,
        "unit_name": i.unit.name,
        "name": i.name,
        "start": i.start,
        "end": i.end,
        "status": i.status,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "inspection_id": f.target.inspection_id,
        "target_id": f.target_id,
        "unit_id": f.target.unit_id,
        "unit_name": f.target.unit.name,
        "severity": f.severity,
        "text": f.text,
        "has_evidence": bool(f.evidence),
        "created_at": f.created_at,
    }


def _follow_up(f: FollowUp, today: dt.date) -> dict[str, Any]:
    return {
        "id": f.pk,
        "inspection_id": f.inspection_id,
        "finding_id": f.finding_id,
        "owner_id": f.owner_id,
        "owner_name": f.owner.name,
        "description": f.description,
        "due_on": f.due_on,
        "status": f.status,
        "overdue": f.is_overdue(today),
        "done_on": f.done_on,
        "done_note": f.done_note,
    }


INSPECTIONS = Inspection.objects.select_related("plan", "plan__issuer", "unit")
FINDINGS = Finding.objects.select_related("target", "target__unit")
FOLLOW_UPS = FollowUp.objects.select_related("owner")


@router.get("/inspections", response=InspectionPage, summary="Inspection rounds in my scope")
def list_inspections(
    request: HttpRequest,
    plan: int | None = Query(None, ge=1, le=2**62),
    status: str = choice(Inspection.Status.values, ""),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = INSPECTIONS.visible_to(request.user).order_by("-start", "-pk")
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    return page(qs, limit, offset, serialize=_inspection)


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut, summary="One inspection round")
def get_inspection(request: HttpRequest, inspection_id: int = Path(..., ge=1, le=2**62)) -> Any:
    inspection = get_for_user(INSPECTIONS, request.user, pk=inspection_id)
    targets = [
        {"id": t.pk, "unit_id": t.unit_id, "unit_name": t.unit.name, "scheduled_on": t.scheduled_on}
        for t in inspection.targets.select_related("unit")
    ]
    return {**_inspection(inspection), "note": inspection.note, "targets": targets}


@router.get("/findings", response=FindingPage, summary="Inspection findings about units in my scope")
def list_findings(
    request: HttpRequest,
    inspection: int | None = Query(None, ge=1, le=2**62),
    unit: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = FINDINGS.visible_to(request.user).order_by("-created_at", "-pk")
    if inspection is not None:
        qs = qs.filter(target__inspection_id=inspection)
    if unit is not None:
        qs = qs.filter(target__unit_id=unit)
    return page(qs, limit, offset, serialize=_finding)


@router.get("/findings/{finding_id}", response=FindingOut, summary="One inspection finding")
def get_finding(request: HttpRequest, finding_id: int = Path(..., ge=1, le=2**62)) -> Any:
    return _finding(get_for_user(FINDINGS, request.user, pk=finding_id))


@router.get("/follow-ups", response=FollowUpPage, summary="Follow-ups owned in my scope")
def list_follow_ups(
    request: HttpRequest,
    status: str = choice(FollowUp.Status.values, ""),
    overdue: bool = Query(False),
    inspection: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    today = timezone.localdate()
    qs = FOLLOW_UPS.visible_to(request.user).order_by("due_on", "pk")
    if status:  # checked by the parameter's pattern
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.overdue(today)
    if inspection is not None:
        qs = qs.filter(inspection_id=inspection)
    return page(qs, limit, offset, serialize=lambda f: _follow_up(f, today))


@router.get("/follow-ups/{follow_up_id}", response=FollowUpOut, summary="One follow-up")
def get_follow_up(request: HttpRequest, follow_up_id: int = Path(..., ge=1, le=2**62)) -> Any:
    return _follow_up(get_for_user(FOLLOW_UPS, request.user, pk=follow_up_id), timezone.localdate())
