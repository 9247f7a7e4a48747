"""The second act in Chromium: grassroots reports with evidence → district returns → grassroots
corrects → district verifies → province reads the board, the cluster ranking and the review
.docx (rendered by LibreOffice and looked at). axe-core and screenshots on the way."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from thidua.campaigns import services as campaigns
from thidua.campaigns.models import Obligation
from thidua.campaigns.tests.factories import make_plan
from thidua.core.tests.test_decree30_render import line_of, words_of
from thidua.monitoring import services as monitoring
from thidua.monitoring.models import Evidence, Period, Report
from thidua.testing import build_world

from .conftest import SCREENSHOTS, assert_accessible, shoot
from .test_campaign_flow import login

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def campaign(transactional_db):
    """An issued plan of P whose first period is open now; D1 implements it; D1 and D2 form a cluster."""
    world = build_world()
    today = timezone.localdate()
    plan = make_plan(
        world.P,
        contents=0,
        issued_on=today - dt.timedelta(days=40),
        window_start=today - dt.timedelta(days=40),
        window_end=today + dt.timedelta(days=200),
    )
    content = campaigns.content_save(plan=plan, name="Lao động giỏi, lao động sáng tạo", required=True)
    campaigns.criterion_save(content=content, name="Tổ chức phát động", kind="yes_no")
    campaigns.criterion_save(
        content=content, name="Sáng kiến", kind="number", unit_label="sáng kiến", target=Decimal(2)
    )
    campaigns.criterion_save(content=content, name="Chấm điểm phong trào", kind="score", max_score=Decimal(10))
    monitoring.period_add(
        plan=plan,
        by=None,
        kind="month",
        name="Kỳ đang mở",
        start=today - dt.timedelta(days=30),
        end=today,
        due_on=today + dt.timedelta(days=5),
    )
    plan = campaigns.plan_issue(plan=plan, by=None, due_on=today - dt.timedelta(days=20))
    obligation = Obligation.objects.get(plan=plan, unit=world.D1)
    draft = campaigns.implementation_start(obligation=obligation, by=None, issued_on=today - dt.timedelta(days=30))
    campaigns.plan_issue(plan=draft, by=None, due_on=today - dt.timedelta(days=10))
    monitoring.cluster_save(
        plan=plan, by=None, kind="cum", name="Cụm thi đua số 1", unit_ids=[world.D1.pk, world.D2.pk]
    )
    return world, plan


def test_report_return_correct_verify_then_the_province_reviews(browser, live_server, campaign, tmp_path):
    world, plan = campaign
    base = live_server.url
    report = Report.objects.get(unit=world.G1)

    # 1. The grassroots officer writes the report, attaches evidence and sends it.
    context, page = login(browser, live_server, "grassroots")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Công đoàn cơ sở Trường Một").click()
    page.get_by_label("Tổ chức phát động").select_option("1")
    page.get_by_label("Sáng kiến").fill("1")
    page.get_by_label("Chấm điểm phong trào").fill("11")  # above the maximum: refused, in Vietnamese
    page.get_by_label("Tình hình, kết quả thực hiện").fill("Đã phát động thi đua tới 100% đoàn viên.")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.get_by_text("điểm tối đa là 10").wait_for()
    page.get_by_label("Chấm điểm phong trào").fill("8")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.get_by_text("Đã lưu báo cáo").wait_for()
    page.set_input_files(
        "input[type=file]", files=[{"name": "bien-ban-phat-dong.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Đính kèm").click()
    page.get_by_role("link", name="bien-ban-phat-dong.pdf").wait_for()
    assert_accessible(page)
    shoot(page, "report-draft")
    page.get_by_role("button", name="Gửi cấp trên").click()
    page.get_by_text("Đã gửi báo cáo lên cấp trên").wait_for()
    context.close()
    assert Evidence.objects.filter(report=report).count() == 1

    # 2. The district, the level directly above, returns it with a reason.
    context, page = login(browser, live_server, "district")
    page.goto(base + "/monitoring/?waiting=1")
    page.get_by_role("link", name="Công đoàn cơ sở Trường Một").click()
    page.get_by_label("Lý do trả lại").fill("Bổ sung số sáng kiến đã được công nhận.")
    page.get_by_role("button", name="Trả lại để sửa").click()
    page.get_by_text("Đã trả lại báo cáo").wait_for()
    context.close()

    # 3. The grassroots officer reads why, corrects and sends again.
    context, page = login(browser, live_server, "grassroots")
    page.goto(base + f"/monitoring/reports/{report.pk}/")
    page.get_by_text("Bổ sung số sáng kiến đã được công nhận.").first.wait_for()
    page.get_by_label("Sáng kiến").fill("2")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.get_by_text("Đã lưu báo cáo").wait_for()
    page.get_by_role("button", name="Gửi cấp trên").click()
    page.get_by_text("Đã gửi báo cáo lên cấp trên").wait_for()
    context.close()

    # 4. The district verifies it.
    context, page = login(browser, live_server, "district")
    page.goto(base + f"/monitoring/reports/{report.pk}/")
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    page.get_by_text("Đã xác nhận báo cáo").wait_for()
    assert_accessible(page)
    shoot(page, "report-verified")
    context.close()
    report.refresh_from_db()
    assert report.status == Report.Status.VERIFIED and report.score == Decimal("93.33")
    assert [e.action for e in report.events.order_by("pk")] == ["start", "submit", "return", "submit", "verify"]

    # 5. The province reads the board, the cluster ranking and downloads the review.
    period = Period.objects.get(plan=plan)
    context, page = login(browser, live_server, "province")
    page.goto(base + f"/plans/{plan.pk}/")
    page.get_by_role("link", name="Lịch và kết quả báo cáo").click()
    page.get_by_role("link", name="Kỳ đang mở").click()
    row = page.get_by_role("row", name="Liên đoàn Lao động huyện Một")
    assert "Chưa báo cáo" in row.inner_text()  # the district's own report is still due
    assert_accessible(page)
    shoot(page, "report-board")
    page.get_by_role("link", name="Xếp hạng").click()
    page.get_by_label("Xếp hạng theo").select_option(label="Cụm thi đua số 1")
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("heading", name="Xếp hạng Cụm thi đua số 1").wait_for()
    ranked = page.locator("tbody tr").all_inner_texts()
    assert len(ranked) == 2 and all("0,00" in r or "0.00" in r for r in ranked)  # no district report verified yet
    shoot(page, "report-ranking")
    page.goto(base + f"/monitoring/periods/{period.pk}/review/?unit={world.P.pk}")
    assert_accessible(page)
    shoot(page, "report-review")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải báo cáo (.docx)").click()
    docx = tmp_path / "bao-cao.docx"
    caught.value.save_as(docx)
    context.close()

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not (soffice and shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("LibreOffice or poppler is not installed: the .docx was downloaded but not rendered")
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)  # noqa: S603 - our file
    words = words_of(tmp_path / "bao-cao.pdf")
    assert line_of(words, "BÁO CÁO")
    assert line_of(words, "Liên đoàn Lao động huyện Một")  # the compliance table names the district
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - our file
        [
            shutil.which("pdftoppm") or "pdftoppm",
            "-r",
            "70",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "bao-cao.pdf"),
            str(SCREENSHOTS / "review-docx"),
        ],
        check=True,
        timeout=60,
    )
