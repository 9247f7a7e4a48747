"""A real streaming replica: which reads go to it, and when they must not.

Needs the replica ``scripts/run_tests.py`` starts (``scripts/replica.py``) and names in
``THIDUA_TEST_REPLICA_URL``; without it the tests are skipped, or fail under
``THIDUA_REQUIRE_ALL=1`` (CI). The replica streams the whole cluster, so the test database
Django creates on the primary is on it too: the ``replica`` alias is that database on the
replica's port, a mirror of ``default`` as ``DATABASE_REPLICA_URL`` makes it in production
(``config.settings.replica_database``). Rows must be committed to reach it: the tests are
transactional and wait until the replica has replayed what the primary flushed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.settings import replica_database
from thidua.accounts.roles import Role
from thidua.ops import routers
from thidua.ops.routers import REPLICA_ALIAS, replica_reads
from thidua.portal.models import Article, Category
from thidua.portal.tests.factories import make_article
from thidua.testing import PASSWORD, frozen, make_unit, make_user

REPLICA_URL = os.environ.get("THIDUA_TEST_REPLICA_URL", "")
ARTICLES = '"portal_article"'  # how the portal's article table appears in a query

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA_ALIAS]),
]


def _replayed(timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has flushed."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[REPLICA_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail(f"the replica did not replay {lsn} within {timeout} s")


@pytest.fixture(scope="module", autouse=True)
def replica_alias(request, django_db_blocker):
    """The ``replica`` alias, on the test database, for this module only (other modules check
    that a server without a replica says so)."""
    if not REPLICA_URL:
        missing = "THIDUA_TEST_REPLICA_URL is not set: no streaming replica (scripts/run_tests.py starts one)"
        # Fail outright under THIDUA_REQUIRE_ALL=1 (CI) rather than rely on conftest's rewrite of skips.
        (pytest.fail if os.environ.get("THIDUA_REQUIRE_ALL") == "1" else pytest.skip)(missing)
    request.getfixturevalue("django_db_setup")  # the test database exists, under its test name
    databases = connections.settings
    entry = replica_database(REPLICA_URL)
    entry["NAME"] = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]  # what MIRROR does in a test run
    databases[REPLICA_ALIAS] = connections.configure_settings(
        {DEFAULT_DB_ALIAS: databases[DEFAULT_DB_ALIAS], REPLICA_ALIAS: entry}
    )[REPLICA_ALIAS]
    try:
        with django_db_blocker.unblock():
            deadline = time.monotonic() + 30
            while True:  # the test database's creation may not be replayed yet
                try:
                    connections[REPLICA_ALIAS].ensure_connection()
                    break
                except OperationalError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            with connections[REPLICA_ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                assert cursor.fetchone()[0] is True, f"{REPLICA_URL} is not a standby"
        yield
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        del databases[REPLICA_ALIAS]


@pytest.fixture(autouse=True)
def routed(settings):
    """The settings ``DATABASE_REPLICA_URL`` gives (config/settings.py), and a fresh lag verdict."""
    from django.conf import settings as live

    assert REPLICA_ALIAS in live.DATABASES  # connections.settings is settings.DATABASES itself
    settings.DATABASE_ROUTERS = [routers.ROUTER]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("axes.middleware.AxesMiddleware"), routers.MIDDLEWARE)
    settings.MIDDLEWARE = middleware
    settings.THIDUA_REPLICA_MAX_LAG_S = 3
    settings.THIDUA_READ_YOUR_WRITES_S = 5
    routers.forget_replica_state()
    yield
    routers.forget_replica_state()


@pytest.fixture
def unit():
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    return make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")


@pytest.fixture
def article(unit):
    article = make_article(unit, "Đại hội Công đoàn tỉnh Bắc Kạn lần thứ X", public=True)
    _replayed()
    return article


@contextmanager
def queries() -> Iterator[dict[str, list[str]]]:
    """The SQL each alias ran inside the block."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA_ALIAS]) as replica,
    ):
        seen: dict[str, list[str]] = {}
        yield seen
    seen[DEFAULT_DB_ALIAS] = [q["sql"] for q in primary.captured_queries]
    seen[REPLICA_ALIAS] = [q["sql"] for q in replica.captured_queries]


def read_articles_on(seen: dict[str, list[str]]) -> set[str]:
    return {alias for alias, sqls in seen.items() if any(ARTICLES in sql and sql.startswith("SELECT") for sql in sqls)}


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free now, and nothing listens on it


@contextmanager
def replica_at_dead_port() -> Iterator[None]:
    replica = connections[REPLICA_ALIAS]
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = _dead_port()
    try:
        yield
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port


def test_a_committed_row_is_read_from_the_replica_only_inside_replica_reads(rf):
    Category.objects.create(name="Gương điển hình", slug="guong-dien-hinh")
    _replayed()

    @replica_reads
    def view(request: HttpRequest) -> JsonResponse:
        seen = {"read": Category.objects.all().db}
        if request.method != "GET":
            return JsonResponse(seen)
        with connections[seen["read"]].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
            seen["in_recovery"], seen["port"] = cursor.fetchone()
        seen["found"] = Category.objects.filter(slug="guong-dien-hinh").exists()
        with transaction.atomic():
            seen["in_atomic"] = Category.objects.all().db  # a transaction reads what it writes
        Category.objects.create(name="Tin mới", slug="tin-moi")
        seen["after_write"] = Category.objects.all().db
        return JsonResponse(seen)

    seen = json.loads(view(rf.get("/")).content)
    assert seen["read"] == REPLICA_ALIAS
    assert seen["in_recovery"] is True and seen["port"] == str(connections[REPLICA_ALIAS].settings_dict["PORT"])
    assert seen["found"] is True  # committed on the primary, replayed, read on the replica
    assert (seen["in_atomic"], seen["after_write"]) == (DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS)
    assert Category.objects.all().db == DEFAULT_DB_ALIAS  # outside such a view: the primary
    assert json.loads(view(rf.post("/")).content)["read"] == DEFAULT_DB_ALIAS  # an unsafe method never
    router = routers.ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "portal") and not router.allow_migrate(REPLICA_ALIAS, "portal")


def test_portal_pages_read_from_the_replica(client, article):
    pages = (reverse("portal:home"), article.get_absolute_url(), reverse("portal:search") + "?q=dai+hoi")
    for url in pages:
        with queries() as seen:
            response = client.get(url)
        assert response.status_code == 200 and article.title in response.content.decode(), url
        assert read_articles_on(seen) == {REPLICA_ALIAS}, url


def test_a_browser_that_just_posted_reads_from_the_primary_for_a_few_seconds(client, article, unit, settings):
    settings.THIDUA_READ_YOUR_WRITES_S = 30  # a window a loaded machine cannot overrun between two requests
    make_user("doc.gia", (unit, Role.VIEWER))
    _replayed()
    response = client.post(reverse("accounts:login"), {"username": "doc.gia", "password": PASSWORD})
    assert response.status_code == 302 and routers.WROTE_COOKIE in response.cookies

    with queries() as seen:
        assert client.get(reverse("portal:home")).status_code == 200
    assert read_articles_on(seen) == {DEFAULT_DB_ALIAS}
    with queries() as seen:  # at the same moment, another reader uses the replica
        assert Client().get(reverse("portal:home")).status_code == 200
    assert read_articles_on(seen) == {REPLICA_ALIAS}

    with frozen(timezone.now() + dt.timedelta(seconds=31)):  # the window has passed
        with queries() as seen:
            assert client.get(reverse("portal:home")).status_code == 200
        assert read_articles_on(seen) == {REPLICA_ALIAS}
        with queries() as seen:
            response = client.get(reverse("dashboard:home"))
        assert response.status_code == 200 and "Liên đoàn Lao động tỉnh Bắc Kạn" in response.content.decode()
        assert any('"units_unit"' in sql for sql in seen[REPLICA_ALIAS])


def test_a_replica_that_does_not_answer_leaves_reads_on_the_primary(client, article, caplog):
    with (
        replica_at_dead_port(),
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        caplog.at_level(logging.INFO, logger="thidua.ops.routers"),
    ):
        response = client.get(reverse("portal:home"))
        assert not routers.replica_usable()  # remembered: not tried again at every page
    assert response.status_code == 200 and article.title in response.content.decode()
    assert any(ARTICLES in q["sql"] for q in primary.captured_queries)
    assert "does not answer" in caplog.text and "failed during a page" not in caplog.text  # found before the page


def test_a_replica_failing_in_the_middle_of_a_page_has_it_answered_from_the_primary(
    client, article, monkeypatch, caplog
):
    monkeypatch.setattr(routers, "CHECK_S", 60.0)
    assert routers.replica_usable()  # measured well: the next page trusts it
    with replica_at_dead_port(), caplog.at_level(logging.WARNING, logger="thidua.ops.routers"):
        response = client.get(reverse("portal:home"))
        assert not routers.replica_usable()
    assert response.status_code == 200 and article.title in response.content.decode()
    assert "failed during a page" in caplog.text


def test_a_replica_lagging_beyond_the_bound_leaves_reads_on_the_primary(client, article, unit, settings):
    settings.THIDUA_REPLICA_MAX_LAG_S = 1
    replica = connections[REPLICA_ALIAS]
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        fresh = make_article(unit, "Hội nghị người lao động năm 2025", public=True)
        deadline = time.monotonic() + 15
        while routers.measure_lag_s() <= 1:
            assert time.monotonic() < deadline, "the paused replica never lagged"
            time.sleep(0.1)
        assert not Article.objects.using(REPLICA_ALIAS).filter(pk=fresh.pk).exists()  # the replica is stale
        with queries() as seen:
            response = client.get(reverse("portal:home"))
        assert response.status_code == 200 and fresh.title in response.content.decode()
        assert read_articles_on(seen) == {DEFAULT_DB_ALIAS}
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    _replayed()
    routers.forget_replica_state()
    with queries() as seen:
        assert client.get(reverse("portal:home")).status_code == 200
    assert read_articles_on(seen) == {REPLICA_ALIAS}
