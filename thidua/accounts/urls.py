from django.urls import path

from thidua.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/export.xlsx", views.assignments_export, name="assignments_export"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/revoke/", views.assignment_revoke, name="assignment_revoke"),
]
