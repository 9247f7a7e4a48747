from __future__ import annotations

import pytest
from django.urls import reverse

from thidua.testing import make_member

pytestmark = pytest.mark.django_db


def test_home_shows_only_the_officers_subtree(client, world):
    for unit in (world.G1, world.T1a, world.G1b, world.G2, world.G3):
        make_member(unit)
    client.force_login(world.users["grassroots"])
    body = client.get(reverse("dashboard:home")).content.decode()
    assert "Công đoàn cơ sở Trường Một" in body
    for foreign in ("Trạm Y tế Một", "Xã Hai", "Công ty Ba", "huyện Hai"):
        assert foreign not in body
    # Own subtree: G1 and T1a each have one member; two sub-units (T1, T1a).
    assert '<span class="figure">2</span>' in body
    assert "2 đơn vị trực thuộc" in body


def test_home_for_an_account_without_roles_says_so(client, world):
    from thidua.testing import make_user

    client.force_login(make_user("nobody"))
    body = client.get(reverse("dashboard:home")).content.decode()
    assert "chưa được phân quyền" in body
    assert "Trường Một" not in body
