from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from thidua.accounts.access import public
from thidua.portal import feeds, manage, views
from thidua.portal.sitemaps import SITEMAPS

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("chuyen-muc/<slug:slug>/", views.category, name="category"),
    path("the/<slug:slug>/", views.tag, name="tag"),
    path("<int:pk>/", views.article_by_id, name="article_by_id"),
    path("<int:pk>/<slug:slug>/", views.article, name="article"),
    path("tim-kiem/", views.search, name="search"),
    path("rss.xml", feeds.rss, name="rss"),
    path("atom.xml", feeds.atom, name="atom"),
    path("sitemap.xml", public(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("ngon-ngu/<str:code>/", views.set_language, name="set_language"),
    path("anh/<str:name>", views.media, name="media"),
    path("v/", views.beacon, name="beacon"),
    path("so-lieu/", views.figures, name="figures"),
    # The public library of effective models (thidua/initiatives/public.py).
    path("", include("thidua.initiatives.public_urls")),
    # The honour roll of published award decisions (thidua/recognition/public.py).
    path("", include("thidua.recognition.public_urls")),
    # Officers
    path("quan-tri/", manage.article_list, name="manage_list"),
    path("quan-tri/moi/", manage.article_create, name="manage_create"),
    path("quan-tri/<int:pk>/", manage.article_detail, name="manage_detail"),
    path("quan-tri/<int:pk>/sua/", manage.article_edit, name="manage_edit"),
    path("quan-tri/<int:pk>/dang/", manage.article_publish, name="manage_publish"),
    path("quan-tri/<int:pk>/ve-nhap/", manage.article_unpublish, name="manage_unpublish"),
    path("quan-tri/<int:pk>/luu-tru/", manage.article_archive, name="manage_archive"),
    path("quan-tri/<int:pk>/xoa/", manage.article_delete, name="manage_delete"),
    path("thong-ke/", manage.statistics, name="statistics"),
]
