"""Shared pieces of the JSON API: bounded paging, Vietnamese errors, the documentation page."""

from __future__ import annotations

import logging
import math
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from django.utils.functional import Promise

logger = logging.getLogger("thidua.api")

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


def choice(values: list[str], default: str | None = None) -> Any:
    """A query parameter limited to ``values`` (or empty), checked and documented by a pattern of its
    own. (Typing it with a model's ``Status`` choices would make every such class one OpenAPI
    component named "Status", each documenting another's values.)"""
    from ninja import Query

    return Query(default, max_length=40, pattern="^(?:|" + "|".join(re.escape(v) for v in values) + ")$")


def page(items: QuerySet[Any], limit: int, offset: int, serialize: Any = None) -> dict[str, Any]:
    """One page of a queryset as {"count", "items"}; limits are enforced by the Query params."""
    rows = list(items[offset : offset + limit])
    return {"count": items.count(), "items": [serialize(r) for r in rows] if serialize else rows}


class CredentialsRefused(AuthenticationError):
    """Credentials were presented and refused (a wrong, expired or revoked token): 401 with the reason,
    and the ``WWW-Authenticate`` challenge of RFC 6750."""

    def __init__(self, detail: str | Promise) -> None:
        super().__init__(message=str(detail))
        self.detail = str(detail)


class SwaggerLocal(DocsBase):
    """Swagger UI from this server's own static files (``thidua/static/vendor/swagger-ui-*``), so the
    page works under the CSP (``script-src 'self'``) and without the internet: no CDN, no inline script.
    The settings travel in a JSON data block that ``thidua/api-docs.js`` reads."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "dom_id": "#swagger-ui",
            "deepLinking": False,  # True wraps each path in a link inside its button (nested controls)
            "validatorUrl": None,  # the default sends the schema to validator.swagger.io
            "defaultModelsExpandDepth": -1,  # no "Schemas" section: each operation shows its own
            "persistAuthorization": False,  # a token typed in stays in the page, not in localStorage
        }
        return render(request, self.template, {"api": api, "swagger_settings": settings})


# Every answer an operation may give besides its own: the error bodies of ``install_error_handlers``.
ERROR_RESPONSES = {
    "401": "Chưa đăng nhập, hoặc mã truy cập sai, hết hạn hay đã thu hồi.",
    "403": "Không có quyền thực hiện thao tác này (ví dụ mã chỉ đọc gửi yêu cầu ghi).",
    "404": "Không tìm thấy, hoặc nằm ngoài phạm vi của tài khoản.",
    "422": "Dữ liệu gửi lên không hợp lệ; ``errors`` liệt kê từng trường.",
    "429": "Quá số yêu cầu cho phép mỗi phút của mã truy cập (xem ``Retry-After``).",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["detail"],
}


class ThiDuaAPI(NinjaAPI):
    """The API whose OpenAPI schema also documents the errors every operation may answer (401, 403,
    404, 422, 429, with one ``Error`` body), so clients and schemathesis know them."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": ref})
        return schema


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """A service's ``ValidationError`` as the API's list of {"field", "message"} ("" for the whole object)."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


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

    @api.exception_handler(ValidationError)
    def refused_by_service(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        """What a service refused (a number already used, a file that is not what it says): 422."""
        return api.create_response(
            request, {"detail": _("Dữ liệu gửi lên không hợp lệ."), "errors": validation_errors(exc)}, status=422
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc) or _("Bạn không có quyền thực hiện thao tác này.")}, status=403
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if isinstance(exc, CredentialsRefused):
            response = api.create_response(request, {"detail": exc.detail}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
            return response
        return api.create_response(request, {"detail": _("Bạn cần đăng nhập.")}, status=401)

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = api.create_response(
            request, {"detail": _("Quá nhiều yêu cầu; hãy thử lại sau ít phút.")}, status=429
        )
        if exc.wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))  # whole seconds (RFC 9110)
        return response

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
