"""One log line a request, with nothing personal in it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger("thidua.request")
QUIET_PATHS = frozenset({"/healthz"})  # polled every few seconds: logged at DEBUG while healthy


class RequestLogMiddleware:
    """Logs ``method``, ``path`` (never the query string: searches carry names and phone
    numbers), ``status``, ``duration_ms``, and ``user_id`` and ``unit_ids`` (the top units of
    the user's scope) when the request looked the user up anyway: it never loads a user, a
    session or a scope only to log them. Never a username, name, e-mail or address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler below ends as a 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            self.log(request, status, (time.perf_counter() - started) * 1000)

    def log(self, request: HttpRequest, status: int, duration_ms: float) -> None:
        user_id, unit_ids = _who(request)
        path = request.path[:500]
        level = logging.DEBUG if path in QUIET_PATHS and status == 200 else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1f ms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": round(duration_ms, 1),
                "user_id": user_id,
                "unit_ids": unit_ids,
            },
        )


def _who(request: HttpRequest) -> tuple[int | None, list[int] | None]:
    user: Any = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped  # not looked up: leave it so
    if user is None or not user.is_authenticated:
        return None, None
    scope = getattr(user, "_thidua_scope", None)  # cached on the user by accounts.scope.scope_for
    return user.pk, (scope.root_unit_ids if scope is not None else None)
