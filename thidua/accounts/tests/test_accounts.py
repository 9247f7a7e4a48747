from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from thidua.accounts.models import Role, RoleAssignment, User
from thidua.testing import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mat-khau-moi-2025!"
UNUSABLE = "Tên đăng nhập này không dùng được; hãy chọn tên khác."


def test_login_rotates_the_session_and_logout_ends_it(client, world):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = client.post(reverse("accounts:login"), {"username": "grassroots", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get(reverse("dashboard:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("units:tree")).status_code == 302


def test_wrong_password_shows_a_vietnamese_message(client, world):
    response = client.post(reverse("accounts:login"), {"username": "grassroots", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "grassroots", "password": "sai"})
    response = client.post(reverse("accounts:login"), {"username": "grassroots", "password": PASSWORD})
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()


def test_idle_timeout_is_configured():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_unit_admin_cannot_grant_system_admin(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("accounts:assignment_create"),
        {"username": "grassroots", "unit": world.G1.pk, "role": Role.ADMIN},
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(role=Role.ADMIN).exists()


def test_assignment_on_a_foreign_unit_is_refused(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("accounts:assignment_create"),
        {"username": "grassroots", "unit": world.G2.pk, "role": Role.VIEWER},
    )
    assert response.status_code == 400
    assert "ngoài phạm vi" in response.content.decode()
    assert not RoleAssignment.objects.filter(unit=world.G2).exists()


def test_admin_cannot_revoke_own_admin_role(client, world):
    own = RoleAssignment.objects.get(user=world.users["district"], role=Role.UNIT_ADMIN)
    client.force_login(world.users["district"])
    client.post(reverse("accounts:assignment_revoke", args=[own.pk]))
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_new_account_with_weak_password_is_refused(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("accounts:assignment_create"),
        {"username": "moi", "password": "123", "unit": world.G1.pk, "role": Role.VIEWER},
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(user__username="moi").exists()


def test_assignments_are_audited(client, world):
    client.force_login(world.users["district"])
    client.post(
        reverse("accounts:assignment_create"),
        {"username": "grassroots", "unit": world.G1b.pk, "role": Role.VIEWER},
    )
    assignment = RoleAssignment.objects.get(unit=world.G1b)
    record = assignment.history.get()
    assert record.history_user == world.users["district"]
    assert record.history_type == "+"


def test_dissolved_unit_grants_nothing(world, client):
    from thidua.units.services import unit_merge

    client.force_login(world.users["grassroots"])
    assert client.get(reverse("units:detail", args=[world.G1.pk])).status_code == 200
    unit_merge(source=world.G1, target=world.G1b)
    client.force_login(world.users["grassroots"])
    assert client.get(reverse("units:detail", args=[world.G1.pk])).status_code == 404
    assert client.get(reverse("units:detail", args=[world.G1b.pk])).status_code == 404


def test_unit_admin_cannot_reach_accounts_of_another_branch(client, world):
    from thidua.testing import make_user

    outsider = make_user("nari.officer", (world.G2, Role.OFFICER))
    client.force_login(world.users["district"])
    for username in ("nari.officer", "NARI.OFFICER", "council"):
        response = client.post(
            reverse("accounts:assignment_create"),
            {"username": username, "password": NEW_PASSWORD, "unit": world.G1.pk, "role": Role.VIEWER},
        )
        assert response.status_code == 400
        assert response.context["form"].errors == {"username": [UNUSABLE]}
    assert not RoleAssignment.objects.filter(user=outsider, unit=world.G1).exists()
    assert User.objects.filter(username__iexact="nari.officer").count() == 1
    # An account that already works inside the district can be given another role there.
    response = client.post(
        reverse("accounts:assignment_create"), {"username": "grassroots", "unit": world.G1b.pk, "role": Role.VIEWER}
    )
    assert response.status_code == 302


def test_a_name_taken_outside_scope_answers_as_a_free_name_until_it_would_be_created(client, world):
    """Every other field is checked first: only a request that would have created the account
    (an audited act) tells a taken name from a free one, and it never says where or whose."""
    from thidua.testing import make_user, system_admin

    outsider = make_user("nari.officer", (world.G2, Role.OFFICER))
    User.objects.filter(pk=outsider.pk).update(full_name="Nông Thị Ẩn Danh")
    client.force_login(world.users["district"])

    def answer(username: str, **fields: object) -> tuple[int, dict[str, list[str]]]:
        data = {"username": username, "unit": world.G1.pk, "role": Role.VIEWER, **fields}
        response = client.post(reverse("accounts:assignment_create"), data)
        body = response.content.decode()
        assert "Nông Thị Ẩn Danh" not in body and world.G2.name not in body
        return response.status_code, {k: list(v) for k, v in response.context["form"].errors.items()}

    for taken in ("nari.officer", "council", system_admin().username):
        assert answer(taken) == answer("ten.con.trong")  # no password
        assert answer(taken, password="123") == answer("ten.con.trong", password="123")  # weak password
        assert answer(taken, password=NEW_PASSWORD) == (400, {"username": [UNUSABLE]})
    assert not User.objects.filter(username="ten.con.trong").exists()
    assert not RoleAssignment.objects.filter(unit=world.G1, role=Role.VIEWER).exists()


def test_creating_an_account_with_a_taken_name_gets_the_same_answer(world):
    from django.core.exceptions import ValidationError

    from thidua.accounts.services import user_create

    with pytest.raises(ValidationError) as refused:
        user_create(username="DISTRICT", full_name="", password=NEW_PASSWORD)
    assert refused.value.message_dict == {"username": [UNUSABLE]}


def test_usernames_are_validated(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("accounts:assignment_create"),
        {"username": "bad user/<>", "password": NEW_PASSWORD, "unit": world.G1.pk, "role": Role.VIEWER},
    )
    assert response.status_code == 400
    assert "Tên đăng nhập chỉ gồm" in response.content.decode()
