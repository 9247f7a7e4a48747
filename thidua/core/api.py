"""Shared pieces of the JSON API: bounded paging and Vietnamese errors."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("thidua.api")

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


def page(items: QuerySet[Any], limit: int, offset: int, serialize: Any = None) -> dict[str, Any]:
    """One page of a queryset as {"count", "items"}; limits are enforced by the Query params."""
    rows = list(items[offset : offset + limit])
    return {"count": items.count(), "items": [serialize(r) for r in rows] if serialize else rows}


def install_error_handlers(api: NinjaAPI) -> None:
    """Clear Vietnamese (or English, per the language switch) JSON errors, never an HTML 500."""

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = []
        for error in exc.errors:
            loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
            fields.append({"field": ".".join(loc), "message": _("Giá trị không hợp lệ.")})
        return api.create_response(
            request, {"detail": _("Dữ liệu gửi lên không hợp lệ."), "errors": fields}, status=422
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Không tìm thấy hoặc bạn không có quyền xem.")}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": _("Bạn cần đăng nhập.")}, status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(Exception)
    def crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path)
        return api.create_response(
            request,
            {"detail": _("Hệ thống gặp sự cố; hãy thử lại sau."), "request_id": getattr(request, "request_id", "")},
            status=500,
        )
