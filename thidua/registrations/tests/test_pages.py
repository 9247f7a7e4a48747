"""What the registration page says: no green "0 đoàn viên", titles an approver can read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thidua.registrations import services
from thidua.testing import frozen, make_member, title

from .helpers import TODAY, open_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(world):
    registration = services.registration_open(plan=open_plan(world), unit=world.G1, by=None, today=TODAY)
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    return registration


def test_choosing_only_members_who_already_hold_the_title_says_so(client, world, registration):
    member = make_member(world.G1)
    award = title("Lao động tiên tiến")
    services.pledges_add(registration=registration, by=None, member_ids=[member.pk], title=award, today=TODAY)
    client.force_login(world.users["grassroots"])
    with frozen("2025-02-01 09:00"):  # TODAY: inside the plan's registration time
        response = client.post(
            reverse("registrations:pledges_add", args=[registration.pk]),
            {"members": [member.pk], "title": award.pk, "commitment": ""},
            follow=True,
        )
    body = response.content.decode()
    assert "đều đã đăng ký danh hiệu này" in body and "Đã đăng ký cho 0 đoàn viên" not in body


def test_an_approver_reads_the_chosen_titles_as_a_list(client, world, registration):
    services.registration_submit(registration=registration, by=None, today=TODAY)
    client.force_login(world.users["district"])
    body = client.get(reverse("registrations:detail", args=[registration.pk])).content.decode()
    assert '<ul class="chosen"><li>Công đoàn cơ sở vững mạnh</li></ul>' in body
    assert "disabled" not in body.split('class="chosen"')[0].rsplit("<form", 1)[-1]
