"""Interim and final reviews: the figures, the Decree-30 report (structure and as rendered) and its annex."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document as read_docx
from openpyxl import load_workbook

from thidua.core import decree30
from thidua.core.excel import read_table
from thidua.core.tests.test_decree30_render import PDFTOTEXT, SOFFICE, line_of, words_of
from thidua.inspections.tests import factories as inspections
from thidua.monitoring import review, services
from thidua.monitoring.models import Period
from thidua.monitoring.tests.factories import campaign, report_of, values_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(world):
    """Plan of P with an interim period; G1 and D1 verified, G1b sent late and waiting, D2 silent."""
    plan = campaign(world)
    interim = services.period_add(
        plan=plan,
        by=None,
        kind=Period.Kind.INTERIM,
        name="Sơ kết quý I",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
        due_on=dt.date(2025, 4, 5),
    )
    for unit, initiatives, late in ((world.G1, "3", False), (world.D1, "1", False), (world.G1b, "2", True)):
        for name in ("Tháng 01/2025", "Sơ kết quý I"):
            report = report_of(unit, name)
            services.report_save(
                report=report, by=None, values=values_for(report, initiatives=initiatives), narrative="Kết quả"
            )
            day = report.period.due_on + dt.timedelta(days=3 if late else -1)
            services.report_submit(report=report, by=None, today=day)
            if unit != world.G1b:
                services.report_verify(report=report_of(unit, name), by=None)
    return plan, interim


def test_the_figures_agree_with_the_board_and_the_reports(world, reviewed):
    _plan, interim = reviewed
    data = review.review(interim, world.P, world.users["province"], day=dt.date(2025, 4, 20))
    assert data.kind_label == "Sơ kết"
    assert (data.board.total.owed, data.board.total.verified, data.board.total.late, data.board.total.not_sent) == (
        4,
        2,
        1,
        1,
    )
    initiatives = next(c for c in data.criteria if c.criterion.kind == "number")
    assert (initiatives.reports, initiatives.total, initiatives.reached) == (2, Decimal(4), 1)  # 3 ≥ 2, 1 < 2
    yes_no = next(c for c in data.criteria if c.criterion.kind == "yes_no")
    assert (yes_no.reports, yes_no.done) == (2, 2)
    # The interim review ranks over the months it covers (a month without a verified report counts 0).
    assert [p.name for p in data.ranking_periods] == ["Tháng 01/2025", "Tháng 02/2025"]
    assert [r.unit.code for r in data.ranking][:1] == ["D1"]
    assert data.ranking[-1].score == Decimal("0.00")  # D2 sent nothing


def test_a_lower_level_reviews_its_own_subtree_only(world, reviewed):
    _plan, interim = reviewed
    data = review.review(interim, world.D1, world.users["district"], day=dt.date(2025, 4, 20))
    assert {r.unit.code for r in data.board.rows} == {"G1", "G1b"}
    assert data.board.total.owed == 2


def test_the_report_is_a_decree_30_document_with_the_same_figures(world, reviewed):
    _plan, interim = reviewed
    data = review.review(interim, world.P, world.users["province"], day=dt.date(2025, 4, 20))
    document = read_docx(io.BytesIO(decree30.render(review.review_document(data))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "Sơ kết phong trào thi đua theo Kế hoạch số" in text
    assert "4 đơn vị phải báo cáo; 3 đã gửi (75%), trong đó 2 đã được cấp trên xác nhận, 1 gửi muộn; 1 chưa gửi" in text
    compliance = next(t for t in document.tables if t.rows[0].cells[0].text == "Đơn vị")
    assert [c.text for c in compliance.rows[0].cells] == [
        "Đơn vị",
        "Phải báo cáo",
        "Đã gửi",
        "Đã xác nhận",
        "Chưa gửi",
        "Gửi muộn",
    ]
    assert [c.text for c in compliance.rows[1].cells] == ["Liên đoàn Lao động huyện Một", "3", "3", "2", "0", "1"]


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice or poppler is not installed")
def test_the_report_reads_right_once_rendered(world, reviewed, tmp_path):
    _plan, interim = reviewed
    data = review.review(interim, world.P, world.users["province"], day=dt.date(2025, 4, 20))
    (tmp_path / "so-ket.docx").write_bytes(decree30.render(review.review_document(data)))
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    command = [
        SOFFICE,
        profile,
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(tmp_path / "so-ket.docx"),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)  # noqa: S603 - our file
    words = words_of(Path(tmp_path / "so-ket.pdf"))
    title = line_of(words, "BÁO CÁO")
    summary = line_of(words, "Sơ kết phong trào thi đua")
    assert title[0].y < summary[0].y  # the kind above its summary, as Decree 30 lays it out
    pages = sorted({w.page for w in words})
    compliance = next(p for p in pages if any(w.text == "TÌNH" for w in words if w.page == p))
    assert line_of(words, "II. TÌNH HÌNH BÁO CÁO KẾT QUẢ", page=compliance)
    signed = [p for p in pages if any(w.text == "TM." for w in words if w.page == p)]
    assert signed and line_of(words, "TM. BAN THƯỜNG VỤ", page=signed[0])  # the signature block is printed
    assert line_of(words, "Phụ lục", page=pages[-1])  # the annex closes the document


def test_the_dashboard_and_downloads(client, world, reviewed):
    _plan, interim = reviewed
    client.force_login(world.users["province"])
    url = reverse("monitoring:review", args=[interim.pk]) + f"?unit={world.P.pk}"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="coverage-data"' in body and "Liên đoàn Lao động huyện Một" in body
    docx = client.get(url + "&format=docx")
    assert docx.status_code == 200 and docx["Content-Type"] == decree30.DOCX_MIME
    assert 'filename="bao-cao-so-ket-' in docx["Content-Disposition"]
    annex = client.get(url + "&format=xlsx")
    book = load_workbook(io.BytesIO(annex.content))
    assert book.sheetnames == ["Báo cáo", "Tiêu chí", "Xếp hạng", "Đăng ký"]
    headers, rows = read_table(book["Báo cáo"])
    assert headers[0] == "Đơn vị" and rows[0][:7] == ("Liên đoàn Lao động huyện Một", 3, 3, 2, 0, 0, 1)
    # A district officer cannot review the province, nor another district (404).
    client.force_login(world.users["district"])
    assert client.get(reverse("monitoring:review", args=[interim.pk]) + f"?unit={world.D2.pk}").status_code == 404
    assert client.get(reverse("monitoring:review", args=[interim.pk])).status_code == 200  # its own subtree


def test_the_inspections_of_the_campaign_are_summed_up_below_the_unit(world, reviewed):
    plan, interim = reviewed
    round_ = inspections.round_of(world, plan=plan)
    inspections.follow_up_for(inspections.finding_at(round_, world.G1))
    summary = review.review(interim, world.P, world.users["province"], day=dt.date(2025, 4, 20)).inspections
    # The round visits D1 and G1; one finding (a shortcoming at G1) asks for one follow-up.
    assert (summary.rounds, summary.targets, summary.follow_ups["total"]) == (1, 2, 1)
    assert summary.findings == {"good": 0, "shortcoming": 1, "violation": 0}
    text = review.inspection_text(summary)
    assert text.startswith("1 đợt kiểm tra tại 2 lượt đơn vị") and "1 yêu cầu khắc phục" in text
    elsewhere = review.review(interim, world.D2, world.users["province"], day=dt.date(2025, 4, 20)).inspections
    assert elsewhere.targets == 0  # the round visited D1 and G1, not D2's subtree
    assert review.inspection_text(elsewhere) == "Trong kỳ chưa có đợt kiểm tra nào tại các đơn vị."
