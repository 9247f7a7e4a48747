"""Public pages of the portal (no login) and the view-counting beacon."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max, Q, Sum
from django.db.models.functions import Greatest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_GET, require_POST
from django.views.static import serve

from thidua.core.access import public
from thidua.core.text import fold
from thidua.portal import stats
from thidua.portal.models import CATEGORIES_KEY, Article, ArticleDay, Category

PAGE_SIZE = 12
PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may reuse a public page without asking


def _public_articles() -> Any:
    return (
        Article.objects.public()
        .select_related("category")
        .only(
            "id",
            "slug",
            "title",
            "summary",
            "publish_at",
            "cover",
            "cover_small",
            "cover_alt",
            "author_line",
            "featured",
            "category__name",
            "category__slug",
        )
    )


def _latest_change(*_args: Any, **_kwargs: Any) -> dt.datetime | None:
    """When any public list last changed: an edit, or a scheduled article coming out."""
    return Article.objects.public().aggregate(at=Max(Greatest("updated_at", "publish_at")))["at"]


def _cacheable(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])  # the language is chosen by a cookie
    return response


def _categories() -> list[Category]:
    """The section menu of every public page; changes are rare (cache dropped on save, else 5 min)."""
    return cache.get_or_set(CATEGORIES_KEY, lambda: list(Category.objects.all()), 300) or []


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("categories", _categories())
    context.setdefault("figures", stats.site_figures())
    context.setdefault("canonical", request.build_absolute_uri(request.path))
    return _cacheable(render(request, template, context, status=status))


@public
@require_GET
@condition(last_modified_func=_latest_change)
def home(request: HttpRequest) -> HttpResponse:
    articles = list(_public_articles()[:40])
    featured = [a for a in articles if a.featured][:4] or articles[:1]
    featured_ids = {a.pk for a in featured}
    newest = [a for a in articles if a.pk not in featured_ids][:9]
    by_category: dict[int, list[Article]] = {}
    for article in articles:
        by_category.setdefault(article.category_id, []).append(article)
    categories = _categories()
    sections = [(c, by_category[c.pk][:4]) for c in categories if c.pk in by_category]
    return _render(
        request,
        "portal/home.html",
        {
            "featured": featured,
            "newest": newest,
            "sections": sections,
            "categories": categories,
            "most_read": _most_read(),
        },
    )


def _most_read(days: int = 30, limit: int = 5) -> list[Article]:
    """The public articles read most over the last ``days`` days (two queries)."""
    since = stats.local_day() - dt.timedelta(days=days - 1)
    top = list(
        ArticleDay.objects.filter(day__gte=since, article__in=Article.objects.public())
        .values("article_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "article_id")
        .values_list("article_id", flat=True)[:limit]
    )
    articles = _public_articles().in_bulk(top)
    return [articles[pk] for pk in top if pk in articles]


@public
@require_GET
@condition(last_modified_func=_latest_change)
def category(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Category, slug=slug)
    page = Paginator(_public_articles().filter(category=section), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "portal/category.html", {"section": section, "page": page})


def _article_or_404(pk: int) -> Article:
    article = (
        Article.objects.public()
        .select_related("category", "unit", "plan")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise Http404
    return article


@public
@require_GET
def article(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """The article page. Reading it counts the view, also when the answer is a 304.

    The page is public and cacheable but must be revalidated (``no-cache``), so a copy in a
    browser or proxy cache still asks here (and is counted) before it is shown; pages
    restored from the back/forward cache, which never ask, send the beacon instead.
    """
    item = _article_or_404(pk)
    if slug != item.slug:
        return HttpResponseRedirect(item.get_absolute_url(), status=301)
    counted = _count_view(request, item.pk)
    last_modified = max(item.updated_at, item.publish_at or item.updated_at)
    not_modified = get_conditional_response(request, last_modified=int(last_modified.timestamp()))
    if not_modified is not None:
        return _revalidated(not_modified, last_modified)
    listed = _public_articles().exclude(pk=item.pk)
    related = list(listed.filter(category=item.category_id)[:5])
    newest = list(listed[:5])
    previous = listed.filter(Q(publish_at__lt=item.publish_at) | Q(publish_at=item.publish_at, pk__lt=item.pk)).first()
    following = (
        listed.filter(Q(publish_at__gt=item.publish_at) | Q(publish_at=item.publish_at, pk__gt=item.pk))
        .order_by("publish_at", "pk")
        .first()
    )
    url = request.build_absolute_uri(item.get_absolute_url())
    share = {
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "zalo": "https://sp.zalo.me/share_inline?" + urlencode({"d": url}),
        "mail": "mailto:?" + urlencode({"subject": item.title, "body": url}, quote_via=quote),
    }
    response = _render(
        request,
        "portal/article.html",
        {
            "article": item,
            "related": related,
            "newest": newest,
            "previous": previous,
            "next": following,
            "share": share,
            "share_url": url,
            "canonical": url,
            "counted": counted,
            "article_figures": stats.article_figures(item.pk),
            "og_image": request.build_absolute_uri(item.cover_url) if item.cover else "",
        },
    )
    return _revalidated(response, last_modified)


def _revalidated(response: HttpResponse, last_modified: dt.datetime) -> HttpResponse:
    response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


@public
@require_GET
def article_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(_article_or_404(pk).get_absolute_url(), permanent=True)


@public
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    words = fold(query).split()[:8]
    page = None
    if words:
        condition = Q()
        for word in words:
            condition &= Q(search_text__contains=word)
        page = Paginator(_public_articles().filter(condition), PAGE_SIZE).get_page(request.GET.get("page"))
    response = _render(request, "portal/search.html", {"query": query, "page": page})
    if words:
        response["X-Robots-Tag"] = "noindex"
    return response


@public
@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /api/",
        f"Disallow: /{settings.ADMIN_URL}",
        "Disallow: /tin/quan-tri/",
        "Disallow: /tin/tim-kiem/",
        "Disallow: /tin/v/",
        f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}",
        "",
    ]
    return _cacheable(HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8"))


@public
@require_GET
def set_language(request: HttpRequest, code: str) -> HttpResponse:
    """A plain link (no form, no CSRF token) so that public pages stay cacheable."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    translation.activate(code)
    return response


@public
@require_GET
def media(request: HttpRequest, name: str) -> HttpResponseBase:
    """Cover images (random names, written by us): long-lived and immutable."""
    response = serve(request, name, document_root=str(Path(settings.MEDIA_ROOT) / "portal"))
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# --- counting ----------------------------------------------------------------


def _count_view(request: HttpRequest, article_id: int) -> bool:
    """Count one view of a public article by the person making this request."""
    user_agent = request.headers.get("User-Agent", "")[:400]
    prefetch = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    if stats.is_bot(user_agent) or "prefetch" in prefetch:
        return False
    day = stats.local_day()
    visitor = stats.visitor_hash(stats.client_ip(request.META), user_agent, day)
    return stats.record_view(article_id, visitor)


def _count(request: HttpRequest, raw_id: str) -> tuple[int, bool] | None:
    """Count a view named by a beacon; None when it names no public article."""
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    article_id = int(raw_id)
    if not Article.objects.public().filter(pk=article_id).exists():
        return None
    return article_id, _count_view(request, article_id)


@public
@csrf_exempt  # anonymous, carries no authority: the worst a forged one can do is one deduplicated view
@require_POST
def beacon(request: HttpRequest) -> HttpResponse:
    """Sent by the article page's script when the browser restored the page from its
    back/forward cache without asking the server (which would have counted it)."""
    if len(request.body) > 100:
        return HttpResponseBadRequest("")
    result = _count(request, request.POST.get("a", ""))
    if result is None:
        return JsonResponse({"error": "unknown article"}, status=404)
    article_id, counted = result
    response = JsonResponse(
        {
            "counted": counted,
            "article": stats.article_figures(article_id).as_dict(),
            "site": stats.site_figures().as_dict(),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@public
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """Fresh figures for a page shown from a cache (the footer's, and an article's with ?a=)."""
    data: dict[str, Any] = {"site": stats.site_figures().as_dict()}
    raw_id = request.GET.get("a", "")
    if raw_id.isdigit() and len(raw_id) <= 12 and Article.objects.public().filter(pk=int(raw_id)).exists():
        data["article"] = stats.article_figures(int(raw_id)).as_dict()
    response = JsonResponse(data)
    patch_cache_control(response, public=True, max_age=10)
    return response
