"""Real concurrent connections on PostgreSQL: one decision wins, one import is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thidua.accounts.roles import Role
from thidua.registrations import services
from thidua.registrations.models import ImportBatch, MemberPledge, Registration
from thidua.testing import build_world, make_member, make_user, run_concurrently, title

from .helpers import TODAY, open_plan

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _submitted(world):
    plan = open_plan(world)
    officer = world.users["grassroots"]
    registration = services.registration_open(plan=plan, unit=world.G1, by=officer, today=TODAY)
    award = title("Lao động tiên tiến")
    services.pledges_add(
        registration=registration, by=officer, member_ids=[make_member(world.G1).pk], title=award, today=TODAY
    )
    return services.registration_submit(registration=registration, by=officer, today=TODAY), award


def test_accept_and_return_at_once_exactly_one_wins():
    world = build_world()
    registration, _ = _submitted(world)
    district = world.users["district"]
    colleague = make_user("district-2", (world.D1, Role.OFFICER))  # the same desk, another officer
    outcomes = run_concurrently(
        lambda: services.registration_accept(registration=registration, by=district),
        lambda: services.registration_return(registration=registration, by=colleague, comment="Sửa lại"),
    )
    winners = [o for o in outcomes if isinstance(o, Registration)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "người khác vừa xử lý" in losers[0].messages[0]
    assert Registration.objects.get(pk=registration.pk).status == winners[0].status


def test_double_submitted_import_is_written_once():
    world = build_world()
    plan = open_plan(world)
    officer = world.users["grassroots"]
    registration = services.registration_open(plan=plan, unit=world.G1, by=officer, today=TODAY)
    award = title("Lao động tiên tiến")
    members = [make_member(world.G1) for _ in range(5)]
    batch = ImportBatch.objects.create(
        registration=registration,
        file_name="ds.xlsx",
        created_by=officer,
        rows=[{"row": i + 4, "member": m.pk, "title": award.pk, "commitment": ""} for i, m in enumerate(members)],
    )
    outcomes = run_concurrently(
        *[(lambda: services.import_commit(batch=batch, by=officer, today=TODAY)) for _ in range(3)]
    )
    assert sorted(o for o in outcomes if isinstance(o, int)) == [5]
    assert MemberPledge.objects.count() == 5


def test_double_clicked_registration_opens_one():
    world = build_world()
    plan = open_plan(world)
    outcomes = run_concurrently(
        *[(lambda: services.registration_open(plan=plan, unit=world.G1, by=None, today=TODAY)) for _ in range(4)]
    )
    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    assert Registration.objects.count() == 1
