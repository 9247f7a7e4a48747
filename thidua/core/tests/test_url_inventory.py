"""No forgotten view: every URL is public on purpose or goes through the scope mechanism,
every route with an id fetches its object through ``@scoped(Model)``, and every such route
is visited by a row of the scope matrix."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from thidua.accounts.access import PUBLIC, SCOPED

# Namespaces outside the thidua.accounts.access markers, each with its reason.
ALLOWED_NAMESPACES = {
    "admin": "Django admin: is_staff only, and only system administrators are staff",
}
# django-ninja's views carry no access marker; instead every API route is checked
# below to refuse an anonymous request (operations 401, the schema and its page a login redirect),
# and thidua/accounts/tests/test_api_tokens.py checks that each refuses a wrong token.
API_NAMESPACE = "api"


def walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace, p.callback, p.name


def id_bearing_routes():
    """(route, "namespace:name", view) of every scoped route with a parameter in its path."""
    for route, namespace, callback, name in walk(get_resolver().url_patterns):
        if namespace in ALLOWED_NAMESPACES or namespace == API_NAMESPACE:
            continue
        if "<" in route and getattr(callback, "thidua_access", None) == SCOPED:
            yield route, f"{namespace}:{name}", callback


def test_every_view_declares_its_access():
    unmarked = []
    seen = 0
    for route, namespace, callback, _name in walk(get_resolver().url_patterns):
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
        for route, namespace, callback, _name in walk(get_resolver().url_patterns)
        if namespace not in (*ALLOWED_NAMESPACES, API_NAMESPACE) and getattr(callback, "thidua_access", None) == PUBLIC
    )
    assert public == [
        "",  # visitors go on to the portal, officers see their dashboard
        "accounts/login/",
        "accounts/logout/",
        "healthz",  # load balancers and monitors: statuses and ages, nothing personal
        "i18n/js/",
        "i18n/setlang/",
        "robots.txt",
        # The public portal: read-only pages, feeds, the language link, cover images, figures, the beacon.
        "tin/",
        "tin/<int:pk>/",
        "tin/<int:pk>/<slug:slug>/",
        "tin/anh/<str:name>",
        "tin/atom.xml",
        "tin/bang-vang/",  # the honour roll of published award decisions (thidua/recognition/public.py)
        "tin/chuyen-muc/<slug:slug>/",
        "tin/mo-hinh/",  # approved, published effective models (thidua/initiatives/public.py)
        "tin/mo-hinh/<int:pk>/",
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
    routes = [route for route, namespace, _, _ in walk(get_resolver().url_patterns) if namespace == API_NAMESPACE]
    assert len(routes) >= 6
    for route in routes:
        url = "/" + re.sub(r"<[^>]+>", "1", route)
        response = client.get(url)
        if response.status_code == 405:  # a route that only writes
            response = client.post(url, {})
        if route == "api/":
            assert response.status_code == 404, "the API has no public index"
        elif route.endswith(("openapi.json", "docs")):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 401, f"{url} answered {response.status_code} to an anonymous request"
            assert response.json() == {"detail": "Bạn cần đăng nhập."}


def test_every_route_with_an_id_fetches_its_object_through_the_scope_mechanism():
    """A view named by an id receives the object from ``@scoped(Model)``: it cannot forget scope."""
    loose = [route for route, _name, view in id_bearing_routes() if getattr(view, "thidua_fetch", None) is None]
    assert not loose, f"routes with an id whose view does not fetch through @scoped(Model): {loose}"


def matrix_route_names(world):
    """Every route a scope-matrix row visits, found by building each row's object once."""
    from thidua.core.tests.test_scope_matrix import RESOURCES

    world.actor = "district"
    target = world.targets["district"]["own"]
    names = set()
    for resource in RESOURCES:
        urls = []
        for build in (resource.create, resource.import_):
            if build is not None:
                urls.append(build(world, "own", target).url)
        obj = resource.make(world, "own", target)
        urls += [url_of(obj) for url_of in (*resource.list_urls, *resource.export_urls, *resource.more_detail_urls)]
        urls += [url_of(obj) for url_of in resource.guarded_reads]
        if resource.detail_url is not None:
            urls.append(resource.detail_url(obj))
        for change in (resource.edit, resource.delete, resource.approve):
            if change is not None:
                urls.append(change(obj).url)
        for url in urls:
            try:
                match = resolve(url.split("?")[0])
            except Resolver404:
                continue
            names.add(match.view_name)
    return names


@pytest.mark.django_db
def test_every_route_with_an_id_has_a_scope_matrix_row(world):
    """Add a row to the scope matrix when you add a route with an id; this test names what is missing."""
    visited = matrix_route_names(world)
    missing = sorted(name for _route, name, _view in id_bearing_routes() if name not in visited)
    assert not missing, f"routes with an id that no scope-matrix row visits: {missing}"
