"""Coverage read from kept counts equals coverage counted, after every kind of write.

``coverage()`` reads ``UnitTally`` and ``CoverageTally`` rows kept through the units' queue of
dirty units; ``coverage_by_counting()`` counts members, pledges, units and registrations as
before. Every write path below is followed by a comparison of both under several roots and by
a comparison of the kept rows with a full rebuild.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from types import SimpleNamespace

import pytest
from django.contrib import admin as django_admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.accounts.models import User
from thidua.campaigns import services as campaigns
from thidua.campaigns.models import Obligation, Title
from thidua.members import services as members
from thidua.members.models import Member
from thidua.registrations import services
from thidua.registrations.models import CoverageTally, ImportBatch, MemberPledge, Registration
from thidua.registrations.selectors import coverage, coverage_by_counting
from thidua.testing import frozen, kind, make_member, make_unit
from thidua.units import services as units
from thidua.units import tallies
from thidua.units.admin import UnitKindAdmin
from thidua.units.models import DirtyUnit, Unit, UnitKind, UnitTally

from .helpers import DRAIN_STATEMENTS, TODAY, open_plan, snapshot

pytestmark = pytest.mark.django_db

ROOTS = ("R", "P", "D1", "D2", "G1", "P2")


def admin() -> User:
    return User.objects.get_or_create(username="kiem-tra", defaults={"is_superuser": True})[0]


def assert_exact(plan, roots=ROOTS) -> None:
    """coverage() equals coverage_by_counting() under each root, and the kept rows a rebuild."""
    user = admin()
    for code in roots:
        root = Unit.objects.filter(code=code).first()
        if root is not None:
            assert coverage(plan, root, user) == coverage_by_counting(plan, root, user), code
    assert not DirtyUnit.objects.exists()
    kept = snapshot()
    tallies.rebuild()
    assert snapshot() == kept


@pytest.fixture
def awards(db):
    return Title.objects.get(name="Lao động tiên tiến"), Title.objects.get(name="Đoàn viên công đoàn xuất sắc")


def test_every_write_path_keeps_the_counts_equal_to_a_recount(world, awards):
    advanced, excellent = awards
    plan = open_plan(world)
    assert_exact(plan)
    # Members, in grassroots unions, below them, in a federation's own office, outside the plan.
    g1 = [make_member(world.G1) for _ in range(3)]
    g1b = [make_member(world.G1b) for _ in range(2)]
    t1a = [make_member(world.T1a) for _ in range(2)]
    g2 = [make_member(world.G2) for _ in range(3)]
    d1 = make_member(world.D1)
    make_member(world.G3)
    assert_exact(plan)

    # Pledges count while the registration is a draft; the unit counts once it is sent.
    reg_g1 = services.registration_open(plan=plan, unit=world.G1, by=None, today=TODAY)
    services.pledges_add(
        registration=reg_g1, by=None, member_ids=[g1[0].pk, g1[1].pk, t1a[0].pk], title=advanced, today=TODAY
    )
    assert_exact(plan)
    # A second title for the same member: still one member registered.
    services.pledges_add(registration=reg_g1, by=None, member_ids=[g1[0].pk], title=excellent, today=TODAY)
    total, _rows = coverage(plan, world.P, admin())
    assert (total.registered_members, total.registered_units) == (3, 0)
    assert_exact(plan)
    services.registration_submit(registration=reg_g1, by=None, today=TODAY)
    assert coverage(plan, world.P, admin())[0].registered_units == 1
    assert_exact(plan)

    # A federation registers members of its subtree: they count where they are; it is no grassroots union.
    reg_d1 = services.registration_open(plan=plan, unit=world.D1, by=None, today=TODAY)
    services.pledges_add(registration=reg_d1, by=None, member_ids=[g1b[0].pk, d1.pk], title=advanced, today=TODAY)
    services.registration_submit(registration=reg_d1, by=None, today=TODAY)
    assert_exact(plan)

    # An implementation plan of the campaign (D1's) counts in the same family.
    obligation = Obligation.objects.get(plan=plan, unit=world.D1)
    implementation = campaigns.implementation_start(obligation=obligation, by=None, issued_on=dt.date(2025, 1, 20))
    implementation = campaigns.plan_issue(plan=implementation, by=None)
    reg_g1b = services.registration_open(plan=implementation, unit=world.G1b, by=None, today=TODAY)
    services.pledges_add(registration=reg_g1b, by=None, member_ids=[g1b[1].pk], title=advanced, today=TODAY)
    services.registration_submit(registration=reg_g1b, by=None, today=TODAY)
    assert coverage(implementation, world.D1, admin()) == coverage(plan, world.D1, admin())
    assert_exact(plan)

    # Returned (still counted), pledges removed: the member counts until their last pledge goes.
    services.registration_return(registration=reg_g1, by=None, comment="Bổ sung")
    assert_exact(plan)
    with frozen(TODAY):  # removing a pledge has no ``today``: the registration window must be open
        services.pledge_remove(pledge=MemberPledge.objects.get(member=g1[0], title=excellent), by=None)
    assert coverage(plan, world.G1, admin())[0].registered_members == 3
    assert_exact(plan)
    with frozen(TODAY):
        services.pledge_remove(pledge=MemberPledge.objects.get(member=g1[0], title=advanced), by=None)
    assert coverage(plan, world.G1, admin())[0].registered_members == 2
    assert_exact(plan)
    services.registration_submit(registration=reg_g1, by=None, today=TODAY)
    services.registration_accept(registration=reg_g1, by=None)
    assert_exact(plan)

    # An Excel import, committed.
    reg_g2 = services.registration_open(plan=plan, unit=world.G2, by=None, today=TODAY)
    batch = ImportBatch.objects.create(
        registration=reg_g2,
        file_name="ds.xlsx",
        rows=[{"row": 4 + i, "member": m.pk, "title": advanced.pk, "commitment": ""} for i, m in enumerate(g2[:2])],
    )
    services.import_commit(batch=batch, by=None, today=TODAY)
    assert_exact(plan)

    # Members move (their pledges with them), leave, come back, go.
    members.member_update(member=g1[1], unit=world.G2)
    assert_exact(plan)
    members.member_update(member=t1a[0], status=Member.Status.LEFT)
    assert coverage(plan, world.G1, admin())[0].registered_members == 1  # still registered, no longer active
    assert_exact(plan)
    members.member_update(member=t1a[0], status=Member.Status.ACTIVE)
    assert_exact(plan)
    members.member_update(member=g1[2], full_name="Trần Thị Đổi Tên")  # no count changes, no mark
    assert not DirtyUnit.objects.exists()
    members.member_delete(member=t1a[1])
    assert_exact(plan)

    # Units are created, moved with their subtree, change kind, merge, dissolve, are deleted.
    g4 = make_unit(world.D2, "Công đoàn cơ sở Mới Bốn", code="G4")
    make_member(g4)
    assert_exact(plan)
    units.unit_move(unit=world.G1, new_parent=world.D2)
    assert_exact(plan)
    units.unit_move(unit=Unit.objects.get(code="D1"), new_parent=world.P2)
    assert_exact(plan)
    units.unit_update(unit=world.G1b, kind=kind("department-union"))  # its registration no longer counts
    assert_exact(plan)
    units.unit_update(unit=world.G1b, kind=kind("grassroots"))
    assert_exact(plan)
    units.unit_merge(source=Unit.objects.get(code="G2"), target=Unit.objects.get(code="G4"))
    assert_exact(plan)
    empty = make_unit(world.D2, "Công đoàn cơ sở Giải Thể", code="G5")
    assert_exact(plan)
    units.unit_dissolve(unit=empty)
    assert_exact(plan)
    mistake = make_unit(world.D2, "Công đoàn cơ sở Tạo Nhầm", code="G6")
    make_unit(world.P2, "Liên đoàn Lao động huyện Bốn", "district-federation", code="D4")
    assert_exact(plan)
    units.unit_delete(unit=mistake)
    units.unit_move(unit=Unit.objects.get(code="G4"), new_parent=Unit.objects.get(code="D4"))
    assert_exact(plan, (*ROOTS, "D3", "D4"))

    # An administrator turns a kind into a grassroots kind, and back.
    department = kind("department-union")
    kind_admin = UnitKindAdmin(UnitKind, django_admin.site)
    for flag in (True, False):
        department.is_grassroots = flag
        request = SimpleNamespace(user=admin())
        kind_admin.save_model(request, department, SimpleNamespace(changed_data=["is_grassroots"]), change=True)
        assert_exact(plan)


def test_rebuild_tallies_recounts_everything_and_clears_the_queue(world, awards):
    plan = open_plan(world)
    member = make_member(world.G1)
    registration = services.registration_open(plan=plan, unit=world.G1, by=None, today=TODAY)
    services.pledges_add(registration=registration, by=None, member_ids=[member.pk], title=awards[0], today=TODAY)
    services.registration_submit(registration=registration, by=None, today=TODAY)
    tallies.drain()
    UnitTally.objects.update(members=7)  # damage: what a restore from another day could leave
    CoverageTally.objects.all().delete()
    make_member(world.G1b)  # and a mark pending
    call_command("rebuild_tallies", stdout=io.StringIO())
    assert not DirtyUnit.objects.exists()
    total, _rows = coverage(plan, world.R, admin())
    assert (total.members, total.registered_members, total.grassroots, total.registered_units) == (2, 1, 4, 1)
    assert_exact(plan)


# --- random walks ---------------------------------------------------------------


def _step(rng: random.Random, plan, awards) -> str:
    """One write chosen at random through the services; refused ones (ValidationError) count too."""
    active = list(Unit.objects.filter(dissolved_on__isnull=True).exclude(kind__code="test-leaf").select_related("kind"))
    people = list(Member.objects.all())
    registrations = list(Registration.objects.all())
    editable = [r for r in registrations if r.editable]
    under_plan = [u for u in active if u.path.startswith(plan.issuer.path)]
    action = rng.choice(
        [
            "member_add",
            "member_move",
            "member_status",
            "unit_add",
            "unit_move",
            "unit_dissolve",
            "unit_kind",
            "open",
            "pledge",
            "pledge",
            "unpledge",
            "submit",
            "decide",
        ]
    )
    try:
        if action == "member_add":
            make_member(rng.choice(active))
        elif action == "member_move" and people:
            members.member_update(member=rng.choice(people), unit=rng.choice(active))
        elif action == "member_status" and people:
            person = rng.choice(people)
            status = Member.Status.LEFT if person.status == Member.Status.ACTIVE else Member.Status.ACTIVE
            members.member_update(member=person, status=status)
        elif action == "unit_add":
            parent = rng.choice(active)
            code = rng.choice(["grassroots", "department-union", "union-group", "district-federation"])
            make_unit(parent, f"Đơn vị ngẫu nhiên {rng.randrange(10**6)}", code)
        elif action == "unit_move":
            units.unit_move(unit=rng.choice(active), new_parent=rng.choice(active))
        elif action == "unit_dissolve":
            units.unit_dissolve(unit=rng.choice(active))
        elif action == "unit_kind":
            unit = rng.choice(active)
            swap = {"grassroots": "department-union", "department-union": "grassroots"}
            if unit.kind.code in swap:
                units.unit_update(unit=unit, kind=kind(swap[unit.kind.code]))
        elif action == "open" and under_plan:
            services.registration_open(plan=plan, unit=rng.choice(under_plan), by=None, today=TODAY)
        elif action == "pledge" and editable:
            registration = rng.choice(editable)
            pool = list(
                Member.objects.filter(
                    unit__path__startswith=registration.unit.path, status=Member.Status.ACTIVE
                ).values_list("pk", flat=True)
            )
            if pool:
                chosen = rng.sample(pool, rng.randint(1, min(3, len(pool))))
                services.pledges_add(
                    registration=registration, by=None, member_ids=chosen, title=rng.choice(awards), today=TODAY
                )
        elif action == "unpledge":
            pledges = list(MemberPledge.objects.filter(registration__in=editable).select_related("registration"))
            if pledges:
                with frozen(TODAY):
                    services.pledge_remove(pledge=rng.choice(pledges), by=None)
        elif action == "submit" and editable:
            services.registration_submit(registration=rng.choice(editable), by=None, today=TODAY)
        elif action == "decide":
            sent = [r for r in registrations if r.status == Registration.Status.SUBMITTED]
            if sent:
                registration = rng.choice(sent)
                if rng.random() < 0.5:
                    services.registration_accept(registration=registration, by=None)
                else:
                    services.registration_return(registration=registration, by=None, comment="Bổ sung")
    except ValidationError:
        return f"{action} (refused)"
    return action


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_coverage_equal_to_counting(world, awards, seed):
    rng = random.Random(seed)
    plan = open_plan(world)
    for unit in (world.G1, world.G1b, world.T1a, world.G2, world.D1, world.G3):
        for _ in range(2):
            make_member(unit)
    done = []
    for _ in range(60):
        done.append(_step(rng, plan, awards))
        try:
            assert_exact(plan)
        except AssertionError as error:
            raise AssertionError(f"after {done}") from error
    assert len({action.split(" ")[0] for action in done}) >= 8  # the walk wandered


# --- query counts ---------------------------------------------------------------


def _measure(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_coverage_reads_a_fixed_number_of_queries_and_drains_in_a_fixed_number(world, awards):
    plan = open_plan(world)
    user = admin()
    registration = services.registration_open(plan=plan, unit=world.D2, by=None, today=TODAY)

    def grow(n: int) -> None:
        """``n`` new grassroots unions under D2, one pledged member each: 2n dirty marks."""
        new = [make_member(make_unit(world.D2, f"Công đoàn cơ sở Thêm {i}")) for i in range(n)]
        services.pledges_add(
            registration=registration, by=None, member_ids=[m.pk for m in new], title=awards[0], today=TODAY
        )

    grow(1)
    coverage(plan, world.P, user)  # drains; the user's scope is read once and kept on it
    small = _measure(lambda: coverage(plan, world.P, user))
    grow(1)
    drain_one = _measure(tallies.drain)
    grow(60)
    drain_many = _measure(tallies.drain)
    large = _measure(lambda: coverage(plan, world.P, user))
    assert small == large <= 4  # the (empty) queue, the children, their unit counts, their campaign counts
    assert _measure(lambda: coverage(plan, world.D2, user)) == small  # 63 children
    assert drain_one == drain_many <= DRAIN_STATEMENTS
    assert coverage(plan, world.D2, user)[0].registered_members == 62
    assert_exact(plan)


def test_a_long_queue_drains_in_batches(world, awards, monkeypatch):
    monkeypatch.setattr(tallies, "DRAIN_BATCH", 7)
    plan = open_plan(world)
    tallies.drain()
    for unit in (world.G1, world.G1b, world.G2, world.G3, world.T1a):
        for _ in range(4):
            make_member(unit)
    assert DirtyUnit.objects.count() == 20
    assert tallies.drain() == 20
    assert_exact(plan)
