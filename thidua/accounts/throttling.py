"""Login throttling: django-axes counting failures three ways, each with its own limit.

Within the cool-off (``AXES_COOLOFF_TIME``, 15 minutes after the last failure), logging in is
refused once any of these counts reaches its limit:

* one username from one address: ``AXES_FAILURE_LIMIT`` (5): a person who mistyped;
* one address, any usernames: ``THIDUA_LOGIN_ADDRESS_LIMIT`` (20): spraying one common
  password over many accounts from one machine. Higher, because an office behind one NAT
  address shares it;
* one username, any addresses: ``THIDUA_LOGIN_USERNAME_LIMIT`` (10): guessing one account's
  password from many machines. Not lower, because anyone who knows a username can spend these
  failures to lock its owner out for 15 minutes (a system administrator lifts it sooner:
  ``manage.py axes_reset_username``, or the access attempts in the Django admin).

axes takes a single failure limit, so ``get_failures`` reports the count that is furthest
towards its own limit, scaled to ``AXES_FAILURE_LIMIT``. And a successful login clears only its
own username-and-address failures: axes would clear every failure matching any of the three, so
a valid account of one's own would wipe the address's count for the next round of spraying.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the outermost of ``THIDUA_PROXY_COUNT`` trusted reverse
    proxies saw (the rule of the portal's visitor hash): the header's left part is the client's
    to write, so it is never trusted."""
    hops = settings.THIDUA_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))


def _limit_of(parameter: str | list[str], base: int) -> int:
    fields = {parameter} if isinstance(parameter, str) else set(parameter)
    if fields == {"ip_address"}:
        return int(settings.THIDUA_LOGIN_ADDRESS_LIMIT)
    if fields == {"username"}:
        return int(settings.THIDUA_LOGIN_USERNAME_LIMIT)
    return base


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout parameter (see the module's rule)."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        base = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            # floor(failures * base / limit) >= base exactly when failures >= limit.
            worst = max(worst, failures * base // max(_limit_of(parameter, base), 1))
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count
