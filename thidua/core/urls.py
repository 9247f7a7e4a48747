from django.urls import path

from thidua.core import views

app_name = "core"

urlpatterns = [
    path("", views.root, name="home"),
]
