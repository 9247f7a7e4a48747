"""URLs of recognition: decisions (included by thidua/recognition/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
