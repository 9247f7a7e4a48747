"""Two officers issuing the same decision at once (real threads, PostgreSQL): one decision, one
number, one set of awards and gold-book numbers; the other is told someone acted first."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thidua.core.transitions import state_token
from thidua.recognition import decisions
from thidua.recognition.models import Award, AwardDecision, DecisionLine
from thidua.recognition.tests.decision_factories import ISSUED_ON, candidate, catalogue, draft
from thidua.testing import build_world, make_member, run_concurrently

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_officers_issuing_at_once_get_one_decision():
    world = build_world()
    catalogue()
    g1 = world.G1
    people = [make_member(g1, name) for name in ("Người Một", "Người Hai", "Người Ba")]
    decision = draft(g1, [candidate(g1, "ldtt", member=p) for p in people])
    seen = state_token(decision)
    officer = world.users["grassroots"]
    outcomes = run_concurrently(
        *[
            (lambda: decisions.decision_issue(decision=decision, by=officer, seen=seen, issued_on=ISSUED_ON))
            for _ in range(3)
        ]
    )
    winners = [o for o in outcomes if isinstance(o, AwardDecision)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes if o not in winners), outcomes
    fresh = AwardDecision.objects.get(pk=decision.pk)
    assert fresh.status == "issued" and fresh.number == 1
    assert fresh.events.filter(to_status="issued").count() == 1
    assert Award.objects.filter(decision=fresh).count() == 3
    assert sorted(DecisionLine.objects.filter(decision=fresh).values_list("gold_book", flat=True)) == [1, 2, 3]


def test_officers_issuing_different_decisions_at_once_get_distinct_numbers():
    world = build_world()
    catalogue()
    g1 = world.G1
    drafts = [draft(g1, [candidate(g1, "ldtt", member=make_member(g1))]) for _ in range(4)]
    outcomes = run_concurrently(
        *[(lambda d=d: decisions.decision_issue(decision=d, by=None, issued_on=ISSUED_ON)) for d in drafts]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(AwardDecision.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert sorted(DecisionLine.objects.values_list("gold_book", flat=True)) == [1, 2, 3, 4]
