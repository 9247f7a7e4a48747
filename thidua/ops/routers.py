"""Reads that may go to the read replica, and when they must not (docs/deploy.md, "Read replica").

Installed by the settings only when ``DATABASE_REPLICA_URL`` is set. The rules:

* Everything goes to the primary (``default``) unless a view marked ``@replica_reads`` is
  answering a GET or HEAD: the public portal's pages and the dashboard, which only read and
  are most of the load.
* Writes always go to the primary, and once a request has written, the rest of its reads do
  too; so do reads inside a transaction on the primary (``atomic``), which must see its writes.
* Read-your-writes: a request with an unsafe method (POST, PUT, PATCH, DELETE) leaves a signed
  cookie; for ``THIDUA_READ_YOUR_WRITES_S`` seconds that browser reads from the primary, so the
  page after a save shows the save even while the replica has not replayed it yet.
* The replica is used only while it answers and its lag is at most ``THIDUA_REPLICA_MAX_LAG_S``,
  measured at most once a second per process (after a failure, again after ``DOWN_RETRY_S``).
  A replica that fails in the middle of a page (no write made yet) has the page answered again
  from the primary.
* Migrations run on the primary only; the replica receives them by replication.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"  # the DATABASES entry (also what /healthz checks: thidua/ops/health.py)
ROUTER = "thidua.ops.routers.ReplicaRouter"
MIDDLEWARE = "thidua.ops.routers.ReadYourWritesMiddleware"
WROTE_COOKIE = "thidua_wrote"
WROTE_SALT = "thidua.ops.routers.wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHECK_S = 1.0  # how long a measured lag is trusted
DOWN_RETRY_S = 5.0  # how long a replica that failed is left alone

# Where reads go in this request: the replica inside a @replica_reads view until it writes.
_reads_from: ContextVar[str | None] = ContextVar("thidua_reads_from", default=None)

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


@dataclass(frozen=True)
class _Verdict:
    usable: bool
    until: float  # time.monotonic() after which the replica is measured again


_lock = threading.Lock()
_verdict: _Verdict | None = None


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES and ROUTER in settings.DATABASE_ROUTERS


def measure_lag_s(alias: str = REPLICA_ALIAS) -> float:
    """How many seconds the replica is behind the primary: 0 when it has replayed all the
    primary has flushed, else the age of the last transaction it replayed (infinite when it
    replayed none). Raises DatabaseError when either does not answer."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()")
        primary_lsn = cursor.fetchone()[0]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn, "
            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
            [primary_lsn],
        )
        caught_up, age = cursor.fetchone()
    if caught_up:
        return 0.0
    return float("inf") if age is None else max(float(age), 0.0)


def _measure() -> _Verdict:
    now = time.monotonic()
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return _Verdict(usable=False, until=now + DOWN_RETRY_S)
    try:
        lag = measure_lag_s()
    except DatabaseError:
        connections[REPLICA_ALIAS].close()
        logger.warning("The read replica does not answer: reading from the primary")
        return _Verdict(usable=False, until=now + DOWN_RETRY_S)
    if lag > settings.THIDUA_REPLICA_MAX_LAG_S:
        logger.info("The read replica lags %.1f s: reading from the primary", lag)
        return _Verdict(usable=False, until=now + CHECK_S)
    return _Verdict(usable=True, until=now + CHECK_S)


def replica_usable() -> bool:
    """Whether the replica answers within the lag bound (measured at most every CHECK_S)."""
    global _verdict
    verdict = _verdict
    if verdict is None or time.monotonic() >= verdict.until:
        verdict = _measure()
        with _lock:
            _verdict = verdict
    return verdict.usable


def mark_replica_down() -> None:
    global _verdict
    with _lock:
        _verdict = _Verdict(usable=False, until=time.monotonic() + DOWN_RETRY_S)


def forget_replica_state() -> None:
    """Measure again at the next read, as a new process would (tests)."""
    global _verdict
    with _lock:
        _verdict = None


def wrote_recently(request: HttpRequest) -> bool:
    value = request.get_signed_cookie(
        WROTE_COOKIE, default=None, salt=WROTE_SALT, max_age=settings.THIDUA_READ_YOUR_WRITES_S
    )
    return value is not None


def replica_reads(view: V) -> V:
    """Let a read-only view read from the replica (see the module's rules). Put it below
    ``@public`` / ``@scoped``, so the user and the session are read from the primary."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (
            request.method not in SAFE_METHODS
            or not replica_configured()
            or wrote_recently(request)
            or not replica_usable()
        ):
            return view(request, *args, **kwargs)
        token = _reads_from.set(REPLICA_ALIAS)
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            # Only a failure of the replica itself, before anything was written, is answered again.
            if _reads_from.get() != REPLICA_ALIAS or not connections[REPLICA_ALIAS].errors_occurred:
                raise
            logger.warning("The read replica failed during a page: answering it from the primary", exc_info=True)
            mark_replica_down()
            connections[REPLICA_ALIAS].close()
        finally:
            _reads_from.reset(token)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    """Reads inside ``@replica_reads`` go to the replica, everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        alias = _reads_from.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if _reads_from.get() is not None:
            _reads_from.set(None)  # this request now reads what it wrote: from the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """After an unsafe request, the browser reads from the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                WROTE_COOKIE,
                "1",
                salt=WROTE_SALT,
                max_age=settings.THIDUA_READ_YOUR_WRITES_S,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
