"""The catalogue page and API: any logged-in account reads them; unconfirmed values say so."""

from __future__ import annotations

import pytest

from thidua.recognition.tests.factories import catalogue

pytestmark = pytest.mark.django_db


def test_the_catalogue_page_shows_sources_and_labels_defaults(client, world, django_assert_max_num_queries):
    catalogue()
    assert client.get("/recognition/catalogue/").status_code == 302
    client.force_login(world.users["council"])
    with django_assert_max_num_queries(15):
        response = client.get("/recognition/catalogue/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chiến sĩ thi đua cơ sở" in page and "Luật sửa đổi 2026" in page
    assert "mặc định — cần xác nhận" in page and "đã đối chiếu văn bản" in page
    assert "Công văn 5007/BNV-TĐKT" in page
    assert "Công đoàn xã, phường, đặc khu" in page  # who awards, with dates


def test_the_catalogue_api(client, world):
    catalogue()
    assert client.get("/api/award-kinds").status_code == 401
    client.force_login(world.users["grassroots"])
    kinds = client.get("/api/award-kinds").json()
    assert {"ldtt", "giai-ton-duc-thang"} <= {k["code"] for k in kinds}
    rule_sets = client.get("/api/rule-sets").json()
    assert [rs["code"] for rs in rule_sets] == ["luat-2013", "luat-2022", "luat-2026"]
    assert rule_sets[2]["valid_from"] == "2026-10-01" and rule_sets[1]["valid_to"] == "2026-09-30"
    assert rule_sets[0]["valid_to"] == "2023-12-31" and rule_sets[0]["confidence"] == "unconfirmed"
    cstd = next(r for r in rule_sets[2]["rules"] if r["award_kind"] == "cstd-co-so" and r["kind"] == "prerequisite")
    assert cstd["confidence"] == "unconfirmed" and cstd["params"]["all"][1]["initiatives"] == 1
