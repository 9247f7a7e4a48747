from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, page
from thidua.members.models import SENSITIVE_FIELDS, Member
from thidua.members.selectors import can_view_sensitive, member_list
from thidua.units.models import Unit

router = Router(tags=["members"])


class MemberOut(Schema):
    """Sensitive fields are present only for roles allowed to see them."""

    id: int
    full_name: str
    given_name: str
    gender: str
    birth_year: int
    position: str
    job: str
    unit_id: int
    joined_on: dt.date | None = None
    status: str
    phone: str | None = None
    id_number: str | None = None
    date_of_birth: dt.date | None = None


def _out(member: Member, user: Any) -> dict[str, Any]:
    data = {
        "id": member.pk,
        "full_name": member.full_name,
        "given_name": member.given_name,
        "gender": member.gender,
        "birth_year": member.birth_year,
        "position": member.position,
        "job": member.job,
        "unit_id": member.unit_id,
        "joined_on": member.joined_on,
        "status": member.status,
    }
    if can_view_sensitive(user, member=member):
        data.update({name: getattr(member, name) for name in SENSITIVE_FIELDS})
    return data


class MemberPage(Schema):
    count: int
    items: list[MemberOut]


@router.get("/members", response=MemberPage, exclude_unset=True, summary="Members in my scope")
def list_members(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    unit: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    root = get_for_user(Unit, request.user, pk=unit) if unit is not None else None
    qs = member_list(request.user, unit=root, q=q[:100])
    return page(qs, limit, offset, serialize=lambda m: _out(m, request.user))


@router.get("/members/{member_id}", response=MemberOut, exclude_unset=True, summary="One member")
def get_member(request: HttpRequest, member_id: int = Path(..., ge=1, le=2**62)) -> Any:
    return _out(get_for_user(Member.objects.select_related("unit"), request.user, pk=member_id), request.user)
