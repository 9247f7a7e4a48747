from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from thidua.accounts.models import RoleAssignment

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


@router.get("/assignments", response=list[AssignmentOut], summary="Role assignments in my scope")
@paginate(LimitOffsetPagination)
def list_assignments(request: HttpRequest) -> Any:
    return RoleAssignment.objects.visible_to(request.user).select_related("user").order_by("unit__path", "id")
