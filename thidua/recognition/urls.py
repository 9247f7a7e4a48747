from django.urls import path

from thidua.recognition import views

app_name = "recognition"

urlpatterns = [
    path("", views.award_list, name="awards"),
    path("catalogue/", views.catalogue, name="catalogue"),
]
