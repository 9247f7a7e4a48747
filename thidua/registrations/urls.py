from django.urls import path

from thidua.registrations import views

app_name = "registrations"

urlpatterns = [
    path("", views.registration_list, name="list"),
    path("template.xlsx", views.template, name="template"),
    path("open/<int:plan_pk>/", views.registration_open, name="open"),
    path("coverage/<int:plan_pk>/", views.coverage_view, name="coverage"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pledges/", views.pledges_add, name="pledges_add"),
    path("pledges/<int:pk>/remove/", views.pledge_remove, name="pledge_remove"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/import/", views.import_upload, name="import"),
    path("<int:pk>/import/<uuid:token>/", views.import_commit, name="import_commit"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
]
