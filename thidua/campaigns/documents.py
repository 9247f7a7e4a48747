"""A plan as a Decree-30 document: what it says, laid out by ``thidua.core.decree30``.

The structure is the one union plans use (and the seed's Plan 07 follows): legal grounds,
I. purpose and requirements, II. contents with their criteria, III. time and rounds,
IV. registration and the titles aimed at, V. organisation (what lower levels do, by when).
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import HttpResponse

from thidua.campaigns.models import Plan, SigningCapacity
from thidua.core import decree30
from thidua.core.decree30 import Heading, Para
from thidua.core.text import plain_number
from thidua.units.models import Unit

DOCX_MIME = decree30.DOCX_MIME
STATES: dict[str, decree30.State] = {
    Plan.Status.DRAFT: "draft",
    Plan.Status.ISSUED: "final",
    Plan.Status.CLOSED: "final",
    Plan.Status.RECALLED: "recalled",
}


def vietnamese_date_line(place: str, day: dt.date) -> str:
    return decree30.date_line(place, day)


def _day(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def _criterion_line(criterion) -> str:
    if criterion.target is not None:
        unit = f" {criterion.unit_label}" if criterion.unit_label else ""
        return f"{criterion.name}: chỉ tiêu {plain_number(criterion.target)}{unit}."
    if criterion.max_score is not None:
        return f"{criterion.name}: tối đa {plain_number(criterion.max_score)} điểm."
    return f"{criterion.name}."


def plan_body(plan: Plan) -> list[decree30.Block]:
    body: list[decree30.Block] = []
    part = 0

    def heading(text: str) -> None:
        nonlocal part
        part += 1
        body.append(Heading(f"{decree30.roman(part)}.", text))

    purpose = decree30.html_blocks(plan.purpose)
    if purpose:
        heading("Mục đích, yêu cầu")
        body.extend(purpose)

    contents = list(plan.contents.prefetch_related("criteria"))
    if contents:
        heading("Nội dung thi đua")
        for number, content in enumerate(contents, start=1):
            body.append(Heading(f"{number}.", content.name, level=2))
            body.extend(decree30.text_blocks(content.description))
            for index, criterion in enumerate(content.criteria.all()):
                body.append(Para.of(_criterion_line(criterion), label=f"{decree30.letter(index)})"))

    heading("Thời gian và các đợt thi đua")
    body.append(Para.of(f"Thời gian thi đua: từ ngày {_day(plan.window_start)} đến ngày {_day(plan.window_end)}."))
    for round_ in plan.rounds.all():
        body.append(Para.of(f"{round_.name}: từ ngày {_day(round_.start)} đến ngày {_day(round_.end)}.", label="-"))

    titles = [title.name for title in plan.titles.all()]
    heading("Đăng ký thi đua và khen thưởng")
    body.append(
        Para.of(
            f"Các tập thể, cá nhân đăng ký thi đua với công đoàn cấp trên trực tiếp trước ngày "
            f"{_day(plan.registration_closes_on)}."
        )
    )
    if titles:
        body.append(Para.of("Danh hiệu, hình thức khen thưởng hướng tới: " + "; ".join(titles) + "."))

    heading("Tổ chức thực hiện")
    due = plan.obligations.order_by("due_on").values_list("due_on", flat=True).first()
    if due:
        body.append(
            Para.of(
                "Các cấp công đoàn trực thuộc căn cứ Kế hoạch này xây dựng kế hoạch thực hiện phù hợp với cơ quan, "
                f"đơn vị mình, ban hành và gửi về {plan.issuer.name} trước ngày {_day(due)}."
            )
        )
    body.append(
        Para.of(
            "Thường xuyên theo dõi, đôn đốc, kiểm tra; nhân rộng các mô hình hiệu quả; kịp thời biểu dương, "
            "khen thưởng các tập thể, cá nhân tiêu biểu; báo cáo kết quả vào dịp sơ kết, tổng kết."
        )
    )
    return body


def plan_document(plan: Plan) -> decree30.Document:
    issuer = plan.issuer
    parent = Unit.objects.filter(pk=issuer.parent_id).only("name").first()
    state = STATES.get(plan.status, "final")
    note = ""
    if state == "recalled":
        recalled = plan.events.filter(to_status=Plan.Status.RECALLED).order_by("-at").first()
        when = f" ngày {recalled.at:%d/%m/%Y}" if recalled else ""
        reason = f": {plan.recall_reason}" if plan.recall_reason else ""
        note = f"Văn bản đã bị thu hồi{when}{reason}; không còn hiệu lực."
    capacity = plan.signing_capacity
    capacity_line = f"{capacity} {plan.signing_for}".strip() if capacity and capacity != SigningCapacity.NONE else ""
    short = plan.issuer_short_name or issuer.short_name or issuer.code
    return decree30.Document(
        parent_body=parent.name if parent else "",
        issuer_body=issuer.name,
        symbol=f"{plan.doc_type}-{short}",
        sequence=None if state == "draft" else plan.number,
        place=plan.place,
        day=None if state == "draft" else plan.issued_on,
        kind=plan.get_doc_type_display(),
        summary=plan.title,
        legal_basis=[line for line in plan.legal_basis.splitlines() if line.strip()],
        body=plan_body(plan),
        signers=[decree30.Signer(capacity_line, plan.signer_position, plan.signer_name)],
        recipients=[line for line in plan.recipients.splitlines() if line.strip()],
        state=state,
        state_note=note,
        author=issuer.name,
        keywords=plan.document_number,
    )


def render_plan(plan: Plan) -> bytes:
    return decree30.render(plan_document(plan))


def plan_docx_response(plan: Plan) -> HttpResponse:
    response = HttpResponse(render_plan(plan), content_type=DOCX_MIME)
    safe = re.sub(r"[^0-9A-Za-z_-]+", "-", f"{plan.number:02d}-{plan.doc_type}-{plan.year}")
    suffix = {"draft": "-du-thao", "recalled": "-da-thu-hoi"}.get(STATES.get(plan.status, "final"), "")
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{safe}{suffix}.docx"'
    return response
