"""Real concurrent connections on PostgreSQL: two people acting on one follow-up, one wins."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thidua.accounts.roles import Role
from thidua.inspections import services
from thidua.inspections.models import FollowUp, FollowUpEvent
from thidua.testing import build_world, make_user, run_concurrently

from .factories import finding_at, follow_up_for, fresh, round_of

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _reported_done(world):
    follow_up = follow_up_for(finding_at(round_of(world), world.G1))
    services.followup_done(follow_up=follow_up, by=world.users["grassroots"], note="Đã lập sổ")
    return fresh(follow_up)


def test_accept_and_send_back_at_once_exactly_one_wins():
    world = build_world()
    follow_up = _reported_done(world)
    colleague = make_user("province-2", (world.P, Role.OFFICER))  # the same desk, another officer
    outcomes = run_concurrently(
        lambda: services.followup_close(follow_up=fresh(follow_up), by=world.users["province"]),
        lambda: services.followup_reopen(follow_up=fresh(follow_up), by=colleague, reason="Thiếu biên bản"),
    )
    winners = [o for o in outcomes if isinstance(o, FollowUp)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "người khác vừa xử lý" in losers[0].messages[0]
    assert fresh(follow_up).status == winners[0].status
    assert FollowUpEvent.objects.filter(follow_up=follow_up, action__in=["close", "reopen"]).count() == 1


def test_done_reported_twice_at_once_is_recorded_once():
    world = build_world()
    follow_up = follow_up_for(finding_at(round_of(world), world.G1))
    district = world.users["district"]
    outcomes = run_concurrently(
        lambda: services.followup_done(follow_up=fresh(follow_up), by=world.users["grassroots"], note="Lần một"),
        lambda: services.followup_done(follow_up=fresh(follow_up), by=district, note="Lần hai"),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["FollowUp", "ValidationError"], outcomes
    assert FollowUpEvent.objects.filter(follow_up=follow_up, action="done").count() == 1
    winner = next(o for o in outcomes if isinstance(o, FollowUp))
    assert fresh(follow_up).done_note == winner.done_note
