"""Real concurrent connections on PostgreSQL: one ballot per member, one close per session, and a
ballot racing the close is either counted or refused, never left behind uncounted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thidua.recognition import council as services
from thidua.recognition.models import BallotChoice, BallotItem, BallotReceipt, CouncilSession, SessionEvent
from thidua.testing import build_world, run_concurrently

from .council_factories import candidate, choices, fresh, make_council, open_session, seats, taken_nomination

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _open():
    world = build_world()
    council = make_council(world.P, size=5)
    nomination = taken_nomination(world.P, world.D1)
    session = open_session(
        council, [candidate(nomination, "ldtt", unit=world.G1), candidate(nomination, "ldtt", unit=world.G1)]
    )
    return world, council, session


def test_two_ballots_of_one_member_at_once_make_one_receipt():
    _world, council, session = _open()
    member = seats(council)[0]
    outcomes = run_concurrently(
        lambda: services.ballot_cast(session=fresh(session), user=member.user, choices=choices(session, True, True)),
        lambda: services.ballot_cast(session=fresh(session), user=member.user, choices=choices(session, False, False)),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["BallotReceipt", "ValidationError"], outcomes
    loser = next(o for o in outcomes if isinstance(o, ValidationError))
    assert "Bạn đã bỏ phiếu" in loser.messages[0]
    assert BallotReceipt.objects.filter(session=session).count() == 1
    assert BallotChoice.objects.filter(item__session=session).count() == 2  # one ballot's choices, not two


def test_two_closes_at_once_close_once(caplog):
    world, council, session = _open()
    for member in seats(council):
        services.ballot_cast(session=session, user=member.user, choices=choices(session, True, False))
    outcomes = run_concurrently(
        lambda: services.session_close(session=fresh(session), by=world.users["province"]),
        lambda: services.session_close(session=fresh(session), by=world.users["province"]),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["CouncilSession", "ValidationError"], outcomes
    assert SessionEvent.objects.filter(session=session, action="close").count() == 1
    assert sorted(BallotItem.objects.filter(session=session).values_list("approve", "reject")) == [(0, 5), (5, 0)]
    assert not BallotChoice.objects.filter(item__session=session).exists()
    assert "VACUUM" not in caplog.text  # the dead tuples were vacuumed right after the commit


def test_a_ballot_racing_the_close_is_counted_or_refused():
    world, council, session = _open()
    members = seats(council)
    for member in members[:4]:
        services.ballot_cast(session=session, user=member.user, choices=choices(session, True, True))
    outcomes = run_concurrently(
        lambda: services.ballot_cast(
            session=fresh(session), user=members[4].user, choices=choices(session, True, True)
        ),
        lambda: services.session_close(session=fresh(session), by=world.users["province"]),
    )
    assert isinstance(outcomes[1], CouncilSession), outcomes
    counted = 5 if not isinstance(outcomes[0], Exception) else 4
    assert BallotReceipt.objects.filter(session=session).count() == counted
    assert set(BallotItem.objects.filter(session=session).values_list("approve", flat=True)) == {counted}
    assert not BallotChoice.objects.filter(item__session=session).exists()
