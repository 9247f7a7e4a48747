from django.urls import path

from thidua.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.root, name="home"),
]
