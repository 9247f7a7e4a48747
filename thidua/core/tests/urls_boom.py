from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as base_patterns
from thidua.accounts.access import public


@public
def boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [*base_patterns, path("boom/", boom)]
__all__ = ["handler404", "handler500", "urlpatterns"]
