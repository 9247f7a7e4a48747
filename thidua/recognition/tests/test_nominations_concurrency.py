"""Real concurrent connections on PostgreSQL: two officers of the holding desk act on one dossier at
once, exactly one wins; a double-submitted Excel list is written once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thidua.accounts.roles import Role
from thidua.recognition import dossiers
from thidua.recognition.models import Candidate, Nomination
from thidua.recognition.tests.factories import kind
from thidua.recognition.tests.nomination_factories import MEMBER_KIND, dossier, submitted
from thidua.testing import build_world, make_member, make_user, run_concurrently

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_forward_and_return_at_once_exactly_one_wins():
    world = build_world()
    nomination = submitted(world.G1, by=world.users["grassroots"])
    district = world.users["district"]
    colleague = make_user("district-2", (world.D1, Role.OFFICER))  # the same desk, another officer
    # Each request reads the dossier itself, as two pages would.
    first, second = (dossiers.NOMINATIONS.get(pk=nomination.pk) for _ in range(2))
    outcomes = run_concurrently(
        lambda: dossiers.nomination_forward(nomination=first, by=district),
        lambda: dossiers.nomination_return(nomination=second, by=colleague, reason="Bổ sung"),
    )
    winners = [o for o in outcomes if isinstance(o, Nomination)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "người khác vừa xử lý" in losers[0].messages[0]
    fresh = Nomination.objects.get(pk=nomination.pk)
    assert (fresh.status, fresh.holder_id) == (winners[0].status, winners[0].holder_id)
    assert fresh.events.exclude(action__in=["candidate", "file"]).count() == 2  # the submission and one move


def test_a_double_submitted_list_is_written_once():
    world = build_world()
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    members = [make_member(world.G1) for _ in range(4)]
    rows = [
        {"row": i + 3, "kind": kind(MEMBER_KIND).pk, "member": m.pk, "unit": world.G1.pk, "achievement": ""}
        for i, m in enumerate(members)
    ]
    outcomes = run_concurrently(
        *[(lambda: dossiers.candidates_import(nomination=nomination, rows=rows, by=grassroots)) for _ in range(3)]
    )
    assert sorted(o if isinstance(o, int) else -1 for o in outcomes) == [-1, -1, 4], outcomes
    assert Candidate.objects.filter(nomination=nomination).count() == 4
