"""`make run` loads the demo through `load_demo`: the whole loader, on a small membership."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from thidua.accounts.models import User
from thidua.campaigns.models import DocumentCounter, Plan
from thidua.recognition.models import AwardDecision, BallotChoice, BallotItem, Nomination
from thidua.registrations.models import Registration, RegistrationEvent

pytestmark = pytest.mark.django_db


def test_the_demo_loads_with_decisions_made_by_the_level_directly_above():
    call_command("load_demo", members=1500, verbosity=0)
    decided = Registration.objects.filter(
        status__in=[Registration.Status.ACCEPTED, Registration.Status.RETURNED]
    ).select_related("unit__parent")
    assert decided.count() > 20
    district = User.objects.get(username="babe.thidua")
    province = User.objects.get(username="tinh.thidua")
    for registration in decided:
        # Ba Bể's officer decides for Ba Bể's unions; where the demo has no officer, the loader does.
        expected = district if registration.unit.parent.code == "BK-BB" else None
        assert registration.decided_by == expected, registration.unit.code
        assert registration.decided_by != province
    assert decided.filter(decided_by=district).exists()  # the Ba Bể branch above is really exercised
    assert RegistrationEvent.objects.filter(action="accept").exists()
    assert Registration.objects.filter(status=Registration.Status.DRAFT, unit__code="BK-BB-001").exists()


def test_the_demo_runs_a_recognition_round_to_the_honour_roll():
    """Plan 07's recognition: a dossier up to the province, a ballot with one candidate short of the
    threshold, a decision of 2019 with prizes on that year's base salary, published."""
    call_command("load_demo", members=800, verbosity=0)
    decided = Nomination.objects.get(status=Nomination.Status.DECIDED)
    assert decided.holder.code == "BK" and decided.events.filter(action="forward").exists()
    results = sorted(BallotItem.objects.values_list("result", flat=True))
    assert results == ["failed", "passed", "passed"] and not BallotChoice.objects.exists()
    decision = AwardDecision.objects.get()
    assert (decision.status, decision.year, decision.number, decision.publish) == ("issued", 2019, 1, True)
    assert decision.base_salary == 1_490_000
    assert sorted(decision.lines.values_list("prize", flat=True)) == [1_490_000, 2_980_000]
    assert decision.awards.count() == 2
    assert Nomination.objects.filter(status=Nomination.Status.DRAFT, proposer__code="BK-NR-001").exists()


def test_the_demo_leaves_this_years_document_numbers_untouched():
    """The demo is dated 2018: the first real plan of this year is number 01 for every issuer."""
    call_command("load_demo", members=800, verbosity=0)
    assert Plan.objects.count() > 20
    assert set(Plan.objects.values_list("year", flat=True)) == {2018}
    assert not DocumentCounter.objects.filter(year=timezone.localdate().year).exists()
