"""The JSON API (OpenAPI at /api/docs). Session login; every route is scoped."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from thidua.accounts.api import router as accounts_router
from thidua.members.api import router as members_router
from thidua.units.api import router as units_router

api = NinjaAPI(title="Thi Đua API", version="1", auth=django_auth, urls_namespace="api")
api.add_router("/", units_router)
api.add_router("/", members_router)
api.add_router("/", accounts_router)
