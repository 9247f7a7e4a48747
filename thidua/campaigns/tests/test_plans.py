from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from thidua.campaigns import services
from thidua.campaigns.documents import render_plan, vietnamese_date_line
from thidua.campaigns.models import Criterion, Obligation, Plan, Reminder
from thidua.campaigns.selectors import cascade_board
from thidua.notifications.models import Notification
from thidua.testing import make_unit

from .factories import issued_plan, make_plan

pytestmark = pytest.mark.django_db

# Implementation plans are issued inside the campaign's 2025 window (as the factories' plans are).
ISSUED = dt.date(2025, 3, 5)


def test_numbers_run_per_issuer_type_and_year(world):
    a = make_plan(world.P)
    b = make_plan(world.P)
    other_type = make_plan(world.P, doc_type="HD")
    other_issuer = make_plan(world.D1)
    next_year = make_plan(
        world.P, issued_on=dt.date(2026, 1, 5), window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 12, 31)
    )
    assert [a.number, b.number, other_type.number, other_issuer.number, next_year.number] == [1, 2, 1, 1, 1]
    assert a.document_number == "01/KH-" + (world.P.short_name or world.P.code)


def test_typed_numbers_are_skipped_and_duplicates_refused(world):
    make_plan(world.P, number=2)
    assert make_plan(world.P).number == 1
    assert make_plan(world.P).number == 3
    with pytest.raises(ValidationError, match="đã được dùng"):
        make_plan(world.P, number=3)


def test_window_must_end_after_it_starts(world):
    with pytest.raises(ValidationError) as exc:
        make_plan(world.P, window_start=dt.date(2025, 6, 1), window_end=dt.date(2025, 5, 1))
    assert "window_end" in exc.value.message_dict
    assert not Plan.objects.exists()


def test_issuing_needs_contents_and_creates_obligations_for_children(world):
    empty = make_plan(world.P, contents=0)
    with pytest.raises(ValidationError, match="ít nhất một nội dung"):
        services.plan_issue(plan=empty, by=None)
    assert Plan.objects.get(pk=empty.pk).status == Plan.Status.DRAFT
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 20))
    assert plan.status == Plan.Status.ISSUED
    assert set(Obligation.objects.filter(plan=plan).values_list("unit__code", flat=True)) == {"D1", "D2"}
    with pytest.raises(ValidationError, match="trạng thái"):
        services.plan_issue(plan=plan, by=None)


def test_implementation_is_prefilled_and_cannot_drop_or_lower(world):
    plan = issued_plan(world.P)
    obligation = Obligation.objects.get(plan=plan, unit=world.D1)
    draft = services.implementation_start(obligation=obligation, by=None, issued_on=ISSUED)
    assert draft.parent_id == plan.pk and draft.root_id == plan.pk
    assert list(draft.contents.values_list("name", flat=True)) == ["Nội dung 1"]
    criterion = Criterion.objects.get(content__plan=draft)
    with pytest.raises(ValidationError, match="hạ chỉ tiêu"):
        services.criterion_save(content=criterion.content, criterion=criterion, target=Decimal("1"))
    services.criterion_save(content=criterion.content, criterion=criterion, target=Decimal("5"))
    with pytest.raises(ValidationError, match="bắt buộc"):
        services.content_delete(content=draft.contents.get())
    services.content_save(plan=draft, name="Nội dung riêng của huyện", required=False)
    child = services.plan_issue(plan=draft, by=None)
    obligation.refresh_from_db()
    assert obligation.implementation_id == child.pk
    assert set(Obligation.objects.filter(plan=child).values_list("unit__code", flat=True)) == {"G1", "G1b"}


def test_implementation_that_lost_a_required_content_is_not_issued(world):
    plan = issued_plan(world.P)
    draft = services.implementation_start(
        obligation=Obligation.objects.get(plan=plan, unit=world.D1), by=None, issued_on=ISSUED
    )
    draft.contents.all().delete()  # tampering below the service layer
    services.content_save(plan=draft, name="Khác", required=False)
    with pytest.raises(ValidationError, match="thiếu nội dung bắt buộc"):
        services.plan_issue(plan=draft, by=None)


def test_recall_needs_a_reason_and_keeps_history(world):
    plan = issued_plan(world.P)
    with pytest.raises(ValidationError):
        services.plan_recall(plan=plan, by=None, reason="  ")
    services.plan_recall(plan=plan, by=world.users["province"], reason="Ban hành nhầm")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.RECALLED
    assert list(plan.events.values_list("to_status", flat=True)) == ["draft", "issued", "recalled"]
    assert plan.events.last().by == world.users["province"]


def test_urging_reminds_late_units_once_a_day(world, django_capture_on_commit_callbacks):
    world.users["district"].email = "huyen1@example.vn"
    world.users["district"].save()
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.obligations_urge(plan=plan, by=None, day=dt.date(2025, 3, 15)) == (2, 0)
    assert Notification.objects.filter(user=world.users["district"]).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["huyen1@example.vn"]
    assert services.obligations_urge(plan=plan, by=None, day=dt.date(2025, 3, 15)) == (0, 2)
    assert Reminder.objects.count() == 2
    assert services.obligations_urge(plan=plan, by=None, day=dt.date(2025, 3, 16)) == (2, 0)


def test_urging_reaches_every_late_unit_on_the_board_down_the_cascade(world):
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    district_plan = services.plan_issue(
        plan=services.implementation_start(
            obligation=Obligation.objects.get(plan=plan, unit=world.D1), by=None, issued_on=ISSUED
        ),
        by=None,
        due_on=dt.date(2025, 3, 12),
    )
    # D2 is late on the province's plan; G1 and G1b on D1's plan; D1 issued its own.
    assert services.obligations_urge(plan=plan, by=world.users["province"], day=dt.date(2025, 3, 15)) == (3, 0)
    reminded = set(Reminder.objects.values_list("obligation__unit__code", "obligation__plan_id"))
    assert reminded == {("D2", plan.pk), ("G1", district_plan.pk), ("G1b", district_plan.pk)}
    grassroots_note = Notification.objects.get(user=world.users["grassroots"])
    assert district_plan.document_number in grassroots_note.message
    assert grassroots_note.url == reverse("campaigns:detail", args=[district_plan.pk])
    # The district urges its own board only: the grassroots unions, already reminded today.
    assert services.obligations_urge(plan=district_plan, by=world.users["district"], day=dt.date(2025, 3, 15)) == (
        0,
        2,
    )


def test_decree_30_date_line():
    assert vietnamese_date_line("Bắc Kạn", dt.date(2018, 10, 16)) == "Bắc Kạn, ngày 16 tháng 10 năm 2018"
    assert vietnamese_date_line("Hà Nội", dt.date(2020, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2020"
    assert vietnamese_date_line("Huế", dt.date(2019, 6, 29)) == "Huế, ngày 29 tháng 6 năm 2019"


def test_docx_layout_and_escaping(world):
    """The structure python-docx sees (the rendering test in core/tests reads the PDF)."""
    plan = issued_plan(
        world.P,
        title="Thi đua <b>& “tăng tốc”</b>",
        signing_capacity="TM.",
        signing_for="Ban Thường vụ",
        signer_position="Chủ tịch",
        signer_name="Lò Văn Tú",
        recipients="Như trên\nLưu: VT",
    )
    document = Document(io.BytesIO(render_plan(plan)))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= round(section.top_margin.mm) <= 25 and 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    assert section.different_first_page_header_footer  # page numbers from page 2
    header = document.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["TỔNG LIÊN ĐOÀN THỬ", "LIÊN ĐOÀN LAO ĐỘNG", "TỈNH ALPHA"]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    number, date = header.rows[1].cells  # one row: level with each other
    assert number.paragraphs[0].text == f"Số: {plan.document_number}"
    assert date.paragraphs[0].text == "Bắc Kạn, ngày 01 tháng 3 năm 2025" and date.paragraphs[0].runs[0].italic
    texts = [p.text for p in document.paragraphs]
    assert "KẾ HOẠCH" in texts
    assert "Thi đua <b>& “tăng tốc”</b>" in texts  # user text stays text: no markup injected
    fonts = {run.font.name for p in document.paragraphs for run in p.runs if run.text.strip()}
    assert fonts == {"Times New Roman"}
    footer = document.tables[1].rows[0].cells
    assert [p.text for p in footer[0].paragraphs if p.text] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    assert [p.text for p in footer[1].paragraphs if p.text] == ["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Lò Văn Tú"]
    properties = document.core_properties
    assert properties.author == world.P.name and properties.language == "vi-VN"
    assert properties.created.year == timezone.now().year


def test_docx_marks_drafts_and_recalled_plans(world):
    draft = make_plan(world.P, title="Dự thảo")
    texts = [p.text for p in Document(io.BytesIO(render_plan(draft))).paragraphs]
    assert texts[0] == "DỰ THẢO"
    number = Document(io.BytesIO(render_plan(draft))).tables[0].rows[1].cells[0].paragraphs[0].text
    assert number.startswith("Số: ") and "01" not in number and number.endswith("/KH-P")
    issued = issued_plan(world.P, title="Ban hành")
    recalled = services.plan_recall(plan=issued, by=None, reason="Ban hành nhầm")
    texts = [p.text for p in Document(io.BytesIO(render_plan(recalled))).paragraphs]
    assert texts[0] == "ĐÃ THU HỒI" and "Ban hành nhầm" in texts[1]


def test_issued_plans_are_read_below_drafts_are_not(client, world):
    issued = issued_plan(world.P)
    draft = make_plan(world.P, title="Dự thảo riêng")
    foreign = issued_plan(world.P2, title="Kế hoạch tỉnh khác")
    client.force_login(world.users["grassroots"])
    assert client.get(reverse("campaigns:detail", args=[issued.pk])).status_code == 200
    assert client.get(reverse("campaigns:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("campaigns:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("campaigns:edit", args=[issued.pk])).status_code == 403
    body = client.get(reverse("campaigns:list")).content.decode()
    assert issued.title in body and "Dự thảo riêng" not in body and "tỉnh khác" not in body


def test_board_counts_levels_in_a_fixed_number_of_queries(client, world):
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    services.plan_issue(
        plan=services.implementation_start(
            obligation=Obligation.objects.get(plan=plan, unit=world.D1), by=None, issued_on=ISSUED
        ),
        by=None,
    )
    client.force_login(world.users["province"])
    url = reverse("campaigns:board", args=[plan.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    small, body = count()
    assert "Quá hạn" in body and "Đã ban hành" in body
    for i in range(25):
        make_unit(world.D2, f"Công đoàn cơ sở thêm {i}")
    child = services.implementation_start(
        obligation=Obligation.objects.get(plan=plan, unit=world.D2), by=None, issued_on=ISSUED
    )
    services.plan_issue(plan=child, by=None)
    large, body = count()
    assert small == large <= 12
    assert body.count("Công đoàn cơ sở thêm") == 25


def test_urge_button_and_board_export(client, world):
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    client.force_login(world.users["province"])
    response = client.post(reverse("campaigns:urge", args=[plan.pk]), follow=True)
    assert "Đã đôn đốc 2 đơn vị quá hạn" in response.content.decode()
    response = client.post(reverse("campaigns:urge", args=[plan.pk]), follow=True)
    assert "đã được đôn đốc hôm nay" in response.content.decode()
    export = client.get(reverse("campaigns:board", args=[plan.pk]) + "?format=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world.users["council"])
    assert client.post(reverse("campaigns:urge", args=[plan.pk])).status_code == 403


def test_board_rows_stay_inside_the_viewers_scope(client, world):
    plan = issued_plan(world.P, due_on=dt.date(2025, 3, 10))
    for unit in (world.D1, world.D2):
        child = services.implementation_start(
            obligation=Obligation.objects.get(plan=plan, unit=unit), by=None, issued_on=ISSUED
        )
        services.plan_issue(plan=child, by=None)
    expectations = {
        "province": {"D1", "D2", "G1", "G1b", "G2"},
        "district": {"D1", "G1", "G1b"},
        "grassroots": {"G1"},
    }
    for actor, codes in expectations.items():
        client.force_login(world.users[actor])
        rows, _levels = cascade_board(plan, world.users[actor], day=dt.date(2025, 4, 1))
        assert {r.obligation.unit.code for r in rows} == codes, actor
        body = client.get(reverse("campaigns:board", args=[plan.pk])).content.decode()
        # Issuers of the plans the viewer's rows implement are named (those plans are read from above).
        issuers = {r.parent_plan.issuer.code for r in rows}
        for code, unit in world.units.items():
            hidden = code not in codes | issuers and code not in ("T1", "T1a", "G3", "D3", "P2")
            if unit.depth >= 3 and hidden:
                assert unit.name not in body, (actor, code)


def test_attachments_are_checked_by_content_and_scoped(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = make_plan(world.P)
    client.force_login(world.users["province"])
    url = reverse("campaigns:attachment_add", args=[plan.pk])
    client.post(
        url, {"file": SimpleUploadedFile("phu-luc.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")}
    )
    bad = client.post(url, {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")}, follow=True)
    assert "không khớp" in bad.content.decode()
    client.post(url, {"file": SimpleUploadedFile("script.html", b"<script>alert(1)</script>")})
    attachment = plan.attachments.get()
    response = client.get(reverse("campaigns:attachment", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(world.users["grassroots"])  # a draft of the province: not theirs to read
    assert client.get(reverse("campaigns:attachment", args=[attachment.pk])).status_code == 404


def test_rounds_stay_inside_the_window(client, world):
    plan = make_plan(world.P)
    client.force_login(world.users["province"])
    url = reverse("campaigns:round_add", args=[plan.pk])
    response = client.post(url, {"name": "Đợt 1", "start": "01/12/2025", "end": "31/01/2026"})
    assert response.status_code == 400 and "nằm trong thời gian" in response.content.decode()
    response = client.post(url, {"name": "Đợt 1", "start": "01/03/2025", "end": "30/06/2025"})
    assert response.status_code == 302
    assert list(plan.rounds.values_list("name", flat=True)) == ["Đợt 1"]
