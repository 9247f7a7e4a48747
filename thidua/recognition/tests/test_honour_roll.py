"""The honour roll (Bảng vàng) on the public portal: issued, published decisions only, no personal
data, grouped by decision then award, searchable without diacritics, paged, cached, linked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.recognition import public
from thidua.recognition.models import AwardDecision
from thidua.recognition.tests.public_data import decide, decision, revoke_decision
from thidua.testing import make_member

pytestmark = pytest.mark.django_db
URL = "/tin/bang-vang/"
NAMES = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh", "Nga", "Sơn"]
NAMES += ["Thu", "Vân", "Xuân", "Yến", "Khoa", "Phúc", "Quang", "Tâm", "Trang", "Uyên"]


def _published(world):
    secretive = make_member(
        world.G1,
        "Đặng Thị Ánh",
        gender="F",
        position="Chủ tịch CĐCS",
        phone="0912345678",
        id_number="012345678901",
        date_of_birth=dt.date(1985, 4, 30),
        birth_year=1985,
    )
    dec = decision(world.P, publish=True, issued_on=dt.date(2026, 1, 20))
    decide(dec, secretive, "cstd-co-so", position="Chủ tịch Công đoàn cơ sở", achievement="Dẫn đầu phong trào")
    decide(dec, make_member(world.G1, "Lê Văn Bình"), "ldtt")
    decide(dec, world.G1b, "tt-ldtt")
    return dec, secretive


def test_only_issued_published_standing_awards_and_no_personal_data(world, client):
    dec, _member = _published(world)
    unpublished = decision(world.P, publish=False)
    decide(unpublished, make_member(world.G1, "Không Công Bố"), "ldtt")
    draft = decision(world.P, publish=True, status=AwardDecision.Status.DRAFT)
    decide(draft, make_member(world.G1, "Còn Dự Thảo"), "ldtt")
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đặng Thị Ánh" in body and "Chủ tịch Công đoàn cơ sở" in body and "Dẫn đầu phong trào" in body
    assert "Công đoàn cơ sở Trạm Y tế Một" in body  # a collective
    assert f"Quyết định số {dec.document_number} ngày 20/01/2026 của Liên đoàn Lao động tỉnh Alpha" in body
    assert "Không Công Bố" not in body and "Còn Dự Thảo" not in body
    for secret in ("0912345678", "012345678901", "30/04/1985", "1985"):
        assert secret not in body
    # Grouped by award: the higher title first, individuals before collectives.
    assert body.index("Chiến sĩ thi đua cơ sở") < body.index("Lao động tiên tiến") < body.index("Tập thể lao động")


def test_a_revoked_decision_or_award_disappears(world, client):
    dec, secretive = _published(world)
    assert "Lê Văn Bình" in client.get(URL).content.decode()
    award = secretive.awards.get()
    from thidua.recognition import services

    services.award_revoke(award=award, reason="Khai sai thành tích", by=None)
    body = client.get(URL).content.decode()
    assert "Đặng Thị Ánh" not in body and "Lê Văn Bình" in body
    revoke_decision(dec)
    body = client.get(URL).content.decode()
    assert "Lê Văn Bình" not in body and "Chưa có quyết định khen thưởng nào được công bố." in body


@pytest.mark.parametrize(("query", "found"), [("dang thi anh", True), ("ĐẶNG", True), ("lao dong tien tien", True)])
def test_search_without_diacritics(world, client, query, found):
    _published(world)
    body = client.get(URL, {"q": query}).content.decode()
    assert ("Đặng Thị Ánh" in body or "Lê Văn Bình" in body) is found


def test_search_narrows(world, client):
    _published(world)
    body = client.get(URL, {"q": "binh"}).content.decode()
    assert "Lê Văn Bình" in body and "Đặng Thị Ánh" not in body
    assert "Không có tên nào phù hợp." in client.get(URL, {"q": "khong ai ten nay"}).content.decode()
    assert client.get(URL, {"q": "x" * 5000, "page": "abc"}).status_code == 200


def test_paged_in_bounded_queries(world, client, monkeypatch):
    monkeypatch.setattr(public, "PAGE_SIZE", 5)
    dec = decision(world.P, publish=True)
    for name in NAMES[:12]:
        decide(dec, make_member(world.G1, f"Người Thứ {name}"), "ldtt")
    first = client.get(URL).content.decode()
    assert "Trang 1 / 3" in first
    with CaptureQueriesContext(connection) as ctx:
        third = client.get(URL, {"page": 3}).content.decode()
    assert third.count("Người Thứ") == 2 and dec.document_number in third  # the heading repeats on every page
    small = len(ctx.captured_queries)
    for name in NAMES:
        decide(decision(world.D1, publish=True), make_member(world.G1b, f"Người Khác {name}"), "ldtt")
    with CaptureQueriesContext(connection) as ctx:
        client.get(URL, {"page": 2})
    assert len(ctx.captured_queries) <= small


def test_cache_headers_navigation_and_sitemap(world, client):
    _published(world)
    response = client.get(URL)
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert response.has_header("Last-Modified")
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert 'href="/tin/bang-vang/" aria-current="page"' in response.content.decode()
    assert 'href="/tin/bang-vang/"' in client.get("/tin/").content.decode()
    assert "http://testserver/tin/bang-vang/" in client.get("/tin/sitemap.xml").content.decode()
    assert client.post(URL).status_code == 405
    client.force_login(world.users["council"])
    assert "private" in client.get(URL)["Cache-Control"]
