from django.urls import path

from thidua.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/issue/", views.plan_issue, name="issue"),
    path("<int:pk>/recall/", views.plan_recall, name="recall"),
    path("<int:pk>/close/", views.plan_close, name="close"),
    path("<int:pk>/implement/", views.implement, name="implement"),
    path("<int:pk>/contents/new/", views.content_add, name="content_add"),
    path("contents/<int:pk>/", views.content_edit, name="content_edit"),
    path("contents/<int:pk>/criteria/new/", views.criterion_add, name="criterion_add"),
    path("criteria/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("<int:pk>/rounds/new/", views.round_add, name="round_add"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/urge/", views.urge, name="urge"),
    path("<int:pk>/document.docx", views.docx, name="docx"),
]
