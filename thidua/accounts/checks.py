"""Deployment checks of the login throttling (run by ``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_proxy_count(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a reverse proxy every request comes from the proxy's address: without
    ``THIDUA_PROXY_COUNT`` the per-address login limit would lock everyone out at once."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.THIDUA_PROXY_COUNT:
        return [
            Warning(
                "THIDUA_BEHIND_PROXY is on but THIDUA_PROXY_COUNT is 0: login throttling would count "
                "every client as the proxy's address.",
                hint="Set THIDUA_PROXY_COUNT to the number of reverse proxies that append to X-Forwarded-For.",
                id="accounts.W001",
            )
        ]
    return []
