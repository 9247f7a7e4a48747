from django.urls import path

from thidua.initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("new/", views.initiative_create, name="create"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("<int:pk>/submit/", views.initiative_submit, name="submit"),
    path("<int:pk>/redraft/", views.initiative_redraft, name="redraft"),
    path("<int:pk>/evidence/add/", views.initiative_evidence_add, name="evidence_add"),
    path("<int:pk>/review/", views.initiative_review, name="review"),
    path("<int:pk>/effect/", views.initiative_effect, name="effect"),
    path("evidence/<int:pk>/", views.initiative_evidence, name="evidence"),
    path("councils/", views.council_list, name="councils"),
    path("councils/new/", views.council_create, name="council_create"),
    path("councils/<int:pk>/", views.council_detail, name="council"),
    path("councils/<int:pk>/edit/", views.council_edit, name="council_edit"),
    path("councils/<int:pk>/members/add/", views.council_member_add, name="council_member_add"),
    path("council-members/<int:pk>/remove/", views.council_member_remove, name="council_member_remove"),
    path("models/", views.model_list, name="models"),
    path("models/new/", views.model_create, name="model_create"),
    path("models/<int:pk>/", views.model_detail, name="model"),
    path("models/<int:pk>/edit/", views.model_edit, name="model_edit"),
    path("models/<int:pk>/submit/", views.model_submit, name="model_submit"),
    path("models/<int:pk>/approve/", views.model_approve, name="model_approve"),
    path("models/<int:pk>/return/", views.model_return, name="model_return"),
    path("models/<int:pk>/publish/", views.model_publish, name="model_publish"),
    path("models/<int:pk>/evidence/add/", views.model_evidence_add, name="model_evidence_add"),
    path("models/<int:pk>/adopt/", views.model_adopt, name="model_adopt"),
    path("models/evidence/<int:pk>/", views.model_evidence, name="model_evidence"),
]
