"""The plan as a Decree-30 .docx (docxtpl with autoescape: & < > in user text stay text)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.utils.html import strip_tags
from docxtpl import DocxTemplate

from thidua.campaigns.models import Plan, SigningCapacity
from thidua.units.models import Unit

TEMPLATE = Path(__file__).resolve().parent / "docx" / "plan.docx"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BLOCK = re.compile(r"</(p|li|h3|h4|blockquote)>|<br\s*/?>", re.IGNORECASE)


def vietnamese_date_line(place: str, day: dt.date) -> str:
    """ "Bắc Kạn, ngày 16 tháng 10 năm 2018": day zero-padded below 10, month only for 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def html_to_lines(html: str) -> list[str]:
    text = _BLOCK.sub("\n", html or "")
    return [line.strip() for line in strip_tags(text).splitlines() if line.strip()]


def _issuer_bodies(plan: Plan) -> tuple[str, str]:
    issuer = plan.issuer
    parent = Unit.objects.filter(pk=issuer.parent_id).only("name").first()
    return (parent.name.upper() if parent else ""), issuer.name.upper()


def plan_context(plan: Plan) -> dict[str, Any]:
    parent_body, issuer_body = _issuer_bodies(plan)
    sections = []
    for index, content in enumerate(plan.contents.prefetch_related("criteria"), start=1):
        lines = [content.description] if content.description else []
        for letter, criterion in zip("abcdefghiklmnopqrstuvxy", content.criteria.all(), strict=False):
            target = ""
            if criterion.target is not None:
                target = f": {criterion.target.normalize():f} {criterion.unit_label}".rstrip()
            elif criterion.max_score is not None:
                target = f": tối đa {criterion.max_score.normalize():f} điểm"
            lines.append(f"{letter}) {criterion.name}{target}.")
        sections.append({"heading": f"{index}. {content.name}", "lines": lines})
    rounds = list(plan.rounds.all())
    if rounds:
        sections.append(
            {
                "heading": f"{len(sections) + 1}. Các đợt thi đua",
                "lines": [f"- {r.name}: từ {r.start:%d/%m/%Y} đến {r.end:%d/%m/%Y}." for r in rounds],
            }
        )
    basis = [line for line in plan.legal_basis.splitlines() if line.strip()]
    basis = [line.rstrip(";.") + (";" if i < len(basis) - 1 else ".") for i, line in enumerate(basis)]
    recipients = [line for line in plan.recipients.splitlines() if line.strip()]
    recipients = [
        "- " + line.lstrip("- ").rstrip(";.") + (";" if i < len(recipients) - 1 else ".")
        for i, line in enumerate(recipients)
    ]
    capacity = plan.signing_capacity
    capacity_line = f"{capacity} {plan.signing_for}".strip() if capacity and capacity != SigningCapacity.NONE else ""
    body = html_to_lines(plan.purpose)
    body.insert(0, f"Thời gian thực hiện: từ ngày {plan.window_start:%d/%m/%Y} đến ngày {plan.window_end:%d/%m/%Y}.")
    return {
        "parent_body": parent_body,
        "issuer_body": issuer_body,
        "number": plan.document_number,
        "place_date": vietnamese_date_line(plan.place, plan.issued_on),
        "doc_kind": plan.get_doc_type_display().upper(),
        "title": plan.title,
        "legal_basis": basis,
        "body": body,
        "sections": sections,
        "recipients": recipients,
        "capacity": capacity_line.upper(),
        "position": plan.signer_position.upper(),
        "signer": plan.signer_name,
    }


def render_plan(plan: Plan) -> bytes:
    document = DocxTemplate(str(TEMPLATE))
    document.render(plan_context(plan), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def plan_docx_response(plan: Plan) -> HttpResponse:
    response = HttpResponse(render_plan(plan), content_type=DOCX_MIME)
    safe = re.sub(r"[^0-9A-Za-z_-]+", "-", f"{plan.number:02d}-{plan.doc_type}-{plan.year}")
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{safe}.docx"'
    return response
