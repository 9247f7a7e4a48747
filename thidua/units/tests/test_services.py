from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from thidua.members.models import Member
from thidua.testing import make_member, make_unit
from thidua.units.models import Unit, UnitEvent
from thidua.units.selectors import subtree_rollup, unit_parent_on
from thidua.units.services import unit_delete, unit_dissolve, unit_merge, unit_move

pytestmark = pytest.mark.django_db


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


def assert_tree_consistent():
    """Paths, depths, parent links and child counts all agree."""
    for unit in Unit.objects.all():
        parent_path = unit.path[: -Unit.steplen]
        assert unit.depth == len(unit.path) // Unit.steplen
        if unit.depth == 1:
            assert unit.parent_id is None
        else:
            assert unit.parent.path == parent_path, f"{unit} parent link disagrees with its path"
        assert unit.numchild == Unit.objects.filter(parent=unit).count()


def test_move_takes_the_subtree_and_keeps_the_old_parent_in_history(world):
    G1, D1, D2 = world.G1, world.D1, world.D2
    member = make_member(world.T1a)
    unit_move(unit=G1, new_parent=D2, effective_on=dt.date(2025, 7, 1), reason="Sắp xếp lại")
    G1 = fresh(G1)
    assert G1.parent_id == D2.pk
    assert G1.path.startswith(fresh(D2).path)
    assert fresh(world.T1a).path.startswith(G1.path)
    assert Member.objects.in_subtree(fresh(D2)).filter(pk=member.pk).exists()
    assert not Member.objects.in_subtree(fresh(D1)).filter(pk=member.pk).exists()
    assert unit_parent_on(G1, dt.date(2025, 6, 30)) == D1
    assert unit_parent_on(G1, dt.date(2025, 7, 1)) == D2
    event = UnitEvent.objects.get(unit=G1, kind=UnitEvent.Kind.MOVED)
    assert "Liên đoàn Lao động huyện Một" in event.old_parent_label
    assert_tree_consistent()


@pytest.mark.parametrize("target", ["G1", "T1", "T1a"])
def test_move_under_itself_or_a_descendant_is_refused(world, target):
    before = list(Unit.objects.values_list("pk", "path", "parent_id"))
    with pytest.raises(ValidationError) as exc:
        unit_move(unit=world.G1, new_parent=world.units[target])
    assert "Không thể chuyển" in str(exc.value)
    assert list(Unit.objects.values_list("pk", "path", "parent_id")) == before


@pytest.mark.parametrize("target", ["G1", "T1", "T1a"])
def test_merge_into_itself_or_a_descendant_is_refused(world, target):
    with pytest.raises(ValidationError):
        unit_merge(source=world.G1, target=world.units[target])
    assert fresh(world.G1).dissolved_on is None


def test_merge_moves_children_and_members_and_keeps_the_source(world):
    keep = make_member(world.G1, "Hà Thị Lan", gender="F", birth_year=1985)
    unit_merge(source=world.G1, target=world.G1b, effective_on=dt.date(2025, 7, 1), reason="Hợp nhất")
    G1 = fresh(world.G1)
    assert G1.dissolved_on == dt.date(2025, 7, 1)
    assert G1.merged_into_id == world.G1b.pk
    assert Member.objects.get(pk=keep.pk).unit_id == world.G1b.pk
    assert fresh(world.T1).parent_id == world.G1b.pk
    history = Member.history.filter(id=keep.pk).order_by("history_date")
    assert [h.unit_id for h in history] == [world.G1.pk, world.G1b.pk]
    assert UnitEvent.objects.filter(unit=G1, kind=UnitEvent.Kind.MERGED, members_moved=1).exists()
    assert_tree_consistent()


def test_delete_refuses_units_with_members_children_or_history(world):
    make_member(world.G2)
    with pytest.raises(ValidationError, match="đoàn viên"):
        unit_delete(unit=world.G2)
    with pytest.raises(ValidationError, match="trực thuộc"):
        unit_delete(unit=world.D2)
    moved = make_unit(world.D2, "Tổ tạm", "union-group")
    unit_move(unit=moved, new_parent=world.D1)
    with pytest.raises(ValidationError, match="lịch sử"):
        unit_delete(unit=moved)
    assert Unit.objects.filter(pk__in=[world.G2.pk, world.D2.pk, moved.pk]).count() == 3


def test_delete_of_a_mistaken_leaf_works_and_is_audited(world):
    leaf = make_unit(world.G2, "Tổ nhập nhầm", "union-group")
    unit_delete(unit=leaf)
    assert not Unit.objects.filter(pk=leaf.pk).exists()
    assert fresh(world.G2).numchild == 0
    assert Unit.history.filter(id=leaf.pk, history_type="-").exists()


def test_dissolve_requires_an_empty_unit(world):
    make_member(world.G2)
    with pytest.raises(ValidationError):
        unit_dissolve(unit=world.G2)
    empty = make_unit(world.D2, "Công đoàn cơ sở trống")
    unit_dissolve(unit=empty, effective_on=dt.date(2025, 7, 1))
    assert fresh(empty).dissolved_on == dt.date(2025, 7, 1)


def test_rollup_counts_members_and_sub_units(world):
    make_member(world.T1a)
    make_member(world.G1)
    make_member(world.G2)
    totals = subtree_rollup(world.P)
    assert totals[world.P.pk] == {"members": 3, "sub_units": 7}
    assert totals[world.D1.pk] == {"members": 2, "sub_units": 4}
    assert totals[world.T1a.pk] == {"members": 1, "sub_units": 0}


def test_search_ignores_diacritics(world):
    assert list(Unit.objects.search("truong mot")) == [world.G1]
    assert set(Unit.objects.search("LIÊN ĐOÀN huyen")) == {world.D1, world.D2, world.D3}
    assert list(Unit.objects.search("tram y te")) == [world.G1b]


def test_children_with_counts_rolls_up_every_level(world):
    from thidua.units.selectors import children_with_counts, units_with_counts

    make_member(world.T1a)
    make_member(world.G1)
    make_member(world.G1b)
    make_member(world.G2)
    rows = {row.unit.code: (row.sub_units, row.members) for row in children_with_counts(world.P)}
    assert rows == {"D1": (4, 3), "D2": (1, 1)}
    rows = {row.unit.code: (row.sub_units, row.members) for row in children_with_counts(world.D1)}
    assert rows == {"G1": (2, 2), "G1b": (0, 1)}
    [own] = units_with_counts([world.P])
    assert (own.sub_units, own.members) == (7, 4)


def test_kinds_must_sit_below_their_parent(world):
    from thidua.testing import kind
    from thidua.units.services import unit_create, unit_update

    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        unit_create(parent=world.D1, kind=kind("confederation"), name="Tổng Liên đoàn giả", code="FAKE")
    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        unit_update(unit=world.D1, kind=kind("confederation"))
    with pytest.raises(ValidationError, match="đơn vị trực thuộc hiện tại"):
        unit_update(unit=world.G1, kind=kind("union-group"))
    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        unit_move(unit=world.G1, new_parent=world.G2)
    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        unit_merge(source=world.D1, target=world.G2)
    assert not Unit.objects.filter(code="FAKE").exists()


def test_dates_cannot_be_in_the_future_or_out_of_order(world):
    from thidua.testing import kind
    from thidua.units.services import unit_create

    with pytest.raises(ValidationError, match="tương lai"):
        unit_create(
            parent=world.D1, kind=kind("grassroots"), name="Tương lai", code="FUT", active_from=dt.date(2999, 12, 31)
        )
    with pytest.raises(ValidationError, match="tương lai"):
        unit_move(unit=world.G1, new_parent=world.D2, effective_on=dt.date(2099, 1, 1))
    unit_move(unit=world.G1, new_parent=world.D2, effective_on=dt.date(2025, 7, 1))
    with pytest.raises(ValidationError, match="từ 01/07/2025"):
        unit_move(unit=world.G1, new_parent=world.D1, effective_on=dt.date(1990, 1, 1))


def test_counts_leave_out_members_who_left(world):
    """Member counts are read through ``Unit.members``: only active members count, at every roll-up."""
    from thidua.members.models import Member
    from thidua.units.selectors import ACTIVE_MEMBER, children_with_counts, units_with_counts

    assert ACTIVE_MEMBER == Member.Status.ACTIVE  # named in units, which must not import members
    make_member(world.G1)
    make_member(world.G1, status=Member.Status.LEFT)
    make_member(world.T1a, status=Member.Status.LEFT)
    assert {r.unit.code: r.members for r in children_with_counts(world.D1)} == {"G1": 1, "G1b": 0}
    assert units_with_counts([world.D1])[0].members == 1
    assert subtree_rollup(world.D1)[world.D1.pk]["members"] == 1
    assert subtree_rollup(world.D1)[world.T1a.pk]["members"] == 0
