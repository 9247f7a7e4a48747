"""A registration outside the plan's registration time is read-only, says why, and refuses
an Excel file at preview; the to-do list puts what can still be done first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from thidua.campaigns.tests.factories import issued_plan
from thidua.registrations import services
from thidua.registrations.models import ImportBatch
from thidua.testing import make_member, title

from .helpers import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired(world):
    """G1's draft registration for a 2025 plan whose registrations closed on 31/03/2025."""
    plan = issued_plan(world.P, registration_deadline=dt.date(2025, 3, 31))
    registration = services.registration_open(plan=plan, unit=world.G1, by=None, today=dt.date(2025, 3, 10))
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    return registration


def test_an_expired_registration_is_read_only_and_says_why(client, world, expired):
    client.force_login(world.users["grassroots"])
    page = client.get(reverse("registrations:detail", args=[expired.pk]))
    body = page.content.decode()
    assert not page.context["can"].edit and not page.context["can"].submit
    assert "chỉ để xem" in body and "31/03/2025" in body and "Liên đoàn Lao động tỉnh Alpha" in body
    assert reverse("registrations:submit", args=[expired.pk]) not in body
    assert reverse("registrations:import", args=[expired.pk]) not in body


def test_an_expired_registration_refuses_an_excel_file_at_preview(client, world, expired):
    member = make_member(world.G1, "Nguyễn Thị Hoa", birth_year=1985)
    content = xlsx([[1, member.full_name, 1985, "", "", "Lao động tiên tiến", ""]])
    client.force_login(world.users["grassroots"])
    response = client.post(
        reverse("registrations:import", args=[expired.pk]), {"file": SimpleUploadedFile("dk.xlsx", content)}
    )
    assert response.status_code == 400
    assert "ngoài thời gian nhận đăng ký" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_todo_list_puts_open_campaigns_first_and_expired_ones_apart(client, world):
    old = issued_plan(world.P, title="Kế hoạch năm 2025")  # window ended 31/12/2025
    today = timezone.localdate()
    current = issued_plan(
        world.P,
        title="Kế hoạch đang chạy",
        issued_on=today,
        window_start=today - dt.timedelta(days=10),
        window_end=today + dt.timedelta(days=200),
    )
    client.force_login(world.users["district"])
    context = client.get(reverse("campaigns:list")).context
    assert [o.plan for o in context["obligations"]] == [current]
    assert [o.plan for o in context["expired_obligations"]] == [old]
