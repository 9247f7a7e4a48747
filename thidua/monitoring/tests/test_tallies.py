"""The roll-up tallies: a full rebuild writes only what differs; reports follow a moving unit."""

from __future__ import annotations

import pytest

from thidua.monitoring import tallies
from thidua.monitoring.models import Report, Tally
from thidua.monitoring.tests.factories import JANUARY, campaign, report_of
from thidua.monitoring.tests.test_reports import snapshot
from thidua.testing import build_world, make_unit
from thidua.units import services as units

pytestmark = pytest.mark.django_db


def from_scratch() -> list[tuple]:
    """The tallies a rebuild writes into an empty table."""
    Tally.objects.all().delete()
    tallies.rebuild()
    return snapshot()


def test_a_rebuild_of_right_tallies_writes_nothing_and_of_wrong_ones_only_the_wrong_rows():
    world = build_world()
    campaign(world)
    report = report_of(world.G1, JANUARY["name"])
    report.status = Report.Status.SUBMITTED
    report.save()
    tallies.rebuild()
    right = snapshot()
    assert right and tallies.rebuild() == 0
    # One row off, one row missing, one row that should not exist.
    off = Tally.objects.filter(path=world.P.path).first()
    Tally.objects.filter(pk=off.pk).update(due=off.due + 7)
    Tally.objects.filter(path=world.D1.path).first().delete()
    Tally.objects.create(period_id=off.period_id, unit=world.D2, path=world.D2.path, depth=9, due=3)
    assert tallies.rebuild() == 2  # the wrong row and the missing one written; the stray one deleted
    assert snapshot() == right == from_scratch()


def test_reports_follow_a_unit_that_moves_and_the_tallies_follow_in_the_move():
    world = build_world()
    campaign(world)
    for code in ("G1", "G1b"):
        report = report_of(getattr(world, code), JANUARY["name"])
        report.status = Report.Status.SUBMITTED
        report.save()
    tallies.rebuild()

    def place():
        return set(Report.objects.filter(unit=world.G1).values_list("unit_parent_id", "unit_depth"))

    assert place() == {(world.D1.pk, world.G1.depth)}

    units.unit_move(unit=world.G1, new_parent=world.D2, reason="Sáp nhập địa giới")

    world.G1.refresh_from_db()
    assert world.G1.parent_id == world.D2.pk
    assert place() == {(world.D2.pk, world.G1.depth)}
    after = snapshot()
    assert after == from_scratch()
    under = {
        (t.path, t.depth): t.submitted for t in Tally.objects.filter(period__name=JANUARY["name"], path=world.D2.path)
    }
    assert under[(world.D2.path, world.G1.depth)] == 1  # G1's submitted report now counts under D2
    d1 = Tally.objects.get(period__name=JANUARY["name"], path=world.D1.path, depth=world.G1.depth)
    assert d1.submitted == 1  # only G1b's is left under D1


def test_a_report_made_without_owed_takes_its_units_place_and_follows_a_move_of_a_unit_above():
    world = build_world()
    campaign(world)
    period = report_of(world.G1, JANUARY["name"]).period
    unit = make_unit(world.G2, "Tổ công đoàn Xã Hai 1", "union-group", code="T2a")
    report = Report.objects.create(period=period, root_period=period, unit=unit)
    assert (report.unit_parent_id, report.unit_depth) == (world.G2.pk, unit.depth)
    tallies.add_owed([report])
    before = unit.depth
    units.unit_move(unit=world.G2, new_parent=world.P2)  # G2 and its group go straight under a province
    report.refresh_from_db()
    unit.refresh_from_db()
    assert unit.depth == before - 1
    assert (report.unit_parent_id, report.unit_depth) == (world.G2.pk, unit.depth)
    assert snapshot() == from_scratch()
