from django.urls import path

from thidua.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("plan/<int:plan_pk>/", views.plan_inspections, name="plan"),
    path("plan/<int:plan_pk>/add/", views.inspection_add, name="add"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/edit/", views.inspection_edit, name="edit"),
    path("<int:pk>/targets/add/", views.targets_add, name="targets_add"),
    path("<int:pk>/start/", views.inspection_start, name="start"),
    path("<int:pk>/close/", views.inspection_close, name="close"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/remove/", views.target_remove, name="target_remove"),
    path("targets/<int:pk>/findings/add/", views.finding_add, name="finding_add"),
    path("findings/<int:pk>/evidence/", views.evidence_download, name="evidence"),
    path("findings/<int:pk>/remove/", views.finding_remove, name="finding_remove"),
    path("findings/<int:pk>/follow-ups/add/", views.followup_add, name="followup_add"),
    path("follow-ups/", views.followup_list, name="followups"),
    path("follow-ups/<int:pk>/", views.followup_detail, name="followup"),
    path("follow-ups/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("follow-ups/<int:pk>/close/", views.followup_close, name="followup_close"),
    path("follow-ups/<int:pk>/reopen/", views.followup_reopen, name="followup_reopen"),
]
