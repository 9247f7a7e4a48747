"""Login throttling counts failures per username and address, per address and per username
(thidua/accounts/throttling.py), each with its own limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thidua.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.THIDUA_LOGIN_ADDRESS_LIMIT = 20
    settings.THIDUA_LOGIN_USERNAME_LIMIT = 10
    settings.THIDUA_PROXY_COUNT = 0
    return settings


def fail(client, username: str, address: str = "10.0.0.1", **headers: str) -> None:
    client.logout()
    response = client.post(
        reverse(LOGIN), {"username": username, "password": "sai-mat-khau"}, REMOTE_ADDR=address, **headers
    )
    assert response.status_code in (200, 429)


def log_in(client, username: str = "grassroots", address: str = "10.0.0.1", **headers: str):
    client.logout()
    return client.post(reverse(LOGIN), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address, **headers)


def refused(response) -> bool:
    return response.status_code == 429 and "Tạm khoá đăng nhập" in response.content.decode()


def test_the_shipped_limits():
    from django.conf import settings

    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address", "username"]
    assert (settings.AXES_FAILURE_LIMIT, settings.THIDUA_LOGIN_ADDRESS_LIMIT, settings.THIDUA_LOGIN_USERNAME_LIMIT) == (
        5,
        20,
        10,
    )


def test_one_username_from_one_address_is_locked_after_five(client, world, throttled):
    for _ in range(4):
        fail(client, "grassroots")
    assert log_in(client).status_code == 302  # four mistakes and the right password: in
    for _ in range(5):
        fail(client, "grassroots")
    assert refused(log_in(client))
    assert log_in(client, address="10.0.0.2").status_code == 302  # the owner elsewhere is not


def test_one_address_spraying_many_usernames_is_locked(client, world, throttled):
    for n in range(19):
        fail(client, f"nguoi{n % 6}")  # at most 4 guesses per name: under the per-name limit
    assert log_in(client).status_code == 302
    fail(client, "nguoi-cuoi")
    assert refused(log_in(client))  # the 20th failure from this address locks every name here
    assert refused(log_in(client, "editor"))
    assert log_in(client, address="10.0.0.2").status_code == 302


def test_one_username_guessed_from_many_addresses_is_locked(client, world, throttled):
    for n in range(9):
        fail(client, "grassroots", address=f"10.1.0.{n}")
    assert log_in(client, address="10.9.9.9").status_code == 302
    fail(client, "grassroots", address="10.1.0.99")
    assert refused(log_in(client, address="10.9.9.9"))  # the 10th failure locks the name everywhere
    assert log_in(client, "editor", address="10.1.0.99").status_code == 302


def test_a_valid_account_of_ones_own_does_not_wipe_the_address_count(client, world, throttled):
    for n in range(19):
        fail(client, f"nguoi{n % 6}")
    assert log_in(client, "editor").status_code == 302  # axes would clear every failure from here
    fail(client, "nguoi-cuoi")
    assert refused(log_in(client))


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, world, throttled):
    throttled.THIDUA_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    for n in range(20):
        # The left part is the client's to write: a new fake address each time does not help.
        fail(client, f"nguoi{n % 6}", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
    assert refused(log_in(client, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"))
    # Everyone else comes through the same proxy and is not locked with them.
    assert log_in(client, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
