"""The seed's campaign: Plan 07/KH-LĐLĐ of Liên đoàn Lao động tỉnh Bắc Kạn and its cascade.

Issued 16/10/2018 for 01/10/2018 – 30/09/2019 with the contents the article
lists. Districts and grassroots unions implement it in part, some late, some
never, so the board tells a story on first run. Everything goes through the
services, as an officer's clicks would.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from thidua.accounts.models import User
from thidua.campaigns import services
from thidua.campaigns.models import Criterion, Obligation, Plan, Title
from thidua.demo.monitoring import load_calendar
from thidua.notifications.services import officers_of
from thidua.registrations import services as registrations
from thidua.registrations.models import decides
from thidua.units.models import Unit

CriterionSpec = tuple[str, str, str, str, Decimal | None]
CONTENTS: list[tuple[str, str, list[CriterionSpec]]] = [
    (
        "Tuyên truyền, quán triệt tư tưởng Hồ Chí Minh về thi đua ái quốc",
        "Gắn với đẩy mạnh việc “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”; tuyên truyền về "
        "Đại hội MTTQ Việt Nam các cấp.",
        [("Tổ chức tuyên truyền, quán triệt tới 100% đoàn viên", "collective", "yes_no", "", None)],
    ),
    (
        "Phong trào thi đua “Lao động giỏi”, “Lao động sáng tạo”",
        "Gắn với khẩu hiệu hành động của Chính phủ “Kỷ cương, liêm chính, hành động, sáng tạo, hiệu quả”; "
        "phát huy sáng kiến cải tiến kỹ thuật vào sản xuất, kinh doanh, học tập, công tác.",
        [
            ("Sáng kiến, cải tiến kỹ thuật được công nhận", "both", "number", "sáng kiến", Decimal("1")),
            ("Hoàn thành xuất sắc nhiệm vụ được giao", "individual", "score", "", None),
        ],
    ),
    (
        "Phong trào thi đua “Bắc Kạn chung sức xây dựng nông thôn mới”",
        "Vận động đoàn viên, CNVCLĐ giúp đỡ địa phương hoàn thành các tiêu chí, phần việc thiết thực trong xóa đói, "
        "giảm nghèo, xây dựng nông thôn mới, đô thị văn minh.",
        [("Ngày công giúp địa phương xây dựng nông thôn mới", "collective", "number", "ngày công", Decimal("20"))],
    ),
    (
        "Giữ gìn an ninh chính trị, trật tự an toàn xã hội; xây dựng Đảng, chính quyền trong sạch, vững mạnh",
        "Góp phần củng cố và tăng cường khối đại đoàn kết toàn dân tộc.",
        [],
    ),
    (
        "Phối hợp với MTTQ thực hiện giám sát, phản biện xã hội",
        "Khẳng định và phát huy vai trò của tổ chức Công đoàn trong công tác xây dựng Đảng, chính quyền vững mạnh.",
        [],
    ),
    (
        "Thực hiện Nghị quyết số 18-NQ/TW và Nghị quyết số 26-NQ/TW của BCH Trung ương Đảng (khóa XII)",
        "Phối hợp với chính quyền, chuyên môn cùng cấp triển khai có hiệu quả.",
        [],
    ),
]

PURPOSE = (
    "<p>Tuyên truyền sâu rộng trong cán bộ, đoàn viên, CNVCLĐ nhận thức sâu sắc ý nghĩa, tầm quan trọng của Đại hội "
    "MTTQ Việt Nam các cấp tiến tới Đại hội lần thứ IX MTTQ Việt Nam, góp phần tạo sự thống nhất về chính trị, "
    "tư tưởng và hành động.</p>"
    "<p>Các cấp công đoàn xây dựng kế hoạch phù hợp với cơ quan, đơn vị mình; thường xuyên theo dõi, đôn đốc, kiểm tra, "
    "phản ánh kết quả; nhân rộng các mô hình hoạt động có hiệu quả; kịp thời biểu dương, khen thưởng các tổ chức, "
    "cá nhân tiêu biểu; lồng ghép đánh giá kết quả vào dịp sơ kết, tổng kết.</p>"
)

TITLE = (
    "Tuyên truyền và phát động thi đua chào mừng Đại hội Mặt trận Tổ quốc Việt Nam các cấp tiến tới Đại hội "
    "Mặt trận Tổ quốc Việt Nam tỉnh Bắc Kạn lần thứ VI và Đại hội đại biểu toàn quốc Mặt trận Tổ quốc Việt Nam "
    "lần thứ IX, nhiệm kỳ 2019 - 2024"
)


def _issue_implementation(obligation: Obligation, by: User, issued_on: dt.date, number: int | None = None) -> Plan:
    draft = services.implementation_start(obligation=obligation, by=by, issued_on=issued_on)
    fields: dict[str, Any] = {
        "issued_on": issued_on,
        "window_start": dt.date(2018, 10, 1),
        "window_end": dt.date(2019, 9, 30),
    }
    if number:
        fields["number"] = number
    draft = services.plan_update(plan=draft, by=by, **fields)
    return services.plan_issue(plan=draft, by=by, due_on=issued_on + dt.timedelta(days=20))


def load_plan_07(rng: random.Random | None = None) -> Plan:
    rng = rng or random.Random("plan-07")
    province = Unit.objects.get(code="BK")
    officer = User.objects.get(username="tinh.thidua")
    plan = services.plan_create(
        issuer=province,
        by=officer,
        titles=Title.objects.filter(
            name__in=["Lao động tiên tiến", "Đoàn viên công đoàn xuất sắc", "Công đoàn cơ sở vững mạnh"]
        ),
        doc_type="KH",
        number=7,
        issued_on=dt.date(2018, 10, 16),
        place="Bắc Kạn",
        title=TITLE,
        summary="Phát động thi đua chào mừng Đại hội MTTQ Việt Nam các cấp trong các cấp công đoàn tỉnh Bắc Kạn.",
        purpose=PURPOSE,
        # The laws in force in 2018, then the two documents the seed article names (it gives no numbers).
        legal_basis="Căn cứ Luật Thi đua, Khen thưởng số 15/2003/QH11 ngày 26/11/2003 của Quốc hội và Luật sửa đổi, "
        "bổ sung một số điều của Luật Thi đua, Khen thưởng số 39/2013/QH13 ngày 16/11/2013 của Quốc hội\n"
        "Căn cứ Chỉ thị phát động và tổ chức phong trào thi đua của Ủy ban nhân dân tỉnh Bắc Kạn năm 2018\n"
        "Căn cứ Kế hoạch phát triển kinh tế – xã hội của tỉnh Bắc Kạn giai đoạn 2015 – 2020",
        window_start=dt.date(2018, 10, 1),
        window_end=dt.date(2019, 9, 30),
        registration_deadline=dt.date(2018, 11, 30),
        signing_capacity="TM.",
        signing_for="Ban Thường vụ",
        signer_position="Chủ tịch",
        signer_name="Triệu Thị Mai",
        recipients="Tổng Liên đoàn Lao động Việt Nam (b/c)\nThường trực Tỉnh ủy (b/c)\nỦy ban MTTQ tỉnh\n"
        "Các LĐLĐ huyện, thành phố; CĐ ngành\nLưu: VT, TG",
    )
    for name, description, criteria in CONTENTS:
        content = services.content_save(plan=plan, name=name, description=description, required=True)
        for crit_name, applies, kind, unit_label, target in criteria:
            services.criterion_save(
                content=content,
                name=crit_name,
                applies_to=applies,
                kind=kind,
                unit_label=unit_label,
                target=target,
                max_score=Decimal("100") if kind == Criterion.Kind.SCORE else None,
            )
    services.round_save(
        plan=plan, name="Đợt 1: chào mừng Đại hội MTTQ cấp huyện", start=dt.date(2018, 10, 1), end=dt.date(2019, 3, 31)
    )
    services.round_save(
        plan=plan,
        name="Đợt 2: chào mừng Đại hội MTTQ tỉnh và toàn quốc",
        start=dt.date(2019, 4, 1),
        end=dt.date(2019, 9, 30),
    )
    load_calendar(plan, officer)  # set before issuing: every implementation plan inherits it
    plan = services.plan_issue(plan=plan, by=officer, due_on=dt.date(2018, 10, 31))

    # Level 1 of the cascade: district federations and sector unions (some on time, some late, some never).
    district_officer = User.objects.get(username="babe.thidua")
    for obligation in Obligation.objects.filter(plan=plan).select_related("unit").order_by("unit__code"):
        roll = rng.random()
        if obligation.unit.code == "BK-BB" or roll < 0.45:
            issued_on = dt.date(2018, 10, 20) + dt.timedelta(days=rng.randint(0, 10))
        elif roll < 0.7:
            issued_on = dt.date(2018, 11, 5) + dt.timedelta(days=rng.randint(0, 20))  # late
        else:
            continue  # never issued
        by = district_officer if obligation.unit.code == "BK-BB" else officer
        child_plan = _issue_implementation(obligation, by, issued_on)
        # Level 2: grassroots unions of that district implement in part.
        for sub in Obligation.objects.filter(plan=child_plan).select_related("unit").order_by("unit__code"):
            if rng.random() < 0.4:
                _issue_implementation(sub, by, child_plan.issued_on + dt.timedelta(days=rng.randint(3, 30)))
    return plan


def load_registrations(plan: Plan, rng: random.Random | None = None) -> int:
    """Registrations for Plan 07 at realistic partial coverage, as of November 2018."""
    rng = rng or random.Random("registrations-07")
    today = dt.date(2018, 11, 20)
    province_officer = User.objects.get(username="tinh.thidua")
    strong = Title.objects.get(name="Công đoàn cơ sở vững mạnh")
    advanced = Title.objects.get(name="Lao động tiên tiến")
    excellent = Title.objects.get(name="Đoàn viên công đoàn xuất sắc")
    count = 0
    grassroots = Unit.objects.filter(
        path__startswith=plan.issuer.path, kind__is_grassroots=True, dissolved_on__isnull=True
    )
    desks = officers_of(Unit.objects.filter(pk__in=grassroots.values("parent_id")))
    for unit in grassroots.order_by("code"):
        chance = 0.85 if unit.code.startswith("BK-BB") else 0.55
        if rng.random() > chance:
            continue
        registration = registrations.registration_open(plan=plan, unit=unit, by=province_officer, today=today)
        registrations.registration_update(
            registration=registration,
            by=province_officer,
            titles=[strong],
            pledge="Phấn đấu đạt danh hiệu Công đoàn cơ sở vững mạnh.",
            commitments={},
            today=today,
        )
        members = list(unit.members.values_list("pk", flat=True))
        if unit.code == "BK-BB-001":
            members = members[: len(members) // 2]  # left for the demo officer to finish from Excel
        chosen = [pk for pk in members if rng.random() < 0.8]
        if chosen:
            registrations.pledges_add(
                registration=registration, by=province_officer, member_ids=chosen, title=advanced, today=today
            )
            best = chosen[: max(1, len(chosen) // 8)]
            registrations.pledges_add(
                registration=registration, by=province_officer, member_ids=best, title=excellent, today=today
            )
        if unit.code == "BK-BB-001":
            continue  # stays a draft
        registrations.registration_submit(registration=registration, by=province_officer, today=today)
        # Decided by the level directly above: its officer where the demo has one (Ba Bể), else the system.
        decider = next((u for u in desks.get(unit.parent_id, []) if decides(u, registration)), None)
        roll = rng.random()
        if roll < 0.6:
            registrations.registration_accept(registration=registration, by=decider)
        elif roll < 0.7:
            registrations.registration_return(
                registration=registration,
                by=decider,
                comment="Bổ sung cam kết chỉ tiêu ngày công giúp địa phương.",
            )
        count += 1
    return count
