"""Notifications belong to one account: listed for it alone, marked read when opened."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thidua.accounts.roles import Role
from thidua.notifications.models import Notification
from thidua.notifications.services import notify, officers_of
from thidua.testing import make_user

pytestmark = pytest.mark.django_db


def test_officers_of_are_the_desk_roles_assigned_on_the_unit_itself(world):
    editor = make_user("bien-tap-d1", (world.D1, Role.EDITOR))
    officers = officers_of([world.D1, world.G1])
    assert officers[world.D1.pk] == [world.users["district"]]  # officer + unit admin: listed once
    assert editor not in officers[world.D1.pk]
    assert world.users["province"] not in officers[world.D1.pk]  # assigned above, not on it
    assert officers[world.G1.pk] == [world.users["grassroots"]]


def test_the_page_lists_only_ones_own_and_marks_them_read(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    district, grassroots = world.users["district"], world.users["grassroots"]
    district.email = "huyen@example.vn"
    district.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([(district, "Cho huyện", "/plans/"), (grassroots, "Cho cơ sở", "")], subject="[Thi Đua] Thử")
    assert [m.to for m in mailoutbox] == [["huyen@example.vn"]]  # only who has an address
    client.force_login(district)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "Cho huyện" in body and "Cho cơ sở" not in body
    assert Notification.objects.get(user=district).read_at is not None
    assert Notification.objects.get(user=grassroots).read_at is None
