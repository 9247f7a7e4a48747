from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _


def thidua(request: HttpRequest) -> dict[str, Any]:
    return {
        "request_id": getattr(request, "request_id", ""),
        "idle_timeout_minutes": settings.SESSION_COOKIE_AGE // 60,
        "portal_name": settings.THIDUA_PORTAL_NAME or _("Tin hoạt động Công đoàn"),
    }
