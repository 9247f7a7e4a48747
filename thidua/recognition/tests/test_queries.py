"""The eligibility check reads in bulk: the same number of queries for 50 and for 500 candidates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.members.models import Member
from thidua.recognition.eligibility import check
from thidua.recognition.tests.factories import YEAR, FakeInitiatives, catalogue, give, kind, rate
from thidua.testing import make_member, make_unit

pytestmark = pytest.mark.django_db


def _queries(candidates, code, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        result = check(candidates, kind(code), dt.date(YEAR, 12, 31), **kwargs)
    assert len(result) == len(candidates)
    return len(ctx.captured_queries), result


def _members(world, n):
    people = [make_member(world.G1) for _ in range(n)]
    for i, person in enumerate(people[:40]):  # some history: ratings, titles, a revoked one
        rate(person, YEAR - 1)
        rate(person, YEAR, rating="good" if i % 2 else "excellent")
        give(person, "ldtt")
        give(person, "cstd-co-so", YEAR - 1)
    return list(Member.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))


def test_members_checked_in_a_fixed_number_of_queries(world):
    catalogue()
    people = _members(world, 500)
    initiatives = FakeInitiatives()
    small, _small_result = _queries(people[:50], "bang-khen-tinh-ca-nhan", initiative_source=initiatives)
    large, large_result = _queries(people, "bang-khen-tinh-ca-nhan", initiative_source=initiatives)
    assert small == large <= 8, (small, large)
    assert initiatives.calls == 2  # one bulk call per check
    # The answers are real: the provincial Bằng khen needs two CSTĐ cơ sở in a row (they hold 2024
    # only) or two excellent years with two initiatives (none), so nobody; CSTĐ cơ sở itself passes
    # for the 20 rated excellent who hold Lao động tiên tiến.
    assert not any(v.ok for v in large_result.values())
    _count, cstd = _queries(people, "cstd-co-so", initiative_source=initiatives)
    assert sum(v.ok for v in cstd.values()) == 20


def test_collectives_checked_in_a_fixed_number_of_queries(world):
    catalogue()
    units = [make_unit(world.D1, f"Công đoàn cơ sở Số {i}") for i in range(40)]
    for unit in units[:5]:
        member = make_member(unit)
        give(member, "ldtt")
        rate(unit, rating="good")
    small, _small_result = _queries(units[:4], "tt-ldtt")
    large, large_result = _queries(units, "tt-ldtt")
    assert small == large <= 10, (small, large)
    assert [large_result[u].ok for u in units[:6]] == [True] * 5 + [False]
