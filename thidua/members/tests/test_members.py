from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from thidua.accounts.roles import Role
from thidua.members.models import Member
from thidua.members.services import member_create, member_update
from thidua.testing import make_member, make_unit, make_user

pytestmark = pytest.mark.django_db


def test_names_are_stored_nfc_trimmed_with_given_name(world):
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Thị  Ánh  ")
    member = member_create(unit=world.G1, full_name=nfd, gender="F", birth_year=1990)
    assert member.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", member.full_name)
    assert member.given_name == "Ánh"
    assert member.search_name == "nguyen thi anh"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_year": 1850}, "birth_year"),
        ({"birth_year": 2030}, "birth_year"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "Ánh"}, "full_name"),
        ({"full_name": "Nguyễn Văn 3"}, "full_name"),
        ({"phone": "12345"}, "phone"),
        ({"id_number": "12ab"}, "id_number"),
        ({"gender": "X"}, "gender"),
    ],
)
def test_bad_member_input_is_refused_with_a_vietnamese_message(world, fields, field):
    data = {"full_name": "Hoàng Văn Nam", "gender": "M", "birth_year": 1985, **fields}
    with pytest.raises(ValidationError) as exc:
        member_create(unit=world.G1, **data)
    assert field in exc.value.message_dict
    assert Member.objects.count() == 0


def test_duplicate_in_the_same_unit_is_refused_even_with_other_spelling(world):
    member_create(unit=world.G1, full_name="Đặng Văn Hùng", gender="M", birth_year=1980)
    nfd = unicodedata.normalize("NFD", "đặng  văn hùng")
    with pytest.raises(ValidationError, match="đã có đoàn viên"):
        member_create(unit=world.G1, full_name=nfd, gender="M", birth_year=1980)
    member_create(unit=world.G2, full_name="Đặng Văn Hùng", gender="M", birth_year=1980)
    assert Member.objects.count() == 2


def test_search_folds_diacritics(world):
    member_create(unit=world.G1, full_name="Nguyễn Văn Bình", gender="M", birth_year=1980)
    member_create(unit=world.G1, full_name="Đặng Thị Hoa", gender="F", birth_year=1981)
    member_create(unit=world.G1, full_name="Trần Thị Dung", gender="F", birth_year=1982)
    assert [m.full_name for m in Member.objects.search("nguyen van")] == ["Nguyễn Văn Bình"]
    assert [m.full_name for m in Member.objects.search("dang")] == ["Đặng Thị Hoa"]
    assert [m.full_name for m in Member.objects.search("ĐẶNG")] == ["Đặng Thị Hoa"]
    assert Member.objects.search("d").count() == 2


def test_changes_are_audited_with_who_and_what(world):
    user = world.users["district"]
    member = member_create(unit=world.G1, full_name="Ma Văn Tài", gender="M", birth_year=1980, by=user)
    member_update(member=member, position="Tổ trưởng", by=user)
    records = list(member.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].history_user == user
    delta = records[-1].diff_against(records[0])
    assert [c.field for c in delta.changes] == ["position"]


SENSITIVE_VALUES = ("0912345678", "001234567890")


def _sensitive_member(world):
    return make_member(
        world.G1, "Lục Thị Mai", gender="F", birth_year=1990, phone="0912345678", id_number="001234567890"
    )


@pytest.mark.parametrize("actor", ["council"])
def test_sensitive_fields_are_absent_for_roles_without_the_right(client, world, actor):
    member = _sensitive_member(world)
    client.force_login(world.users[actor])
    pages = [
        client.get(reverse("members:detail", args=[member.pk])).content.decode(),
        client.get(reverse("members:list")).content.decode(),
    ]
    for body in pages:
        for value in SENSITIVE_VALUES:
            assert value not in body
        assert "Số điện thoại" not in body and "Số CCCD" not in body
    api = client.get(f"/api/members/{member.pk}").json()
    assert "phone" not in api and "id_number" not in api and "date_of_birth" not in api
    api_list = client.get("/api/members").json()["items"][0]
    assert "phone" not in api_list
    workbook = load_workbook(io.BytesIO(client.get(reverse("members:export")).content))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert not any(value in cells for value in SENSITIVE_VALUES)
    assert "Số điện thoại" not in cells


def test_sensitive_fields_are_shown_to_officers(client, world):
    member = _sensitive_member(world)
    client.force_login(world.users["grassroots"])
    assert "0912345678" in client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert client.get(f"/api/members/{member.pk}").json()["phone"] == "0912345678"


def test_tampered_post_with_a_foreign_unit_changes_nothing(client, world):
    member = make_member(world.G1, "Bế Văn Sơn", birth_year=1980)
    client.force_login(world.users["grassroots"])
    response = client.post(
        reverse("members:edit", args=[member.pk]),
        {"unit": world.G2.pk, "full_name": "Bế Văn Sơn", "gender": "M", "birth_year": "1980", "status": "active"},
    )
    assert response.status_code == 400
    assert "ngoài phạm vi" in response.content.decode()
    assert Member.objects.get(pk=member.pk).unit_id == world.G1.pk


def test_form_errors_are_400_with_field_messages(client, world):
    client.force_login(world.users["grassroots"])
    response = client.post(
        reverse("members:create"),
        {"unit": world.G1.pk, "full_name": "Hà Văn Long", "gender": "M", "birth_year": "abc", "status": "active"},
    )
    assert response.status_code == 400
    assert "Năm sinh phải là một số" in response.content.decode()
    response = client.post(
        reverse("members:create"),
        {"unit": world.G1.pk, "full_name": "Hà Văn Long", "gender": "M", "birth_year": "1700", "status": "active"},
    )
    assert response.status_code == 400
    assert "Năm sinh 1700 không hợp lệ" in response.content.decode()
    assert Member.objects.count() == 0


def test_member_list_uses_a_fixed_number_of_queries(client, world):
    client.force_login(world.users["province"])

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [reverse("members:list"), reverse("members:list") + f"?unit={world.D1.pk}&q=nguyen", "/api/members"]
    for _ in range(5):
        make_member(world.G1)
    small = [count(u) for u in urls]
    extra = make_unit(world.D1, "Công đoàn cơ sở thêm")
    for i in range(60):
        make_member(extra if i % 2 else world.G1)
    large = [count(u) for u in urls]
    assert small == large
    assert max(large) <= 12


@pytest.mark.parametrize("limit", [1, 5000])
def test_member_list_scope_is_the_same_on_both_query_plans(world, monkeypatch, limit):
    from thidua.members import selectors

    monkeypatch.setattr(selectors, "SUBTREE_ID_LIMIT", limit)
    everywhere = [make_member(u) for u in (world.G1, world.T1a, world.G1b, world.G2, world.G3)]
    expected = {
        "grassroots": {everywhere[0].pk, everywhere[1].pk},
        "district": {m.pk for m in everywhere[:3]},
        "province": {m.pk for m in everywhere[:4]},
    }
    for actor, pks in expected.items():
        assert set(selectors.member_list(world.users[actor]).values_list("pk", flat=True)) == pks
    assert set(selectors.member_list(world.users["province"], unit=world.D1).values_list("pk", flat=True)) == {
        m.pk for m in everywhere[:3]
    }


def test_council_member_cannot_open_the_member_form(client, world):
    client.force_login(world.users["council"])
    assert client.get(reverse("members:create")).status_code == 403


def test_one_bad_filter_does_not_drop_the_others(client, world):
    make_member(world.G1, "Đặng Thị Hoa", gender="F", birth_year=1981)
    make_member(world.G1, "Ma Văn Tài", birth_year=1982)
    client.force_login(world.users["grassroots"])
    body = client.get(reverse("members:list"), {"q": "dang", "status": "xyz"}).content.decode()
    assert "Đặng Thị Hoa" in body and "Ma Văn Tài" not in body
    body = client.get(reverse("members:list"), {"q": "dang" + " " * 200 + "x"}).content.decode()
    assert "Ma Văn Tài" not in body


def test_citizen_id_check_does_not_reveal_other_branches(world):
    make_member(world.G2, "Hà Văn Long", birth_year=1980, id_number="001234567890")
    officer = world.users["grassroots"]
    member = member_create(
        unit=world.G1, full_name="Lý Văn Sơn", gender="M", birth_year=1985, id_number="001234567890", by=officer
    )
    assert member.pk
    with pytest.raises(ValidationError, match="CCCD"):
        member_create(
            unit=world.G1, full_name="Bế Văn Tú", gender="M", birth_year=1986, id_number="001234567890", by=officer
        )


def test_an_officer_with_one_unit_finds_it_already_chosen(client, world):
    client.force_login(make_user("to-truong", (world.T1a, Role.OFFICER)))  # a union group: nothing below it
    form = client.get(reverse("members:create")).context["form"]
    assert form.initial["unit"] == world.T1a.pk
    client.force_login(world.users["grassroots"])  # three units to choose from: none is chosen for them
    assert "unit" not in client.get(reverse("members:create")).context["form"].initial
