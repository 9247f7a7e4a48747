"""The JSON API under bad input: 4xx with a Vietnamese message, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    "/api/units?limit=100000000000000000000",
    "/api/units?offset=100000000000000000000",
    "/api/units?limit=-1&offset=abc",
    "/api/units?parent=abc",
    "/api/units?parent=99999999999999999999999",
    "/api/members?limit=0",
    "/api/members?unit=-5",
    "/api/members?q=" + "x" * 5000,
    "/api/assignments?limit=100000000000000000000",
    "/api/assignments?offset=-1",
    "/api/members/99999999999999999999999",
    "/api/units/abc",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_bad_api_input_is_a_clear_4xx(client, world, url):
    client.force_login(world.users["grassroots"])
    response = client.get(url)
    assert 400 <= response.status_code < 500, response.content[:300]
    body = response.json()
    assert body["detail"] in ("Dữ liệu gửi lên không hợp lệ.", "Không tìm thấy hoặc bạn không có quyền xem.")


def test_out_of_scope_object_is_a_vietnamese_404(client, world):
    client.force_login(world.users["grassroots"])
    response = client.get(f"/api/units/{world.G2.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy hoặc bạn không có quyền xem."}


def test_schema_is_served_to_logged_in_users(client, world):
    client.force_login(world.users["council"])
    schema = client.get("/api/openapi.json").json()
    assert "/api/members" in schema["paths"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit=st.one_of(st.integers(), st.text(max_size=30)),
    offset=st.one_of(st.integers(), st.text(max_size=30)),
    q=st.text(max_size=300),
)
def test_member_list_never_crashes(client, world, limit, offset, q):
    client.force_login(world.users["district"])
    response = client.get("/api/members", {"limit": limit, "offset": offset, "q": q})
    assert response.status_code in (200, 422), (limit, offset, q, response.status_code)
