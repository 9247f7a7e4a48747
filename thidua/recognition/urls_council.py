"""URLs of recognition: the emulation council, its sessions and the secret ballot (included by
thidua/recognition/urls.py under /recognition/council/, namespace "recognition")."""

from django.urls import path

from thidua.recognition import views_council as views

urlpatterns = [
    path("", views.council_list, name="councils"),
    path("new/", views.council_create, name="council_create"),
    path("<int:pk>/", views.council_detail, name="council"),
    path("<int:pk>/edit/", views.council_edit, name="council_edit"),
    path("<int:pk>/members/", views.council_member_add, name="council_member_add"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("members/<int:pk>/", views.council_member_edit, name="council_member_edit"),
    path("members/<int:pk>/deactivate/", views.council_member_deactivate, name="council_member_deactivate"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/items/", views.session_items_add, name="session_items_add"),
    path("sessions/<int:pk>/items/remove/", views.session_item_remove, name="session_item_remove"),
    path("sessions/<int:pk>/open/", views.session_open, name="session_open"),
    path("sessions/<int:pk>/close/", views.session_close, name="session_close"),
    path("sessions/<int:pk>/bien-ban.docx", views.session_minutes, name="session_minutes"),
    path("sessions/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("sessions/<int:pk>/written/<int:member_id>/", views.written_ballot, name="written_ballot"),
    path("ballots/", views.my_ballots, name="my_ballots"),
]
