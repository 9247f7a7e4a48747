"""``/healthz``: public JSON, never cached, 503 only when the site cannot serve."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from django.db import OperationalError, connection

from thidua.ops import health
from thidua.ops.models import Heartbeat
from thidua.testing import frozen

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def beat(name: str, *, ago: float, ok_ago: float | None = None, interval: float = 5) -> Heartbeat:
    at = NOW - dt.timedelta(seconds=ago)
    ok_at = None if ok_ago is None else NOW - dt.timedelta(seconds=ok_ago)
    return Heartbeat.objects.create(
        name=name, host="h", pid=1, interval_s=interval, started_at=at, beat_at=at, last_ok_at=ok_at, iterations=7
    )


def healthz(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, response.json()


@pytest.mark.django_db
def test_a_server_without_required_workers_is_ok_and_says_what_it_checked(client, settings):
    settings.THIDUA_HEALTH_WORKERS = []
    settings.REDIS_URL = settings.THIDUA_VIEW_BUFFER_URL = ""
    status, body = healthz(client)
    assert status == 200 and body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "replica", "redis", "workers", "disk"}
    assert checks["database"]["ok"] is True and checks["database"]["ms"] >= 0
    assert checks["replica"] == {"configured": False, "ok": True}
    assert checks["redis"] == {"configured": False, "ok": True}
    assert checks["workers"] == {}
    assert checks["disk"]["ok"] is True and checks["disk"]["free_bytes"] > 0


@pytest.mark.django_db
def test_required_workers_fail_when_missing_stale_or_failing_and_others_only_degrade(client, settings):
    settings.THIDUA_HEALTH_WORKERS = ["send_reminders", "flush_views"]
    settings.THIDUA_HEALTH_WORKER_STALE_S = 120
    with frozen(NOW):
        beat("send_reminders", ago=10, ok_ago=10, interval=60)
        status, body = healthz(client)
        assert (status, body["status"]) == (503, "fail")  # flush_views never beat
        assert body["checks"]["workers"] == {
            "flush_views": {"required": True, "ok": False, "age_s": None, "ok_age_s": None, "iterations": 0},
            "send_reminders": {"required": True, "ok": True, "age_s": 10.0, "ok_age_s": 10.0, "iterations": 7},
        }

        beat("flush_views", ago=2, ok_ago=2)
        beat("retired", ago=3600, ok_ago=3600)  # not required: degraded, still 200
        status, body = healthz(client)
        assert (status, body["status"]) == (200, "degraded")
        assert body["checks"]["workers"]["retired"]["ok"] is False

        Heartbeat.objects.filter(name="retired").delete()
        assert healthz(client)[1]["status"] == "ok"

        # Beating, but every round fails for longer than the bound: not ok.
        Heartbeat.objects.filter(name="flush_views").update(last_ok_at=NOW - dt.timedelta(seconds=121))
        status, body = healthz(client)
        assert status == 503 and body["checks"]["workers"]["flush_views"]["ok"] is False

    # Stale: no beat for longer than the bound, or three of its intervals if that is longer.
    Heartbeat.objects.filter(name="flush_views").update(last_ok_at=NOW)
    with frozen(NOW + dt.timedelta(seconds=150)):
        status, body = healthz(client)
    assert status == 503
    workers = body["checks"]["workers"]
    assert workers["flush_views"]["ok"] is False  # 152 s > max(120, 3 × 5)
    assert workers["send_reminders"]["ok"] is True  # 160 s < 3 × 60


@pytest.mark.django_db
def test_a_database_that_does_not_answer_fails(client, settings, monkeypatch):
    settings.THIDUA_HEALTH_WORKERS = ["send_reminders"]

    def refuse(*_args, **_kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    status, body = healthz(client)
    assert (status, body["status"]) == (503, "fail")
    assert body["checks"]["database"] == {"ok": False}  # no error text: the page is public
    assert body["checks"]["workers"]["send_reminders"]["ok"] is False


@pytest.mark.django_db
def test_redis_cache_down_fails_view_buffer_down_degrades(client, settings):
    settings.THIDUA_HEALTH_WORKERS = []
    settings.THIDUA_VIEW_BUFFER_URL = UNREACHABLE_REDIS
    settings.REDIS_URL = ""
    status, body = healthz(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["redis"] == {"configured": True, "view_buffer": {"ok": False}, "ok": False}
    assert "127.0.0.1" not in str(body)  # never the URL, which may hold a password

    settings.REDIS_URL = UNREACHABLE_REDIS  # the cache every page uses
    status, body = healthz(client)
    assert (status, body["status"]) == (503, "fail")


@pytest.mark.django_db
def test_redis_that_answers_is_ok(client, settings):
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {url}: {exc}")
    settings.THIDUA_HEALTH_WORKERS = []
    settings.REDIS_URL = settings.THIDUA_VIEW_BUFFER_URL = url
    status, body = healthz(client)
    assert (status, body["status"]) == (200, "ok")
    assert body["checks"]["redis"]["cache"]["ok"] and body["checks"]["redis"]["view_buffer"]["ok"]


@pytest.mark.django_db
def test_a_lagging_replica_or_a_full_disk_degrades(client, settings, monkeypatch):
    settings.THIDUA_HEALTH_WORKERS = []
    settings.REDIS_URL = settings.THIDUA_VIEW_BUFFER_URL = ""
    monkeypatch.setattr(health, "REPLICA_ALIAS", "default")  # this database stands in for a replica
    monkeypatch.setattr(health, "replica_lag_s", lambda alias: None)  # a database that cannot tell
    status, body = healthz(client)
    assert (status, body["status"]) == (200, "ok")
    assert body["checks"]["replica"]["configured"] is True and body["checks"]["replica"]["ok"] is True

    settings.THIDUA_HEALTH_REPLICA_MAX_LAG_S = 30
    monkeypatch.setattr(health, "replica_lag_s", lambda alias: 31.0)
    status, body = healthz(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["replica"]["lag_s"] == 31.0 and body["checks"]["replica"]["ok"] is False

    monkeypatch.setattr(health, "replica_lag_s", lambda alias: float("inf"))  # replayed nothing yet
    status, body = healthz(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["replica"]["lag_s"] is None and body["checks"]["replica"]["ok"] is False

    monkeypatch.setattr(health, "replica_lag_s", lambda alias: 0.0)
    settings.THIDUA_HEALTH_DISK_MIN_FREE_MB = 10**12  # an exabyte: no disk has that much free
    status, body = healthz(client)
    assert (status, body["status"]) == (200, "degraded") and body["checks"]["disk"]["ok"] is False


@pytest.mark.django_db
def test_the_replica_lag_query_runs_on_this_database():
    lag = health.replica_lag_s("default")
    if connection.vendor == "postgresql":
        assert lag == 0.0  # a primary is never behind itself
    else:
        assert lag is None  # SQLite cannot tell: the replica only has to answer


@pytest.mark.django_db
def test_healthz_needs_no_login_and_is_read_only(client, settings):
    settings.THIDUA_HEALTH_WORKERS = []
    assert client.get("/healthz").status_code == 200  # not a redirect to the login page
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
