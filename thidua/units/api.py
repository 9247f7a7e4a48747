from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, page
from thidua.units.models import Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    depth: int
    active_from: dt.date | None
    dissolved_on: dt.date | None

    @staticmethod
    def resolve_kind(obj: Unit) -> str:
        return obj.kind.label


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


@router.get("/units", response=UnitPage, summary="Units in my scope")
def list_units(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    parent: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = Unit.objects.visible_to(request.user).select_related("kind").order_by("path")
    if parent is not None:
        qs = qs.filter(parent=get_for_user(Unit, request.user, pk=parent))
    if q:
        qs = qs.search(q[:100])
    return page(qs, limit, offset)


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int = Path(..., ge=1, le=2**62)) -> Any:
    return get_for_user(Unit.objects.select_related("kind", "parent"), request.user, pk=unit_id)
