"""Deciding on a registration: who (the level directly above), on what (a live plan), from which
page (the state the officer saw), and what the audit keeps."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from thidua.accounts.roles import Role
from thidua.campaigns import services as campaigns
from thidua.core.transitions import state_token
from thidua.registrations import services
from thidua.registrations.models import Registration, RegistrationEvent
from thidua.testing import frozen, make_user, title

from .helpers import TODAY, open_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world):
    """G1's registration with a collective title, submitted by its own officer."""
    officer = world.users["grassroots"]
    registration = services.registration_open(plan=open_plan(world), unit=world.G1, by=officer, today=TODAY)
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    return services.registration_submit(registration=registration, by=officer, today=TODAY)


def test_a_decision_from_an_outdated_page_is_refused(world, submitted):
    district = world.users["district"]
    old_page = state_token(submitted)
    services.registration_return(registration=submitted, by=district, comment="Bổ sung", seen=old_page)
    again = services.registration_submit(
        registration=Registration.objects.get(pk=submitted.pk), by=world.users["grassroots"], today=TODAY
    )
    assert again.status == Registration.Status.SUBMITTED  # the same state the old page showed
    with pytest.raises(ValidationError, match="người khác vừa xử lý"):
        services.registration_accept(registration=again, by=district, seen=old_page)
    assert Registration.objects.get(pk=submitted.pk).status == Registration.Status.SUBMITTED
    accepted = services.registration_accept(registration=again, by=district, seen=state_token(again))
    assert accepted.status == Registration.Status.ACCEPTED


def test_the_page_sends_back_what_it_showed(client, world, submitted):
    client.force_login(world.users["district"])
    page = client.get(reverse("registrations:detail", args=[submitted.pk]))
    token = page.context["seen"]
    assert f'name="seen" value="{token}"' in page.content.decode()
    stale = client.post(reverse("registrations:accept", args=[submitted.pk]), {"seen": "submitted.0"}, follow=True)
    assert "người khác vừa xử lý" in stale.content.decode()
    assert Registration.objects.get(pk=submitted.pk).status == Registration.Status.SUBMITTED
    client.post(reverse("registrations:accept", args=[submitted.pk]), {"seen": token})
    assert Registration.objects.get(pk=submitted.pk).status == Registration.Status.ACCEPTED


def test_nothing_is_decided_under_a_recalled_plan(world, submitted):
    campaigns.plan_recall(plan=submitted.plan, by=None, reason="Ban hành nhầm")
    for decide in (
        lambda: services.registration_accept(registration=submitted, by=world.users["district"]),
        lambda: services.registration_return(registration=submitted, by=world.users["district"], comment="Sửa"),
    ):
        with pytest.raises(ValidationError, match="thu hồi"):
            decide()
    assert Registration.objects.get(pk=submitted.pk).status == Registration.Status.SUBMITTED


def test_system_administrators_above_decide_unit_administrators_do_not(world, submitted):
    administrator = make_user("quan-tri-tinh", (world.P, Role.ADMIN))  # the role, not the superuser flag
    unit_admin = make_user("quan-tri-huyen", (world.D1, Role.UNIT_ADMIN))
    with pytest.raises(PermissionDenied):
        services.registration_accept(registration=submitted, by=unit_admin)
    assert services.registration_accept(registration=submitted, by=administrator).decided_by == administrator


def test_every_decision_leaves_an_event_and_a_full_history_row(world, submitted):
    with frozen("2025-02-03 09:00"):
        services.registration_return(registration=submitted, by=world.users["district"], comment="Bổ sung cam kết")
    event = RegistrationEvent.objects.get(registration=submitted, action="return")
    assert (event.from_status, event.to_status, event.action, event.by) == (
        "submitted",
        "returned",
        "return",
        world.users["district"],
    )
    assert event.reason == "Bổ sung cam kết" and event.at.isoformat().startswith("2025-02-03T09:00")
    last = submitted.history.get(status="returned")
    assert last.status == "returned" and last.history_user == world.users["district"]
    # The many-to-many snapshot is kept: the audit does not show the titles as removed.
    assert [t.title.name for t in last.titles.all()] == ["Công đoàn cơ sở vững mạnh"]


def test_the_registration_page_shows_its_history(client, world, submitted):
    services.registration_return(registration=submitted, by=world.users["district"], comment="Bổ sung cam kết")
    client.force_login(world.users["grassroots"])
    body = client.get(reverse("registrations:detail", args=[submitted.pk])).content.decode()
    assert "Đã gửi cấp trên → Bị trả lại" in body and "Bổ sung cam kết" in body
    assert "Đang soạn → Đã gửi cấp trên" in body
