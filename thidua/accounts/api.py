from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from thidua.accounts.models import RoleAssignment
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, page

router = Router(tags=["accounts"])


class AssignmentOut(Schema):
    id: int
    username: str
    role: str
    unit_id: int
    created_at: dt.datetime

    @staticmethod
    def resolve_username(obj: RoleAssignment) -> str:
        return obj.user.username


class AssignmentPage(Schema):
    count: int
    items: list[AssignmentOut]


@router.get("/assignments", response=AssignmentPage, summary="Role assignments in my scope")
def list_assignments(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    qs = RoleAssignment.objects.visible_to(request.user).select_related("user").order_by("unit__path", "id")
    return page(qs, limit, offset)
