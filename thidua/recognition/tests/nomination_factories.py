"""Nomination dossiers for tests, built through the services as officers would."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from thidua.recognition import dossiers
from thidua.recognition.dossier_imports import TEMPLATE_HEADERS
from thidua.recognition.models import Nomination
from thidua.recognition.tests.factories import catalogue, kind
from thidua.testing import make_member

END = dt.date(2025, 12, 31)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Kinds the test tree's province (a provincial federation) may award, with only the common rules.
MEMBER_KIND = "bang-khen-ldld-ca-nhan"
UNIT_KIND = "bang-khen-ldld-tap-the"


def pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def dossier(proposer: Any, *, by: Any = None, end: dt.date = END, **fields: Any) -> Nomination:
    catalogue()
    fields.setdefault("title", f"Đề nghị khen thưởng năm {end.year} – {proposer.name}")
    return dossiers.nomination_create(
        proposer=proposer, period_start=dt.date(end.year, 1, 1), period_end=end, by=by, **fields
    )


def attach_required(nomination: Nomination, *, by: Any = None) -> None:
    dossiers.file_add(nomination=nomination, kind="report", upload=pdf("bao-cao-thanh-tich.pdf"), by=by)
    dossiers.file_add(nomination=nomination, kind="minutes", upload=pdf("bien-ban-hop-xet.pdf"), by=by)


def ready(proposer: Any, *, members: int = 2, by: Any = None, **fields: Any) -> Nomination:
    """A complete dossier of ``proposer``: ``members`` of its members and the unit itself, with files."""
    nomination = dossier(proposer, by=by, **fields)
    for _ in range(members):
        dossiers.candidate_add(
            nomination=nomination, kind=kind(MEMBER_KIND), member=make_member(proposer), achievement="Xuất sắc", by=by
        )
    dossiers.candidate_add(nomination=nomination, kind=kind(UNIT_KIND), unit=proposer, by=by)
    attach_required(nomination, by=by)
    return Nomination.objects.get(pk=nomination.pk)


def submitted(proposer: Any, *, by: Any = None, **fields: Any) -> Nomination:
    return dossiers.nomination_submit(nomination=ready(proposer, by=by, **fields), by=by)


def xlsx(rows: list[list[Any]], *, headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"])
    sheet.append(headers or TEMPLATE_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
