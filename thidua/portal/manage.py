"""Officers' side of the portal: articles of their subtree, and the statistics page.

Articles carry the unit that publishes them. Everyone with a view grant sees
the articles of their subtree (drafts included, for review); only the editor
role (``Perm.PUBLISH``) writes, schedules, publishes and archives them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts.access import scoped
from thidua.accounts.roles import Perm
from thidua.accounts.scope import Can, require, scope_for
from thidua.core.excel import DATE, MONTH, Header, Title, add_sheet, new_workbook, scope_line, workbook_response
from thidua.core.forms import apply_errors, attempt, form_status, seen_state
from thidua.core.listing import Column, Listing, Sort
from thidua.core.transitions import state_token
from thidua.portal import counting, services
from thidua.portal.counting import clock
from thidua.portal.forms import ArticleForm, PublishForm
from thidua.portal.models import DISPLAY_STATUSES, Article, ArticleDay, SiteDay, search_words
from thidua.units.selectors import scope_roots

ARTICLES = Article.objects.select_related("unit", "category", "plan")


ARTICLE_SORTS = (
    Sort("title", ("title",)),
    Sort("category", ("category__name",)),
    Sort("unit", ("unit__name",)),
    Sort("publish_at", ("publish_at",)),
    Sort("updated", ("updated_at",)),
)


@scoped
def article_list(request: HttpRequest) -> HttpResponse:
    qs = Article.objects.visible_to(request.user).select_related("unit", "category")
    q = (request.GET.get("q") or "").strip()[:200]
    for word in search_words(q)[:8]:
        qs = qs.filter(search_text__contains=" " + word)
    status = request.GET.get("status", "")
    now = timezone.now()
    if status == "scheduled":
        qs = qs.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
    elif status == "published":
        qs = qs.filter(status=Article.Status.PUBLISHED, publish_at__lte=now)
    elif status in ("draft", "archived"):
        qs = qs.filter(status=status)
    listing = Listing(request, qs, sorts=ARTICLE_SORTS, default_sort="-updated")
    if listing.wants_export:
        return listing.export(
            "tin-bai.xlsx",
            _("Tin bài"),
            title=Title(_("Danh sách tin bài"), [scope_line(u.name for u in scope_roots(request.user))]),
            columns=[
                Column(_("Tiêu đề"), lambda a: a.title),
                Column(_("Chuyên mục"), lambda a: a.category.name),
                Column(_("Đơn vị đăng"), lambda a: a.unit.name),
                Column(_("Trạng thái"), lambda a: str(a.display_status_label)),
                Column(_("Thời điểm đăng"), lambda a: a.publish_at and timezone.localtime(a.publish_at)),
                Column(_("Cập nhật"), lambda a: timezone.localtime(a.updated_at)),
            ],
        )
    return render(
        request,
        "portal/manage/list.html",
        {
            "listing": listing,
            "q": q,
            "status": status,
            "statuses": DISPLAY_STATUSES,
            "can_create": scope_for(request.user).has_any(Perm.PUBLISH),
            "nav": "portal",
        },
    )


def _save(request: HttpRequest, article: Article | None) -> HttpResponse:
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article, user=request.user)
    if request.method == "POST" and form.is_valid():
        require(request.user, form.cleaned_data["unit"], Perm.PUBLISH)
        try:
            saved = services.article_save(
                article=article,
                data=form.cleaned_data,
                by=request.user,
                tags=form.tag_list(),
                cover=form.cover_image,
                remove_cover=bool(form.cleaned_data.get("remove_cover")),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu bài viết."))
            return redirect("portal:manage_detail", saved.pk)
    return render(
        request,
        "portal/manage/form.html",
        {"form": form, "article": article, "nav": "portal"},
        status=form_status(form),
    )


@scoped
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).has_any(Perm.PUBLISH):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    return _save(request, None)


@scoped(ARTICLES, perm=Perm.PUBLISH)
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article: Article) -> HttpResponse:
    return _save(request, article)


@scoped(ARTICLES)
def article_detail(request: HttpRequest, article: Article) -> HttpResponse:
    """The officer's view: status, actions, a faithful preview and the article's figures."""
    return render(
        request,
        "portal/manage/detail.html",
        {
            "article": article,
            "can": Can(article, request.user),
            "seen": state_token(article),  # sent back by the transition forms
            "publish_form": PublishForm(),
            "events": article.events.select_related("by"),
            "figures": counting.article_figures(article.pk),
            "nav": "portal",
        },
    )


@scoped(ARTICLES, perm=Perm.PUBLISH)
@require_POST
def article_publish(request: HttpRequest, article: Article) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thời điểm đăng không hợp lệ (dd/mm/yyyy hh:mm)."))
        return redirect("portal:manage_detail", article.pk)
    at = form.cleaned_data["publish_at"]
    try:
        article = services.article_publish(article=article, by=request.user, at=at, seen=seen_state(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if article.is_public:
            messages.success(request, _("Bài viết đã được đăng."))
        else:
            messages.success(request, _("Bài viết đã được lên lịch đăng."))
    return redirect("portal:manage_detail", article.pk)


@scoped(ARTICLES, perm=Perm.PUBLISH)
@require_POST
def article_archive(request: HttpRequest, article: Article) -> HttpResponse:
    attempt(
        request,
        lambda: services.article_archive(article=article, by=request.user, seen=seen_state(request)),
        success=_("Đã chuyển bài viết vào lưu trữ; bài không còn hiện trên cổng thông tin."),
    )
    return redirect("portal:manage_detail", article.pk)


@scoped(ARTICLES, perm=Perm.PUBLISH)
@require_POST
def article_unpublish(request: HttpRequest, article: Article) -> HttpResponse:
    attempt(
        request,
        lambda: services.article_unpublish(article=article, by=request.user, seen=seen_state(request)),
        success=_("Bài viết đã trở về bản nháp."),
    )
    return redirect("portal:manage_detail", article.pk)


@scoped(ARTICLES, perm=Perm.PUBLISH)
@require_POST
def article_delete(request: HttpRequest, article: Article) -> HttpResponse:
    try:
        services.article_delete(article=article, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:manage_detail", article.pk)
    messages.success(request, _("Đã xóa bản nháp."))
    return redirect("portal:manage_list")


# --- statistics ------------------------------------------------------------------


FIRST_DAY = dt.date(2000, 1, 1)
MAX_DAYS = 366


def _parse_day(value: str | None) -> dt.date | None:
    """A dd/mm/yyyy day between 2000 and 2100, or None."""
    try:
        day = dt.datetime.strptime(value or "", "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar day
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= dt.date(2100, 12, 31) else None


def _period(request: HttpRequest, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for, or the last 30 days with a message saying why."""
    raw_start, raw_end = request.GET.get("tu"), request.GET.get("den")
    end = _parse_day(raw_end) if raw_end else today
    start = _parse_day(raw_start) if raw_start else (end or today) - dt.timedelta(days=29)
    if end is None or start is None:
        messages.warning(request, _("Ngày không hợp lệ (dd/mm/yyyy, từ năm 2000); đang xem 30 ngày gần nhất."))
    elif start > end:
        messages.warning(request, _("Ngày bắt đầu sau ngày kết thúc; đang xem 30 ngày gần nhất."))
    elif (end - start).days >= MAX_DAYS:
        messages.warning(request, _("Mỗi lần xem tối đa 366 ngày; đang xem 30 ngày gần nhất."))
    else:
        return start, end
    return today - dt.timedelta(days=29), today


@scoped
def statistics(request: HttpRequest) -> HttpResponse:
    """Site views by day and by month, top articles; the same figures as an Excel file.

    The portal's figures are public (the footer shows them); the top list holds
    only published articles, so any signed-in officer may read this page.
    """
    today = clock.local_day()
    start, end = _period(request, today)
    counting.flush_for_officers()  # buffered views into the daily rows the charts read
    days = {
        row["day"]: row
        for row in SiteDay.objects.filter(day__gte=start, day__lte=end).values("day", "views", "visitors")
    }
    by_day = []
    cursor = start
    while cursor <= end:
        row = days.get(cursor, {"views": 0, "visitors": 0})
        by_day.append((cursor, row["views"], row["visitors"]))
        cursor += dt.timedelta(days=1)
    month_index = end.year * 12 + end.month - 1 - 11  # the 12 months ending with the end's month
    month_start = dt.date(month_index // 12, month_index % 12 + 1, 1)
    by_month = list(
        SiteDay.objects.filter(day__gte=month_start, day__lte=end)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("month")
    )
    top = list(
        ArticleDay.objects.filter(day__gte=start, day__lte=end, article__in=Article.objects.public())
        .values("article_id", "article__title", "article__slug", "article__publish_at")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", "article_id")[:20]
    )
    if request.GET.get("format") == "xlsx":
        return _statistics_workbook(start, end, month_start, by_day, by_month, top)
    chart = {
        "days": [d.strftime("%d/%m") for d, _v, _u in by_day],
        "views": [v for _d, v, _u in by_day],
        "visitors": [u for _d, _v, u in by_day],
        "months": [row["month"].strftime("%m/%Y") for row in by_month],
        "month_views": [row["views"] for row in by_month],
        "labels": {"views": _("Lượt xem"), "visitors": _("Người truy cập")},
    }
    return render(
        request,
        "portal/manage/statistics.html",
        {
            "figures": counting.site_figures(),
            "start": start,
            "end": end,
            "by_day": by_day,
            "by_month": by_month,
            "top": top,
            "chart": chart,
            "period_views": sum(v for _d, v, _u in by_day),
            "nav": "portal",
        },
    )


def _statistics_workbook(
    start: dt.date, end: dt.date, month_start: dt.date, by_day: list[Any], by_month: list[Any], top: list[Any]
) -> HttpResponse:
    views, visitors = _("Lượt xem"), _("Người truy cập")
    period = _("Từ ngày %(start)s đến ngày %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
    workbook = new_workbook()
    add_sheet(
        workbook,
        _("Theo ngày"),
        [Header(_("Ngày"), DATE), views, visitors],
        by_day,
        title=Title(_("Lượt xem cổng thông tin theo ngày"), [period]),
    )
    add_sheet(
        workbook,
        _("Theo tháng"),
        [Header(_("Tháng"), MONTH), views, visitors],
        [(row["month"], row["views"], row["visitors"]) for row in by_month],
        title=Title(
            _("Lượt xem cổng thông tin theo tháng"),
            [_("Từ tháng %(start)s đến tháng %(end)s") % {"start": f"{month_start:%m/%Y}", "end": f"{end:%m/%Y}"}],
        ),
    )
    add_sheet(
        workbook,
        _("Bài xem nhiều"),
        [_("Bài viết"), Header(_("Ngày đăng"), DATE), views, visitors],
        [
            (row["article__title"], clock.local_day(row["article__publish_at"]), row["views"], row["visitors"])
            for row in top
        ],
        title=Title(_("Tin bài được xem nhiều nhất"), [period]),
    )
    return workbook_response(f"thong-ke-luot-xem-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", workbook)
