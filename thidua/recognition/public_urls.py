"""The honour roll (Bảng vàng), included under the portal (``/tin/bang-vang/``)."""

from django.urls import path

from thidua.recognition import public

urlpatterns = [
    path("bang-vang/", public.honour_roll, name="honour_roll"),
]
