"""``/healthz``: public, JSON, never cached; 503 only when the site cannot serve."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from thidua.accounts.access import public
from thidua.ops import health


@public  # for load balancers and uptime monitors: no login, and nothing personal in it
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    body = health.report()
    response = JsonResponse(body, status=503 if body["status"] == health.FAIL else 200)
    response["Cache-Control"] = "no-store"
    return response
