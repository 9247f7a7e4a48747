"""Personal access tokens: shown once, kept hashed, refused when wrong, expired, revoked or read-only
on a write, limited per minute, and acting with exactly their owner's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from thidua.accounts import tokens
from thidua.accounts.models import ApiToken
from thidua.core.tests.test_url_inventory import API_NAMESPACE, walk
from thidua.testing import frozen, make_user

pytestmark = pytest.mark.django_db

REFUSED = {"detail": "Mã truy cập API không đúng, đã hết hạn hoặc đã bị thu hồi."}


def issue(user, access="read", days=30, name="Văn phòng điện tử"):
    return tokens.token_create(
        user=user, name=name, access=access, expires_on=timezone.localdate() + dt.timedelta(days=days)
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- the token itself --------------------------------------------------------------------------


def test_token_format_and_storage_keep_no_secret(world):
    row, token = issue(world.users["district"])
    assert re.fullmatch(r"thd_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", token)
    assert token.startswith(f"thd_{row.prefix}_")
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(token.encode()).hexdigest()
    secret = token.split("_", 2)[2]
    assert not any(secret in str(value) for value in stored.values()), "the secret is stored"
    assert str(row) == f"thd_{row.prefix}… (Văn phòng điện tử)"


def test_the_prefix_finds_the_token_and_the_rest_must_match(world):
    row, token = issue(world.users["district"])
    assert tokens.token_authenticate(token) == row
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert tokens.token_authenticate(tampered) is None
    other_prefix = "thd_" + ("a" * 8 if row.prefix != "a" * 8 else "b" * 8) + token[12:]
    assert tokens.token_authenticate(other_prefix) is None
    for malformed in ("", "thd_", "thd_short_x", "ghp_" + token[4:], token.upper(), "thd_" + "a" * 300):
        assert tokens.token_authenticate(malformed) is None, malformed


def test_lifetime_and_name_are_checked(world):
    user = world.users["district"]
    today = timezone.localdate()
    for days, name in ((0, "x"), (366, "x"), (30, "   ")):
        with pytest.raises(ValidationError, match=r"Ngày hết hạn|tối đa 365|tên gợi nhớ"):
            tokens.token_create(user=user, name=name, access="read", expires_on=today + dt.timedelta(days=days))
    with pytest.raises(ValidationError, match="Quyền"):
        tokens.token_create(user=user, name="x", access="admin", expires_on=today + dt.timedelta(days=3))
    row, _token = issue(user, days=365)
    assert timezone.localtime(row.expires_at) == timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=366), dt.time.min)
    )


def test_a_user_holds_at_most_twenty_live_tokens(world):
    user = world.users["grassroots"]
    for i in range(tokens.MAX_ACTIVE_PER_USER):
        issue(user, name=f"Mã {i}")
    with pytest.raises(ValidationError, match="tối đa 20 mã"):
        issue(user, name="Mã thừa")
    tokens.token_revoke(token=ApiToken.objects.filter(user=user).first())
    issue(user, name="Mã thay thế")


# --- authentication ----------------------------------------------------------------------------


def test_a_token_reads_with_its_owners_scope(client, world):
    _row, token = issue(world.users["district"])
    own = client.get(f"/api/units/{world.G1.pk}", **bearer(token))
    assert own.status_code == 200 and own.json()["name"] == world.G1.name
    assert client.get(f"/api/units/{world.G2.pk}", **bearer(token)).status_code == 404  # sibling district's
    assert client.get(f"/api/units/{world.G3.pk}", **bearer(token)).status_code == 404  # the other province's
    listed = {u["id"] for u in client.get("/api/units?limit=500", **bearer(token)).json()["items"]}
    assert world.G1.pk in listed and world.G2.pk not in listed and world.G3.pk not in listed
    assert "sessionid" not in client.cookies  # no session is created for a token


@pytest.mark.parametrize("state", ["wrong", "expired", "revoked", "inactive user", "malformed"])
def test_wrong_expired_revoked_tokens_are_401(client, world, state):
    user = make_user("tich-hop")
    row, token = issue(user, access="write")
    if state == "wrong":
        token = token[:-4] + "abcd"
    elif state == "expired":
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif state == "revoked":
        tokens.token_revoke(token=row)
    elif state == "inactive user":
        user.is_active = False
        user.save()
    else:
        token = "thd_" + token
    response = client.get("/api/units", **bearer(token))
    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_presented_with_a_session_is_judged_alone(client, world):
    """A wrong token never falls back on the browser's session (nor trips its CSRF check)."""
    client.force_login(world.users["district"])
    assert client.get("/api/units").status_code == 200  # the session alone still works
    response = client.get("/api/units", **bearer("thd_aaaaaaaa_wrong"))
    assert response.status_code == 401 and response.json() == REFUSED


def test_expiry_is_checked_on_every_request(client, world):
    row, token = issue(world.users["district"], days=1)
    with frozen(row.expires_at - dt.timedelta(seconds=1)):
        assert client.get("/api/units?limit=1", **bearer(token)).status_code == 200
    with frozen(row.expires_at):
        assert client.get("/api/units?limit=1", **bearer(token)).status_code == 401


def test_a_read_only_token_cannot_write(client, world):
    _row, token = issue(world.users["province"], access="read")
    response = client.post(
        "/api/plans", data={"issuer_id": world.P.pk}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 403
    assert "chỉ được đọc" in response.json()["detail"]


def test_a_read_write_token_writes_without_csrf(client, world):
    """Bearer tokens are not sent by browsers on their own, so writes need no CSRF token."""
    _row, token = issue(world.users["province"], access="write")
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/api/plans",
        data={
            "issuer_id": world.P.pk,
            "issued_on": "2025-03-01",
            "place": "Bắc Kạn",
            "title": "Kế hoạch từ văn phòng điện tử",
            "window_start": "2025-01-01",
            "window_end": "2025-12-31",
        },
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 201, response.content


def test_session_writes_still_need_csrf(world):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.users["province"])
    response = csrf_client.post("/api/plans", data={}, content_type="application/json")
    assert response.status_code == 403


def test_every_api_route_refuses_a_wrong_token(client, world):
    routes = [route for route, namespace, _, _ in walk(get_resolver().url_patterns) if namespace == API_NAMESPACE]
    assert len(routes) >= 20
    for route in routes:
        url = "/" + re.sub(r"<[^>]+>", "1", route)
        response = client.get(url, **bearer("thd_abcdefgh_" + "x" * 43))
        if response.status_code == 405:  # a route that only writes
            response = client.post(url, {}, **bearer("thd_abcdefgh_" + "x" * 43))
        if route == "api/":
            assert response.status_code == 404
        elif route.endswith(("openapi.json", "docs")):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 401, f"{url} answered {response.status_code} to a wrong token"


def test_a_token_reads_the_schema(client, world):
    _row, token = issue(world.users["council"])
    schema = client.get("/api/openapi.json", **bearer(token)).json()
    assert "/api/plans" in schema["paths"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schema["components"]["securitySchemes"][
        "ApiTokenAuth"
    ].items()


# --- last use and rate limit -------------------------------------------------------------------


def test_last_use_is_written_at_most_once_a_minute(client, world, django_assert_num_queries):
    row, token = issue(world.users["district"])
    start = timezone.now().replace(microsecond=0)
    with frozen(start):
        client.get("/api/units?limit=1", **bearer(token))
    assert ApiToken.objects.get(pk=row.pk).last_used_at == start
    # The token (1), the user's grants (1), the page (2): no write.
    with frozen(start + dt.timedelta(seconds=59)), django_assert_num_queries(4):
        client.get("/api/units?limit=1", **bearer(token))
    assert ApiToken.objects.get(pk=row.pk).last_used_at == start
    with frozen(start + dt.timedelta(seconds=61)):
        client.get("/api/units?limit=1", **bearer(token))
    assert ApiToken.objects.get(pk=row.pk).last_used_at == start + dt.timedelta(seconds=61)


def test_rate_limit_per_token_with_retry_after(client, world, settings):
    settings.THIDUA_API_TOKEN_RATE = 3
    _row, token = issue(world.users["district"])
    _other_row, other = issue(world.users["district"], name="Mã khác")
    start = dt.datetime(2025, 3, 1, 2, 0, 10, tzinfo=dt.UTC)
    with frozen(start):
        assert [client.get("/api/units?limit=1", **bearer(token)).status_code for _ in range(3)] == [200] * 3
        refused = client.get("/api/units?limit=1", **bearer(token))
        assert refused.status_code == 429
        assert refused["Retry-After"] == "50"  # the window ends at 02:01:00
        assert refused.json() == {"detail": "Quá nhiều yêu cầu; hãy thử lại sau ít phút."}
        assert client.get("/api/units?limit=1", **bearer(other)).status_code == 200  # per token
        client.force_login(world.users["district"])
        assert client.get("/api/units?limit=1").status_code == 200  # sessions are not counted
        client.logout()
    with frozen(start + dt.timedelta(seconds=50)):
        assert client.get("/api/units?limit=1", **bearer(token)).status_code == 200  # a new window


# --- the pages ---------------------------------------------------------------------------------


def test_create_page_shows_the_token_once_and_lists_it(client, world):
    user = world.users["grassroots"]
    client.force_login(user)
    page = client.get(reverse("tokens:list"))
    assert page.status_code == 200 and "Bạn chưa có mã truy cập nào." in page.content.decode()
    expires = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    created = client.post(
        reverse("tokens:list"), {"name": "Văn phòng điện tử", "access": "write", "expires_on": expires}
    )
    assert created.status_code == 201
    html = created.content.decode()
    token = re.search(r'value="(thd_[^"]+)"', html).group(1)
    row = ApiToken.objects.get(user=user)
    assert row.access == "write" and tokens.token_authenticate(token) == row
    assert "no-store" in created["Cache-Control"]
    again = client.get(reverse("tokens:list")).content.decode()
    assert token not in again and f"thd_{row.prefix}…" in again and "Văn phòng điện tử" in again
    assert client.get(f"/api/units/{world.G1.pk}", **bearer(token)).status_code == 200


def test_create_page_refuses_bad_input(client, world):
    client.force_login(world.users["grassroots"])
    too_late = (timezone.localdate() + dt.timedelta(days=400)).strftime("%d/%m/%Y")
    response = client.post(reverse("tokens:list"), {"name": "x", "access": "write", "expires_on": too_late})
    assert response.status_code == 400 and "tối đa 365 ngày" in response.content.decode()
    assert not ApiToken.objects.exists()
    response = client.post(reverse("tokens:list"), {"name": "x", "access": "root", "expires_on": "31/02/2025"})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_revoke_page_acts_on_own_tokens_only(client, world):
    mine, token = issue(world.users["grassroots"])
    theirs, their_token = issue(world.users["district"])
    client.force_login(world.users["grassroots"])
    assert client.post(reverse("tokens:revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert client.post(reverse("tokens:revoke", args=[mine.pk])).status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
    assert client.get("/api/units", **bearer(token)).status_code == 401
    assert client.get("/api/units", **bearer(their_token)).status_code == 200
    assert client.get(reverse("tokens:list") + "?format=xlsx").status_code == 200


def test_the_pages_need_a_login(client):
    response = client.get(reverse("tokens:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
