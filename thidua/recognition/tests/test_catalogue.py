"""The shipped catalogue: loaded idempotently, labelled honestly, validated and versioned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from thidua.recognition import services
from thidua.recognition.catalogue import load
from thidua.recognition.models import AwardingPower, AwardKind, Confidence, Rule, RuleSet
from thidua.recognition.params import validate
from thidua.recognition.tests.factories import catalogue, give, kind
from thidua.testing import make_member

pytestmark = pytest.mark.django_db


def test_loading_twice_creates_nothing_and_keeps_an_administrators_edit(world):
    first = load()
    assert first["kinds"] >= 20 and first["rule_sets"] == 3 and first["rules"] > 40
    rule = Rule.objects.get(rule_set__code="luat-2022", key="ngay-nghi")
    rule.params = {"check": "max_days_off", "days": 30}
    rule.confidence = Confidence.CHECKED
    rule.save()
    call_command("load_award_rules", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    assert load() == {"kinds": 0, "powers": 0, "salaries": 0, "rule_sets": 0, "rules": 0}
    rule.refresh_from_db()
    assert rule.params["days"] == 30 and rule.confidence == Confidence.CHECKED
    assert rule.history.count() == 2  # created, then edited: the change is kept


def test_the_rule_sets_meet_without_gap_or_overlap(world):
    catalogue()
    assert RuleSet.objects.in_force_on(dt.date(2026, 9, 30)).get().code == "luat-2022"
    assert RuleSet.objects.in_force_on(dt.date(2026, 10, 1)).get().code == "luat-2026"
    assert RuleSet.objects.in_force_on(dt.date(2023, 12, 31)).get().code == "luat-2013"
    assert RuleSet.objects.in_force_on(dt.date(2024, 1, 1)).get().code == "luat-2022"
    assert not RuleSet.objects.in_force_on(dt.date(2014, 5, 31)).exists()
    # The 2013 rules are the 2022 ones as defaults until compared with Decree 91/2017: none is "checked".
    assert not RuleSet.objects.get(code="luat-2013").rules.exclude(confidence=Confidence.UNCONFIRMED).exists()
    amended = RuleSet.objects.get(code="luat-2026")
    # The amended Law is known from a summary only: nothing of it is presented as checked.
    assert amended.confidence == Confidence.UNCONFIRMED
    assert not amended.rules.exclude(confidence=Confidence.UNCONFIRMED).exists()


def test_union_values_ship_as_unconfirmed_defaults(world):
    catalogue()
    assert (
        not AwardKind.objects.filter(system="union", confidence=Confidence.CHECKED)
        .exclude(code__startswith="giai-")
        .exists()
    )
    assert kind("ldtt").confidence == Confidence.CHECKED
    assert str(kind("cstd-toan-quoc").salary_multiplier) == "4.50"
    tdt = kind("giai-ton-duc-thang")
    assert tdt.once_in_lifetime and tdt.quota_per_round == 10


def test_commune_unions_take_the_district_powers_from_1_july_2025(world):
    catalogue()
    district = AwardingPower.objects.get(award_kind__code="ldtt", unit_kind__code="district-federation")
    commune = AwardingPower.objects.get(award_kind__code="ldtt", unit_kind__code="commune-union")
    assert district.in_force(dt.date(2025, 6, 30)) and not district.in_force(dt.date(2025, 7, 1))
    assert commune.in_force(dt.date(2025, 7, 1)) and not commune.in_force(dt.date(2025, 6, 30))


@pytest.mark.parametrize(
    ("kind_", "params"),
    [
        ("prerequisite", {}),
        ("prerequisite", {"all": [{"award": ""}]}),
        ("streak", {"all": [{"award": "ldtt", "years": 0}]}),
        ("streak", {"all": [{"rating": "perfect"}]}),
        ("prerequisite", {"any": [{"initiatives": 1, "scope": "planet"}]}),
        ("prerequisite", {"all": [{"members_award": "ldtt"}]}),
        ("quota", {"base": "candidates"}),
        ("quota", {"percent": 120}),
        ("quota", {"max": "ten"}),
        ("exclusion", {"check": "mood"}),
        ("exclusion", {"check": "max_days_off", "days": True}),
        ("one_achievement", {"match": "any"}),
        ("initiative_once", {"extra": 1}),
        ("prerequisite", ["not", "an", "object"]),
        ("bonus", {}),
    ],
)
def test_wrong_params_are_refused_in_vietnamese(kind_, params):
    with pytest.raises(ValidationError) as error:
        validate(kind_, params)
    assert error.value.messages and all(m for m in error.value.messages)


def test_a_rule_cleans_its_params(world):
    catalogue()
    rule = Rule.objects.get(rule_set__code="luat-2022", key="ngay-nghi")
    rule.params = {"check": "max_days_off"}
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "params" in error.value.message_dict
    rule.params = {"check": "max_days_off", "days": 45}
    rule.full_clean()


def test_awards_are_created_once_per_period_and_revoked_once(world):
    catalogue()
    member = make_member(world.G1)
    award = give(member, "ldtt")
    assert award.unit == world.G1 and award.year == 2025
    with pytest.raises(ValidationError):
        give(member, "ldtt")
    with pytest.raises(ValidationError):
        services.award_create(
            kind=kind("ldtt"), unit=world.G1, period_end=dt.date(2025, 12, 31), decided_on=dt.date(2026, 1, 5), by=None
        )
    with pytest.raises(ValidationError):
        services.award_revoke(award=award, reason="  ", by=None)
    services.award_revoke(award=award, reason="Quyết định bị hủy", by=None)
    with pytest.raises(ValidationError):
        services.award_revoke(award=award, reason="Lần hai", by=None)
    assert award.history.count() == 2
    again = give(member, "ldtt")  # a revoked award no longer blocks a new decision
    assert again.pk != award.pk
