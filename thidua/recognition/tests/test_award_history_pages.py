"""Awards on the member's and the unit's pages: standing and revoked, with the decision, within the
reader's scope, in one query whatever their number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.recognition import services
from thidua.recognition.tests.factories import catalogue, give
from thidua.recognition.tests.public_data import decide, decision
from thidua.testing import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogue(db):
    catalogue()


def test_member_page_lists_standing_and_revoked_awards(world, client):
    member = make_member(world.G1, "Ngô Thị Thi Đua")
    dec = decision(world.P, issued_on=dt.date(2026, 1, 20))
    standing = decide(dec, member, "cstd-co-so").award
    old = give(member, "ldtt", 2023)
    services.award_revoke(award=old, reason="Phát hiện khai sai ngày công", by=None)
    give(make_member(world.G1, "Người Khác Hẳn"), "ldtt", 2024)
    client.force_login(world.users["grassroots"])
    body = client.get(f"/members/{member.pk}/").content.decode()
    assert "Chiến sĩ thi đua cơ sở" in body and dec.document_number in body and "20/01/2026" in body
    assert "<del>Lao động tiên tiến</del>" in body and "Phát hiện khai sai ngày công" in body
    assert "01/01/2025 – 31/12/2025" in body and "Người Khác Hẳn" not in body
    assert standing.decision_id == dec.pk


def test_unit_page_lists_its_collective_awards_only(world, client):
    dec = decision(world.D1)
    decide(dec, world.G1, "tt-ldtt")
    decide(dec, make_member(world.G1, "Cá Nhân Trong Đơn Vị"), "ldtt")
    client.force_login(world.users["district"])
    body = client.get(f"/units/{world.G1.pk}/").content.decode()
    assert "Tập thể lao động tiên tiến" in body and dec.document_number in body
    assert "Lao động tiên tiến</td>" not in body  # a member's award is on the member's page
    assert "Chưa có khen thưởng nào được ghi nhận." in client.get(f"/units/{world.G1b.pk}/").content.decode()


def test_an_award_outside_the_readers_scope_is_not_listed(world, client):
    # A member moved from G2 to G1: the award made at G2 stays with G2's branch.
    member = make_member(world.G2, "Đinh Văn Chuyển")
    give(member, "ldtt", 2024)
    type(member).objects.filter(pk=member.pk).update(unit=world.G1)
    client.force_login(world.users["grassroots"])
    body = client.get(f"/members/{member.pk}/").content.decode()
    assert "Đinh Văn Chuyển" in body and "Lao động tiên tiến" not in body
    client.force_login(world.users["province"])
    assert "Lao động tiên tiến" in client.get(f"/members/{member.pk}/").content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_read_awards_in_bounded_queries(world, client):
    member = make_member(world.G1, "Lý Thị Nhiều Lần")
    client.force_login(world.users["district"])
    give(member, "ldtt", 2020)
    give(world.G1, "tt-ldtt", 2020)
    member_few, unit_few = _count(client, f"/members/{member.pk}/"), _count(client, f"/units/{world.G1.pk}/")
    for year in range(2021, 2026):
        decide(decision(world.P, end=dt.date(year, 12, 31)), member, "ldtt")
        decide(decision(world.D1, end=dt.date(year, 12, 31)), world.G1, "tt-ldtt")
    assert _count(client, f"/members/{member.pk}/") == member_few
    assert _count(client, f"/units/{world.G1.pk}/") == unit_few
