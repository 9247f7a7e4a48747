"""Plans through the API: read with their parts and files, and the e-office flow (create a draft,
attach the signed PDF, record the issued number and date) through the same services as the pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from thidua.accounts.tokens import token_create
from thidua.campaigns import services
from thidua.campaigns.models import Obligation, Plan, PlanEvent
from thidua.campaigns.tests.factories import issued_plan, make_plan
from thidua.testing import title

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOT_FOUND = {"detail": "Không tìm thấy hoặc bạn không có quyền xem."}


def token_of(user, access="write"):
    _row, token = token_create(
        user=user, name="Văn phòng điện tử", access=access, expires_on=timezone.localdate() + dt.timedelta(days=30)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def draft_body(world, **changes):
    body = {
        "issuer_id": world.D1.pk,
        "issued_on": "2025-03-01",
        "place": "Bắc Kạn",
        "title": "Kế hoạch phát động thi đua chào mừng Đại hội",
        "summary": "Phát động thi đua",
        "purpose": "<p>Mục đích <script>alert(1)</script></p>",
        "legal_basis": ["Căn cứ Luật Thi đua, khen thưởng;", "Căn cứ Điều lệ Công đoàn Việt Nam;"],
        "window_start": "2025-01-01",
        "window_end": "2025-12-31",
        "signing_capacity": "TM.",
        "signing_for": "ban thường vụ",
        "signer_position": "chủ tịch",
        "recipients": ["Như trên;", "Lưu: VT"],
        "title_ids": [title("Lao động tiên tiến").pk],
        "contents": [
            {
                "name": "Thi đua lao động giỏi",
                "criteria": [
                    {"name": "Sáng kiến", "kind": "number", "unit_label": "sáng kiến", "target": "2"},
                    {"name": "Hoàn thành nhiệm vụ", "kind": "yes_no"},
                ],
            }
        ],
    }
    body.update(changes)
    return body


def post_json(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


# --- the e-office flow -------------------------------------------------------------------------


def test_eoffice_creates_attaches_and_issues_through_the_services(client, world):
    auth = token_of(world.users["district"])
    created = post_json(client, "/api/plans", draft_body(world), auth)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft" and plan["issuer"] == {"id": world.D1.pk, "name": world.D1.name}
    assert plan["purpose"] == "<p>Mục đích </p>"  # sanitised by the service, as the page's form is
    assert plan["signing_for"] == "BAN THƯỜNG VỤ" and plan["legal_basis"][1] == "Căn cứ Điều lệ Công đoàn Việt Nam;"
    assert [c["name"] for c in plan["contents"][0]["criteria"]] == ["Sáng kiến", "Hoàn thành nhiệm vụ"]
    assert [t["name"] for t in plan["titles"]] == ["Lao động tiên tiến"]
    stored = Plan.objects.get(pk=plan["id"])
    assert stored.created_by == world.users["district"]
    assert PlanEvent.objects.filter(plan=stored, action="create", by=world.users["district"]).exists()

    upload = SimpleUploadedFile("ke-hoach-da-ky.pdf", PDF, content_type="application/pdf")
    attached = client.post(f"/api/plans/{stored.pk}/attachments", {"file": upload}, **auth)
    assert attached.status_code == 201, attached.content
    assert attached.json()["content_type"] == "application/pdf"
    download = client.get(attached.json()["download_url"], **auth)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    issued = post_json(
        client,
        f"/api/plans/{stored.pk}/issue",
        {"number": 42, "issued_on": "2025-03-05", "due_on": "2025-03-25", "seen": plan["seen"]},
        auth,
    )
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["status"] == "issued" and body["number"] == 42 and body["issued_on"] == "2025-03-05"
    assert body["document_number"] == f"42/KH-{world.D1.short_name or world.D1.code}"
    assert {e["action"] for e in body["events"]} == {"create", "issue"}
    assert set(Obligation.objects.filter(plan_id=stored.pk).values_list("unit_id", flat=True)) == {
        world.G1.pk,
        world.G1b.pk,
    }
    assert Obligation.objects.filter(plan_id=stored.pk, due_on=dt.date(2025, 3, 25)).count() == 2
    document = client.get(body["document_url"], **auth)
    assert document.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(document.content)).paragraphs)
    assert "Kế hoạch phát động thi đua" in text or "KẾ HOẠCH" in text


def test_issue_to_chosen_units_only(client, world):
    plan = make_plan(world.D1)
    auth = token_of(world.users["district"])
    response = post_json(client, f"/api/plans/{plan.pk}/issue", {"units": [world.G1.pk]}, auth)
    assert response.status_code == 200, response.content
    assert list(Obligation.objects.filter(plan=plan).values_list("unit_id", flat=True)) == [world.G1.pk]


def test_bad_writes_are_422_and_change_nothing(client, world):
    auth = token_of(world.users["district"])
    before = Plan.objects.count()
    cases = [
        draft_body(world, window_end="2024-12-31"),  # ends before it starts: the service says so
        draft_body(world, title=""),
        draft_body(world, issued_on="05/03/2025"),  # the API speaks ISO dates
        draft_body(world, title_ids=[999999]),
        draft_body(world, contents=[{"name": "Nội dung", "criteria": [{"name": "Số", "kind": "number"}]}]),
        draft_body(world, number=0),
        draft_body(world, title="x" * 501),
        draft_body(world, signing_capacity="XX."),
    ]
    for body in cases:
        response = post_json(client, "/api/plans", body, auth)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["detail"] == "Dữ liệu gửi lên không hợp lệ."
    assert Plan.objects.count() == before  # a plan whose criterion was refused is rolled back with it
    refused = post_json(client, "/api/plans", draft_body(world, window_end="2024-12-31"), auth).json()
    assert {"field": "window_end", "message": "Thời gian kết thúc phải sau thời gian bắt đầu."} in refused["errors"]


def test_a_bad_file_is_refused(client, world):
    plan = make_plan(world.D1)
    auth = token_of(world.users["district"])
    for upload in (
        SimpleUploadedFile("ban-ky.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),  # renamed .exe
        SimpleUploadedFile("ban-ky.exe", PDF),
        SimpleUploadedFile("rong.pdf", b""),
    ):
        response = client.post(f"/api/plans/{plan.pk}/attachments", {"file": upload}, **auth)
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == "file"
    assert client.post(f"/api/plans/{plan.pk}/attachments", {}, **auth).status_code == 422  # no file at all
    assert not plan.attachments.exists()


def test_issued_number_clash_and_issued_plans_are_refused(client, world):
    other = make_plan(world.D1, number=7)
    plan = make_plan(world.D1)
    auth = token_of(world.users["district"])
    clash = post_json(client, f"/api/plans/{plan.pk}/issue", {"number": 7}, auth)
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "number"
    assert Plan.objects.get(pk=plan.pk).status == "draft" and other.number == 7
    stale = post_json(client, f"/api/plans/{plan.pk}/issue", {"seen": "draft.0"}, auth)
    assert stale.status_code == 422  # the page it was read from is outdated (the draft has its create event)
    assert post_json(client, f"/api/plans/{plan.pk}/issue", {}, auth).status_code == 200
    again = post_json(client, f"/api/plans/{plan.pk}/issue", {"number": 8}, auth)
    assert again.status_code == 422  # no longer a draft: nothing is renumbered
    assert Plan.objects.get(pk=plan.pk).number != 8
    late = client.post(f"/api/plans/{plan.pk}/attachments", {"file": SimpleUploadedFile("muon.pdf", PDF)}, **auth)
    assert late.status_code == 422 and not plan.attachments.exists()
    units = post_json(client, f"/api/plans/{make_plan(world.D1).pk}/issue", {"units": [world.G2.pk]}, auth)
    assert units.status_code == 422  # not a unit directly below the issuer


def test_writes_need_the_emulation_permission_on_the_issuer(client, world):
    plan = make_plan(world.D1)
    council = token_of(world.users["council"])  # sees the province's subtree, manages nothing
    assert post_json(client, "/api/plans", draft_body(world), council).status_code == 403
    assert post_json(client, f"/api/plans/{plan.pk}/issue", {}, council).status_code == 403
    grassroots = token_of(world.users["grassroots"])  # below the issuer: the draft does not exist for it
    assert post_json(client, f"/api/plans/{plan.pk}/issue", {}, grassroots).status_code == 404
    assert (
        post_json(
            client, "/api/plans", draft_body(world, issuer_id=world.D2.pk), token_of(world.users["district"])
        ).status_code
        == 404
    )
    assert Plan.objects.get(pk=plan.pk).status == "draft"
    assert Plan.objects.filter(title=draft_body(world)["title"]).count() == 0


def test_a_session_writes_too(client, world):
    client.force_login(world.users["district"])
    response = post_json(client, "/api/plans", draft_body(world), {})
    assert response.status_code == 201, response.content


# --- reading -----------------------------------------------------------------------------------


def test_plan_list_filters_and_scope(client, world):
    campaign = issued_plan(world.P, title="Kế hoạch tỉnh Alpha")
    draft_above = make_plan(world.P, title="Dự thảo của tỉnh")
    other = issued_plan(world.P2, title="Kế hoạch tỉnh Beta")
    obligation = Obligation.objects.get(plan=campaign, unit=world.D1)
    implementation = services.implementation_start(obligation=obligation, by=None)
    auth = token_of(world.users["district"], access="read")
    ids = {p["id"] for p in client.get("/api/plans?limit=500", **auth).json()["items"]}
    assert campaign.pk in ids and implementation.pk in ids
    assert draft_above.pk not in ids and other.pk not in ids
    cascade = client.get(f"/api/plans?campaign={campaign.pk}", **auth).json()
    assert {p["id"] for p in cascade["items"]} == {campaign.pk, implementation.pk}
    by_number = client.get("/api/plans", {"q": campaign.document_number}, **auth).json()["items"]
    assert by_number[0]["id"] == campaign.pk  # the exact number first, then plans that cite it
    drafts = client.get("/api/plans?status=draft", **auth).json()["items"]
    assert [p["id"] for p in drafts] == [implementation.pk]
    assert client.get(f"/api/plans?campaign={other.pk}", **auth).status_code == 404
    assert client.get(f"/api/plans/{other.pk}", **auth).json() == NOT_FOUND
    assert client.get(f"/api/plans/{draft_above.pk}/document.docx", **auth).status_code == 404


def test_plan_detail_costs_the_same_for_many_parts(client, world, django_assert_max_num_queries):
    plan = make_plan(world.D1, contents=8)
    for i in range(5):
        services.attachment_add(plan=plan, upload=SimpleUploadedFile(f"phu-luc-{i}.pdf", PDF), by=None)
    auth = token_of(world.users["district"], access="read")
    client.get("/api/units?limit=1", **auth)
    with django_assert_max_num_queries(10):
        body = client.get(f"/api/plans/{plan.pk}", **auth).json()
    assert len(body["contents"]) == 8 and len(body["attachments"]) == 5


def test_obligations_by_status(client, world):
    plan = issued_plan(world.D1, due_on=dt.date(2025, 3, 10))
    late = Obligation.objects.get(plan=plan, unit=world.G1b)
    done = Obligation.objects.get(plan=plan, unit=world.G1)
    implementation = services.implementation_start(obligation=done, by=None, issued_on=dt.date(2025, 3, 8))
    services.plan_issue(plan=implementation, by=None)
    auth = token_of(world.users["district"], access="read")
    rows = {o["id"]: o["status"] for o in client.get(f"/api/obligations?plan={plan.pk}", **auth).json()["items"]}
    assert rows == {late.pk: "late", done.pk: "issued"}
    below = Obligation.objects.get(plan=implementation)  # G1's own plan gives T1 a duty, late too
    late_ids = [o["id"] for o in client.get("/api/obligations?status=late", **auth).json()["items"]]
    assert late_ids == [late.pk, below.pk]  # by due date
    assert [o["id"] for o in client.get("/api/obligations?status=issued", **auth).json()["items"]] == [done.pk]
    assert client.get("/api/obligations?status=pending", **auth).json()["count"] == 0
    assert client.get(f"/api/obligations?unit={world.G2.pk}", **auth).status_code == 404
    grassroots = token_of(world.users["grassroots"], access="read")
    assert client.get(f"/api/obligations/{late.pk}", **grassroots).status_code == 404  # a sibling's duty
    assert client.get(f"/api/obligations/{done.pk}", **grassroots).json()["implementation_id"] == implementation.pk
