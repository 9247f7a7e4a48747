"""Evidence files are checked by their bytes; boards read the tallies in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.accounts.roles import Role
from thidua.monitoring import selectors, services, tallies
from thidua.monitoring.models import Evidence, Report
from thidua.monitoring.tests.factories import campaign, report_of, root_period, values_for
from thidua.testing import build_world, make_unit, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_zip(part: str, inflated: int = 10) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, b"\0" * inflated)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bien-ban.pdf", b"MZ\x90\x00 an executable", "không khớp với đuôi .pdf"),
        ("anh.png", PDF, "không khớp với đuôi .png"),
        ("virus.exe", b"MZ\x90\x00", "Chỉ nhận tệp"),
        ("bang.xlsx", office_zip("word/document.xml"), "không khớp với đuôi .xlsx"),
        ("bom.docx", office_zip("word/document.xml", inflated=101 * 1024 * 1024), "quá lớn"),
        ("hong.docx", b"PK\x03\x04 not really a zip", "không đúng định dạng"),
        ("rong.pdf", b"", "rỗng"),
    ],
)
def test_renamed_files_and_bombs_are_refused(name, content, message):
    world = build_world()
    campaign(world)
    report = report_of(world.G1)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(report=report, upload=SimpleUploadedFile(name, content), by=None)
    assert message in " ".join(caught.value.messages)
    assert not Evidence.objects.exists()


def test_a_file_over_the_limit_is_refused(settings):
    world = build_world()
    campaign(world)
    upload = SimpleUploadedFile("lon.pdf", PDF + b"0" * (services.EVIDENCE_MAX_BYTES + 1 - len(PDF)))
    with pytest.raises(ValidationError, match="quá lớn"):
        services.evidence_add(report=report_of(world.G1), upload=upload, by=None)


def test_evidence_is_attached_downloaded_in_scope_and_frozen_once_sent(client):
    world = build_world()
    campaign(world)
    grassroots = world.users["grassroots"]
    report = report_of(world.G1)
    services.evidence_add(report=report, upload=SimpleUploadedFile("bien-ban.pdf", PDF), by=grassroots)
    services.evidence_add(
        report=report, upload=SimpleUploadedFile("bang.docx", office_zip("word/document.xml")), by=grassroots
    )
    evidence = Evidence.objects.get(name="bien-ban.pdf")
    client.force_login(grassroots)
    response = client.get(reverse("monitoring:evidence", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    stranger = make_user("chi-nhanh-khac", (world.D3, Role.OFFICER))
    client.force_login(stranger)
    assert client.get(reverse("monitoring:evidence", args=[evidence.pk])).status_code == 404
    services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Có minh chứng")
    services.report_submit(report=report, by=grassroots, today=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError):
        services.evidence_remove(evidence=evidence, by=grassroots)


def test_the_board_rolls_up_per_level_and_per_child():
    world = build_world()
    plan = campaign(world)
    district = world.users["district"]
    for unit, late in ((world.G1, False), (world.G1b, True)):
        report = report_of(unit)
        services.report_save(report=report, by=None, values=values_for(report), narrative="Kết quả")
        services.report_submit(report=report, by=None, today=dt.date(2025, 2, 8) if late else dt.date(2025, 2, 1))
    services.report_verify(report=report_of(world.G1), by=district)
    period = root_period(plan)
    board = selectors.board(world.P, period, day=dt.date(2025, 2, 10))
    assert [(level.depth, level.counts.owed, level.counts.not_sent) for level in board.levels] == [(3, 2, 2), (4, 2, 0)]
    d1 = next(r for r in board.rows if r.unit == world.D1)
    assert (d1.counts.verified, d1.counts.submitted, d1.counts.late) == (1, 1, 1)
    assert d1.own.status == Report.Status.DUE and d1.total.owed == 3 and d1.total.not_sent == 1
    assert board.total.owed == 4 and board.overdue


def test_the_country_wide_board_costs_the_same_queries_at_any_size(client):
    world = build_world()
    plan = campaign(world)
    period = root_period(plan)
    client.force_login(make_user("quan-tri-quoc-gia", superuser=True))
    url = reverse("monitoring:board", args=[period.pk]) + f"?unit={world.R.pk}"
    client.get(url)  # warm the session and content types

    def queries():
        with CaptureQueriesContext(connection) as board:
            selectors.board(world.R, period, day=dt.date(2025, 2, 10))
        with CaptureQueriesContext(connection) as page:
            response = client.get(url)
        assert response.status_code == 200
        assert "Liên đoàn Lao động tỉnh Alpha" in response.content.decode()
        return len(board), len(page)

    small = queries()
    assert small[0] <= 2  # the tallies of the root and its children, the children's own reports
    for i in range(30):  # more units and reports everywhere below
        unit = make_unit(world.D2, f"Công đoàn cơ sở Thêm {i}", code=f"X{i}")
        report = Report.objects.create(period=period, root_period=period, unit=unit)
        tallies.add_owed([report])
    assert queries() == small
