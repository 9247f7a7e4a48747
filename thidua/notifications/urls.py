from django.urls import path

from thidua.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("email/", views.email_preference, name="email"),
]
