"""URLs of recognition: nomination dossiers, their board, bulk nomination and Excel import
(included by thidua/recognition/urls.py under ``nominations/``, namespace "recognition")."""

from django.urls import path

from thidua.recognition import views_nominations as views

urlpatterns = [
    path("", views.nomination_list, name="nominations"),
    path("new/", views.nomination_create, name="nomination_create"),
    path("board/", views.nomination_board, name="nomination_board"),
    path("import-template.xlsx", views.import_template, name="nomination_import_template"),
    path("<int:pk>/", views.nomination_detail, name="nomination"),
    path("<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("<int:pk>/submit/", views.nomination_submit, name="nomination_submit"),
    path("<int:pk>/forward/", views.nomination_forward, name="nomination_forward"),
    path("<int:pk>/return/", views.nomination_return, name="nomination_return"),
    path("<int:pk>/take/", views.nomination_take, name="nomination_take"),
    path("<int:pk>/reject/", views.nomination_reject, name="nomination_reject"),
    path("<int:pk>/candidates/add/", views.candidate_add, name="nomination_candidate_add"),
    path("<int:pk>/ranking/", views.nomination_ranking, name="nomination_ranking"),
    path("<int:pk>/import/", views.nomination_import, name="nomination_import"),
    path("<int:pk>/import/commit/", views.nomination_import_commit, name="nomination_import_commit"),
    path("<int:pk>/files/", views.file_add, name="nomination_file_add"),
    path("candidates/<int:pk>/remove/", views.candidate_remove, name="nomination_candidate_remove"),
    path("files/<int:pk>/", views.file_download, name="nomination_file"),
    path("files/<int:pk>/delete/", views.file_delete, name="nomination_file_delete"),
]
