"""A long unbroken value (a pasted code, a name without spaces) wraps: no page scrolls sideways at 360 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from thidua.accounts.models import Role
from thidua.accounts.services import assignment_create
from thidua.campaigns.tests.factories import issued_plan
from thidua.notifications.services import notify
from thidua.portal.tests.factories import make_article
from thidua.registrations import services
from thidua.testing import build_world, make_member, make_unit, system_admin, title

from .conftest import PHONE
from .test_foundation import login

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "X" * 255  # a unit's name holds up to 255 characters; titles hold 300 and get 300 below


def test_pages_with_a_300_character_unbroken_value_fit_a_phone(page, transactional_db):
    world = build_world()
    unit = make_unit(world.G1, LONG, "department-union", "LONG")
    member = make_member(unit, "Nguyễn " + "Z" * 110)
    today = timezone.localdate()
    plan = issued_plan(
        world.P,
        title="Y" * 300,
        issued_on=today,
        window_start=today - dt.timedelta(days=5),
        window_end=today + dt.timedelta(days=100),
    )
    registration = services.registration_open(plan=plan, unit=unit, by=None)
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    services.pledges_add(registration=registration, by=None, member_ids=[member.pk], title=title("Lao động tiên tiến"))
    article = make_article(world.D1, "W" * 300, public=True)
    assignment_create(user=world.users["district"], unit=unit, role=Role.OFFICER, by=system_admin())
    notify([(world.users["district"], "V" * 300, "/plans/")])
    login(page, "district")
    page.set_viewport_size(PHONE)
    for path in (
        "/registrations/",
        "/registrations/?waiting=1",
        "/plans/?tab=all",
        "/plans/?tab=mine",
        reverse("campaigns:board", args=[plan.pk]),
        reverse("registrations:coverage", args=[plan.pk]) + f"?unit={world.G1.pk}",
        reverse("accounts:assignments"),
        reverse("notifications:list"),
        reverse("portal:manage_list"),
        reverse("portal:article_by_id", args=[article.pk]),
        reverse("units:tree") + "?q=xxxx",
        f"/registrations/{registration.pk}/",
        f"/plans/{plan.pk}/",
        "/plans/",
        f"/units/{unit.pk}/",
        f"/members/{member.pk}/",
        "/members/",
    ):
        page.goto(page.base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        widest = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 370)"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
        )
        assert width <= 361, f"{path} is {width} px wide at 360 px: {widest}"
