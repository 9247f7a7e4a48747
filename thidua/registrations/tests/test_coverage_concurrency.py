"""Kept coverage counts under real concurrent connections on PostgreSQL: pledges of one member
written at the same moment count once, drains running side by side never apply a difference
twice, and a unit moving while others write and drain leaves counts equal to a recount."""

from __future__ import annotations

import pytest

from thidua.accounts.models import User
from thidua.registrations import services
from thidua.registrations.models import Registration
from thidua.registrations.selectors import coverage, coverage_by_counting
from thidua.testing import build_world, make_member, run_concurrently, title
from thidua.units import services as units
from thidua.units import tallies
from thidua.units.models import DirtyUnit, Unit

from .helpers import TODAY, open_plan, snapshot

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def admin() -> User:
    return User.objects.get_or_create(username="kiem-tra", defaults={"is_superuser": True})[0]


def assert_exact(plan, codes=("R", "P", "D1", "D2", "G1")) -> None:
    user = admin()
    for code in codes:
        root = Unit.objects.get(code=code)
        assert coverage(plan, root, user) == coverage_by_counting(plan, root, user), code
    assert not DirtyUnit.objects.exists()
    kept = snapshot()
    tallies.rebuild()
    assert snapshot() == kept


def test_two_pledges_of_one_member_at_once_count_once():
    world = build_world()
    plan = open_plan(world)
    advanced = title("Lao động tiên tiến")
    excellent = title("Đoàn viên công đoàn xuất sắc")
    member = make_member(world.T1a)
    # Two registrations (the grassroots union's and the district's: no row lock in common)
    # pledge the same member for two titles at once; each then reads the coverage (drains).
    own = services.registration_open(plan=plan, unit=world.G1, by=None, today=TODAY)
    district = services.registration_open(plan=plan, unit=world.D1, by=None, today=TODAY)
    user = admin()
    coverage(plan, world.P, user)

    def pledge(registration, title):
        def job():
            services.pledges_add(registration=registration, by=None, member_ids=[member.pk], title=title, today=TODAY)
            return coverage(plan, world.P, user)[0].registered_members

        return job

    for _round in range(3):
        outcomes = run_concurrently(pledge(own, advanced), pledge(district, excellent))
        assert all(isinstance(o, int) for o in outcomes), outcomes
        assert coverage(plan, world.P, user)[0].registered_members == 1
        assert_exact(plan)
        own.pledges.all().delete()
        district.pledges.all().delete()
        tallies.touch([world.T1a.pk])
        assert coverage(plan, world.P, user)[0].registered_members == 0


def test_writers_drains_and_a_unit_move_at_once_leave_exact_counts():
    world = build_world()
    plan = open_plan(world)
    advanced = title("Lao động tiên tiến")
    user = admin()
    registrations = {
        code: services.registration_open(plan=plan, unit=getattr(world, code), by=None, today=TODAY)
        for code in ("G1", "G1b", "G2")
    }
    where = {"G1": world.T1a, "G1b": world.G1b, "G2": world.G2}
    coverage(plan, world.R, user)

    def writer(code):
        def job():
            for _i in range(6):
                member = make_member(Unit.objects.get(pk=where[code].pk))
                registration = Registration.objects.select_related("unit", "plan").get(pk=registrations[code].pk)
                services.pledges_add(
                    registration=registration, by=None, member_ids=[member.pk], title=advanced, today=TODAY
                )
                coverage(plan, world.R, user)
            services.registration_submit(registration=registrations[code], by=None, today=TODAY)
            return coverage(plan, world.R, user)[0].registered_units

        return job

    def mover():
        for parent in ("D2", "D1", "D2"):
            units.unit_move(unit=Unit.objects.get(code="G1"), new_parent=Unit.objects.get(code=parent))
            coverage(plan, world.R, user)
        return "moved"

    outcomes = run_concurrently(writer("G1"), writer("G1b"), writer("G2"), mover)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    total = coverage(plan, world.R, user)[0]
    assert (total.registered_members, total.registered_units) == (18, 3)
    assert Unit.objects.get(code="G1").parent_id == world.D2.pk
    assert_exact(plan)
