from django.urls import path

from thidua.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("plan/<int:plan_pk>/", views.calendar, name="calendar"),
    path("plan/<int:plan_pk>/periods/add/", views.period_add, name="period_add"),
    path("plan/<int:plan_pk>/periods/monthly/", views.periods_generate, name="periods_generate"),
    path("plan/<int:plan_pk>/clusters/add/", views.cluster_add, name="cluster_add"),
    path("clusters/<int:pk>/delete/", views.cluster_delete, name="cluster_delete"),
    path("periods/<int:pk>/", views.board, name="board"),
    path("periods/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("periods/<int:pk>/review/", views.review_view, name="review"),
    path("periods/<int:pk>/delete/", views.period_delete, name="period_delete"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/submit/", views.report_submit, name="submit"),
    path("reports/<int:pk>/verify/", views.report_verify, name="verify"),
    path("reports/<int:pk>/return/", views.report_return, name="return"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("reports/<int:pk>/adjust/", views.report_adjust, name="adjust"),
    path("reports/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
]
