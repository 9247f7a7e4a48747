"""URLs of recognition: award decisions, their annex and certificates, and the print layouts of
pre-printed blanks (included by thidua/recognition/urls.py under ``decisions/``, namespace
"recognition").

The layout page names its award kind in the query string (``?kind=<id>``): the catalogue is shared
by every unit and has no place in the tree, so it is not fetched through ``@scoped(Model)``; the
view checks who may adjust that kind's blank."""

from django.urls import path

from thidua.recognition import views_decisions as views

urlpatterns = [
    path("", views.decision_list, name="decisions"),
    path("new/", views.decision_create, name="decision_create"),
    path("layouts/", views.certificate_layouts, name="certificate_layouts"),
    path("layouts/edit/", views.certificate_layout, name="certificate_layout"),
    path("<int:pk>/", views.decision_detail, name="decision"),
    path("<int:pk>/edit/", views.decision_edit, name="decision_edit"),
    path("<int:pk>/lines/add/", views.decision_line_add, name="decision_line_add"),
    path("lines/<int:pk>/remove/", views.decision_line_remove, name="decision_line_remove"),
    path("<int:pk>/issue/", views.decision_issue, name="decision_issue"),
    path("<int:pk>/revoke/", views.decision_revoke, name="decision_revoke"),
    path("<int:pk>/decision.docx", views.decision_docx, name="decision_docx"),
    path("<int:pk>/certificates.pdf", views.decision_certificates, name="decision_certificates"),
]
