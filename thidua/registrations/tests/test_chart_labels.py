"""Axis labels of the coverage chart: short, and never the same for two sibling units."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from thidua.registrations.selectors import AXIS_LABEL_MAX, ELLIPSIS, sibling_labels
from thidua.testing import make_unit

from .helpers import open_plan

DISTRICTS = "district-federation"
SECTORS = "local-sector-union"

# The children of a province in the demo (Bắc Kạn), ordered by name as the coverage page lists them;
# every district federation's short name is "LĐLĐ", so short names cannot tell them apart.
BAC_KAN = [
    ("Công đoàn Viên chức tỉnh Bắc Kạn", SECTORS),
    ("Công đoàn ngành Công Thương tỉnh Bắc Kạn", SECTORS),
    ("Công đoàn ngành Giáo dục tỉnh Bắc Kạn", SECTORS),
    ("Công đoàn ngành Y tế tỉnh Bắc Kạn", SECTORS),
    ("Liên đoàn Lao động Thành phố Bắc Kạn", DISTRICTS),
    ("Liên đoàn Lao động huyện Ba Bể", DISTRICTS),
    ("Liên đoàn Lao động huyện Bạch Thông", DISTRICTS),
    ("Liên đoàn Lao động huyện Chợ Mới", DISTRICTS),
    ("Liên đoàn Lao động huyện Chợ Đồn", DISTRICTS),
    ("Liên đoàn Lao động huyện Na Rì", DISTRICTS),
    ("Liên đoàn Lao động huyện Ngân Sơn", DISTRICTS),
    ("Liên đoàn Lao động huyện Pác Nặm", DISTRICTS),
]


def test_words_shared_by_all_siblings_at_the_front_are_dropped():
    assert sibling_labels(["Liên đoàn Lao động huyện Ba Bể", "Liên đoàn Lao động huyện Na Rì"]) == ["Ba Bể", "Na Rì"]
    names = [
        "Công đoàn cơ sở Trường THCS Nam Mẫu",
        "Công đoàn cơ sở Trường Tiểu học Nam Mẫu",
        "Công đoàn cơ sở UBND xã Nam Mẫu",
    ]
    assert sibling_labels(names) == ["Trường THCS Nam Mẫu", "Trường Tiểu học Nam Mẫu", "UBND xã Nam Mẫu"]


def test_a_province_s_children_are_told_apart_by_kind_and_first_word():
    labels = sibling_labels([name for name, _ in BAC_KAN], [kind for _, kind in BAC_KAN])
    assert labels == [
        "Viên chức tỉnh Bắc Kạn",
        "ngành Công Thương tỉnh Bắc Kạn",
        "ngành Giáo dục tỉnh Bắc Kạn",
        "ngành Y tế tỉnh Bắc Kạn",
        "Thành phố Bắc Kạn",
        "huyện Ba Bể",
        "huyện Bạch Thông",
        "huyện Chợ Mới",
        "huyện Chợ Đồn",
        "huyện Na Rì",
        "huyện Ngân Sơn",
        "huyện Pác Nặm",
    ]


def test_one_odd_name_does_not_stop_the_others_being_shortened():
    # Grouped by first word too: the abbreviated one keeps its name, the rest lose the shared prefix.
    names = ["CĐCS Trường Một", "Công đoàn cơ sở Trường Hai", "Công đoàn cơ sở Trạm Y tế Ba"]
    assert sibling_labels(names) == ["CĐCS Trường Một", "Trường Hai", "Trạm Y tế Ba"]


def test_a_lone_unit_and_a_name_that_is_all_prefix_keep_a_real_label():
    assert sibling_labels(["Liên đoàn Lao động huyện Ba Bể"]) == ["Liên đoàn Lao động huyện Ba Bể"]
    # Each label keeps at least one word, never "" and never just the tail of a longer name.
    assert sibling_labels(["Công đoàn cơ sở Trường A", "Công đoàn cơ sở Trường A mới"]) == ["A", "A mới"]


def test_a_label_shared_after_stripping_falls_back_to_the_full_name():
    # Two kinds end in the same word: "Hai" alone would label two different bars.
    names = ["Công đoàn cơ sở Hai", "Công đoàn cơ sở Một", "Liên đoàn Hai", "Liên đoàn Ba"]
    labels = sibling_labels(names, ["grassroots", "grassroots", "other", "other"])
    assert labels == ["Công đoàn cơ sở Hai", "Một", "Liên đoàn Hai", "Ba"]
    names = ["Tổ công đoàn Toán", "Tổ công đoàn Văn", "Toán"]
    assert sibling_labels(names, ["group", "group", "other"]) == ["Tổ công đoàn Toán", "Văn", "Toán"]


def test_identical_names_are_numbered_in_row_order_and_case_does_not_hide_a_clash():
    labels = sibling_labels(["Trường Một", "Trường Một", "Trường Một (1)", "B"])
    # Not "Trường Một (1)": that is another unit's real name.
    assert labels == ["Trường Một (2)", "Trường Một (3)", "Một (1)", "B"]
    assert len({label.casefold() for label in labels}) == 4
    labels = sibling_labels(["LĐLĐ huyện Ba Bể", "LĐLĐ Huyện Ba Bể"], [1, 2])
    assert len({label.casefold() for label in labels}) == 2


def test_long_labels_lose_their_middle_on_word_boundaries():
    names = [
        "Công đoàn cơ sở Sở Nông nghiệp và Phát triển nông thôn",
        "Công đoàn cơ sở Sở Tư pháp",
        "Công đoàn cơ sở Văn phòng UBND tỉnh",
    ]
    labels = sibling_labels(names)
    assert labels == ["Sở Nông nghiệp … triển nông thôn", "Sở Tư pháp", "Văn phòng UBND tỉnh"]
    assert len(labels[0]) <= AXIS_LABEL_MAX
    long = sibling_labels(["Công đoàn cơ sở Công ty Xăng dầu Bắc Thái – Chi nhánh Bắc Kạn", "Công đoàn cơ sở B"])
    assert long[0] == f"Công ty Xăng {ELLIPSIS} Chi nhánh Bắc Kạn"  # no dangling dash before the "…"


def test_an_unbroken_value_is_cut_inside_and_still_fits():
    labels = sibling_labels(["X" * 250, "Y" * 250])
    assert [len(label) for label in labels] == [AXIS_LABEL_MAX, AXIS_LABEL_MAX]
    assert labels[0] == "X" * 12 + ELLIPSIS + "X" * 19


def test_shortening_never_makes_two_labels_equal():
    names = [
        "Công ty Cổ phần Dược phẩm số một của tỉnh Bắc Kạn",
        "Công ty Cổ phần Khoáng sản số một của tỉnh Bắc Kạn",
    ]
    # Both would be "Công ty Cổ phần … của tỉnh Bắc Kạn": they stay whole instead.
    assert sibling_labels(names, ["company", "mine"], max_length=36) == names
    assert sibling_labels([]) == []


def test_whitespace_is_normalised_before_comparing():
    assert sibling_labels(["Liên đoàn  Lao động huyện Ba Bể ", "Liên đoàn Lao động huyện\tNa Rì"]) == ["Ba Bể", "Na Rì"]


@pytest.mark.django_db
def test_coverage_page_labels_each_bar_with_its_own_unit(client, world):
    plan = open_plan(world)
    for name, kind in BAC_KAN[:4]:
        make_unit(world.P, name, kind)
    for name in ("Liên đoàn Lao động huyện Ba Bể", "Liên đoàn Lao động huyện Na Rì"):
        make_unit(world.P, name, DISTRICTS)
    client.force_login(world.users["province"])
    response = client.get(reverse("registrations:coverage", args=[plan.pk]), {"unit": world.P.pk})
    assert response.status_code == 200
    rows = response.context["rows"]
    chart = json.loads(response.content.decode().split('id="coverage-data" type="application/json">')[1].split("<")[0])
    assert chart["names"] == [row.unit.name for row in rows]
    assert chart["labels"] == sibling_labels([r.unit.name for r in rows], [r.unit.kind_id for r in rows])
    assert chart["labels"] == [
        "Viên chức tỉnh Bắc Kạn",
        "ngành Công Thương tỉnh Bắc Kạn",
        "ngành Giáo dục tỉnh Bắc Kạn",
        "ngành Y tế tỉnh Bắc Kạn",
        "Ba Bể",
        "Hai",
        "Một",
        "Na Rì",
    ]
    assert chart["members"] == [row.member_rate for row in rows]
    assert chart["member_counts"] == [[row.registered_members, row.members] for row in rows]
    # The export is unchanged: full names, one row per unit and the total.
    export = client.get(reverse("registrations:coverage", args=[plan.pk]), {"unit": world.P.pk, "format": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
