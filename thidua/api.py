"""The JSON API (OpenAPI at /api/docs). Session login; every route is scoped."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI
from ninja.security import django_auth

from thidua.accounts.api import router as accounts_router
from thidua.core.api import install_error_handlers
from thidua.inspections.api import router as inspections_router
from thidua.members.api import router as members_router
from thidua.monitoring.api import router as monitoring_router
from thidua.units.api import router as units_router

# No Swagger page: it loads scripts from a CDN that the CSP (and the network) refuses.
# The schema itself is served to logged-in users at /api/openapi.json.
api = NinjaAPI(
    title="Thi Đua API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_url=None,
    docs_decorator=login_required,
)
install_error_handlers(api)
api.add_router("/", units_router)
api.add_router("/", members_router)
api.add_router("/", accounts_router)
api.add_router("/", inspections_router)
api.add_router("/", monitoring_router)
