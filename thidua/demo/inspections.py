"""Plan 07's inspections: two rounds by the Bắc Kạn federation, in 12/2018 – 01/2019 and
06/2019 – 07/2019, each visiting five district-level federations and three grassroots unions.

Each visited unit gets its conclusions (good practice, shortcomings, the odd violation) with the
signed minutes as evidence; shortcomings and violations get follow-ups with due dates. Round 1 is
closed: most follow-ups were fixed and accepted, one was sent back once, a couple are still open
and long overdue. Round 2 is still under way (every unit concluded, the round not yet closed):
some follow-ups are accepted, some reported done and waiting, the rest open and overdue.
Everything goes through the services, as the officers' clicks would; a fixed seed keeps it the
same on every load.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from thidua.accounts.models import User
from thidua.campaigns.models import Plan
from thidua.core.uploads import DOCX
from thidua.inspections import services
from thidua.inspections.models import Finding, FollowUp, Inspection, InspectionTarget
from thidua.notifications.services import officers_of
from thidua.units.models import Unit

NOTE = (
    "Kiểm tra việc ban hành kế hoạch thực hiện, công tác tuyên truyền, tổ chức phát động, đăng ký thi đua, "
    "theo dõi, báo cáo kết quả và hồ sơ thi đua, khen thưởng. Phương pháp: nghe báo cáo, kiểm tra hồ sơ, sổ sách, "
    "trao đổi với đoàn viên."
)
ROUNDS = [
    ("Kiểm tra đợt 1 việc thực hiện Kế hoạch số 07/KH-LĐLĐ", dt.date(2018, 12, 3), dt.date(2019, 1, 25)),
    ("Kiểm tra đợt 2 việc thực hiện Kế hoạch số 07/KH-LĐLĐ", dt.date(2019, 6, 10), dt.date(2019, 7, 26)),
]
# District-level units each round visits first (the demo accounts' units among them), then others by lot.
FIRST_VISITED = [["BK-BB"], ["BK-NR"]]
GRASSROOTS_FIRST = [["BK-BB-001"], ["BK-NR-001"]]
DISTRICTS_PER_ROUND = 5
GRASSROOTS_PER_ROUND = 3

GOOD = [
    "Ban hành kế hoạch thực hiện kịp thời, nội dung cụ thể, phù hợp với đặc thù đơn vị; 100% đoàn viên được quán "
    "triệt nội dung phong trào.",
    "Phối hợp chặt chẽ với chuyên môn tổ chức phát động thi đua; mô hình “Mỗi tuần một việc tốt” được đoàn viên "
    "hưởng ứng tích cực.",
    "Hồ sơ đăng ký thi đua đầy đủ, lưu trữ khoa học; giao ước thi đua có chỉ tiêu định lượng rõ ràng.",
    "Tổ chức ngày công giúp địa phương xây dựng nông thôn mới vượt chỉ tiêu đăng ký; có hình ảnh, biên bản xác nhận.",
]
# (finding, the follow-up it calls for, days given to fix it)
SHORTCOMINGS = [
    (
        "Kế hoạch thực hiện ban hành chậm so với thời hạn, chưa cụ thể hóa chỉ tiêu của từng nội dung thi đua.",
        "Bổ sung chỉ tiêu cụ thể cho từng nội dung thi đua trong kế hoạch thực hiện, gửi LĐLĐ tỉnh.",
        30,
    ),
    (
        "Chưa lập sổ theo dõi kết quả thực hiện phong trào thi đua; báo cáo tháng gửi chưa đúng hạn.",
        "Lập sổ theo dõi kết quả phong trào thi đua; gửi báo cáo tháng đúng hạn (trước ngày 05 tháng sau).",
        30,
    ),
    (
        "Tỷ lệ đoàn viên đăng ký danh hiệu “Lao động tiên tiến” thấp; chưa vận động hết đoàn viên tham gia.",
        "Vận động đoàn viên đăng ký thi đua; bổ sung danh sách đăng ký, gửi cấp trên trực tiếp.",
        45,
    ),
    (
        "Chưa tổ chức sơ kết đợt thi đua; chưa có biên bản phát động thi đua tại các công đoàn bộ phận.",
        "Tổ chức sơ kết đợt thi đua, lập biên bản phát động tại các công đoàn bộ phận; gửi báo cáo kèm biên bản.",
        60,
    ),
    (
        "Công tác tuyên truyền về Đại hội MTTQ các cấp chưa thường xuyên, chưa lưu trữ hình ảnh, tư liệu.",
        "Xây dựng kế hoạch tuyên truyền hằng tháng; lưu trữ hình ảnh, tư liệu hoạt động tuyên truyền.",
        45,
    ),
]
VIOLATIONS = [
    (
        "Số liệu ngày công giúp địa phương trong báo cáo không khớp với sổ theo dõi và biên bản xác nhận của địa "
        "phương.",
        "Rà soát, điều chỉnh số liệu ngày công trong báo cáo cho khớp với biên bản xác nhận; báo cáo giải trình.",
        30,
    ),
    (
        "Hồ sơ đề nghị khen thưởng có cá nhân không đăng ký thi đua từ đầu năm, chưa đúng hướng dẫn.",
        "Rút hồ sơ đề nghị khen thưởng của cá nhân không đăng ký thi đua; hoàn thiện hồ sơ theo đúng hướng dẫn.",
        30,
    ),
]
DONE_NOTES = [
    "Đã bổ sung theo yêu cầu; gửi kèm văn bản và biên bản.",
    "Đã thực hiện; hồ sơ lưu tại văn phòng công đoàn, sẵn sàng cho kiểm tra lại.",
    "Đã khắc phục, báo cáo bằng văn bản gửi LĐLĐ tỉnh.",
]
SENT_BACK = "Chưa gửi kèm biên bản, tài liệu chứng minh; đề nghị bổ sung."


def minutes(unit: Unit, inspection: Inspection, day: dt.date) -> SimpleUploadedFile:
    """The signed minutes of a visit (biên bản kiểm tra) as a small Word file."""
    document = Document()
    document.add_heading("BIÊN BẢN KIỂM TRA", level=1)
    document.add_paragraph(f"{inspection.name}.")
    document.add_paragraph(
        f"Hôm nay, ngày {day:%d/%m/%Y}, Đoàn kiểm tra của {inspection.unit.name} làm việc tại {unit.name}."
    )
    document.add_paragraph("Nội dung kiểm tra: " + NOTE)
    document.add_paragraph("Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.")
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(f"bien-ban-kiem-tra-{unit.code.lower()}.docx", buffer.getvalue(), content_type=DOCX)


def _visited(province: Unit, plan: Plan, first: list[str], grass_first: list[str], rng: random.Random) -> list[Unit]:
    levels = list(Unit.objects.filter(parent=province, obligations__plan=plan).order_by("code"))
    chosen = [u for u in levels if u.code in first]
    chosen += rng.sample([u for u in levels if u not in chosen], DISTRICTS_PER_ROUND - len(chosen))
    grassroots = list(
        Unit.objects.filter(parent__in=chosen, kind__is_grassroots=True, dissolved_on__isnull=True).order_by("code")
    )
    picked = [u for u in grassroots if u.code in grass_first]
    picked += rng.sample([u for u in grassroots if u not in picked], GRASSROOTS_PER_ROUND - len(picked))
    return sorted(chosen, key=lambda u: u.code) + sorted(picked, key=lambda u: u.code)


def _desk(unit: Unit, desks: dict[int, list[Any]]) -> Any:
    """The owner unit's own officer where the demo has one, else the system (None)."""
    return next(iter(desks.get(unit.pk, [])), None)


def load_inspections(plan: Plan, rng: random.Random | None = None) -> list[Inspection]:
    """Two rounds of Plan 07 by the province, with findings and follow-ups in every state."""
    rng = rng or random.Random("inspections-07")
    province = Unit.objects.get(code="BK")
    officer = User.objects.get(username="tinh.thidua")
    rounds = []
    for index, (name, start, end) in enumerate(ROUNDS):
        inspection = services.inspection_create(
            plan=plan, unit=province, by=officer, name=name, start=start, end=end, note=NOTE
        )
        units = _visited(province, plan, FIRST_VISITED[index], GRASSROOTS_FIRST[index], rng)
        for position, unit in enumerate(units):
            day = start + dt.timedelta(days=min(3 * position + rng.randint(0, 2), (end - start).days))
            while day.weekday() >= 5:  # visits on working days
                day -= dt.timedelta(days=1)
            services.targets_add(inspection=inspection, by=officer, units=[unit], scheduled_on=max(day, start))
        services.inspection_start(inspection=inspection, by=officer)
        _conclude(inspection, officer, rng, last=index == len(ROUNDS) - 1)
        if index < len(ROUNDS) - 1:
            services.inspection_close(
                inspection=inspection, by=officer, reason="Thông báo kết luận kiểm tra số 15/TB-LĐLĐ."
            )
        rounds.append(inspection)
    return rounds


def _conclude(inspection: Inspection, officer: User, rng: random.Random, *, last: bool) -> None:
    targets = list(inspection.targets.select_related("unit").order_by("scheduled_on", "unit__code"))
    below = {
        t.pk: list(Unit.objects.filter(parent=t.unit, kind__is_grassroots=True).order_by("code")[:5]) for t in targets
    }
    desks = officers_of({t.unit for t in targets} | {u for units in below.values() for u in units})
    for target in targets:
        findings: list[tuple[str, str, tuple[str, str, int] | None]] = [("good", rng.choice(GOOD), None)]
        for spec in rng.sample(SHORTCOMINGS, rng.randint(1, 2)):
            findings.append(("shortcoming", spec[0], spec))
        if rng.random() < 0.25:
            spec = rng.choice(VIOLATIONS)
            findings.append(("violation", spec[0], spec))
        for position, (severity, text, remedy) in enumerate(findings):
            upload = minutes(target.unit, inspection, target.scheduled_on) if position == 0 else None
            finding = services.finding_add(target=target, by=officer, severity=severity, text=text, upload=upload)
            if remedy is None:
                continue
            # A district's shortcoming is sometimes fixed by one of its grassroots unions.
            owner = target.unit
            if below[target.pk] and rng.random() < 0.3:
                owner = rng.choice(below[target.pk])
            follow_up = services.followup_add(
                finding=finding,
                by=officer,
                owner=owner,
                description=remedy[1],
                due_on=target.scheduled_on + dt.timedelta(days=remedy[2]),
            )
            _follow_through(follow_up, officer, _desk(owner, desks), rng, last=last)


def _follow_through(follow_up: FollowUp, officer: User, desk: Any, rng: random.Random, *, last: bool) -> None:
    """What became of a follow-up: fixed and accepted, sent back once, waiting, or never done."""
    roll = rng.random()
    never = 0.45 if last else 0.12
    if roll < never:
        return  # still open: overdue on the board
    done_on = follow_up.due_on + dt.timedelta(days=rng.randint(-20, 10))
    services.followup_done(follow_up=follow_up, by=desk, note=rng.choice(DONE_NOTES), today=done_on)
    if last and roll < never + 0.2:
        return  # reported done, waiting for the province to accept it
    if rng.random() < 0.15:
        services.followup_reopen(follow_up=follow_up, by=officer, reason=SENT_BACK)
        if rng.random() < 0.4:
            return  # sent back and not fixed again yet
        services.followup_done(
            follow_up=follow_up,
            by=desk,
            note="Đã bổ sung biên bản, tài liệu chứng minh.",
            today=done_on + dt.timedelta(days=rng.randint(5, 15)),
        )
    services.followup_close(follow_up=follow_up, by=officer)


def summary() -> dict[str, int]:
    """Counts the demo's story rests on (for the loader's message and the tests)."""
    return {
        "inspections": Inspection.objects.count(),
        "targets": InspectionTarget.objects.count(),
        "findings": Finding.objects.count(),
        "follow_ups": FollowUp.objects.count(),
    }
