"""The public library of effective models, included under the portal (``/tin/mo-hinh/``)."""

from django.urls import path

from thidua.initiatives import public

urlpatterns = [
    path("mo-hinh/", public.model_library, name="model_library"),
    path("mo-hinh/<int:pk>/", public.model_page, name="model_page"),
]
