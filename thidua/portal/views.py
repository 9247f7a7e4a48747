"""Public pages of the portal (no login) and the view-counting beacon."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Case, Q, Sum, When
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
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_POST, require_safe
from django.views.static import serve

from thidua.accounts.access import public
from thidua.ops.routers import replica_reads
from thidua.portal import counting
from thidua.portal.counting import clock
from thidua.portal.models import CATEGORIES_KEY, LATEST_CHANGE_KEY, Article, ArticleDay, Category, Tag, search_words

PAGE_SIZE = 12
_ID = re.compile(r"[0-9]{1,12}")
PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may reuse a public page without asking
ARTICLE_CACHE_SECONDS = 60  # how long related / newest / previous / next lists may lag behind


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
    """When any public list last changed: any article edited, published, archived or sent
    back to draft (all touch ``updated_at``), or a scheduled article whose time came.

    Read at most every 10 s per process; saving an article drops the cached value at once
    in this process.
    """
    return cache.get_or_set(LATEST_CHANGE_KEY, _read_latest_change, 10)


def _read_latest_change() -> dt.datetime | None:
    # Two index walks (updated_at; status + publish_at), not a scan of the table.
    edited = Article.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    came_out = Article.objects.public().order_by("-publish_at").values_list("publish_at", flat=True).first()
    moments = [m for m in (edited, came_out) if m is not None]
    return max(moments) if moments else None


def _shareable(request: HttpRequest, response: HttpResponseBase, **directives: Any) -> HttpResponseBase:
    """Cache headers of a public page: ``public`` for readers, ``private`` for signed-in people,
    whose responses refresh their session cookie and must never sit in a shared cache."""
    signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
    patch_cache_control(response, **({"private": True} if signed_in else {"public": True}), **directives)
    patch_vary_headers(response, ["Cookie"])  # the language is chosen by a cookie
    return response


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    _shareable(request, response, max_age=PUBLIC_MAX_AGE)
    return response


def _categories() -> list[Category]:
    """The section menu of every public page; changes are rare (cache dropped on save, else 5 min)."""
    return cache.get_or_set(CATEGORIES_KEY, lambda: list(Category.objects.all()), 300) or []


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("categories", _categories())
    context.setdefault("figures", counting.site_figures())
    context.setdefault("canonical", request.build_absolute_uri(request.path))
    return _cacheable(request, render(request, template, context, status=status))


@public
@require_safe
@replica_reads
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
    since = clock.local_day() - dt.timedelta(days=days - 1)
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
@require_safe
@replica_reads
@condition(last_modified_func=_latest_change)
def category(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Category, slug=slug)
    page = Paginator(_public_articles().filter(category=section), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "portal/category.html", {"section": section, "page": page})


@public
@require_safe
@replica_reads
@condition(last_modified_func=_latest_change)
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    label = get_object_or_404(Tag, slug=slug)
    page = Paginator(_public_articles().filter(tags=label), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "portal/tag.html", {"tag": label, "page": page})


def _article_or_404(pk: int) -> Article:
    article = Article.objects.public().select_related("category", "plan").prefetch_related("tags").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


@public
@require_safe
@replica_reads
def article(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """The article page. Reading it counts the view, also when the answer is a 304.

    The page is public and cacheable but must be revalidated (``no-cache``), so a copy in a
    browser or proxy cache still asks here (and is counted) before it is shown; pages
    restored from the back/forward cache, which never ask, send the beacon instead.
    """
    item = Article.objects.public().only("id", "slug", "updated_at", "publish_at").filter(pk=pk).first()
    if item is None:
        raise Http404
    if slug != item.slug:
        return HttpResponseRedirect(item.get_absolute_url(), status=301)
    counted, site, figures = counting.count_view(request, item.pk)
    # The page lists other articles too: it changes when they do (a cached copy must not keep
    # linking to a withdrawn article).
    last_modified = max(item.updated_at, item.publish_at or item.updated_at, _latest_change() or item.updated_at)
    not_modified = get_conditional_response(request, last_modified=int(last_modified.timestamp()))
    if not_modified is not None:
        return _revalidated(request, not_modified, last_modified)
    # The page is rendered once per article version, language and host, with slots for the
    # figures, which are filled in for each reader (they change with every view).
    key = (
        f"portal:article:{item.pk}:{item.updated_at.timestamp()}:{translation.get_language()}:"
        f"{request.scheme}://{request.get_host()}"
    )
    html = cache.get(key)
    if html is None:
        html = _article_page(request, item.pk)
        cache.set(key, html, ARTICLE_CACHE_SECONDS)
    html = fill_slots(html, site=site, article=figures, counted=counted)
    return _revalidated(request, HttpResponse(html), last_modified)


def _article_page(request: HttpRequest, pk: int) -> str:
    """The article page's HTML with slots for the figures (see ``Slots``)."""
    item = _article_or_404(pk)
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
    context = {
        "article": item,
        "related": related,
        "newest": newest,
        "previous": previous,
        "next": following,
        "share": share,
        "share_url": url,
        "canonical": url,
        "counted": Slots("").counted,
        "figures": Slots("site"),
        "article_figures": Slots("article"),
        "og_image": request.build_absolute_uri(item.cover_url) if item.cover else "",
        "categories": _categories(),
        "next_path": request.path,  # shared by every reader: no query string of the first one
    }
    return render_to_string("portal/article.html", context, request)


class Slots:
    """Stands for a Figures in a cached template: each attribute renders as a marker."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return f"\x1e{_slot_key(settings.SECRET_KEY)}{self._prefix}.{name}\x1e"


# Markers carry a key derived from SECRET_KEY (the same in every process, unknown to editors),
# so text typed into an article cannot pose as a slot. Derived when first needed, not at import.
@functools.lru_cache(maxsize=2)
def _slot_key(secret: str) -> str:
    return hashlib.blake2b(b"portal-slots", key=secret.encode()[:64], digest_size=8).hexdigest()


@functools.lru_cache(maxsize=2)
def _slot_pattern(secret: str) -> re.Pattern[str]:
    return re.compile(f"\x1e{_slot_key(secret)}([a-z_]*\\.[a-z_]+)\x1e")


def fill_slots(html: str, *, site: counting.Figures, article: counting.Figures, counted: bool) -> str:
    values = {".counted": "true" if counted else "false"}
    for prefix, figures in (("site", site), ("article", article)):
        values[f"{prefix}.odometer"] = figures.odometer
        for key, value in figures.as_dict().items():
            values[f"{prefix}.{key}"] = intcomma(value)
    return _slot_pattern(settings.SECRET_KEY).sub(lambda match: values.get(match.group(1), ""), html)


def _revalidated(request: HttpRequest, response: HttpResponse, last_modified: dt.datetime) -> HttpResponse:
    response["Last-Modified"] = http_date(last_modified.timestamp())
    _shareable(request, response, no_cache=True)
    return response


@public
@require_safe
def article_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(_article_or_404(pk).get_absolute_url(), permanent=True)


@public
@require_safe
@replica_reads
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    words = search_words(query)[:8]
    page = None
    if words:
        # Every word must start a word of the article ("dang" finds "Đặng", not "trường"),
        # and articles holding the whole phrase come first.
        condition = Q()
        for word in words:
            condition &= Q(search_text__contains=" " + word)
        found = (
            _public_articles()
            .filter(condition)
            .annotate(phrase=Case(When(search_text__contains=" " + " ".join(words), then=0), default=1))
            .order_by("phrase", "-publish_at", "-id")
        )
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    response = _render(request, "portal/search.html", {"query": query, "page": page})
    if words:
        response["X-Robots-Tag"] = "noindex"
    return response


@public
@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /api/",
        "Disallow: /tin/quan-tri/",
        "Disallow: /tin/tim-kiem/",
        "Disallow: /tin/v/",
        f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}",
        "",
    ]
    return _cacheable(request, HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8"))


@public
@require_safe
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
    return response


@public
@require_safe
def media(request: HttpRequest, name: str) -> HttpResponseBase:
    """Cover images (random names, written by us): long-lived and immutable."""
    response = serve(request, name, document_root=str(Path(settings.MEDIA_ROOT) / "portal"))
    return _shareable(request, response, max_age=365 * 24 * 3600, immutable=True)


# --- counting (the rule and the counters: thidua.portal.counting) -----------------------


def _public_id(raw_id: str) -> int | None:
    """The id of a public article named by a request, or None."""
    if not _ID.fullmatch(raw_id) or not Article.objects.public().filter(pk=int(raw_id)).exists():
        return None
    return int(raw_id)


@public
@csrf_exempt  # anonymous, carries no authority: the worst a forged one can do is one deduplicated view
@require_POST
def beacon(request: HttpRequest) -> HttpResponse:
    """Sent by the article page's script when the browser restored the page from its
    back/forward cache without asking the server (which would have counted it)."""
    if len(request.body) > 100:
        return HttpResponseBadRequest("")
    article_id = _public_id(request.POST.get("a", ""))
    if article_id is None:
        return JsonResponse({"error": "unknown article"}, status=404)
    counted, site, figures = counting.count_view(request, article_id, beacon=True)
    response = JsonResponse({"counted": counted, "article": figures.as_dict(), "site": site.as_dict()})
    response["Cache-Control"] = "no-store"
    return response


@public
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    """Fresh figures for a page shown from a cache (the footer's, and an article's with ?a=)."""
    article_id = _public_id(request.GET.get("a", ""))
    if article_id is None:
        data = {"site": counting.site_figures().as_dict()}
    else:
        site, figures = counting.figures_of(article_id)
        data = {"site": site.as_dict(), "article": figures.as_dict()}
    response = JsonResponse(data)
    _shareable(request, response, max_age=10)
    return response
