from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from thidua.accounts.access import public
from thidua.api import api
from thidua.core import views as core_views
from thidua.ops import views as ops_views
from thidua.portal import views as portal_views

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

urlpatterns = [
    path("", include("thidua.dashboard.urls")),
    path("units/", include("thidua.units.urls")),
    path("members/", include("thidua.members.urls")),
    path("accounts/", include("thidua.accounts.urls")),
    path("accounts/api-tokens/", include("thidua.accounts.token_urls")),
    path("plans/", include("thidua.campaigns.urls")),
    path("registrations/", include("thidua.registrations.urls")),
    path("monitoring/", include("thidua.monitoring.urls")),
    path("inspections/", include("thidua.inspections.urls")),
    path("recognition/", include("thidua.recognition.urls")),
    path("initiatives/", include("thidua.initiatives.urls")),
    path("notifications/", include("thidua.notifications.urls")),
    path("tin/", include("thidua.portal.urls")),
    path("robots.txt", portal_views.robots, name="robots"),
    path("healthz", ops_views.healthz, name="healthz"),  # for load balancers and monitors (docs/deploy.md)
    path("i18n/setlang/", public(set_language), name="set_language"),
    # Labels of the article editor's dialogs (window.gettext), in the page's language.
    path("i18n/js/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("api/", api.urls),
    path(settings.ADMIN_URL, admin.site.urls),
]
