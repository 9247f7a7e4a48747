"""Writes to the union tree. Every structural change holds the tree lock.

Materialised paths change for a whole subtree when a unit moves, so two
structural changes must never interleave: on PostgreSQL a transaction-level
advisory lock serialises them; on SQLite the IMMEDIATE transaction mode
already does. Nodes are always re-read after the lock is taken, because the
path or child count a caller holds may be stale.

The counts kept under every unit (``thidua.units.tallies``) follow each change: a write
marks the units whose own figures may change, a move carries its subtree's sums from the
old ancestors to the new ones (taking the tallies' lock before any path changes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from thidua.units import tallies
from thidua.units.models import Unit, UnitEvent, UnitKind
from thidua.units.selectors import ACTIVE_MEMBER

TREE_LOCK_KEY = 7_000_001


def lock_tree() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


def _label(unit: Unit | None) -> str:
    if unit is None:
        return ""
    chain = list(Unit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth").values_list("name", flat=True))
    return " › ".join([*chain, unit.name])[:600]


def _check_kind_fits(kind: UnitKind, parent: Unit | None, children_min_level: int | None = None) -> None:
    """A unit sits strictly below its parent's level and above its children's."""
    if parent is not None and kind.level <= parent.kind.level:
        raise ValidationError(
            {
                "kind": _("Đơn vị loại “%(kind)s” không thể trực thuộc “%(parent)s” (%(parent_kind)s).")
                % {"kind": kind.label, "parent": parent.name, "parent_kind": parent.kind.label}
            }
        )
    if children_min_level is not None and kind.level >= children_min_level:
        raise ValidationError({"kind": _("Loại đơn vị này không thể có các đơn vị trực thuộc hiện tại.")})


def _check_not_future(day: dt.date | None, field: str, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("%(label)s không được ở tương lai.") % {"label": label}})


def _effective(unit: Unit, day: dt.date | None) -> dt.date:
    """The date a structural change takes effect: today by default, never out of order.

    Events of a unit must stay in date order, or reading its history back
    (``unit_parent_on``) would give a wrong parent.
    """
    when = day or timezone.localdate()
    _check_not_future(when, "effective_on", _("Ngày hiệu lực"))
    if unit.active_from and when < unit.active_from:
        raise ValidationError({"effective_on": _("Ngày hiệu lực trước ngày thành lập của đơn vị.")})
    last = (
        unit.events.exclude(kind=UnitEvent.Kind.CREATED)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    if last and when < last:
        raise ValidationError(
            {
                "effective_on": _("Ngày hiệu lực phải từ %(date)s trở đi (sau thay đổi gần nhất của đơn vị).")
                % {"date": last.strftime("%d/%m/%Y")}
            }
        )
    return when


def _check_code_free(code: str, exclude_pk: int | None = None) -> None:
    qs = Unit.objects.filter(code__iexact=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"code": _("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code}})


@transaction.atomic
def unit_create(
    *,
    parent: Unit | None,
    kind: UnitKind,
    name: str,
    code: str,
    short_name: str = "",
    place_name: str = "",
    active_from: dt.date | None = None,
    by: Any = None,
) -> Unit:
    lock_tree()
    unit = Unit(kind=kind, name=name, short_name=short_name, place_name=place_name, code=code, active_from=active_from)
    unit.refresh_search_text()
    if not unit.name:
        raise ValidationError({"name": _("Tên đơn vị không được để trống.")})
    if not unit.code:
        raise ValidationError({"code": _("Mã đơn vị không được để trống.")})
    _check_code_free(unit.code)
    _check_not_future(active_from, "active_from", _("Ngày thành lập"))
    if parent is not None:
        parent = Unit.objects.select_related("kind").get(pk=parent.pk)
    _check_kind_fits(kind, parent)
    if parent is None:
        unit = Unit.objects.add_root(instance=unit)
    else:
        parent = Unit.objects.get(pk=parent.pk)
        if not parent.is_active:
            raise ValidationError(_("Không thể thêm đơn vị vào đơn vị đã giải thể."))
        unit.parent = parent
        unit = Unit.objects.add_child(parent, instance=unit)
    tallies.touch([unit.pk])
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.CREATED,
        new_parent=parent,
        new_parent_label=_label(parent),
        effective_on=active_from or timezone.localdate(),
        by=by,
    )
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, by: Any = None, **fields: Any) -> Unit:
    allowed = {"name", "short_name", "place_name", "code", "kind", "active_from"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unit_update does not change {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    kind_before = unit.kind_id
    for key, value in fields.items():
        setattr(unit, key, value)
    unit.refresh_search_text()
    if not unit.name:
        raise ValidationError({"name": _("Tên đơn vị không được để trống.")})
    if not unit.code:
        raise ValidationError({"code": _("Mã đơn vị không được để trống.")})
    _check_code_free(unit.code, exclude_pk=unit.pk)
    _check_not_future(unit.active_from, "active_from", _("Ngày thành lập"))
    if "kind" in fields:
        children_min = Unit.objects.filter(parent=unit).aggregate(level=Min("kind__level"))["level"]
        _check_kind_fits(unit.kind, unit.parent, children_min)
    unit._history_user = by  # type: ignore[attr-defined]
    unit.save()
    if unit.kind_id != kind_before:  # grassroots or not: counted differently
        tallies.touch([unit.pk])
    return unit


def _validate_new_parent(unit: Unit, new_parent: Unit) -> None:
    if new_parent.pk == unit.pk:
        raise ValidationError(_("Không thể chuyển đơn vị vào chính nó."))
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("Không thể chuyển đơn vị vào đơn vị cấp dưới của chính nó."))
    if not new_parent.is_active:
        raise ValidationError(_("Không thể chuyển đơn vị vào đơn vị đã giải thể."))


def _move(unit: Unit, new_parent: Unit) -> None:
    """``unit`` and ``new_parent`` read after the tree lock: the subtree's counts go with it."""
    old_path, old_depth = unit.path, unit.depth  # the move rewrites them on the instance
    tallies.carry(unit, new_parent)
    Unit.objects.move(unit, new_parent, pos="last-child")
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    tallies.moved.send(sender=Unit, unit_id=unit.pk, old_path=old_path, old_depth=old_depth)


@transaction.atomic
def unit_move(
    *, unit: Unit, new_parent: Unit, effective_on: dt.date | None = None, reason: str = "", by: Any = None
) -> Unit:
    """Move a unit (and its subtree) under another parent, recording where it was."""
    lock_tree()
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if not unit.is_active:
        raise ValidationError(_("Không thể chuyển đơn vị đã giải thể."))
    if unit.parent_id is None:
        raise ValidationError(_("Không thể chuyển đơn vị gốc."))
    _validate_new_parent(unit, new_parent)
    if unit.parent_id == new_parent.pk:
        raise ValidationError(_("Đơn vị đã trực thuộc đơn vị này."))
    _check_kind_fits(unit.kind, new_parent)
    when = _effective(unit, effective_on)
    old_parent = unit.parent
    event = UnitEvent(
        unit=unit,
        kind=UnitEvent.Kind.MOVED,
        old_parent=old_parent,
        new_parent=new_parent,
        old_parent_label=_label(old_parent),
        new_parent_label=_label(new_parent),
        effective_on=when,
        reason=reason,
        by=by,
    )
    _move(unit, new_parent)
    event.save()
    unit = Unit.objects.get(pk=unit.pk)
    unit._history_user = by  # type: ignore[attr-defined]
    unit._change_reason = reason or "move"  # type: ignore[attr-defined]
    unit.save(update_fields=["updated_at"])
    return unit


@transaction.atomic
def unit_merge(
    *, source: Unit, target: Unit, effective_on: dt.date | None = None, reason: str = "", by: Any = None
) -> Unit:
    """Merge ``source`` into ``target``: its sub-units and members move, it is dissolved.

    The source row stays (dissolved, ``merged_into`` set) so everything that
    was done in its name remains attributed to it as it was.
    """
    lock_tree()
    source = Unit.objects.get(pk=source.pk)
    target = Unit.objects.get(pk=target.pk)
    if source.pk == target.pk:
        raise ValidationError(_("Không thể hợp nhất đơn vị vào chính nó."))
    if target.path.startswith(source.path):
        raise ValidationError(_("Không thể hợp nhất đơn vị vào đơn vị cấp dưới của chính nó."))
    if not source.is_active or not target.is_active:
        raise ValidationError(_("Chỉ hợp nhất được các đơn vị đang hoạt động."))
    if source.parent_id is None:
        raise ValidationError(_("Không thể hợp nhất đơn vị gốc."))
    when = _effective(source, effective_on)
    children = list(
        Unit.objects.filter(parent=source, dissolved_on__isnull=True).select_related("kind").order_by("path")
    )
    for child in children:
        _check_kind_fits(child.kind, target)
    for child in children:
        child = Unit.objects.get(pk=child.pk)
        UnitEvent.objects.create(
            unit=child,
            kind=UnitEvent.Kind.MOVED,
            old_parent=source,
            new_parent=target,
            old_parent_label=_label(source),
            new_parent_label=_label(target),
            effective_on=when,
            reason=reason,
            by=by,
        )
        _move(child, Unit.objects.get(pk=target.pk))
    moved = _members_follow(source=source, target=target, by=by)
    Unit.objects.filter(pk=source.pk).update(dissolved_on=when, merged_into=target, updated_at=timezone.now())
    tallies.touch([source.pk, target.pk])  # its members moved, it is dissolved
    UnitEvent.objects.create(
        unit=source,
        kind=UnitEvent.Kind.MERGED,
        other_unit=target,
        old_parent=source.parent,
        old_parent_label=_label(source.parent),
        effective_on=when,
        reason=reason,
        members_moved=moved,
        by=by,
    )
    UnitEvent.objects.create(
        unit=target,
        kind=UnitEvent.Kind.ABSORBED,
        other_unit=source,
        effective_on=when,
        reason=reason,
        members_moved=moved,
        by=by,
    )
    source = Unit.objects.get(pk=source.pk)
    source._history_user = by  # type: ignore[attr-defined]
    source._change_reason = reason or "merge"  # type: ignore[attr-defined]
    source.save(update_fields=["updated_at"])
    return Unit.objects.get(pk=target.pk)


def _members_follow(*, source: Unit, target: Unit, by: Any) -> int:
    """Every member of ``source`` moves to ``target`` (a merge), each with a history row.

    Through the ``Unit.members`` reverse relation: members depend on units, not the reverse.
    """
    members = list(source.members.all())
    for member in members:
        member.unit = target
    if members:
        bulk_update_with_history(
            members, source.members.model, ["unit"], batch_size=1000, default_user=by, default_change_reason="merge"
        )
    return len(members)


@transaction.atomic
def unit_dissolve(*, unit: Unit, effective_on: dt.date | None = None, reason: str = "", by: Any = None) -> Unit:
    lock_tree()
    unit = Unit.objects.get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError(_("Đơn vị đã giải thể."))
    if unit.parent_id is None:
        raise ValidationError(_("Không thể giải thể đơn vị gốc."))
    if Unit.objects.filter(parent=unit, dissolved_on__isnull=True).exists():
        raise ValidationError(_("Đơn vị còn đơn vị trực thuộc đang hoạt động; hãy chuyển hoặc giải thể chúng trước."))
    if unit.members.filter(status=ACTIVE_MEMBER).exists():
        raise ValidationError(_("Đơn vị còn đoàn viên đang sinh hoạt; hãy chuyển họ sang đơn vị khác trước."))
    when = _effective(unit, effective_on)
    unit.dissolved_on = when
    unit._history_user = by  # type: ignore[attr-defined]
    unit._change_reason = reason or "dissolve"  # type: ignore[attr-defined]
    unit.save()
    tallies.touch([unit.pk])
    UnitEvent.objects.create(
        unit=unit,
        kind=UnitEvent.Kind.DISSOLVED,
        old_parent=unit.parent,
        old_parent_label=_label(unit.parent),
        effective_on=when,
        reason=reason,
        by=by,
    )
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit, by: Any = None) -> None:
    """Delete a unit created by mistake. Anything with content or history is dissolved instead."""
    lock_tree()
    unit = Unit.objects.get(pk=unit.pk)
    if unit.parent_id is None:
        raise ValidationError(_("Không thể xoá đơn vị gốc."))
    if Unit.objects.filter(parent=unit).exists():
        raise ValidationError(_("Không thể xoá: đơn vị còn đơn vị trực thuộc."))
    if unit.members.exists():
        raise ValidationError(_("Không thể xoá: đơn vị đã có đoàn viên. Hãy dùng chức năng giải thể."))
    if unit.assignments.exists():
        raise ValidationError(_("Không thể xoá: đơn vị có tài khoản được phân quyền."))
    if unit.events.exclude(kind=UnitEvent.Kind.CREATED).exists() or unit.merged_units.exists():
        raise ValidationError(_("Không thể xoá: đơn vị đã có lịch sử thay đổi. Hãy dùng chức năng giải thể."))
    unit._history_user = by  # type: ignore[attr-defined]
    tallies.carry(unit, None)  # what it still counts leaves its ancestors; its rows go with it
    unit.events.all().delete()
    unit.delete()
