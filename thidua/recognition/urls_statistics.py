"""URLs of recognition: statistics (included by thidua/recognition/urls.py)."""

from django.urls import path

from thidua.recognition import views_statistics

urlpatterns = [
    path("", views_statistics.statistics_page, name="statistics"),
]
