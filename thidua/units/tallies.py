"""Counts of every unit's subtree, kept up to date through a queue of dirty units, so reads never count.

A ``UnitTally`` row holds what a unit contributes itself (``own_*``: its active members, 1 when
it is an active grassroots union) and the sums of that over its subtree (``members``,
``grassroots``). The invariant, true after every committed transaction: a row's sums are the
sums of the ``own_*`` of the rows in its subtree (a missing row counts zero). How it is kept:

* ``touch``: a write that may change a unit's own figures (a member added, moved, gone or left;
  a unit created, dissolved, of another kind; a pledge or a registration, for the apps that
  count those) marks the unit dirty, one INSERT in the writer's transaction. Writers never
  update a shared row, so two offices writing at once never wait on the national row.
* ``drain``: recounts the dirty units' own figures (an index range per unit), sets them and adds
  the differences to the rows of the unit and its ancestors. Read paths drain first, so what a
  committed write changed is always counted: one query when nothing is pending, a fixed number
  of statements per ``DRAIN_BATCH`` dirty units otherwise.
* ``carry``: a unit moving (or being deleted) takes its subtree's sums from its old ancestors'
  rows to its new ones', in the move's transaction, without counting anything.
* ``rebuild``: everything recomputed (one GROUP BY over the members and a roll-up in Python,
  and the other apps' counts likewise): after bulk loads (the demo generator), after the
  upgrade that added the tallies, and in ``manage.py rebuild_tallies``.

Other apps keep subtree counts of their own the same way (registrations: per campaign). They
listen to ``recounted`` (a drain's batch: recount your own figures of these units),
``shifted`` (a subtree moved: carry your sums) and ``rebuilt`` (recompute yours), and share the
queue and the lock: units cannot import them, they import this.

Drains, carries and rebuilds are serialised by a transaction-level advisory lock on PostgreSQL
(SQLite's IMMEDIATE transactions already serialise writers). A unit move takes it before the
paths change, so a drain reads either the old paths with the old sums or the new with the new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.dispatch import Signal

from thidua.accounts.scope import PATH_STEP
from thidua.units.models import DirtyUnit, Unit, UnitTally
from thidua.units.selectors import ACTIVE_MEMBER

TALLY_LOCK_KEY = 7_000_002
DRAIN_BATCH = 500  # dirty marks recounted per statement batch
WRITE_CHUNK = 300  # rows one UPDATE … CASE changes

# Sent inside a drain's transaction, after the unit counts: ``chains`` maps each dirty unit's id
# to its own id followed by its ancestors' ids (nearest first).
recounted = Signal()
# Sent inside a move's (or a deletion's) transaction before the paths change: the subtree of
# ``unit_id`` leaves the subtrees of ``leave`` and joins those of ``join`` (ids).
shifted = Signal()
# Sent inside a move's transaction after the paths changed: ``unit_id`` now sits under its new
# parent, its subtree at new paths and depths; it was at ``old_path``, ``old_depth`` (apps keeping
# copies of those follow).
moved = Signal()
# Sent inside ``rebuild``'s transaction: recompute everything from scratch.
rebuilt = Signal()

Key = tuple[int, ...]


def lock() -> None:
    """Serialise the writers of tallies (drains, moves, rebuilds) until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TALLY_LOCK_KEY])


def touch(unit_ids: Iterable[int | None]) -> None:
    """Mark units whose own figures may have changed: the next drain recounts them."""
    ids = sorted({pk for pk in unit_ids if pk is not None})
    if ids:
        DirtyUnit.objects.bulk_create([DirtyUnit(unit_id=pk) for pk in ids], batch_size=2000)


def touch_kind(kind_id: int) -> None:
    """Every unit of a kind whose "grassroots" flag changed."""
    touch(Unit.objects.filter(kind_id=kind_id).values_list("pk", flat=True))


def ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_STEP, len(path), PATH_STEP)]


def chains(paths: Mapping[int, str]) -> dict[int, list[int]]:
    """For each unit (id → path): its id, then its ancestors' ids from the nearest up."""
    above = sorted({p for path in paths.values() for p in ancestor_paths(path)})
    ids: dict[str, int] = {}
    for start in range(0, len(above), 5000):
        ids.update(Unit.objects.filter(path__in=above[start : start + 5000]).values_list("path", "pk"))
    return {
        pk: [pk, *(ids[p] for p in reversed(ancestor_paths(path)) if p in ids)] for pk, path in sorted(paths.items())
    }


def shift(sums: Sequence[int], leave: Sequence[int], join: Sequence[int], prefix: Key = ()) -> dict[Key, list[int]]:
    """The changes that take ``sums`` out of the ``leave`` rows and into the ``join`` rows."""
    changes: dict[Key, list[int]] = defaultdict(lambda: [0] * len(sums))
    for sign, ids in ((-1, leave), (1, join)):
        for pk in ids:
            row = changes[(*prefix, pk)]
            for i, value in enumerate(sums):
                row[i] += sign * value
    return {key: row for key, row in changes.items() if any(row)}


def _where(keys: Sequence[str], part: Sequence[Key]) -> Q:
    """The rows of ``part``: the last key as ``__in``, grouped by the others."""
    groups: dict[Key, list[int]] = defaultdict(list)
    for key in part:
        groups[key[:-1]].append(key[-1])
    return reduce(
        or_,
        (Q(**dict(zip(keys[:-1], head, strict=True)), **{f"{keys[-1]}__in": tail}) for head, tail in groups.items()),
    )


def write(
    model: type[models.Model],
    keys: Sequence[str],
    add: Mapping[Key, Sequence[int]],
    add_fields: Sequence[str],
    put: Mapping[Key, Sequence[int]] | None = None,
    put_fields: Sequence[str] = (),
) -> None:
    """Add ``add[key]`` to ``add_fields`` and set ``put_fields`` to ``put[key]`` in the rows of
    ``model`` identified by ``keys``; missing rows are created at zero first. One INSERT … ON
    CONFLICT DO NOTHING and one UPDATE … CASE per ``WRITE_CHUNK`` rows."""
    put = put or {}
    add = {key: values for key, values in add.items() if any(values)}
    touched = sorted(set(add) | set(put))
    if not touched:
        return
    model._default_manager.bulk_create(
        [model(**dict(zip(keys, key, strict=True))) for key in touched], ignore_conflicts=True, batch_size=1000
    )

    def match(key: Key) -> Q:
        return Q(**dict(zip(keys, key, strict=True)))

    for start in range(0, len(touched), WRITE_CHUNK):
        part = touched[start : start + WRITE_CHUNK]
        changes: dict[str, Any] = {}
        for i, name in enumerate(add_fields):
            whens = [When(match(key), then=Value(add[key][i])) for key in part if key in add and add[key][i]]
            if whens:
                changes[name] = F(name) + Case(*whens, default=Value(0), output_field=models.IntegerField())
        for i, name in enumerate(put_fields):
            whens = [When(match(key), then=Value(put[key][i])) for key in part if key in put]
            if whens:
                changes[name] = Case(*whens, default=F(name), output_field=models.IntegerField())
        if changes:
            model._default_manager.filter(_where(keys, part)).update(**changes)


def drain() -> int:
    """Recount the dirty units and carry the differences up; returns the marks consumed."""
    # The first mark by the primary key: a queue's deleted rows are skipped by the index, where
    # a plain EXISTS would scan them in the heap until the table is vacuumed.
    if not DirtyUnit.objects.order_by("pk").values_list("pk", flat=True)[:1]:
        return 0
    consumed = 0
    while True:
        with transaction.atomic():
            lock()
            taken = _drain_batch()
        consumed += taken
        if taken < DRAIN_BATCH:
            return consumed


def _drain_batch() -> int:
    marks = list(DirtyUnit.objects.order_by("id").values_list("id", "unit_id")[:DRAIN_BATCH])
    if not marks:
        return 0
    rows = (
        Unit.objects.filter(pk__in={unit_id for _id, unit_id in marks})
        .order_by()
        .annotate(active=Count("members", filter=Q(members__status=ACTIVE_MEMBER)))
        .values_list(
            "pk", "path", "kind__is_grassroots", "dissolved_on", "active", "tally__own_members", "tally__own_grassroots"
        )
    )
    found = list(rows)
    linked = chains({pk: path for pk, path, *_rest in found})
    add: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    put: dict[Key, list[int]] = {}
    for pk, _path, grassroots, dissolved_on, active, own_members, own_grassroots in found:
        now = [active, int(grassroots and dissolved_on is None)]
        delta = [now[0] - (own_members or 0), now[1] - (own_grassroots or 0)]
        if any(delta):
            put[(pk,)] = now
            for above in linked[pk]:
                add[(above,)][0] += delta[0]
                add[(above,)][1] += delta[1]
    write(UnitTally, ("unit_id",), add, ("members", "grassroots"), put, ("own_members", "own_grassroots"))
    recounted.send(sender=Unit, chains=linked)
    DirtyUnit.objects.filter(pk__in=[pk for pk, _unit_id in marks]).delete()
    return len(marks)


def carry(unit: Unit, new_parent: Unit | None) -> None:
    """Before ``unit`` (read after the tree lock) moves under ``new_parent`` (None: it is deleted):
    its subtree's sums leave its ancestors' rows and join the new ones'. In the caller's transaction."""
    lock()
    leave = list(Unit.objects.filter(path__in=unit.ancestor_paths()).values_list("pk", flat=True))
    join = []
    if new_parent is not None:
        join = [*Unit.objects.filter(path__in=new_parent.ancestor_paths()).values_list("pk", flat=True), new_parent.pk]
    sums = UnitTally.objects.filter(unit=unit).values_list("members", "grassroots").first()
    if sums:
        write(UnitTally, ("unit_id",), shift(sums, leave, join), ("members", "grassroots"))
    shifted.send(sender=Unit, unit_id=unit.pk, leave=leave, join=join)


def roll_up(own: Iterable[tuple[Key, str, Sequence[int]]]) -> dict[tuple[Key, str], list[int]]:
    """Sums of ``own`` figures (prefix key, unit path, values) over every path's ancestors and itself."""
    sums: dict[tuple[Key, str], list[int]] = {}
    for prefix, path, values in own:
        for end in range(PATH_STEP, len(path) + 1, PATH_STEP):
            row = sums.setdefault((prefix, path[:end]), [0] * len(values))
            for i, value in enumerate(values):
                row[i] += value
    return sums


@transaction.atomic
def rebuild() -> int:
    """Recompute every unit's row from the members and the units, and have the other apps
    recompute theirs (``rebuilt``); returns the rows written here.

    The dirty marks read first are then deleted: everything they stood for was committed
    before the counting started, so it is counted. Marks committed since stay for a drain.
    """
    lock()
    marks = list(DirtyUnit.objects.values_list("id", flat=True))
    own: dict[str, tuple[int, list[int]]] = {}
    counted = (
        Unit.objects.order_by()
        .annotate(active=Count("members", filter=Q(members__status=ACTIVE_MEMBER)))
        .values_list("pk", "path", "kind__is_grassroots", "dissolved_on", "active")
    )
    for pk, path, grassroots, dissolved_on, active in counted.iterator(chunk_size=10000):
        own[path] = (pk, [active, int(grassroots and dissolved_on is None)])
    sums = roll_up(((), path, values) for path, (_pk, values) in own.items())
    UnitTally.objects.all().delete()
    rows = [
        UnitTally(
            unit_id=own[path][0],
            own_members=own[path][1][0],
            own_grassroots=own[path][1][1],
            members=values[0],
            grassroots=values[1],
        )
        for (_prefix, path), values in sums.items()
        if path in own and (any(values) or any(own[path][1]))
    ]
    UnitTally.objects.bulk_create(rows, batch_size=5000)
    rebuilt.send(sender=Unit)
    for start in range(0, len(marks), 5000):
        DirtyUnit.objects.filter(pk__in=marks[start : start + 5000]).delete()
    return len(rows)
