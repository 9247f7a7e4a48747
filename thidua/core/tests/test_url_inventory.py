"""No forgotten view: every URL is public on purpose or goes through the scope mechanism."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from thidua.core.access import PUBLIC, SCOPED

# Namespaces outside the thidua.core.access markers, each with its reason.
ALLOWED_NAMESPACES = {
    "admin": "Django admin: is_staff only, and only system administrators are staff",
}
# django-ninja's views carry no access marker; instead every API route is checked
# below to refuse an anonymous request (operations 401, the schema a login redirect).
API_NAMESPACE = "api"


def walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace, p.callback


def test_every_view_declares_its_access():
    unmarked = []
    seen = 0
    for route, namespace, callback in walk(get_resolver().url_patterns):
        seen += 1
        if namespace in ALLOWED_NAMESPACES or namespace == API_NAMESPACE:
            continue
        access = getattr(callback, "thidua_access", None)
        if access not in (PUBLIC, SCOPED):
            unmarked.append(route)
    assert seen > 20
    assert not unmarked, f"views without an access policy: {unmarked}"


def test_public_views_are_the_expected_few():
    public = sorted(
        route
        for route, namespace, callback in walk(get_resolver().url_patterns)
        if namespace not in (*ALLOWED_NAMESPACES, API_NAMESPACE) and getattr(callback, "thidua_access", None) == PUBLIC
    )
    assert public == [
        "",  # visitors go on to the portal, officers see their dashboard
        "accounts/login/",
        "accounts/logout/",
        "i18n/js/",
        "i18n/setlang/",
        "robots.txt",
        # The public portal: read-only pages, feeds, the language link, cover images, figures, the beacon.
        "tin/",
        "tin/<int:pk>/",
        "tin/<int:pk>/<slug:slug>/",
        "tin/anh/<str:name>",
        "tin/atom.xml",
        "tin/chuyen-muc/<slug:slug>/",
        "tin/ngon-ngu/<str:code>/",
        "tin/rss.xml",
        "tin/sitemap.xml",
        "tin/so-lieu/",
        "tin/the/<slug:slug>/",
        "tin/tim-kiem/",
        "tin/v/",
    ]


@pytest.mark.django_db
def test_every_api_route_refuses_anonymous(client):
    routes = [route for route, namespace, _ in walk(get_resolver().url_patterns) if namespace == API_NAMESPACE]
    assert len(routes) >= 6
    for route in routes:
        url = "/" + re.sub(r"<[^>]+>", "1", route)
        response = client.get(url)
        if route == "api/":
            assert response.status_code == 404, "the API has no public index"
        elif route.endswith("openapi.json"):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 401, f"{url} answered {response.status_code} to an anonymous request"
            assert response.json() == {"detail": "Bạn cần đăng nhập."}
