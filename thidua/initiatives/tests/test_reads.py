"""Reads: the eligibility selectors (one query), pages, the public library and the API under scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.initiatives import selectors, services
from thidua.initiatives.services import AuthorShare
from thidua.testing import make_member

from .factories import HELD, approved_model_at, council_at, initiative_at, model_at, recognised_at

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


# --- selectors for the eligibility engine ------------------------------------------------------------


def _authored(world, n):
    """``n`` members of G1, each co-author (50 %) of one recognised initiative with a shared colleague."""
    council_at(world.G1, 3)
    lead = make_member(world.G1, "Trần Thị Chủ Trì")
    members = [make_member(world.G1) for _ in range(n)]
    for i, m in enumerate(members):
        recognised_at(
            world.G1, title=f"Sáng kiến {i}", members=[lead, m], shares=("50", "50"), benefit=10_000_000 * (i + 1)
        )
    return lead, members


def test_recognised_initiatives_and_benefits_per_member(world):
    lead, members = _authored(world, 3)
    refused = initiative_at(world.G1, title="Bị từ chối", members=[members[0]], shares=("100",), submit=True)
    council = council_at(world.G1, 3)
    services.review_record(initiative=refused, council=council, by=None, held_on=HELD, present=3, approve=1, reject=2)
    initiative_at(world.G1, title="Còn nháp", members=[members[0]], shares=("100",))
    found = selectors.recognised_initiatives([lead.pk, members[0].pk, members[2].pk], *YEAR)
    assert [r.title for r in found[lead.pk]] == ["Sáng kiến 0", "Sáng kiến 1", "Sáng kiến 2"]
    assert [(r.title, r.share, r.benefit_vnd) for r in found[members[0].pk]] == [
        ("Sáng kiến 0", Decimal("50.00"), 10_000_000)
    ]
    assert found[lead.pk][0].scope == "" and found[lead.pk][0].recognised_on == HELD
    assert members[1].pk not in found  # not asked for
    assert selectors.recognised_initiatives([lead.pk], dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == {}
    benefit = selectors.benefit_by_member([lead.pk, members[2].pk], *YEAR)
    assert (benefit[lead.pk].best_single_vnd, benefit[lead.pk].total_vnd, benefit[lead.pk].count) == (
        30_000_000,
        60_000_000,
        3,
    )
    assert benefit[lead.pk].share_weighted_vnd == 30_000_000
    assert benefit[members[2].pk].share_weighted_vnd == 15_000_000


@pytest.mark.parametrize("n", [10, 100])
def test_the_selectors_read_in_one_query_whatever_the_number_of_members(world, n):
    _lead, members = _authored(world, 2)
    ids = [m.pk for m in members] + [make_member(world.G1).pk for _ in range(n - 2)]
    for read in (selectors.recognised_initiatives, selectors.benefit_by_member):
        with CaptureQueriesContext(connection) as queries:
            found = read(ids, *YEAR)
        assert len(queries) == 1, (read.__name__, n)
        assert len(found) == 2


# --- pages ------------------------------------------------------------------------------------------------


def test_another_branch_cannot_see_an_initiative_or_a_model(world, client):
    initiative = initiative_at(world.G1, title="Sáng kiến của Trường Một")
    model = model_at(world.G1, title="Mô hình của Trường Một")
    outsider = world.users["grassroots"]
    mine = initiative_at(world.G1, title="Của tôi")
    other = initiative_at(world.G2, title="Sáng kiến Xã Hai")
    other_model = approved_model_at(world.G2, title="Mô hình Xã Hai")  # in D2's library, not D1's
    client.force_login(outsider)
    assert client.get(f"/initiatives/{mine.pk}/").status_code == 200
    assert client.get(f"/initiatives/{other.pk}/").status_code == 404
    assert client.get(f"/initiatives/models/{other_model.pk}/").status_code == 404
    listing = client.get("/initiatives/?q=sang kien").content.decode()
    assert "Sáng kiến của Trường Một" in listing and "Xã Hai" not in listing  # diacritic-free search
    assert client.get("/initiatives/models/?tab=all").content.decode().count("Mô hình Xã Hai") == 0
    assert client.get(f"/api/initiatives/{other.pk}").status_code == 404
    assert client.get(f"/api/models/{other_model.pk}").status_code == 404
    api = client.get("/api/initiatives").json()
    assert {i["title"] for i in api["items"]} == {initiative.title, mine.title}
    assert [m["title"] for m in client.get("/api/models").json()["items"]] == [model.title]


def test_confidential_notes_only_for_emulation_officers(world, client):
    initiative = initiative_at(world.G1)
    client.force_login(world.users["council"])  # sees the province subtree, no emulation desk
    page = client.get(f"/initiatives/{initiative.pk}/").content.decode()
    assert "Mẫu biểu nội bộ số 3" not in page
    assert client.get(f"/api/initiatives/{initiative.pk}").json()["confidential_notes"] is None
    client.force_login(world.users["district"])
    assert "Mẫu biểu nội bộ số 3" in client.get(f"/initiatives/{initiative.pk}/").content.decode()


def test_the_create_form_saves_authors_and_refuses_a_wrong_sum(world, client):
    a, b = make_member(world.G1), make_member(world.G1)
    client.force_login(world.users["grassroots"])
    data = {
        "unit": world.G1.pk,
        "title": "Phần mềm chấm công",
        "field": "technical",
        "first_applied_on": "15/02/2024",
        "benefit_vnd": "120.000.000",
        "description": "Mô tả",
        "authors-TOTAL_FORMS": "3",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "20",
        "authors-0-member": a.pk,
        "authors-0-share_percent": "70",
        "authors-0-role": "main",
        "authors-1-member": b.pk,
        "authors-1-share_percent": "20",
        "authors-1-role": "co",
        "authors-2-role": "co",
    }
    response = client.post("/initiatives/new/", data)
    assert response.status_code == 400
    assert "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%" in response.content.decode()
    data["authors-1-share_percent"] = "30"
    response = client.post("/initiatives/new/", data)
    assert response.status_code == 302
    initiative = world.G1.initiatives.get()
    assert initiative.benefit_vnd == 120_000_000 and initiative.first_applied_on == dt.date(2024, 2, 15)
    assert sorted(initiative.authors.values_list("share_percent", flat=True)) == [Decimal(30), Decimal(70)]


# --- the library and the public portal --------------------------------------------------------------------


def test_adoption_counts_and_the_spread_tree(world, client):
    model = approved_model_at(world.G1b)  # in D1's library
    services.adoption_record(model=model, by=None, unit=world.G1, adopted_on=dt.date(2024, 7, 1))
    services.adoption_record(model=model, by=None, unit=world.T1, adopted_on=dt.date(2024, 8, 1))
    services.adoption_record(model=model, by=None, unit=world.G2, adopted_on=dt.date(2024, 9, 1))
    other = approved_model_at(world.G1b, title="Chưa ai áp dụng")
    counts = {m.pk: m.adoption_count for m in selectors.library(world.users["province"])}
    assert counts[model.pk] == 3 and counts[other.pk] == 0
    rows = selectors.flatten(selectors.spread_tree(model))
    shown = {node.unit.code: (depth, node.count, node.origin) for depth, node in rows}
    assert shown["P"] == (0, 3, False)
    assert shown["D1"] == (1, 2, False) and shown["D2"] == (1, 1, False)
    assert shown["G1b"][2] and shown["T1"][0] == 3
    client.force_login(world.users["district"])
    page = client.get(f"/initiatives/models/{model.pk}/").content.decode()
    assert "Công đoàn bộ phận Tổ Toán" in page


def test_the_public_library_shows_only_approved_published_models_and_no_personal_data(world, client):
    author = make_member(world.G1, "Lê Văn Bí Mật", phone="0912345678", id_number="012345678901")
    shown = approved_model_at(world.G1, publish=True, title="Mô hình công khai")
    hidden = approved_model_at(world.G1, publish=False, title="Mô hình chưa công khai")
    draft = model_at(world.G1, title="Mô hình nháp")
    submitted = model_at(world.G1, title="Mô hình chờ duyệt")
    services.model_submit(model=submitted, by=None)
    services.adoption_record(model=shown, by=None, unit=world.G1b, adopted_on=dt.date(2024, 7, 1))
    initiative_at(world.G1, members=[author], shares=("100",))
    library = client.get("/tin/mo-hinh/")
    assert library.status_code == 200
    text = library.content.decode()
    assert "Mô hình công khai" in text
    assert "chưa công khai" not in text and "nháp" not in text and "chờ duyệt" not in text
    assert client.get("/tin/mo-hinh/?q=cong khai").content.decode().count("Mô hình công khai") >= 1
    page = client.get(f"/tin/mo-hinh/{shown.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "Trạm Y tế Một" in body  # where it spread
    for secret in ("0912345678", "012345678901", "Lê Văn Bí Mật", "Mẫu biểu nội bộ"):
        assert secret not in body
    for other in (hidden, draft, submitted):
        assert client.get(f"/tin/mo-hinh/{other.pk}/").status_code == 404
    services.model_publish(model=shown, by=None, published=False)
    assert client.get(f"/tin/mo-hinh/{shown.pk}/").status_code == 404


def test_api_lists_filter_and_refuse_bad_input(world, client):
    recognised_at(world.G1, title="Đã công nhận")
    initiative_at(world.G1, title="Nháp")
    client.force_login(world.users["district"])
    items = client.get("/api/initiatives?status=recognised").json()["items"]
    assert [i["title"] for i in items] == ["Đã công nhận"]
    assert client.get("/api/initiatives?q=da cong nhan").json()["count"] == 1
    assert client.get("/api/initiatives?status=xyz").status_code == 422
    assert client.get("/api/initiatives?limit=100000").status_code == 422
    detail = client.get(f"/api/initiatives/{items[0]['id']}").json()
    assert detail["reviews"][0]["passed"] is True
    assert all(set(a) == {"member_id", "full_name", "unit_name", "share_percent", "role"} for a in detail["authors"])


def test_edit_form_with_authors_formset_round_trips(world, client):
    member = make_member(world.G1)
    initiative = services.initiative_create(
        unit=world.G1,
        by=None,
        title="Cũ",
        field="technical",
        description="Mô tả",
        first_applied_on=dt.date(2024, 1, 1),
        authors=[AuthorShare(member=member, share_percent="100")],
    )
    client.force_login(world.users["grassroots"])
    page = client.get(f"/initiatives/{initiative.pk}/edit/")
    assert page.status_code == 200 and f'value="{member.pk}" selected' in page.content.decode()
