from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.testing import make_member, make_unit
from thidua.units.models import Unit

pytestmark = pytest.mark.django_db


def login(client, world, actor):
    client.force_login(world.users[actor])
    return client


def test_move_form_refuses_a_descendant_and_a_foreign_target(client, world):
    login(client, world, "province")
    url = reverse("units:move", args=[world.G1.pk])
    before = list(Unit.objects.values_list("path", flat=True))
    for target in (world.G1, world.T1, world.T1a, world.G3, world.D1):
        response = client.post(url, {"target": target.pk})
        assert response.status_code == 400
        assert "Đơn vị đích không hợp lệ" in response.content.decode()
    # A grassroots union cannot sit under another grassroots union.
    response = client.post(url, {"target": world.G2.pk})
    assert response.status_code == 400
    assert "không thể trực thuộc" in response.content.decode()
    # Nor can a change take effect in the future.
    response = client.post(url, {"target": world.D2.pk, "effective_on": "01/01/2099"})
    assert "không được ở tương lai" in response.content.decode()
    assert list(Unit.objects.values_list("path", flat=True)) == before
    response = client.post(url, {"target": world.D2.pk, "effective_on": "01/07/2025", "reason": "Sáp nhập"})
    assert response.status_code == 302
    assert Unit.objects.get(pk=world.G1.pk).parent_id == world.D2.pk


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_unit_pages_use_a_fixed_number_of_queries(client, world):
    """Query counts stay the same when the subtree grows tenfold, and under a budget."""
    login(client, world, "province")
    urls = {
        reverse("dashboard:home"): 17,
        reverse("units:tree"): 15,
        reverse("units:detail", args=[world.D2.pk]): 15,
        reverse("units:children", args=[world.D2.pk]): 10,
        reverse("units:tree") + "?q=cong+doan": 10,
    }

    def grow(n):
        for i in range(n):
            unit = make_unit(world.D2, f"Công đoàn cơ sở số {Unit.objects.count()}-{i}")
            make_member(unit)
            make_unit(unit, f"Tổ công đoàn {unit.pk}", "union-group")

    grow(3)
    small = {url: _queries(client, url) for url in urls}
    grow(30)
    large = {url: _queries(client, url) for url in urls}
    assert small == large
    for url, budget in urls.items():
        assert large[url] <= budget, f"{url}: {large[url]} queries > {budget}"


def test_grassroots_officer_cannot_restructure(client, world):
    login(client, world, "grassroots")
    assert client.post(reverse("units:move", args=[world.T1.pk]), {"target": world.G1.pk}).status_code == 403
    assert client.get(reverse("units:merge", args=[world.G1.pk])).status_code == 403


def test_create_unit_with_duplicate_code_is_refused(client, world):
    login(client, world, "district")
    response = client.post(
        reverse("units:create", args=[world.G1.pk]), {"kind": world.T1.kind_id, "name": "Tổ mới", "code": "g1"}
    )
    assert "đã được dùng" in response.content.decode()
    assert not Unit.objects.filter(name="Tổ mới").exists()
