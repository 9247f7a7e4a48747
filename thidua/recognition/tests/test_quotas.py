"""Quotas: at the boundary, one over, ties put to a vote, per campaign of registered participants."""

from __future__ import annotations

import datetime as dt

import pytest

from thidua.recognition.eligibility import ELIGIBLE, REFUSED, VOTE, check
from thidua.recognition.models import Rule
from thidua.recognition.tests.factories import YEAR, catalogue, kind, rate, reasons
from thidua.testing import make_member, make_unit, title

pytestmark = pytest.mark.django_db
END = dt.date(YEAR, 12, 31)


@pytest.fixture
def ten_percent(world):
    """CSTĐ cơ sở capped by the awarding unit at 10 % of the candidates it considers (off by default)."""
    catalogue()
    rule = Rule.objects.get(rule_set__code="luat-2022", key="cstd-co-so-ty-le")
    assert not rule.active, "the optional cap ships switched off"
    rule.params = {"percent": 10, "base": "candidates"}
    rule.active = True
    rule.save()
    return world


def _candidates(world, eligible: int, total: int = 20):
    """``total`` members of G1 in ranking order; the first ``eligible`` meet CSTĐ cơ sở."""
    from thidua.recognition.tests.factories import give

    people = [make_member(world.G1) for _ in range(total)]
    for person in people[:eligible]:
        rate(person)
        give(person, "ldtt")
    return people


def test_exactly_at_ten_percent_everyone_eligible_passes(ten_percent):
    people = _candidates(ten_percent, eligible=2)
    result = check(people, kind("cstd-co-so"), END)
    assert [result[p].status for p in people[:2]] == [ELIGIBLE, ELIGIBLE]
    assert all(result[p].status == REFUSED for p in people[2:])
    assert not any("vượt chỉ tiêu" in m for p in people for m in result[p].messages)


def test_one_over_ten_percent_the_last_ranked_is_refused(ten_percent):
    people = _candidates(ten_percent, eligible=3)
    result = check(people, kind("cstd-co-so"), END)
    assert [result[p].status for p in people[:3]] == [ELIGIBLE, ELIGIBLE, REFUSED]
    text = reasons(result[people[2]])
    assert "vượt chỉ tiêu: tối đa 2 suất (trên 20, đã tặng 0), xếp thứ 3" in text
    assert "Tỷ lệ Chiến sĩ thi đua cơ sở do đơn vị tự đặt" in text


def test_a_ranking_decides_who_is_over(ten_percent):
    people = _candidates(ten_percent, eligible=3)
    scores = dict.fromkeys(people, 0.0)
    scores.update({people[0]: 50.0, people[1]: 90.0, people[2]: 80.0})
    result = check(people, kind("cstd-co-so"), END, ranking=scores)
    assert [result[p].status for p in people[:3]] == [REFUSED, ELIGIBLE, ELIGIBLE]


def test_a_tie_at_the_boundary_goes_to_a_vote(ten_percent):
    people = _candidates(ten_percent, eligible=4)
    scores = dict.fromkeys(people, 0.0)
    scores.update({people[0]: 95.0, people[1]: 80.0, people[2]: 80.0, people[3]: 70.0})
    result = check(people, kind("cstd-co-so"), END, ranking=scores)
    assert [result[p].status for p in people[:4]] == [ELIGIBLE, VOTE, VOTE, REFUSED]
    assert result[people[1]].needs_vote and not result[people[1]].ok
    assert "2 ứng viên cho 1 suất còn lại, cần bỏ phiếu" in reasons(result[people[2]])
    # A tie inside the quota needs no vote.
    scores.update({people[0]: 90.0, people[1]: 90.0, people[2]: 70.0, people[3]: 60.0})
    result = check(people, kind("cstd-co-so"), END, ranking=scores)
    assert [result[p].status for p in people[:4]] == [ELIGIBLE, ELIGIBLE, REFUSED, REFUSED]


def test_the_campaign_quota_counts_registered_collectives(world):
    """Bằng khen for ≤ 10 % of the collectives registered in the campaign (a province's plan, 2025)."""
    from thidua.campaigns.tests.factories import issued_plan
    from thidua.registrations import services as registrations

    catalogue()
    units = [make_unit(world.D1, f"Công đoàn cơ sở Số {i}") for i in range(10)]
    plan = issued_plan(world.P, registration_deadline=dt.date(2025, 3, 31))
    today = dt.date(2025, 2, 1)
    for unit in units:
        registration = registrations.registration_open(plan=plan, unit=unit, by=None, today=today)
        registrations.registration_update(
            registration=registration,
            by=None,
            titles=[title("Tập thể lao động tiên tiến")],
            pledge="Thi đua",
            commitments={},
            today=today,
        )
        registrations.registration_submit(registration=registration, by=None, today=today)
    first, second = units[:2]
    for unit in (first, second):
        rate(unit, YEAR - 1)
        rate(unit, YEAR)
    bang_khen = kind("bang-khen-tinh-tap-the")
    result = check([first, second], bang_khen, END, campaign=plan)
    assert result[first].ok
    assert "vượt chỉ tiêu: tối đa 1 suất (trên 10, đã tặng 0), xếp thứ 2" in reasons(result[second])
    assert "(mặc định — cần xác nhận)" in reasons(result[second])  # a province's example, not the law
    # Without a campaign the per-campaign quota is not applied, and the verdict says so.
    free = check([first, second], bang_khen, END)
    assert free[first].ok and free[second].ok
    assert "Chưa áp dụng chỉ tiêu theo phong trào" in free[second].notes[0]
