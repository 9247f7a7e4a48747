"""The project's URLs plus one article route counted by django-hitcount (for bench/portal.py).

``/bench-hitcount/<pk>/<slug>/`` renders exactly our article page (the portal's own view, with
its queries and template) and then counts the view the way hitcount's
``HitCountDetailView(count_hit=True)`` does: ``HitCount.objects.get_for_object(article)`` and
``HitCountMixin.hit_count(request, hit_count)``, which saves a new session for a visitor without
one and records one ``Hit`` row (and ``HitCount.hits + 1``) per session not seen for a week.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from hitcount.models import HitCount
from hitcount.views import HitCountMixin

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns
from thidua.accounts.access import public
from thidua.portal import counting
from thidua.portal import views as portal_views
from thidua.portal.models import Article

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@public
def hitcount_article(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """Like for like: our article view (cached page, figures) with hitcount doing the counting.

    The wrk client announces itself as a bot in this mode, so our own counting stays out.
    """
    response = portal_views.article(request, pk, slug)
    if response.status_code == 200:
        # The article view has already read the article; hitcount needs only its model and pk
        # (HitCountDetailView would pass the object its get_object() read).
        HitCountMixin.hit_count(request, HitCount.objects.get_for_object(Article(pk=pk)))
    return response


@public
def hitcount_article_full(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """As hitcount is usually deployed: the page rendered on every request, then counted."""
    article = Article.objects.public().get(pk=pk)
    site, figures = counting.figures_of(pk)
    html = portal_views.fill_slots(portal_views._article_page(request, pk), site=site, article=figures, counted=False)
    HitCountMixin.hit_count(request, HitCount.objects.get_for_object(article))
    return HttpResponse(html)


urlpatterns = [
    *project_urlpatterns,
    path("bench-hitcount/<int:pk>/<slug:slug>/", hitcount_article, name="bench_hitcount_article"),
    path("bench-hitcount-full/<int:pk>/<slug:slug>/", hitcount_article_full, name="bench_hitcount_full"),
]
