"""Deterministic generators for the demo tree and the benchmark trees.

Units are built in memory with their materialised paths already computed,
then bulk-inserted level by level: a province loads in seconds and the
national-shaped tree (~130k units) without one query per node.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count as count_from
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from thidua.demo import names
from thidua.members.models import Member
from thidua.units import tallies
from thidua.units.models import Unit, UnitKind

ALPHABET = Unit.alphabet
STEP = Unit.steplen


def step(index: int) -> str:
    """treebeard's path step: base-36, zero-padded to ``steplen``."""
    digits = ""
    while index:
        index, rem = divmod(index, len(ALPHABET))
        digits = ALPHABET[rem] + digits
    return digits.rjust(STEP, "0")


@dataclass
class Node:
    name: str
    kind: str
    code: str
    short_name: str = ""
    place_name: str = ""  # where its documents are dated from; "" = the nearest unit above
    weight: float = 0.0  # share of members; 0 = none directly
    profile: str = "office"
    children: list[Node] = field(default_factory=list)
    path: str = ""
    obj: Unit | None = None

    def add(self, *args: object, **kwargs: object) -> Node:
        child = Node(*args, **kwargs)  # type: ignore[arg-type]
        self.children.append(child)
        return child


def assign_paths(roots: list[Node], start: int = 1) -> list[Node]:
    ordered: list[Node] = []
    stack = [(root, step(start + i)) for i, root in enumerate(roots)]
    while stack:
        node, path = stack.pop()
        node.path = path
        ordered.append(node)
        stack.extend((child, path + step(j + 1)) for j, child in enumerate(node.children))
    return ordered


def save_tree(roots: list[Node], *, batch_size: int = 2000) -> list[Node]:
    """Insert the nodes, parents before children, and return them in path order."""
    existing_roots = Unit.objects.filter(depth=1).count()
    nodes = assign_paths(roots, start=existing_roots + 1)
    kinds = {k.code: k for k in UnitKind.objects.all()}
    parent_of: dict[str, Node] = {}
    for node in nodes:
        for child in node.children:
            parent_of[child.path] = node
    by_depth: dict[int, list[Node]] = {}
    for node in nodes:
        by_depth.setdefault(len(node.path) // STEP, []).append(node)
    for depth in sorted(by_depth):
        objs = []
        for node in by_depth[depth]:
            parent = parent_of.get(node.path)
            unit = Unit(
                path=node.path,
                depth=depth,
                numchild=len(node.children),
                kind=kinds[node.kind],
                name=node.name,
                short_name=node.short_name,
                place_name=node.place_name,
                code=node.code,
                parent=parent.obj if parent else None,
            )
            unit.refresh_search_text()
            objs.append(unit)
        created = Unit.objects.bulk_create(objs, batch_size=batch_size)
        for node, unit in zip(by_depth[depth], created, strict=True):
            node.obj = unit
    return sorted(nodes, key=lambda n: n.path)


# --- Members -------------------------------------------------------------

JOBS = {
    "school": [
        ("Giáo viên", 70),
        ("Nhân viên", 15),
        ("Kế toán", 5),
        ("Hiệu trưởng", 3),
        ("Phó Hiệu trưởng", 4),
        ("Bảo vệ", 3),
    ],
    "health": [
        ("Bác sĩ", 25),
        ("Điều dưỡng", 35),
        ("Hộ sinh", 8),
        ("Dược sĩ", 8),
        ("Kỹ thuật viên", 12),
        ("Nhân viên", 12),
    ],
    "company": [("Công nhân", 70), ("Kỹ sư", 10), ("Nhân viên văn phòng", 12), ("Lái xe", 5), ("Quản đốc", 3)],
    "office": [("Chuyên viên", 55), ("Cán bộ", 25), ("Kế toán", 8), ("Văn thư", 7), ("Nhân viên", 5)],
}
FEMALE_SHARE = {"school": 0.78, "health": 0.68, "company": 0.38, "office": 0.5}
POSITIONS = ["Chủ tịch Công đoàn cơ sở", "Phó Chủ tịch Công đoàn", "Tổ trưởng công đoàn", "Ủy viên Ban Chấp hành"]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def person(rng: random.Random, profile: str) -> dict[str, object]:
    female = rng.random() < FEMALE_SHARE.get(profile, 0.5)
    family = _weighted(rng, names.FAMILY_NAMES)
    middle = rng.choice(names.FEMALE_MIDDLE if female else names.MALE_MIDDLE)
    given = rng.choice(names.FEMALE_GIVEN if female else names.MALE_GIVEN)
    birth_year = rng.randint(1966, 2003)
    born = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    joined_year = min(2018, max(birth_year + 20, 1990) + rng.randint(0, 12))
    return {
        "full_name": f"{family} {middle} {given}",
        "given_name": given,
        "gender": Member.Gender.FEMALE if female else Member.Gender.MALE,
        "birth_year": birth_year,
        "date_of_birth": born,
        "joined_on": dt.date(joined_year, rng.randint(1, 12), rng.randint(1, 28)),
        "job": _weighted(rng, JOBS.get(profile, JOBS["office"])),
        "phone": "0" + rng.choice("389") + "".join(rng.choice("0123456789") for _ in range(8)),
    }


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by weights into integers that add up exactly (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@lru_cache(maxsize=50_000)
def _derived(full_name: str, given_name: str) -> tuple[str, str]:
    """search_name and sort_key for a name (names repeat a lot, so this is cached)."""
    probe = Member(full_name=full_name, given_name=given_name)
    probe.refresh_derived()
    return probe.search_name, probe.sort_key


MEMBER_COLUMNS = [
    "unit_id",
    "full_name",
    "given_name",
    "gender",
    "birth_year",
    "position",
    "job",
    "joined_on",
    "status",
    "phone",
    "id_number",
    "date_of_birth",
    "search_name",
    "sort_key",
    "created_at",
    "updated_at",
]


def iter_member_rows(
    rng: random.Random, nodes: list[Node], total: int, first_serial: int = 1
) -> Iterator[tuple[object, ...]]:
    """Member rows in MEMBER_COLUMNS order; names unique per unit and birth year (as the service requires)."""
    hosts = [n for n in nodes if n.weight > 0]
    counts = allocate(total, [n.weight for n in hosts])
    now = timezone.now()
    serials = count_from(first_serial)
    for node, count in zip(hosts, counts, strict=True):
        if node.obj is None:
            raise RuntimeError("save_tree() must run before members are generated")
        seen: set[tuple[str, int]] = set()
        made = 0
        while made < count:
            data = person(rng, node.profile)
            full_name, given, birth_year = str(data["full_name"]), str(data["given_name"]), int(data["birth_year"])  # type: ignore[call-overload]
            if (full_name, birth_year) in seen:
                continue
            seen.add((full_name, birth_year))
            position = POSITIONS[made] if made < 3 else ""
            search_name, sort_key = _derived(full_name, given)
            # Citizen IDs must be unique: a bijective scramble of a running counter.
            serial = next(serials)
            data["id_number"] = f"0{(serial * 7919 + 104729) % 10**11:011d}"
            made += 1
            yield (
                node.obj.pk,
                full_name,
                given,
                data["gender"],
                birth_year,
                position,
                data["job"],
                data["joined_on"],
                Member.Status.ACTIVE,
                data["phone"],
                data["id_number"],
                data["date_of_birth"],
                search_name,
                sort_key,
                now,
                now,
            )


def save_members(rng: random.Random, nodes: list[Node], total: int, *, batch_size: int = 5000) -> int:
    """Insert the members: COPY on PostgreSQL, batched INSERTs elsewhere."""
    # Serials continue after the members already stored, so citizen IDs stay unique across trees.
    rows = iter_member_rows(rng, nodes, total, first_serial=Member.objects.count() + 1)
    saved = 0
    if connection.vendor == "postgresql":
        table = Member._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(MEMBER_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                saved += 1
        return saved
    while batch := list(islice(rows, batch_size)):
        Member.objects.bulk_create([Member(**dict(zip(MEMBER_COLUMNS, row, strict=True))) for row in batch])
        saved += len(batch)
    return saved


# --- Shapes --------------------------------------------------------------


def bac_kan_tree(rng: random.Random) -> Node:
    """TLĐ → LĐLĐ tỉnh Bắc Kạn → 8 district federations + sector unions → grassroots → groups."""
    root = Node("Tổng Liên đoàn Lao động Việt Nam", "confederation", "TLD", "TLĐ", place_name="Hà Nội")
    province = root.add(
        "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK", "LĐLĐ", place_name="Bắc Kạn", weight=30
    )
    for district_name, code, communes in names.DISTRICTS:
        prefix = "" if district_name.startswith("Thành phố") else "huyện "
        district = province.add(
            f"Liên đoàn Lao động {prefix}{district_name}",
            "district-federation",
            f"BK-{code}",
            "LĐLĐ",
            # Documents are dated where the body sits: "Ba Bể, ngày …"; the city's keep "Bắc Kạn".
            place_name=district_name.removeprefix("Thành phố "),
            weight=8,
        )
        n = 0
        for commune in communes:
            level = "phường" if commune in names.WARDS else "thị trấn" if commune in names.TOWNS else "xã"
            n += 1
            district.add(
                f"Công đoàn cơ sở UBND {level} {commune}",
                "grassroots",
                f"BK-{code}-{n:03d}",
                "CĐCS",
                weight=rng.uniform(18, 32),
                profile="office",
            )
            schools = ["Trường Mầm non", "Trường Tiểu học", "Trường THCS"]
            for school in rng.sample(schools, k=rng.choice([1, 1, 2, 2])):
                n += 1
                unit = district.add(
                    f"Công đoàn cơ sở {school} {commune}",
                    "grassroots",
                    f"BK-{code}-{n:03d}",
                    "CĐCS",
                    weight=rng.uniform(18, 40),
                    profile="school",
                )
                if rng.random() < 0.08:
                    for g in range(1, 3):
                        unit.add(
                            f"Tổ công đoàn số {g} – {school} {commune}",
                            "union-group",
                            f"{unit.code}-T{g}",
                            weight=rng.uniform(6, 12),
                            profile="school",
                        )
            if rng.random() < 0.25:
                n += 1
                district.add(
                    f"Công đoàn cơ sở Trạm Y tế {level} {commune}",
                    "grassroots",
                    f"BK-{code}-{n:03d}",
                    "CĐCS",
                    weight=rng.uniform(5, 9),
                    profile="health",
                )
    sector_units = {
        "education": (names.HIGH_SCHOOLS, "school", (40, 90)),
        "health": (names.HEALTH_UNITS, "health", (80, 400)),
        "industry": (names.COMPANIES, "company", (40, 300)),
        "civil": (names.CIVIL_UNITS, "office", (20, 60)),
    }
    for index, (name, short, key) in enumerate(names.SECTOR_UNIONS, start=1):
        sector = province.add(name, "local-sector-union", f"BK-N{index}", short, weight=6)
        unit_names, profile, (low, high) = sector_units[key]
        for j, unit_name in enumerate(unit_names, start=1):
            unit = sector.add(
                f"Công đoàn cơ sở {unit_name}",
                "grassroots",
                f"BK-N{index}-{j:03d}",
                "CĐCS",
                weight=rng.uniform(low, high),
                profile=profile,
            )
            if profile == "health" and j == 1:
                for dept in ["Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi"]:
                    dep = unit.add(
                        f"Công đoàn bộ phận {dept}",
                        "department-union",
                        f"{unit.code}-{dept[-3:].upper()}",
                        weight=rng.uniform(20, 40),
                        profile="health",
                    )
                    dep.add(
                        f"Tổ công đoàn {dept} – ca 1",
                        "union-group",
                        f"{dep.code}-T1",
                        weight=rng.uniform(8, 15),
                        profile="health",
                    )
    return root


PROVINCES = [
    "Hà Nội",
    "Hồ Chí Minh",
    "Hải Phòng",
    "Đà Nẵng",
    "Cần Thơ",
    "An Giang",
    "Bà Rịa – Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Tĩnh",
    "Hải Dương",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
]
GRASSROOTS_KINDS = [
    ("Trường Tiểu học", "school"),
    ("Trường THCS", "school"),
    ("UBND xã", "office"),
    ("Công ty", "company"),
    ("Trạm Y tế", "health"),
]


def national_tree(rng: random.Random, *, districts: int = 10, grassroots_per_district: int = 190) -> Node:
    """TLĐ → 63 provinces + 20 central sector unions → districts → grassroots (~130k units)."""
    root = Node("Tổng Liên đoàn Lao động Việt Nam (quốc gia)", "confederation", "VN", "TLĐ")
    for p, province_name in enumerate(PROVINCES, start=1):
        province = root.add(
            f"Liên đoàn Lao động tỉnh {province_name}", "provincial-federation", f"P{p:02d}", "LĐLĐ", weight=20
        )
        for d in range(1, districts + 1):
            district = province.add(
                f"Liên đoàn Lao động huyện số {d} – {province_name}",
                "district-federation",
                f"P{p:02d}-D{d:02d}",
                "LĐLĐ",
                weight=5,
            )
            for g in range(1, grassroots_per_district + 1):
                label, profile = GRASSROOTS_KINDS[g % len(GRASSROOTS_KINDS)]
                district.add(
                    f"Công đoàn cơ sở {label} số {g} – huyện {d}, {province_name}",
                    "grassroots",
                    f"P{p:02d}-D{d:02d}-{g:04d}",
                    weight=rng.uniform(15, 60),
                    profile=profile,
                )
        for s in range(1, 5):
            sector = province.add(
                f"Công đoàn ngành số {s} – {province_name}", "local-sector-union", f"P{p:02d}-N{s}", "CĐN", weight=4
            )
            for g in range(1, 51):
                sector.add(
                    f"Công đoàn cơ sở đơn vị {g} ngành {s} – {province_name}",
                    "grassroots",
                    f"P{p:02d}-N{s}-{g:03d}",
                    weight=rng.uniform(20, 120),
                    profile="office",
                )
    for c in range(1, 21):
        central = root.add(f"Công đoàn ngành trung ương số {c}", "central-sector-union", f"C{c:02d}", "CĐN", weight=10)
        for g in range(1, 51):
            central.add(
                f"Công đoàn cơ sở tổng công ty {g} – ngành {c}",
                "grassroots",
                f"C{c:02d}-{g:03d}",
                weight=rng.uniform(50, 400),
                profile="company",
            )
    return root


@transaction.atomic
def build(shape: str, *, members: int, seed: int = 2018) -> tuple[int, int]:
    """Create a tree of ``shape`` ("bac-kan" or "national") with ``members`` members."""
    rng = random.Random(f"{shape}:{seed}")
    root = bac_kan_tree(rng) if shape == "bac-kan" else national_tree(rng)
    nodes = save_tree([root])
    saved = save_members(rng, nodes, members)
    tallies.rebuild()  # bulk inserts bypass the services that keep the subtree counts
    return len(nodes), saved
