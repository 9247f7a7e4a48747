"""Plan 07's initiatives and effective models (Bắc Kạn, 2018 – 2019).

Six initiatives of grassroots unions of Ba Bể and Na Rì, with their authors (members of those
unions, shares summing to 100 %) and benefits: the Ba Bể federation's initiative council (seven
members, the default 2/3 quorum and threshold) recognises three and refuses one (four votes of
seven); the province's council recognises the Na Rì one, whose effect the province then
recognises at provincial scope; one still waits for its council. Two models: "Bữa cơm công đoàn"
of a Ba Bể union, approved by Ba Bể and taken up by three other unions of the district; "Tổ tự
quản an toàn vệ sinh lao động" of the Na Rì federation, approved by the province and taken up by
three other districts. Both are published on the portal. Everything goes through the services, as
the officers' clicks would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from thidua.accounts.models import User
from thidua.campaigns.models import Plan
from thidua.initiatives import services
from thidua.initiatives.models import EffectiveModel, Initiative, InitiativeCouncil, ModelAdoption
from thidua.initiatives.services import AuthorShare
from thidua.members.models import Member
from thidua.units.models import Unit

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# (unit code, title, field, first applied, benefit VND, shares, what happens)
INITIATIVES = [
    (
        "BK-BB-001",
        "Ứng dụng phần mềm quản lý hồ sơ một cửa tại UBND thị trấn Chợ Rã",
        "administration",
        dt.date(2018, 11, 5),
        95_000_000,
        ("60", "40"),
        "recognised",
    ),
    (
        "BK-BB-002",
        "Cải tiến lò sấy măng bằng nhiệt thừa của bếp đun",
        "agriculture",
        dt.date(2018, 12, 10),
        128_000_000,
        ("50", "30", "20"),
        "recognised",
    ),
    (
        "BK-BB-003",
        "Sổ tay điện tử theo dõi tiêm chủng cho trạm y tế xã",
        "health",
        dt.date(2019, 1, 14),
        42_500_000,
        ("100",),
        "recognised",
    ),
    (
        "BK-BB-001",
        "Bảng tính tự động tổng hợp đăng ký thi đua",
        "union",
        dt.date(2019, 2, 20),
        6_000_000,
        ("70", "30"),
        "refused",
    ),
    (
        "BK-NR-001",
        "Quy trình thu gom, phân loại rác thải tại nguồn ở thị trấn Yến Lạc",
        "management",
        dt.date(2018, 10, 22),
        210_000_000,
        ("40", "35", "25"),
        "province",
    ),
    (
        "BK-BB-002",
        "Giáo án điện tử dạy tiếng Việt cho học sinh dân tộc thiểu số lớp 1",
        "education",
        dt.date(2019, 3, 4),
        0,
        ("55", "45"),
        "submitted",
    ),
]
DESCRIPTION = (
    "Thực trạng trước khi có sáng kiến, nội dung giải pháp, các bước thực hiện, điều kiện áp dụng và "
    "hiệu quả kinh tế – xã hội đã được đơn vị xác nhận sau thời gian áp dụng thử."
)
COUNCIL_DAY = dt.date(2019, 5, 20)


def _council(unit: Unit, officer: Any, size: int) -> InitiativeCouncil:
    council = services.council_save(unit=unit, by=officer, name=f"Hội đồng sáng kiến {unit.name}")
    roles = ["chair", "secretary"] + ["member"] * (size - 2)
    titles = ["Chủ tịch", "Phó Chủ tịch", "Trưởng ban Tuyên giáo", "Trưởng ban Tổ chức", "Chánh Văn phòng"]
    for n, (person, role) in enumerate(
        zip(Member.objects.filter(unit__path__startswith=unit.path)[:size], roles, strict=False)
    ):
        services.council_member_add(
            council=council, by=officer, full_name=person.full_name, position=titles[n % len(titles)], role=role
        )
    return council


def _authors_at(code: str, count: int) -> tuple[Unit, list[Member]]:
    """The named union and up to ``count`` of its members. A smaller demo tree (tests) may have
    too few there: then the union of the same district with the most members (so the district's
    council still reviews it), and fewer authors when even that one has fewer than ``count``."""
    unit = Unit.objects.get(code=code)
    active = Member.objects.filter(status=Member.Status.ACTIVE)
    people = list(active.filter(unit=unit).order_by("pk")[:count])
    if len(people) < count:
        fullest = (
            active.filter(unit__path__startswith=unit.parent.path, unit__kind__is_grassroots=True)
            .values("unit_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "unit__code")
            .first()
        )
        if fullest is None or fullest["n"] <= len(people):
            if not people:
                raise ValueError(f"no union of {unit.parent} has a member")
            return unit, people
        unit = Unit.objects.get(pk=fullest["unit_id"])
        people = list(active.filter(unit=unit).order_by("pk")[:count])
    return unit, people


def _shares_for(shares: tuple[str, ...], authors: int) -> tuple[str, ...]:
    """``shares`` (percent, as text) cut to ``authors``, the last taking what the others left."""
    if authors >= len(shares):
        return shares
    kept = shares[: authors - 1]
    return (*kept, str(100 - sum(int(share) for share in kept)))


def load_initiatives(plan: Plan) -> dict[str, int]:
    """The Bắc Kạn initiatives and models of Plan 07 (see the module docstring)."""
    province = Unit.objects.get(code="BK")
    babe = Unit.objects.get(code="BK-BB")
    tinh = User.objects.get(username="tinh.thidua")
    district = User.objects.get(username="babe.thidua")
    grassroots = User.objects.get(username="coso.babe")
    babe_council = _council(babe, district, 7)
    province_council = _council(province, tinh, 9)
    for code, title, field, applied, benefit, shares, fate in INITIATIVES:
        unit, people = _authors_at(code, len(shares))
        shares = _shares_for(shares, len(people))
        by = grassroots if unit.code == "BK-BB-001" else None
        initiative = services.initiative_create(
            unit=unit,
            by=by,
            title=title,
            field=field,
            description=DESCRIPTION,
            first_applied_on=applied,
            benefit_vnd=benefit,
            plan=plan,
            authors=[
                AuthorShare(member=m, share_percent=s, role="main" if i == 0 else "co")
                for i, (m, s) in enumerate(zip(people, shares, strict=True))
            ],
        )
        services.evidence_add(
            initiative=initiative, by=by, upload=SimpleUploadedFile(f"xac-nhan-hieu-qua-{initiative.pk}.pdf", PDF)
        )
        services.initiative_submit(initiative=initiative, by=by)
        if fate == "submitted":
            continue
        if fate == "province":
            services.review_record(
                initiative=initiative,
                council=province_council,
                by=tinh,
                held_on=COUNCIL_DAY + dt.timedelta(days=10),
                present=8,
                approve=7,
                reject=1,
                minutes_number="05/BB-HĐSK",
            )
            initiative.refresh_from_db()
            services.effect_recognise(
                initiative=initiative,
                by=tinh,
                scope="province",
                recognised_on=dt.date(2019, 7, 15),
                note="Quyết định số 112/QĐ-LĐLĐ",
            )
            continue
        approve, reject = (4, 2) if fate == "refused" else (6, 0)
        services.review_record(
            initiative=initiative,
            council=babe_council,
            by=district,
            held_on=COUNCIL_DAY,
            present=6,
            approve=approve,
            reject=reject,
            minutes_number="02/BB-HĐSK",
            note="Giải pháp chưa mới so với cách làm đã phổ biến." if fate == "refused" else "",
        )
    _models(province, babe, tinh, district, grassroots, plan)
    return summary()


def _models(province: Unit, babe: Unit, tinh: User, district: User, grassroots: User, plan: Plan) -> None:
    meal = services.model_create(
        unit=Unit.objects.get(code="BK-BB-001"),
        by=grassroots,
        title="Mô hình “Bữa cơm công đoàn” hỗ trợ đoàn viên khó khăn",
        summary=(
            "Mỗi tháng công đoàn cơ sở tổ chức một bữa cơm chung, mời đoàn viên có hoàn cảnh khó khăn; "
            "kinh phí do đoàn viên góp và nhà hảo tâm ủng hộ, công khai thu chi hằng tháng."
        ),
        results="12 bữa cơm trong năm 2018 – 2019; 46 lượt đoàn viên được hỗ trợ; quỹ tương trợ tăng 18 triệu đồng.",
        started_on=dt.date(2018, 10, 1),
        plan=plan,
    )
    services.model_evidence_add(model=meal, by=grassroots, upload=SimpleUploadedFile("bua-com-cong-doan.pdf", PDF))
    services.model_submit(model=meal, by=grassroots)
    services.model_approve(model=meal, by=district, publish=True, today=dt.date(2019, 3, 15))
    for code, day in (
        ("BK-BB-002", dt.date(2019, 4, 1)),
        ("BK-BB-003", dt.date(2019, 4, 20)),
        ("BK-BB-004", dt.date(2019, 6, 3)),
    ):
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            services.adoption_record(
                model=meal, by=district, unit=unit, adopted_on=day, results="Tổ chức hằng tháng, 8 – 10 suất mỗi lần."
            )
    nari = Unit.objects.get(code="BK-NR")
    safety = services.model_create(
        unit=nari,
        by=None,
        title="Mô hình “Tổ tự quản an toàn, vệ sinh lao động” tại doanh nghiệp nhỏ",
        summary=(
            "Mỗi tổ sản xuất cử một an toàn vệ sinh viên, tự kiểm tra hằng tuần theo bảng kiểm 10 điểm; "
            "công đoàn cơ sở tổng hợp, kiến nghị người sử dụng lao động khắc phục."
        ),
        results="Không để xảy ra tai nạn lao động trong năm 2019; 27 kiến nghị được khắc phục.",
        started_on=dt.date(2018, 9, 1),
        plan=plan,
    )
    services.model_evidence_add(model=safety, by=None, upload=SimpleUploadedFile("to-tu-quan-atvslđ.pdf", PDF))
    services.model_submit(model=safety, by=None)
    services.model_approve(model=safety, by=tinh, publish=True, today=dt.date(2019, 6, 10))
    others = list(Unit.objects.filter(parent=province).exclude(pk__in=[nari.pk]).order_by("code")[:3])
    for n, unit in enumerate(others):
        services.adoption_record(
            model=safety,
            by=tinh,
            unit=unit,
            adopted_on=dt.date(2019, 7, 1) + dt.timedelta(days=20 * n),
            results="Triển khai tại các doanh nghiệp trên địa bàn.",
        )


def summary() -> dict[str, int]:
    return {
        "initiatives": Initiative.objects.count(),
        "recognised": Initiative.objects.filter(status=Initiative.Status.RECOGNISED).count(),
        "refused": Initiative.objects.filter(status=Initiative.Status.REFUSED).count(),
        "models": EffectiveModel.objects.filter(status=EffectiveModel.Status.APPROVED, published=True).count(),
        "adoptions": ModelAdoption.objects.count(),
    }
