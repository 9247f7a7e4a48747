"""Test building blocks shared by every app: the persona world and factories.

The world is a small union tree built through the services (as users would):

    R  Tổng Liên đoàn
    ├── P  LĐLĐ tỉnh Alpha            ← province officer, council member
    │   ├── D1 LĐLĐ huyện Một          ← district officer
    │   │   ├── G1 CĐCS Trường Một     ← grassroots officer
    │   │   │   └── T1 CĐ bộ phận
    │   │   │       └── T1a Tổ công đoàn
    │   │   └── G1b CĐCS Trạm Y tế Một
    │   └── D2 LĐLĐ huyện Hai
    │       └── G2 CĐCS Xã Hai
    └── P2 LĐLĐ tỉnh Beta
        └── D3 LĐLĐ huyện Ba
            └── G3 CĐCS Công ty Ba
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from freezegun import freeze_time

from thidua.accounts.models import Role, User
from thidua.accounts.services import assignment_create
from thidua.members.models import Member
from thidua.members.services import member_create
from thidua.units.kinds import DEFAULT_KINDS
from thidua.units.models import Unit, UnitKind
from thidua.units.services import unit_create

PASSWORD = "Mật-khẩu-thử-2025"
_counter = itertools.count(1)


def kind(code: str) -> UnitKind:
    """The shipped kind with this code (re-created after a transactional test's flush)."""
    kind = UnitKind.objects.filter(code=code).first()
    if kind is None:
        for kind_code, name, name_en, level, grassroots in DEFAULT_KINDS:
            UnitKind.objects.get_or_create(
                code=kind_code, defaults={"name": name, "name_en": name_en, "level": level, "is_grassroots": grassroots}
            )
        UnitKind.objects.get_or_create(code=LEAF_KIND, defaults={"name": "Nhóm thử", "level": 9})
        kind = UnitKind.objects.get(code=code)
    return kind


def title(name: str) -> Any:
    """A shipped title of the catalogue (re-created after a transactional test's flush)."""
    from thidua.campaigns.models import Title
    from thidua.campaigns.titles import DEFAULT_TITLES

    found = Title.objects.filter(name=name).first()
    if found is None:
        for position, (title_name, kind_, collective, individual, union) in enumerate(DEFAULT_TITLES, start=1):
            Title.objects.get_or_create(
                name=title_name,
                defaults={
                    "kind": kind_,
                    "for_collective": collective,
                    "for_individual": individual,
                    "is_union": union,
                    "position": position,
                },
            )
        found = Title.objects.get(name=name)
    return found


# A kind below every shipped one, so tests can hang a leaf under any unit.
LEAF_KIND = "test-leaf"


def make_unit(parent: Unit | None, name: str, kind_code: str = "grassroots", code: str | None = None) -> Unit:
    return unit_create(parent=parent, kind=kind(kind_code), name=name, code=code or f"U{next(_counter):05d}")


_GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh", "Nga", "Sơn", "Thu", "Vân"]


def make_member(unit: Unit, full_name: str | None = None, **fields: Any) -> Member:
    n = next(_counter)
    data: dict[str, Any] = {
        "full_name": full_name or f"Nguyễn Văn {_GIVEN[n % len(_GIVEN)]} {chr(65 + n % 26)}",
        "gender": Member.Gender.MALE,
        "birth_year": 1980 + n % 20,
    }
    data.update(fields)
    return member_create(unit=unit, **data)


def system_admin() -> User:
    """The system administrator who hands out the personas' roles (no role of its own)."""
    admin = User.objects.filter(username="he-thong").first()
    return admin or User.objects.create_user(username="he-thong", password=PASSWORD, is_superuser=True)


def make_user(username: str, *roles: tuple[Unit, str], superuser: bool = False) -> User:
    """An account with roles granted through the service, as an administrator would."""
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username, is_superuser=superuser)
    for unit, role in roles:
        assignment_create(user=user, unit=unit, role=role, by=system_admin())
    return user


def run_concurrently(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in real threads (own database connections) released at one barrier.

    Returns each job's result or the exception it raised, in order; the test inspects them.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 - each outcome is inspected by the test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def frozen(moment: Any) -> Any:
    """The one way tests control time: ``with frozen("2025-02-01 09:00"):`` (or as a decorator).

    Every clock of the project reads ``django.utils.timezone.now()``, which this freezes; a
    naive moment is taken as UTC, as freezegun does.
    """
    return freeze_time(moment)


@dataclass
class World:
    units: dict[str, Unit]
    users: dict[str, User | None]
    # For each actor: the unit playing own/child/grandchild/sibling/parent/other for them.
    targets: dict[str, dict[str, Unit]] = field(default_factory=dict)
    actor: str = ""  # set by the scope-matrix harness while it runs one actor's cases

    def destination(self) -> Unit:
        """A unit under the current actor's own unit to move or merge things into."""
        own = self.targets[self.actor]["own"]
        existing = Unit.objects.filter(parent=own, code=f"DEST-{own.code}").first()
        return existing or make_unit(own, "Tổ đích", "union-group", code=f"DEST-{own.code}")

    def __getattr__(self, name: str) -> Unit:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.units[name]
        except KeyError:
            raise AttributeError(name) from None


IN_SCOPE = ("own", "child", "grandchild")
RELATIONS = ("own", "child", "grandchild", "sibling", "parent", "other")


def build_world() -> World:
    kind("grassroots")
    UnitKind.objects.get_or_create(code=LEAF_KIND, defaults={"name": "Nhóm thử", "level": 9})
    R = make_unit(None, "Tổng Liên đoàn Thử", "confederation", "R")
    P = make_unit(R, "Liên đoàn Lao động tỉnh Alpha", "provincial-federation", "P")
    D1 = make_unit(P, "Liên đoàn Lao động huyện Một", "district-federation", "D1")
    G1 = make_unit(D1, "Công đoàn cơ sở Trường Một", "grassroots", "G1")
    T1 = make_unit(G1, "Công đoàn bộ phận Tổ Toán", "department-union", "T1")
    T1a = make_unit(T1, "Tổ công đoàn Toán 1", "union-group", "T1a")
    G1b = make_unit(D1, "Công đoàn cơ sở Trạm Y tế Một", "grassroots", "G1b")
    D2 = make_unit(P, "Liên đoàn Lao động huyện Hai", "district-federation", "D2")
    G2 = make_unit(D2, "Công đoàn cơ sở Xã Hai", "grassroots", "G2")
    P2 = make_unit(R, "Liên đoàn Lao động tỉnh Beta", "provincial-federation", "P2")
    D3 = make_unit(P2, "Liên đoàn Lao động huyện Ba", "district-federation", "D3")
    G3 = make_unit(D3, "Công đoàn cơ sở Công ty Ba", "grassroots", "G3")
    units = {u.code: Unit.objects.get(pk=u.pk) for u in (R, P, D1, G1, T1, T1a, G1b, D2, G2, P2, D3, G3)}
    u = units
    users: dict[str, User | None] = {
        "province": make_user("province", (u["P"], Role.OFFICER), (u["P"], Role.UNIT_ADMIN)),
        "district": make_user("district", (u["D1"], Role.OFFICER), (u["D1"], Role.UNIT_ADMIN)),
        "grassroots": make_user("grassroots", (u["G1"], Role.OFFICER)),
        "council": make_user("council", (u["P"], Role.COUNCIL)),
        "editor": make_user("editor", (u["D1"], Role.EDITOR)),
        "anonymous": None,
    }
    province_targets = {
        "own": u["P"],
        "child": u["D1"],
        "grandchild": u["G1"],
        "sibling": u["P2"],
        "parent": u["R"],
        "other": u["D3"],
    }
    district_targets = {
        "own": u["D1"],
        "child": u["G1"],
        "grandchild": u["T1"],
        "sibling": u["D2"],
        "parent": u["P"],
        "other": u["G2"],
    }
    targets = {
        "province": province_targets,
        "editor": district_targets,
        "council": province_targets,
        "anonymous": province_targets,
        "district": district_targets,
        "grassroots": {
            "own": u["G1"],
            "child": u["T1"],
            "grandchild": u["T1a"],
            "sibling": u["G1b"],
            "parent": u["D1"],
            "other": u["G2"],
        },
    }
    return World(units=units, users=users, targets=targets)
