"""A registration outside the plan's registration time is read-only, says why, and refuses
an Excel file at preview; the to-do list puts what can still be done first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from thidua.campaigns.tests.factories import issued_plan
from thidua.notifications.models import Notification
from thidua.registrations import services
from thidua.registrations.models import ImportBatch, Registration
from thidua.testing import frozen, make_member, title

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
    # Who can reopen it: the level directly above (the grassroots union's district federation).
    assert "chỉ để xem" in body and "31/03/2025" in body and "Liên đoàn Lao động huyện Một" in body
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


def test_the_level_above_extends_one_units_deadline_and_it_is_recorded(client, world, expired):
    url = reverse("registrations:extend", args=[expired.pk])
    with frozen("2025-06-02 09:00"):
        # The grassroots officer sees why and who; they cannot extend their own deadline.
        client.force_login(world.users["grassroots"])
        assert not client.get(reverse("registrations:detail", args=[expired.pk])).context["can"].extend
        client.post(url, {"until": "30/06/2025", "reason": "Tự gia hạn"})
        assert Registration.objects.get(pk=expired.pk).deadline_extended_to is None
        # The province officer reads it but does not decide for a district's grassroots union.
        client.force_login(world.users["province"])
        client.post(url, {"until": "30/06/2025", "reason": "Tỉnh gia hạn"})
        assert Registration.objects.get(pk=expired.pk).deadline_extended_to is None
        # The district federation (the level directly above) does.
        client.force_login(world.users["district"])
        page = client.get(reverse("registrations:detail", args=[expired.pk]))
        assert page.context["can"].extend and url in page.content.decode()
        response = client.post(url, {"until": "30/06/2025", "reason": "Đơn vị bận kiểm kê cuối quý"}, follow=True)
        assert "Đã gia hạn" in response.content.decode()
        fresh = Registration.objects.get(pk=expired.pk)
        assert fresh.deadline_extended_to == dt.date(2025, 6, 30)
        event = fresh.events.get(action="extend")
        assert event.by == world.users["district"] and "30/06/2025" in event.reason and "kiểm kê" in event.reason
        assert fresh.history.order_by("-history_id").first().deadline_extended_to == dt.date(2025, 6, 30)
        assert Notification.objects.filter(user=world.users["grassroots"], message__contains="30/06/2025").exists()
        # The unit writes and sends again until the new day.
        client.force_login(world.users["grassroots"])
        page = client.get(reverse("registrations:detail", args=[expired.pk]))
        assert page.context["can"].edit and page.context["can"].submit
        assert "kiểm kê" in page.content.decode()  # the history shows the extension and why
        services.registration_submit(registration=fresh, by=world.users["grassroots"])
    with frozen("2025-07-01 09:00"):
        assert Registration.objects.get(pk=expired.pk).status == Registration.Status.SUBMITTED


@pytest.mark.parametrize(
    ("today", "until", "reason", "message"),
    [
        ("2025-06-02", "01/06/2025", "Lý do", "từ hôm nay trở đi"),  # in the past
        ("2025-06-02", "15/01/2026", "Lý do", "trong thời gian thi đua"),  # after the window
        ("2025-03-10", "20/03/2025", "Lý do", "sau ngày đó"),  # before the plan's own deadline
        ("2025-06-02", "30/06/2025", "  ", "lý do"),
    ],
)
def test_an_extension_out_of_bounds_or_without_reason_changes_nothing(world, expired, today, until, reason, message):
    with frozen(f"{today} 09:00"), pytest.raises(ValidationError, match=message):
        services.deadline_extend(
            registration=expired,
            by=world.users["district"],
            until=dt.date(*reversed([int(part) for part in until.split("/")])),
            reason=reason,
        )
    assert Registration.objects.get(pk=expired.pk).deadline_extended_to is None
    assert not expired.events.filter(action="extend").exists()


def test_after_the_extension_passes_the_registration_is_read_only_again(world, expired):
    with frozen("2025-06-02 09:00"):
        services.deadline_extend(
            registration=expired, by=world.users["district"], until=dt.date(2025, 6, 10), reason="Thêm 1 tuần"
        )
    with frozen("2025-06-11 09:00"):
        fresh = Registration.objects.get(pk=expired.pk)
        assert fresh.closed_for_edits and not fresh.can_edit(world.users["grassroots"])
        with pytest.raises(ValidationError, match="10/06/2025"):
            services.registration_submit(registration=fresh, by=world.users["grassroots"])
