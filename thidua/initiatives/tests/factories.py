"""Initiatives, councils and models for tests, built through the services as officers would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thidua.initiatives import services
from thidua.initiatives.models import EffectiveModel, Initiative, InitiativeCouncil
from thidua.initiatives.services import AuthorShare
from thidua.testing import make_member

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLIED = dt.date(2024, 3, 1)
HELD = dt.date(2024, 11, 20)


def initiative_at(
    unit: Any,
    *,
    title: str = "Cải tiến quy trình tiếp nhận hồ sơ một cửa",
    benefit: int = 85_000_000,
    shares: tuple[str, ...] = ("60", "40"),
    members: list[Any] | None = None,
    by: Any = None,
    submit: bool = False,
) -> Initiative:
    members = members or [make_member(unit) for _ in shares]
    authors = [
        AuthorShare(member=m, share_percent=s, role="main" if i == 0 else "co")
        for i, (m, s) in enumerate(zip(members, shares, strict=True))
    ]
    initiative = services.initiative_create(
        unit=unit,
        by=by,
        title=title,
        field="administration",
        description="Rút ngắn thời gian tiếp nhận hồ sơ từ 3 ngày xuống 1 ngày.",
        first_applied_on=APPLIED,
        benefit_vnd=benefit,
        confidential_notes="Mẫu biểu nội bộ số 3",
        authors=authors,
    )
    if submit:
        services.initiative_submit(initiative=initiative, by=by)
    return initiative


def council_at(unit: Any, size: int = 9, *, by: Any = None, **kwargs: Any) -> InitiativeCouncil:
    council = services.council_save(unit=unit, by=by, name=f"Hội đồng sáng kiến {unit.name}", **kwargs)
    for n in range(size):
        role = "chair" if n == 0 else "secretary" if n == 1 else "member"
        services.council_member_add(council=council, by=by, full_name=f"Thành viên {n + 1}", role=role)
    return council


def recognised_at(unit: Any, *, held_on: dt.date = HELD, **kwargs: Any) -> Initiative:
    initiative = initiative_at(unit, submit=True, **kwargs)
    council = InitiativeCouncil.objects.filter(unit=unit).first() or council_at(unit, 3)
    total = council.members.count()
    services.review_record(
        initiative=initiative, council=council, by=None, held_on=held_on, present=total, approve=total, reject=0
    )
    initiative.refresh_from_db()
    return initiative


def model_at(unit: Any, *, title: str = "Mô hình “Bữa cơm công đoàn”", by: Any = None) -> EffectiveModel:
    return services.model_create(
        unit=unit,
        by=by,
        title=title,
        summary="Mỗi tháng tổ chức một bữa cơm chung cho đoàn viên có hoàn cảnh khó khăn.",
        results="120 suất ăn mỗi tháng; 35 đoàn viên được hỗ trợ.",
        started_on=dt.date(2023, 1, 1),
    )


def approved_model_at(unit: Any, *, publish: bool = False, **kwargs: Any) -> EffectiveModel:
    model = model_at(unit, **kwargs)
    services.model_submit(model=model, by=None)
    return services.model_approve(model=model, by=None, publish=publish, today=dt.date(2024, 6, 1))
