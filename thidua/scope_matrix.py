"""The declarative scope matrix (QUALITY.md): actor × target × action.

A ``Resource`` row says how to place one object at a target unit and which
URLs list, show, change, delete, create, export or serve it through the API.
The harness derives every expectation from the tree relation alone:

* outside scope (sibling, parent, other branch): detail/API 404, lists,
  exports and API lists contain zero foreign rows, writes change nothing;
* inside scope (own unit, child, grandchild): visible; writes succeed only
  when the actor's role holds the resource's write permission, else 403;
* anonymous: redirected to log in (401 from the API), nothing changes.

The API is read twice, with the actor's session and with a read-only personal access token of
the same account: a token carries exactly its owner's scope. A write to the API (``Write.api``)
is sent with a read-write token, as an integration would send it.

Two declarations adjust the expectations where the product's rules say so:
``visible_in`` (an issued plan is also read by the units below its issuer, so
from the "parent" relation it is visible, and a write answers 403, not 404) and
``approves_in`` (a registration is decided only by the level directly above it).

Later issues add rows (``RESOURCES`` in ``thidua/core/tests/test_scope_matrix.py``),
not machinery.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from thidua.accounts.roles import Perm
from thidua.accounts.tokens import token_create
from thidua.testing import IN_SCOPE, RELATIONS, World

# What each persona's roles grant, declared independently of the code under test.
ACTOR_PERMS: dict[str, set[str]] = {
    "province": {
        Perm.VIEW,
        Perm.VIEW_SENSITIVE,
        Perm.MANAGE_MEMBERS,
        Perm.MANAGE_UNITS,
        Perm.MANAGE_ACCOUNTS,
        Perm.MANAGE_EMULATION,
    },
    "district": {
        Perm.VIEW,
        Perm.VIEW_SENSITIVE,
        Perm.MANAGE_MEMBERS,
        Perm.MANAGE_UNITS,
        Perm.MANAGE_ACCOUNTS,
        Perm.MANAGE_EMULATION,
    },
    "grassroots": {Perm.VIEW, Perm.VIEW_SENSITIVE, Perm.MANAGE_MEMBERS, Perm.MANAGE_EMULATION},
    "council": {Perm.VIEW},
    "editor": {Perm.VIEW, Perm.PUBLISH},
    "anonymous": set(),
}
ACTORS = tuple(ACTOR_PERMS)
ACTIONS = ("list", "detail", "guarded", "export", "api", "create", "edit", "delete", "approve", "import")


@dataclass
class Write:
    """A POST: where to send it, what to send, and how to tell it took effect.

    ``api``: a JSON API operation, sent with a read-write token (``data`` as JSON unless
    ``multipart``); anonymous is 401 there, and success may be 201."""

    url: str
    data: dict[str, Any]
    took_effect: Callable[[], bool]
    api: bool = False
    multipart: bool = False

    def send(self, client: Client) -> Any:
        if self.api and not self.multipart:
            return client.post(self.url, json.dumps(self.data, default=str), content_type="application/json")
        return client.post(self.url, self.data)


@dataclass
class Resource:
    name: str
    make: Callable[[World, str, Any], models.Model]  # (world, relation, target unit) -> object at that unit
    marker: Callable[[models.Model], str]  # text that identifies the object in exports and API lists
    # What identifies it on an HTML list page (the query itself is echoed there, so
    # a link to the object is the safer proof); defaults to ``marker``.
    page_marker: Callable[[models.Model], str] | None = None
    list_urls: list[Callable[[models.Model], str]] = field(default_factory=list)
    export_urls: list[Callable[[models.Model], str]] = field(default_factory=list)
    api_list_urls: list[Callable[[models.Model], str]] = field(default_factory=list)
    detail_url: Callable[[models.Model], str] | None = None
    # Further read-only pages of one object (history, htmx partials…), same expectations.
    more_detail_urls: list[Callable[[models.Model], str]] = field(default_factory=list)
    # Pages of one object that only those holding ``write_perm`` may open (forms, pickers):
    # 200 for them, 403 for others who see the object, 404 outside.
    guarded_reads: list[Callable[[models.Model], str]] = field(default_factory=list)
    api_detail_url: Callable[[models.Model], str] | None = None
    edit: Callable[[models.Model], Write] | None = None
    delete: Callable[[models.Model], Write] | None = None
    create: Callable[[World, str, Any], Write] | None = None
    approve: Callable[[models.Model], Write] | None = None
    import_: Callable[[World, str, Any], Write] | None = None
    write_perm: str = Perm.MANAGE_MEMBERS
    visible_in: tuple[str, ...] = IN_SCOPE  # relations from which the object is seen
    approves_in: tuple[str, ...] = IN_SCOPE  # relations from which an actor with write_perm may approve it

    def supports(self, action: str) -> bool:
        return {
            "list": bool(self.list_urls),
            "detail": self.detail_url is not None,
            "guarded": bool(self.guarded_reads),
            "export": bool(self.export_urls),
            "api": bool(self.api_list_urls) or self.api_detail_url is not None,
            "create": self.create is not None,
            "edit": self.edit is not None,
            "delete": self.delete is not None,
            "approve": self.approve is not None,
            "import": self.import_ is not None,
        }[action]


def client_for(world: World, actor: str) -> Client:
    client = Client()
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    return client


def token_client_for(world: World, actor: str, access: str) -> Client:
    """A client that sends a personal access token of the actor (no session), or none for anonymous."""
    user = world.users[actor]
    if user is None:
        return Client()
    _row, token = token_create(
        user=user, name=f"matrix {access}", access=access, expires_on=timezone.localdate() + dt.timedelta(days=7)
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _refused_anonymous(write: Write, response: Any) -> bool:
    return response.status_code == 401 if write.api else _is_login_redirect(response)


SUCCESS = (200, 201, 302)


def check(resource: Resource, world: World, actor: str, action: str) -> list[str]:
    """Run one (resource, actor, action) cell against every target relation; return failures."""
    failures: list[str] = []
    client = client_for(world, actor)
    world.actor = actor
    anonymous = world.users[actor] is None
    clients: dict[str, Client] = {}

    def reader() -> Client:
        clients.setdefault("read", token_client_for(world, actor, "read"))
        return clients["read"]

    def writer() -> Client:
        clients.setdefault("write", token_client_for(world, actor, "write"))
        return clients["write"]

    for relation in RELATIONS:
        target = world.targets[actor][relation]
        in_scope = relation in resource.visible_in and not anonymous
        writers_in = resource.approves_in if action == "approve" else IN_SCOPE
        may_write = not anonymous and relation in writers_in and resource.write_perm in ACTOR_PERMS[actor]
        where = f"{resource.name}/{actor}/{action}/{relation}"

        def fail(message: str, where: str = where) -> None:
            failures.append(f"{where}: {message}")

        if action in ("create", "import"):
            factory = resource.create if action == "create" else resource.import_
            assert factory is not None
            write = factory(world, relation, target)
            response = write.send(writer() if write.api else client)
            done = write.took_effect()
            if may_write:
                if not done or response.status_code not in SUCCESS:
                    fail(f"expected success, got {response.status_code}, took effect={done}")
            else:
                if done:
                    fail(f"write took effect (status {response.status_code})")
                if anonymous and not _refused_anonymous(write, response):
                    fail(f"anonymous not refused ({response.status_code})")
                if not anonymous and response.status_code not in (400, 403, 404):
                    fail(f"expected 400/403/404, got {response.status_code}")
            continue

        obj = resource.make(world, relation, target)
        marker = resource.marker(obj)

        if action == "list":
            for url_of in resource.list_urls:
                response = client.get(url_of(obj))
                if anonymous:
                    if not _is_login_redirect(response):
                        fail(f"{url_of(obj)} anonymous got {response.status_code}")
                    continue
                page_marker = resource.page_marker(obj) if resource.page_marker else marker
                shown = page_marker in response.content.decode()
                if response.status_code != 200 or shown != in_scope:
                    fail(f"{url_of(obj)} status {response.status_code}, shown={shown}, expected shown={in_scope}")
        elif action == "export":
            for url_of in resource.export_urls:
                response = client.get(url_of(obj))
                if anonymous:
                    if not _is_login_redirect(response):
                        fail(f"{url_of(obj)} anonymous got {response.status_code}")
                    continue
                shown = response.status_code == 200 and marker in _xlsx_text(response.content)
                if response.status_code != 200 or shown != in_scope:
                    fail(f"{url_of(obj)} status {response.status_code}, shown={shown}, expected shown={in_scope}")
        elif action == "detail":
            assert resource.detail_url is not None
            for url in [resource.detail_url(obj), *(url_of(obj) for url_of in resource.more_detail_urls)]:
                response = client.get(url)
                if anonymous:
                    if not _is_login_redirect(response):
                        fail(f"{url} anonymous got {response.status_code}")
                elif response.status_code != (200 if in_scope else 404):
                    fail(f"{url} status {response.status_code}, expected {200 if in_scope else 404}")
        elif action == "guarded":
            for url_of in resource.guarded_reads:
                response = client.get(url_of(obj))
                expected = 200 if may_write else 403 if in_scope else 404
                if anonymous:
                    if not _is_login_redirect(response):
                        fail(f"{url_of(obj)} anonymous got {response.status_code}")
                elif response.status_code != expected:
                    fail(f"{url_of(obj)} status {response.status_code}, expected {expected}")
        elif action == "api":
            for how, api_client in (("session", client), ("token", reader())):
                for url_of in resource.api_list_urls:
                    response = api_client.get(url_of(obj))
                    if anonymous:
                        if response.status_code != 401:
                            fail(f"{url_of(obj)} anonymous got {response.status_code}")
                        continue
                    shown = marker in json.dumps(response.json(), ensure_ascii=False)
                    if response.status_code != 200 or shown != in_scope:
                        fail(
                            f"{url_of(obj)} ({how}) status {response.status_code}, shown={shown}, "
                            f"expected shown={in_scope}"
                        )
                if resource.api_detail_url is not None:
                    response = api_client.get(resource.api_detail_url(obj))
                    expected = 401 if anonymous else 200 if in_scope else 404
                    if response.status_code != expected:
                        fail(f"API detail ({how}) status {response.status_code}, expected {expected}")
        else:  # edit, delete, approve
            change = {"edit": resource.edit, "delete": resource.delete, "approve": resource.approve}[action]
            assert change is not None
            write = change(obj)
            response = write.send(writer() if write.api else client)
            done = write.took_effect()
            if anonymous:
                if done or not _refused_anonymous(write, response):
                    fail(f"anonymous: status {response.status_code}, took effect={done}")
            elif may_write:
                if not done or response.status_code not in SUCCESS:
                    fail(f"expected success, got {response.status_code}, took effect={done}")
            else:
                expected = 403 if in_scope else 404
                if done or response.status_code != expected:
                    fail(f"status {response.status_code} (expected {expected}), took effect={done}")
    return failures
