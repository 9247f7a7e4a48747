"""Inspection pages: they render, they keep other branches out (404), forms refuse bad and
tampered input with a 400 and write nothing, lists cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from thidua.accounts.roles import Role
from thidua.core.transitions import state_token
from thidua.inspections.models import Finding, FollowUp, Inspection, InspectionTarget
from thidua.testing import frozen, make_unit, make_user

from .factories import finding_at, follow_up_for, fresh, province_plan, round_of, target_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(world):
    """P inspects D1 and G1; a finding with evidence at G1 and a follow-up G1 owes by 30/04/2025."""
    inspection = round_of(world)
    finding = finding_at(inspection, world.G1, evidence=True)
    follow_up = follow_up_for(finding)
    return {"inspection": inspection, "finding": finding, "follow_up": follow_up, "world": world}


def login(client, user):
    client.force_login(user)
    return client


def test_every_page_renders_for_the_inspecting_level(client, world, story):
    login(client, world.users["province"])
    inspection, finding, follow_up = story["inspection"], story["finding"], story["follow_up"]
    pages = [
        reverse("inspections:list"),
        reverse("inspections:list") + "?status=in_progress&q=ke+hoach",
        reverse("inspections:plan", args=[inspection.plan_id]),
        reverse("inspections:detail", args=[inspection.pk]),
        reverse("inspections:targets"),
        reverse("inspections:target", args=[finding.target_id]),
        reverse("inspections:followups"),
        reverse("inspections:followups") + "?overdue=1&waiting=1&status=open&q=truong",
        reverse("inspections:followup", args=[follow_up.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "Kết thúc đợt kiểm tra" in detail and "Lập sổ theo dõi" in detail
    target_page = client.get(reverse("inspections:target", args=[finding.target_id])).content.decode()
    assert "Ghi kết luận" in target_page and "Giao yêu cầu khắc phục" in target_page
    plan_page = client.get(reverse("inspections:plan", args=[inspection.plan_id])).content.decode()
    assert 'name="unit"' in plan_page and "Lập đợt kiểm tra" in plan_page


def test_the_inspected_unit_reads_its_findings_and_follow_ups_not_the_round(client, world, story):
    login(client, world.users["grassroots"])
    inspection, finding, follow_up = story["inspection"], story["finding"], story["follow_up"]
    assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 404
    page = client.get(reverse("inspections:target", args=[finding.target_id]))
    assert page.status_code == 200
    assert "Chưa lập sổ theo dõi" in page.content.decode()
    assert "Ghi kết luận" not in page.content.decode()  # the inspecting level's forms only
    assert client.get(reverse("inspections:evidence", args=[finding.pk])).status_code == 200
    follow_up_page = client.get(reverse("inspections:followup", args=[follow_up.pk])).content.decode()
    assert "Báo cáo đã khắc phục" in follow_up_page and "Xác nhận đã khắc phục" not in follow_up_page
    # G1's officer does not see D1's visit (the same round, another unit).
    assert client.get(reverse("inspections:target", args=[target_of(inspection, world.D1).pk])).status_code == 404
    listed = client.get(reverse("inspections:targets")).content.decode()
    assert reverse("inspections:target", args=[finding.target_id]) in listed
    assert reverse("inspections:target", args=[target_of(inspection, world.D1).pk]) not in listed


def test_another_branch_gets_404_on_findings_follow_ups_and_evidence_and_changes_nothing(client, world, story):
    other = make_user("officer-d2", (world.D2, Role.OFFICER), (world.D2, Role.UNIT_ADMIN))
    login(client, other)
    finding, follow_up = story["finding"], story["follow_up"]
    urls = [
        reverse("inspections:detail", args=[story["inspection"].pk]),
        reverse("inspections:target", args=[finding.target_id]),
        reverse("inspections:evidence", args=[finding.pk]),
        reverse("inspections:followup", args=[follow_up.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("inspections:followup_done", args=[follow_up.pk]), {"note": "Xong"}),
        (reverse("inspections:finding_add", args=[finding.target_id]), {"severity": "good", "text": "Tốt"}),
        (reverse("inspections:finding_remove", args=[finding.pk]), {}),
        (reverse("inspections:followup_add", args=[finding.pk]), {"owner": world.G1.pk, "description": "x"}),
        (reverse("inspections:close", args=[story["inspection"].pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert fresh(follow_up).status == FollowUp.Status.OPEN
    assert Finding.objects.count() == 1 and FollowUp.objects.count() == 1
    for url in ("/api/findings", "/api/follow-ups", "/api/inspections"):
        assert client.get(url).json()["count"] == 0, url
    assert client.get(f"/api/follow-ups/{follow_up.pk}").status_code == 404
    assert client.get(f"/api/findings/{finding.pk}").status_code == 404
    for url in ("inspections:followups", "inspections:targets", "inspections:list"):
        export = client.get(reverse(url) + "?format=xlsx")
        assert export.status_code == 200
        sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
        cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
        assert "Phạm vi: Liên đoàn Lao động huyện Hai" in cells  # the export really was read
        assert "Trường Một" not in cells and "Lập sổ theo dõi" not in cells and "Kiểm tra việc" not in cells, url


def test_evidence_downloads_as_an_attachment_that_the_browser_must_not_sniff(client, world, story):
    login(client, world.users["district"])  # above the inspected unit: reads its findings
    response = client.get(reverse("inspections:evidence", args=[story["finding"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    without = finding_at(story["inspection"], world.D1)
    assert client.get(reverse("inspections:evidence", args=[without.pk])).status_code == 404


def test_planning_a_round_from_the_plan_page_and_bad_input_is_a_400_that_writes_nothing(client, world):
    plan = province_plan(world)
    login(client, world.users["province"])
    url = reverse("inspections:add", args=[plan.pk])
    good = {"unit": world.P.pk, "name": "Kiểm tra đợt 1", "start": "10/03/2025", "end": "31/03/2025", "note": ""}
    bad = [
        {**good, "end": "01/03/2025"},
        {**good, "start": "2025-13-45"},
        {**good, "start": "45678"},  # an Excel serial is not a date here
        {**good, "name": ""},
        {**good, "unit": world.P2.pk},  # tampered: another branch
        {**good, "unit": "x"},
        {**good, "unit": 10**30},
    ]
    for data in bad:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert "errorlist" in response.content.decode()
    assert not Inspection.objects.exists()
    response = client.post(url, good)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspections:detail", args=[inspection.pk])
    assert (inspection.unit, inspection.start, inspection.created_by) == (
        world.P,
        dt.date(2025, 3, 10),
        world.users["province"],
    )
    # The council member reads the plan's page but cannot plan a round.
    login(client, world.users["council"])
    assert client.get(reverse("inspections:plan", args=[plan.pk])).status_code == 200
    assert "Lập đợt kiểm tra" not in client.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert client.post(url, {**good, "name": "Hội đồng"}).status_code in (400, 403)
    assert Inspection.objects.count() == 1


def test_adding_units_offers_the_plans_units_below_and_refuses_tampered_ids(client, world):
    inspection = round_of(world, units=(world.D1,), start=False)
    login(client, world.users["province"])
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert f'value="{world.G1.pk}"' in page and f'value="{world.G3.pk}"' not in page
    url = reverse("inspections:targets_add", args=[inspection.pk])
    for units in ([world.G3.pk], [world.D1.pk], ["abc"], []):
        response = client.post(url, {"units": units, "scheduled_on": "12/03/2025"})
        assert response.status_code == 400, units
    assert client.post(url, {"units": [world.G1.pk], "scheduled_on": "01/04/2025"}).status_code == 400
    assert inspection.targets.count() == 1
    response = client.post(url, {"units": [world.G1.pk, world.D2.pk], "scheduled_on": "14/03/2025"})
    assert response.status_code == 302
    assert set(inspection.targets.values_list("unit__code", "scheduled_on")) == {
        ("D1", dt.date(2025, 3, 12)),
        ("G1", dt.date(2025, 3, 14)),
        ("D2", dt.date(2025, 3, 14)),
    }


def test_recording_findings_and_follow_ups_through_the_pages(client, world):
    inspection = round_of(world)
    target = target_of(inspection, world.D1)
    login(client, world.users["province"])
    url = reverse("inspections:finding_add", args=[target.pk])
    assert client.post(url, {"severity": "good", "text": "  "}).status_code == 400
    renamed = io.BytesIO(b"MZ\x90\x00 a program")
    renamed.name = "bien-ban.pdf"
    response = client.post(url, {"severity": "violation", "text": "Sai số liệu", "evidence": renamed})
    assert response.status_code == 400 and "không khớp" in response.content.decode()
    assert not Finding.objects.exists()
    assert client.post(url, {"severity": "violation", "text": "Sai số liệu ngày công"}).status_code == 302
    finding = Finding.objects.get()
    add = reverse("inspections:followup_add", args=[finding.pk])
    sibling_branch = make_unit(world.D2, "Công đoàn cơ sở Chợ", "grassroots")
    for data in (
        {"owner": sibling_branch.pk, "description": "Sửa", "due_on": "30/04/2025"},  # tampered owner
        {"owner": world.D1.pk, "description": "Sửa", "due_on": "01/03/2025"},  # before the visit
        {"owner": world.D1.pk, "description": "", "due_on": "30/04/2025"},
    ):
        assert client.post(add, data).status_code == 400, data
    assert not FollowUp.objects.exists()
    data = {"owner": world.G1b.pk, "description": "Điều chỉnh số liệu", "due_on": "30/04/2025"}
    assert client.post(add, data).status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.owner, follow_up.due_on, follow_up.inspection) == (world.G1b, dt.date(2025, 4, 30), inspection)


def test_follow_up_actions_through_the_pages_with_the_state_the_page_showed(client, world, story):
    follow_up = story["follow_up"]
    login(client, world.users["grassroots"])
    done = reverse("inspections:followup_done", args=[follow_up.pk])
    assert client.post(done, {"note": ""}).status_code == 400
    seen = state_token(follow_up)
    assert client.post(done, {"note": "Đã lập sổ", "seen": seen}).status_code == 302
    assert fresh(follow_up).status == FollowUp.Status.DONE
    # The owner cannot accept its own remedy.
    assert client.post(reverse("inspections:followup_close", args=[follow_up.pk])).status_code == 403
    login(client, world.users["province"])
    page = client.get(reverse("inspections:followup", args=[follow_up.pk])).content.decode()
    assert "Xác nhận đã khắc phục" in page and "Trả lại để khắc phục thêm" in page
    reopen = reverse("inspections:followup_reopen", args=[follow_up.pk])
    assert client.post(reopen, {"reason": ""}).status_code == 400
    assert client.post(reopen, {"reason": "Thiếu biên bản"}).status_code == 302
    assert fresh(follow_up).status == FollowUp.Status.OPEN
    # A page opened before the send-back cannot report done on top of it.
    login(client, world.users["grassroots"])
    client.post(done, {"note": "Bổ sung", "seen": seen})
    assert fresh(follow_up).status == FollowUp.Status.OPEN


def test_the_overdue_filter_follows_the_clock(client, world, story):
    url = reverse("inspections:followups") + "?overdue=1"
    marker = reverse("inspections:followup", args=[story["follow_up"].pk])
    with frozen("2025-04-30 10:00"):  # logged in at that moment: the session's idle clock agrees
        page = login(client, world.users["district"]).get(url)
        assert page.status_code == 200
        assert marker not in page.content.decode()  # due today: not overdue yet
        assert marker in client.get(reverse("inspections:followups")).content.decode()
    with frozen("2025-05-01 10:00"):
        page = login(client, world.users["district"]).get(url)
        assert page.status_code == 200
        assert marker in page.content.decode()
        book = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
        values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
        assert "Yêu cầu khắc phục quá hạn" in values and "Lập sổ theo dõi kết quả phong trào thi đua." in values


def test_lists_cost_the_same_queries_however_many_rows(client, world, django_assert_max_num_queries):
    login(client, world.users["province"])
    inspection = round_of(world, units=(world.D1, world.G1, world.G1b, world.D2))
    for unit in (world.D1, world.G1):
        follow_up_for(finding_at(inspection, unit))
    urls = [reverse("inspections:list"), reverse("inspections:targets"), reverse("inspections:followups")]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    for _ in range(3):
        more = round_of(world, units=(world.D1, world.G1, world.G2))
        for unit in (world.D1, world.G1, world.G2):
            follow_up_for(finding_at(more, unit))
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    assert InspectionTarget.objects.count() == 13
