"""What ``/healthz`` checks: the database, a read replica's lag, Redis, the workers, the disk.

Each check answers a small dict with ``ok``; none carries a host name, a URL, an error
message or any personal data, since the page is public. ``report()`` folds them into one
status (docs/deploy.md, "Workers, health and logs"):

* ``fail`` (HTTP 503) — the site cannot serve: the database does not answer, the Redis cache
  (``REDIS_URL``, which every page uses) does not answer, or a worker named in
  ``THIDUA_HEALTH_WORKERS`` has no heartbeat or a stale one;
* ``degraded`` (HTTP 200) — it serves, but something needs a look: the replica lags or does
  not answer, the view buffer's Redis does not answer (views are then written to the
  database), free disk space is below ``THIDUA_HEALTH_DISK_MIN_FREE_MB``, or a worker that is
  not required has gone stale;
* ``ok`` (HTTP 200) otherwise.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from thidua.ops.models import Heartbeat
from thidua.ops.routers import REPLICA_ALIAS, measure_lag_s

OK, DEGRADED, FAIL = "ok", "degraded", "fail"
REDIS_TIMEOUT_S = 0.5


def _timed(probe: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = probe()
    return value, round((time.perf_counter() - started) * 1000, 1)


def check_database() -> dict[str, Any]:
    def probe() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    try:
        _value, ms = _timed(probe)
    except DatabaseError:
        return {"ok": False}
    return {"ok": True, "ms": ms}


def replica_lag_s(alias: str) -> float | None:
    """Seconds the replica is behind the primary (PostgreSQL), measured as the router measures it
    (``routers.measure_lag_s``: against the primary's flushed WAL, so a replica that receives late
    is seen too); None where the database cannot tell."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    return measure_lag_s(alias)


def check_replica() -> dict[str, Any]:
    if REPLICA_ALIAS not in settings.DATABASES:
        return {"configured": False, "ok": True}
    try:
        lag, ms = _timed(lambda: replica_lag_s(REPLICA_ALIAS))
    except DatabaseError:
        return {"configured": True, "ok": False}
    if lag is not None and math.isinf(lag):  # it has replayed nothing yet
        return {"configured": True, "ok": False, "lag_s": None, "ms": ms}
    ok = lag is None or lag <= settings.THIDUA_HEALTH_REPLICA_MAX_LAG_S
    return {"configured": True, "ok": ok, "lag_s": None if lag is None else round(lag, 1), "ms": ms}


def _ping(url: str) -> dict[str, Any]:
    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)
    try:
        _value, ms = _timed(client.ping)
    except redis.RedisError:
        return {"ok": False}
    finally:
        client.close()
    return {"ok": True, "ms": ms}


def check_redis() -> dict[str, Any]:
    """The cache (``REDIS_URL``) and the view buffer (``THIDUA_VIEW_BUFFER_URL``), when configured."""
    urls = {"cache": settings.REDIS_URL, "view_buffer": settings.THIDUA_VIEW_BUFFER_URL}
    result: dict[str, Any] = {"configured": any(urls.values())}
    for role, url in urls.items():
        if url:
            result[role] = _ping(url)
    result["ok"] = all(result[role]["ok"] for role, url in urls.items() if url)
    return result


def check_workers() -> dict[str, dict[str, Any]]:
    """Every worker with a heartbeat row, and every required one (``THIDUA_HEALTH_WORKERS``).

    A worker is ok when it beat and succeeded within ``THIDUA_HEALTH_WORKER_STALE_S`` seconds,
    or three of its own intervals if that is longer. Raises ``DatabaseError`` when the
    heartbeats cannot be read.
    """
    now = timezone.now()
    required = set(settings.THIDUA_HEALTH_WORKERS)
    workers = _unknown_required_workers()
    for beat in Heartbeat.objects.all():
        bound = max(float(settings.THIDUA_HEALTH_WORKER_STALE_S), 3 * beat.interval_s)
        age = (now - beat.beat_at).total_seconds()
        ok_age = (now - beat.last_ok_at).total_seconds() if beat.last_ok_at else None
        workers[beat.name] = {
            "required": beat.name in required,
            "ok": age <= bound and ok_age is not None and ok_age <= bound,
            "age_s": round(age, 1),
            "ok_age_s": None if ok_age is None else round(ok_age, 1),
            "iterations": beat.iterations,
        }
    return dict(sorted(workers.items()))


def _unknown_required_workers() -> dict[str, dict[str, Any]]:
    """The required workers, as when no heartbeat of theirs is found."""
    return {
        name: {"required": True, "ok": False, "age_s": None, "ok_age_s": None, "iterations": 0}
        for name in settings.THIDUA_HEALTH_WORKERS
    }


def _disk_path() -> Path:
    path = Path(settings.VAR_DIR)  # SQLite, uploaded files and collected static files
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk() -> dict[str, Any]:
    free = shutil.disk_usage(_disk_path()).free
    return {"free_bytes": free, "ok": free >= settings.THIDUA_HEALTH_DISK_MIN_FREE_MB * 1024 * 1024}


def report() -> dict[str, Any]:
    """All the checks and the status they add up to (see the module's docstring)."""
    checks: dict[str, Any] = {"database": check_database()}
    checks["replica"] = check_replica()
    checks["redis"] = check_redis()
    checks["workers"] = _unknown_required_workers()
    if checks["database"]["ok"]:
        try:
            checks["workers"] = check_workers()
        except DatabaseError:  # e.g. not migrated yet
            checks["database"] = {"ok": False}
    checks["disk"] = check_disk()
    workers = checks["workers"]
    redis_check = checks["redis"]
    if (
        not checks["database"]["ok"]
        or not redis_check.get("cache", {"ok": True})["ok"]
        or any(w["required"] and not w["ok"] for w in workers.values())
    ):
        status = FAIL
    elif (
        not checks["replica"]["ok"]
        or not redis_check["ok"]
        or not checks["disk"]["ok"]
        or not all(w["ok"] for w in workers.values())
    ):
        status = DEGRADED
    else:
        status = OK
    return {"status": status, "checks": checks}
