"""Real concurrent connections on PostgreSQL: structural changes never interleave."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from thidua.testing import build_world, make_unit, run_concurrently
from thidua.units.models import Unit
from thidua.units.services import unit_move

from .test_services import assert_tree_consistent

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_moves_of_one_unit_leave_a_consistent_tree():
    assert connection.vendor == "postgresql"
    world = build_world()
    for i in range(20):
        make_unit(world.T1, f"Tổ {i}", "union-group")
    g1 = world.G1
    outcomes = run_concurrently(
        lambda: unit_move(unit=g1, new_parent=world.D2),
        lambda: unit_move(unit=g1, new_parent=world.D3),
    )
    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ValidationError)], outcomes
    g1 = Unit.objects.get(pk=g1.pk)
    assert g1.parent_id in (world.D2.pk, world.D3.pk)
    assert Unit.objects.filter(path__startswith=g1.path).count() == 23
    assert_tree_consistent()


def test_two_units_moved_under_one_parent_at_once_get_distinct_paths():
    world = build_world()
    outcomes = run_concurrently(
        lambda: unit_move(unit=world.G1, new_parent=world.D2),
        lambda: unit_move(unit=world.G1b, new_parent=world.D2),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    d2 = Unit.objects.get(pk=world.D2.pk)
    assert set(Unit.objects.filter(parent=d2).values_list("code", flat=True)) == {"G1", "G1b", "G2"}
    assert_tree_consistent()


def test_parallel_creations_under_one_parent_get_distinct_paths():
    world = build_world()
    outcomes = run_concurrently(
        *[(lambda i=i: make_unit(world.G2, f"Tổ song song {i}", "union-group")) for i in range(6)]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Unit.objects.get(pk=world.G2.pk).numchild == 6
    assert_tree_consistent()
