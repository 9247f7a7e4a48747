"""The JSON API (OpenAPI at /api/openapi.json, Swagger UI at /api/docs); every route is scoped.

Two ways in: a personal access token (``Authorization: Bearer thd_…``, ``thidua.accounts.tokens``)
or the logged-in session (with its CSRF token on writes). The token is tried first, so a request
that presents one is judged by it alone. Either way ``request.user`` is the person, and every route
reads and writes through the same scope mechanism and services as the pages.
"""

from __future__ import annotations

from ninja.security import django_auth

from thidua.accounts.api import router as accounts_router
from thidua.accounts.tokens import ApiTokenAuth, session_or_token
from thidua.campaigns.api import router as campaigns_router
from thidua.core.api import SwaggerLocal, ThiDuaAPI, install_error_handlers
from thidua.initiatives.api import router as initiatives_router
from thidua.inspections.api import router as inspections_router
from thidua.members.api import router as members_router
from thidua.monitoring.api import router as monitoring_router
from thidua.portal.api import router as portal_router
from thidua.recognition.api import router as recognition_router
from thidua.registrations.api import router as registrations_router
from thidua.units.api import router as units_router

api = ThiDuaAPI(
    title="Thi Đua API",
    version="1",
    description=(
        "Authenticate with a personal access token (Authorization: Bearer thd_…, created under "
        "“Mã truy cập API” in your account menu) or a logged-in session. Every route answers within "
        "the account's scope, as the pages do. See docs/api.md."
    ),
    auth=[ApiTokenAuth(), django_auth],
    urls_namespace="api",
    docs=SwaggerLocal(),
    docs_url="/docs",
    docs_decorator=session_or_token,
)
install_error_handlers(api)
api.add_router("/", units_router)
api.add_router("/", members_router)
api.add_router("/", accounts_router)
api.add_router("/", campaigns_router)
api.add_router("/", registrations_router)
api.add_router("/", portal_router)
api.add_router("/", inspections_router)
api.add_router("/", initiatives_router)
api.add_router("/", recognition_router)
api.add_router("/", monitoring_router)
