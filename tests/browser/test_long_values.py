"""A long unbroken value (a pasted code, a name without spaces) wraps: no page scrolls sideways at 360 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thidua.campaigns.tests.factories import issued_plan
from thidua.registrations import services
from thidua.testing import build_world, make_member, make_unit, title

from .conftest import PHONE
from .test_foundation import login

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "X" * 250  # a unit's name holds up to 255 characters


def test_pages_with_a_250_character_unbroken_value_fit_a_phone(page, transactional_db):
    world = build_world()
    unit = make_unit(world.G1, LONG, "department-union", "LONG")
    member = make_member(unit, "Nguyễn Văn An")
    today = timezone.localdate()
    plan = issued_plan(
        world.P,
        title="Kế hoạch " + "Y" * 300,
        issued_on=today,
        window_start=today - dt.timedelta(days=5),
        window_end=today + dt.timedelta(days=100),
    )
    registration = services.registration_open(plan=plan, unit=unit, by=None)
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    services.pledges_add(registration=registration, by=None, member_ids=[member.pk], title=title("Lao động tiên tiến"))
    login(page, "district")
    page.set_viewport_size(PHONE)
    for path in (
        "/registrations/",
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
