"""Inspections through the JSON API: the same scope as the pages, filters, clear errors."""

from __future__ import annotations

import pytest

from thidua.inspections import services
from thidua.testing import frozen

from .factories import finding_at, follow_up_for, round_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(world):
    inspection = round_of(world)
    at_g1 = follow_up_for(finding_at(inspection, world.G1, evidence=True), text="Lập sổ theo dõi tại Trường Một")
    at_d1 = follow_up_for(finding_at(inspection, world.D1), text="Bổ sung kế hoạch của huyện Một")
    services.followup_done(follow_up=at_d1, by=None, note="Đã bổ sung")
    return {"inspection": inspection, "at_g1": at_g1, "at_d1": at_d1}


def test_the_inspecting_level_reads_rounds_findings_and_follow_ups(client, world, story):
    client.force_login(world.users["province"])
    inspection = story["inspection"]
    listed = client.get("/api/inspections").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == inspection.name
    assert listed["items"][0]["plan_number"] == inspection.plan.document_number
    detail = client.get(f"/api/inspections/{inspection.pk}").json()
    assert detail["status"] == "in_progress"
    assert sorted(t["unit_name"] for t in detail["targets"]) == [
        "Công đoàn cơ sở Trường Một",
        "Liên đoàn Lao động huyện Một",
    ]
    assert client.get(f"/api/inspections?plan={inspection.plan_id}&status=in_progress").json()["count"] == 1
    assert client.get("/api/inspections?status=closed").json()["count"] == 0
    findings = client.get(f"/api/findings?inspection={inspection.pk}").json()
    assert findings["count"] == 2
    assert {f["unit_name"]: f["has_evidence"] for f in findings["items"]} == {
        "Công đoàn cơ sở Trường Một": True,
        "Liên đoàn Lao động huyện Một": False,
    }
    assert client.get("/api/follow-ups?status=done").json()["items"][0]["id"] == story["at_d1"].pk


def test_the_inspected_unit_reads_its_own_findings_and_follow_ups_only(client, world, story):
    client.force_login(world.users["grassroots"])
    assert client.get("/api/inspections").json()["count"] == 0
    assert client.get(f"/api/inspections/{story['inspection'].pk}").status_code == 404
    findings = client.get("/api/findings").json()
    assert [f["unit_name"] for f in findings["items"]] == ["Công đoàn cơ sở Trường Một"]
    follow_ups = client.get("/api/follow-ups").json()
    assert [f["id"] for f in follow_ups["items"]] == [story["at_g1"].pk]
    assert client.get(f"/api/follow-ups/{story['at_d1'].pk}").status_code == 404
    assert client.get(f"/api/follow-ups/{story['at_g1'].pk}").json()["owner_name"] == "Công đoàn cơ sở Trường Một"


def test_overdue_follow_ups_by_the_clock(client, world, story):
    with frozen("2025-04-30 10:00"):
        client.force_login(world.users["district"])
        response = client.get("/api/follow-ups?overdue=true")
        assert response.status_code == 200 and response.json()["count"] == 0
    with frozen("2025-05-01 10:00"):
        client.force_login(world.users["district"])
        items = client.get("/api/follow-ups?overdue=true").json()["items"]
        assert [(f["id"], f["overdue"]) for f in items] == [(story["at_g1"].pk, True)]  # D1's was reported done


@pytest.mark.parametrize(
    "url",
    [
        "/api/follow-ups?status=lost",
        "/api/inspections?status=%3Cscript%3E",
        "/api/inspections?plan=abc",
        "/api/follow-ups?limit=100000",
        "/api/findings?unit=-1",
        "/api/inspections/99999999999999999999999",
    ],
)
def test_bad_parameters_get_a_clear_4xx_never_a_500(client, world, story, url):
    client.force_login(world.users["province"])
    response = client.get(url)
    assert 400 <= response.status_code < 500, response.status_code
    assert response.json()["detail"] in ("Trạng thái không hợp lệ.", "Dữ liệu gửi lên không hợp lệ.")
