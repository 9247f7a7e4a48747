"""The portal in the JSON API: articles as officers see them, and the view statistics (read-only).

Articles are read as on the officers' pages (``Tin bài``): everyone who sees a unit sees its
articles, drafts included. The statistics are the officers' statistics page's figures: the portal's
totals are public (the footer shows them) and the most-read list holds only public articles.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError

from thidua.accounts.scope import get_for_user
from thidua.core.api import MAX_LIMIT, MAX_OFFSET, page
from thidua.portal import counting
from thidua.portal.counting import clock
from thidua.portal.models import Article, ArticleDay, SiteDay, search_words
from thidua.units.models import Unit

router = Router(tags=["portal"])

ID = {"ge": 1, "le": 2**62}
ARTICLES = Article.objects.select_related("unit", "category")
MAX_DAYS = 366


class Ref(Schema):
    id: int
    name: str


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    unit: Ref
    category: Ref
    status: Literal["draft", "scheduled", "published", "archived"]
    publish_at: dt.datetime | None
    plan_id: int | None
    featured: bool
    public_url: str | None  # the portal's page, once it is public
    updated_at: dt.datetime


class ArticlePage(Schema):
    count: int
    items: list[ArticleOut]


class FiguresOut(Schema):
    """Views today, this month, this year and in all, and unique visitors (daily uniques summed)."""

    today: int
    month: int
    year: int
    total: int
    visitors: int


class ArticleDetailOut(ArticleOut):
    body: str  # sanitised HTML
    author_line: str
    tags: list[str]
    views: FiguresOut


def _article(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "summary": a.summary,
        "unit": {"id": a.unit_id, "name": a.unit.name},
        "category": {"id": a.category_id, "name": a.category.name},
        "status": a.display_status,
        "publish_at": a.publish_at,
        "plan_id": a.plan_id,
        "featured": a.featured,
        "public_url": a.get_absolute_url() if a.is_public else None,
        "updated_at": a.updated_at,
    }


@router.get("/articles", response=ArticlePage, summary="Portal articles of units in my scope (drafts included)")
def list_articles(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    status: Literal["draft", "scheduled", "published", "archived"] | None = None,
    unit: int | None = Query(None, **ID),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """``q`` searches title, summary, text and tags without diacritics; ``unit`` takes the units
    below it too; ``status`` as the pages show it (a published article whose time has not come is
    ``scheduled``)."""
    qs = ARTICLES.visible_to(request.user)
    for word in search_words(q[:200])[:8]:
        qs = qs.filter(search_text__contains=" " + word)
    now = timezone.now()
    if status == "scheduled":
        qs = qs.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
    elif status == "published":
        qs = qs.filter(status=Article.Status.PUBLISHED, publish_at__lte=now)
    elif status is not None:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=get_for_user(Unit, request.user, pk=unit).path)
    return page(qs.order_by("-updated_at", "-id"), limit, offset, serialize=_article)


@router.get("/articles/{article_id}", response=ArticleDetailOut, summary="One article, with its view figures")
def get_article(request: HttpRequest, article_id: int = Path(..., **ID)) -> Any:
    article = get_for_user(ARTICLES.prefetch_related("tags"), request.user, pk=article_id)
    return {
        **_article(article),
        "body": article.body,
        "author_line": article.author_line,
        "tags": [t.name for t in article.tags.all()],
        "views": counting.article_figures(article.pk).as_dict(),
    }


# --- statistics -------------------------------------------------------------------------------


class DayOut(Schema):
    day: dt.date
    views: int
    visitors: int


class MonthOut(Schema):
    month: str  # YYYY-MM
    views: int
    visitors: int


class TopOut(Schema):
    article_id: int
    title: str
    views: int
    visitors: int


class StatisticsOut(Schema):
    figures: FiguresOut  # as of today
    start: dt.date
    end: dt.date
    by_day: list[DayOut]
    by_month: list[MonthOut]  # the twelve months ending with ``end``'s
    top: list[TopOut]  # the most-read public articles of the period


@router.get("/statistics/portal", response=StatisticsOut, summary="Portal view statistics (the statistics page)")
def portal_statistics(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """Views and unique visitors of the portal by day (``start``–``end``, ISO dates, at most 366 days;
    default the last 30), by month and the 20 most-read public articles of the period."""
    today = clock.local_day()
    end = end or today
    start = start or end - dt.timedelta(days=29)
    if start > end or (end - start).days >= MAX_DAYS or start.year < 2000 or end.year > 2100:
        raise HttpError(422, _("Khoảng ngày không hợp lệ (từ năm 2000, tối đa 366 ngày, bắt đầu trước kết thúc)."))
    counting.flush_for_officers()  # buffered views into the daily rows read below
    days = {
        row["day"]: row
        for row in SiteDay.objects.filter(day__gte=start, day__lte=end).values("day", "views", "visitors")
    }
    by_day = []
    cursor = start
    while cursor <= end:
        row = days.get(cursor, {"views": 0, "visitors": 0})
        by_day.append({"day": cursor, "views": row["views"], "visitors": row["visitors"]})
        cursor += dt.timedelta(days=1)
    month_index = end.year * 12 + end.month - 1 - 11
    month_start = dt.date(month_index // 12, month_index % 12 + 1, 1)
    by_month = [
        {"month": f"{row['month']:%Y-%m}", "views": row["views"], "visitors": row["visitors"]}
        for row in SiteDay.objects.filter(day__gte=month_start, day__lte=end)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("month")
    ]
    top = [
        {
            "article_id": row["article_id"],
            "title": row["article__title"],
            "views": row["views"],
            "visitors": row["visitors"],
        }
        for row in ArticleDay.objects.filter(day__gte=start, day__lte=end, article__in=Article.objects.public())
        .values("article_id", "article__title")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", "article_id")[:20]
    ]
    return {
        "figures": counting.site_figures().as_dict(),
        "start": start,
        "end": end,
        "by_day": by_day,
        "by_month": by_month,
        "top": top,
    }
