from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from thidua.units.models import Unit
from thidua.units.views import unit_get_for_user

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
        return obj.kind.name


@router.get("/units", response=list[UnitOut], summary="Units in my scope")
@paginate(LimitOffsetPagination)
def list_units(request: HttpRequest, q: str = "", parent: int | None = None) -> Any:
    qs = Unit.objects.visible_to(request.user).select_related("kind").order_by("path")
    if parent is not None:
        qs = qs.filter(parent=unit_get_for_user(request.user, parent))
    if q:
        qs = qs.search(q[:100])
    return qs


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return unit_get_for_user(request.user, unit_id)
