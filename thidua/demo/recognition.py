"""Plan 07's recognition (Bắc Kạn, October 2019): dossiers, the province council's secret ballot,
the decision with its annex, and the honour roll.

A Ba Bể grassroots union that registered for the campaign proposes two of its members (who
pledged "Lao động tiên tiến" and were rated "hoàn thành xuất sắc nhiệm vụ" for the year) and
itself for the Bằng khen of the provincial federation, with its achievement report and minutes;
the Ba Bể federation forwards the dossier, the province takes it to decide. The province's
Emulation and Commendation Council (seven members: six vote electronically, one absent member
in writing through the secretary) approves the union and one member, while the other member
gets five approvals of seven, short of the default 80 % of the whole council. The province then
issues the decision (numbered, prize on the base salary of 01/07/2019, gold-book numbers) and
publishes it on the honour roll. A Na Rì union's dossier is still being prepared past
its deadline (the board shows it late and incomplete).

The catalogue ships no prize multiplier for the union's Bằng khen (unconfirmed): the demo's
administrator enters 1.0 (individual) and 2.0 (collective) lần lương cơ sở, as Decree 91/2017
art. 71 set for a province's Bằng khen, with the reason kept in the catalogue's history.
Everything else goes through the services, as the officers' clicks would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.accounts.models import RoleAssignment, User
from thidua.accounts.roles import Role
from thidua.campaigns.models import Plan
from thidua.core.transitions import state_token
from thidua.members.models import Member
from thidua.recognition import council, decisions, dossiers
from thidua.recognition.models import AwardCouncilMember, AwardKind, Rating
from thidua.recognition.services import annual_record_save
from thidua.registrations.models import MemberPledge, Registration
from thidua.units.models import Unit

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
START, END = dt.date(2018, 10, 1), dt.date(2019, 9, 30)
YEAR = END.year
ACHIEVEMENT = "Đã có thành tích xuất sắc trong phong trào thi đua “Lao động giỏi, lao động sáng tạo” năm 2018 – 2019"

# (full name, position, role, username or "" for a member without an account)
COUNCIL = [
    ("Triệu Thị Mai", "Chủ tịch LĐLĐ tỉnh", AwardCouncilMember.Role.CHAIR, "hd.chutich"),
    ("Hà Văn Tâm", "Phó Chủ tịch LĐLĐ tỉnh", AwardCouncilMember.Role.VICE_CHAIR, "hd.phochutich"),
    ("Lương Thị Quyên", "Trưởng ban Tuyên giáo – Nữ công", AwardCouncilMember.Role.SECRETARY, "tinh.thidua"),
    ("Nông Văn Đức", "Ủy viên Ban Thường vụ", AwardCouncilMember.Role.MEMBER, "hoidong"),
    ("Lý Thị Hồng", "Trưởng ban Tổ chức", AwardCouncilMember.Role.MEMBER, "hd.tochuc"),
    ("Ma Văn Sơn", "Chủ nhiệm Ủy ban Kiểm tra", AwardCouncilMember.Role.MEMBER, "hd.kiemtra"),
    ("Hoàng Văn Lực", "Trưởng ban Chính sách – Pháp luật", AwardCouncilMember.Role.MEMBER, ""),  # absent
]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _council_account(username: str, full_name: str, province: Unit) -> User:
    """A council member's account: the demo password, the council role on the province."""
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    if created:
        user.set_password(settings.THIDUA_DEMO_PASSWORD)
        user.save()
    if not user.assignments.filter(unit=province).exists():
        RoleAssignment.objects.create(user=user, unit=province, role=Role.COUNCIL)
    return user


def _proposer(plan: Plan) -> tuple[Unit, list[Member]]:
    """A Ba Bể union whose registration was accepted, and two of its members who pledged for the
    campaign (the union with most such members; the demo tree is random but seeded)."""
    accepted = Registration.objects.filter(plan=plan, status=Registration.Status.ACCEPTED).order_by("unit__code")
    # Ba Bể's unions first; a smaller demo tree (tests) may have none there with two pledges.
    ordered = [r for r in accepted if r.unit.code.startswith("BK-BB-")] + [
        r for r in accepted if not r.unit.code.startswith("BK-BB-")
    ]
    for registration in ordered:
        pledged = list(
            Member.objects.filter(
                pk__in=MemberPledge.objects.filter(registration=registration).values("member_id"),
                status=Member.Status.ACTIVE,
            ).order_by("pk")[:2]
        )
        if len(pledged) == 2:
            return registration.unit, pledged
    raise ValueError("no accepted registration with two pledged members")


def _set_prizes(admin: User) -> None:
    for code, multiplier in (("bang-khen-ldld-ca-nhan", "1.0"), ("bang-khen-ldld-tap-the", "2.0")):
        kind = AwardKind.objects.get(code=code)
        if kind.salary_multiplier is None:
            kind.salary_multiplier = Decimal(multiplier)
            kind._history_user = admin  # type: ignore[attr-defined]
            kind._change_reason = "Demo: mức của Bằng khen cấp tỉnh, Nghị định 91/2017 điều 71"  # type: ignore[attr-defined]
            kind.save(update_fields=["salary_multiplier"])


def load_recognition(plan: Plan) -> dict[str, Any]:
    """The demo's recognition round of Plan 07 (see the module docstring); returns what it made."""
    province = plan.issuer
    tinh = User.objects.get(username="tinh.thidua")
    babe = Unit.objects.get(code="BK-BB")
    admin = User.objects.get(username="admin")
    _set_prizes(admin)
    individual = AwardKind.objects.get(code="bang-khen-ldld-ca-nhan")
    collective = AwardKind.objects.get(code="bang-khen-ldld-tap-the")

    union, members = _proposer(plan)
    # The union's own officer where the demo has an account for it, else the system (``by=None``).
    grassroots = User.objects.filter(assignments__unit=union, assignments__role=Role.OFFICER).first()
    for member in members:
        annual_record_save(
            year=YEAR, member=member, by=grassroots, rating=Rating.EXCELLENT, months_worked=12, days_off=0
        )
    annual_record_save(year=YEAR, unit=union, by=grassroots, rating=Rating.EXCELLENT)

    # The dossier: from the union through Ba Bể to the province.
    dossier = dossiers.nomination_create(
        proposer=union,
        title=f"Đề nghị tặng Bằng khen của LĐLĐ tỉnh – {union.name}",
        period_start=START,
        period_end=END,
        campaign=plan,
        achievement="Hoàn thành xuất sắc các chỉ tiêu của Kế hoạch 07/KH-LĐLĐ; 100% đoàn viên đăng ký thi đua.",
        deadline=dt.date(2019, 10, 10),
        by=grassroots,
    )
    for member in members:
        dossiers.candidate_add(
            nomination=dossier, kind=individual, member=member, achievement=ACHIEVEMENT, by=grassroots
        )
    dossiers.candidate_add(nomination=dossier, kind=collective, unit=union, achievement=ACHIEVEMENT, by=grassroots)
    dossiers.file_add(nomination=dossier, kind="report", upload=_pdf("bao-cao-thanh-tich.pdf"), by=grassroots)
    dossiers.file_add(nomination=dossier, kind="minutes", upload=_pdf("bien-ban-hop-xet.pdf"), by=grassroots)
    dossiers.nomination_submit(nomination=dossier, by=grassroots)
    district = User.objects.get(username="babe.thidua") if union.parent_id == babe.pk else None
    dossiers.nomination_forward(nomination=dossier, by=district, note="Đủ điều kiện, đề nghị LĐLĐ tỉnh xem xét.")
    dossiers.nomination_take(nomination=dossier, by=tinh)

    # The council and its session: six vote in the system, one absent member in writing.
    board = council.council_save(by=tinh, name="Hội đồng Thi đua – Khen thưởng LĐLĐ tỉnh Bắc Kạn", unit=province)
    seats: dict[str, AwardCouncilMember] = {}
    for full_name, position, role, username in COUNCIL:
        user = _council_account(username, full_name, province) if username else None
        seats[full_name] = council.council_member_add(
            council=board, by=tinh, full_name=full_name, position=position, role=role, user=user
        )
    candidates = list(dossier.candidates.order_by("position", "pk"))
    session = council.session_create(
        council=board,
        title="Phiên họp xét khen thưởng tổng kết phong trào năm 2018 – 2019",
        held_on=dt.date(2019, 10, 18),
        place="Trụ sở LĐLĐ tỉnh Bắc Kạn",
        candidates=candidates,
        by=tinh,
    )
    absent = seats["Hoàng Văn Lực"]
    council.attendance_set(session=session, present=[s.pk for name, s in seats.items() if s.pk != absent.pk], by=tinh)
    session = council.session_open(session=session, by=tinh)
    items = {item.candidate_id: item.pk for item in session.items.all()}
    falls_short = candidates[1]  # five approvals of seven: below 80 % of the whole council
    dissenters = {"Hà Văn Tâm", "Ma Văn Sơn"}
    for name, seat in seats.items():
        choices = {items[c.pk]: not (c.pk == falls_short.pk and name in dissenters) for c in candidates}
        if seat.pk == absent.pk:
            council.written_ballot_record(session=session, member=seat, choices=choices, by=tinh)
        else:
            council.ballot_cast(session=session, user=seat.user, choices=choices)
    session = council.session_close(session=session, by=tinh)

    # The decision from the passing list, issued and published on the honour roll.
    decision = decisions.decision_draft(
        province,
        session=session,
        title="Về việc tặng Bằng khen cho các tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua "
        "“Lao động giỏi, lao động sáng tạo” năm 2018 – 2019",
        issued_on=dt.date(2019, 10, 25),
        place="Bắc Kạn",
        achievement=ACHIEVEMENT,
        period_start=START,
        period_end=END,
        legal_basis="Căn cứ Luật Thi đua, khen thưởng năm 2003, sửa đổi năm 2005, 2013;\n"
        "Căn cứ Kế hoạch số 07/KH-LĐLĐ ngày 16/10/2018 của Ban Thường vụ LĐLĐ tỉnh;",
        signer_name="Triệu Thị Mai",
        recipients="Như Điều 3;\nLưu: VT, TG-NC.",
        campaign=plan,
        publish=True,
        issuer_short_name="LĐLĐ",
        by=tinh,
    )
    decision = decisions.decision_issue(
        decision=decision, by=tinh, seen=state_token(decision), issued_on=dt.date(2019, 10, 25)
    )

    # A Na Rì union's dossier still being prepared after its deadline: late and incomplete on the board.
    nari_officer = User.objects.filter(username="coso.nari").first()
    late = None
    if nari_officer is not None:
        nari_union = Unit.objects.get(code="BK-NR-001")
        late = dossiers.nomination_create(
            proposer=nari_union,
            title=f"Đề nghị tặng Bằng khen của LĐLĐ tỉnh – {nari_union.name}",
            period_start=START,
            period_end=END,
            campaign=plan,
            deadline=dt.date(2019, 10, 10),
            by=nari_officer,
        )
    return {
        "dossier": dossier.pk,
        "late": late.pk if late else None,
        "session": session.pk,
        "decision": decision.pk,
        "number": decision.document_number,
    }
