"""Writes to articles: save (with cover image), publish or schedule, archive, delete drafts.

Every change of state goes through ``thidua.core.transitions.apply`` (conditional
UPDATE + ArticleEvent); every write drops the portal's cached "latest change"
after commit, so public pages revalidate at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from thidua.core import transitions
from thidua.core.html import sanitize_article_html
from thidua.core.text import clean_text
from thidua.portal.images import delete_cover_files, save_cover
from thidua.portal.models import LATEST_CHANGE_KEY, Article, Tag, slug_for

ARTICLE_FIELDS = ("unit", "category", "title", "summary", "body", "author_line", "cover_alt", "plan", "featured")


def _public_lists_changed() -> None:
    """Public pages' Last-Modified moves forward: drop the cached latest change now, and again
    after commit (a request between the two could have cached the value from before it)."""
    cache.delete(LATEST_CHANGE_KEY)
    transaction.on_commit(lambda: cache.delete(LATEST_CHANGE_KEY))


def article_tags_set(*, article: Article, names: Iterable[str]) -> Article:
    """Replace an article's tags and fold their names into its search text (no history row)."""
    tag_list = tags_named(names)
    article.tags.set(tag_list)
    article.search_text = article.folded_text(" ".join(t.name for t in tag_list))
    Article.objects.filter(pk=article.pk).update(search_text=article.search_text)
    _public_lists_changed()
    return article


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The tags of these names (case-insensitive), created when new."""
    tags = []
    for name in {clean_text(n)[:60] for n in names if clean_text(n)}:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag, _created = Tag.objects.get_or_create(slug=slug_for(name), defaults={"name": name})
        tags.append(tag)
    return tags


@transaction.atomic
def article_save(
    *,
    article: Article | None,
    data: dict[str, Any],
    by: Any,
    tags: Iterable[str] | None = None,
    cover: Image.Image | None = None,
    remove_cover: bool = False,
) -> Article:
    """Create or update an article from cleaned form data; text is normalised and sanitised here."""
    if article is None:
        article = Article(created_by=by if getattr(by, "pk", None) else None)
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
    for name in ARTICLE_FIELDS:
        if name in data:
            setattr(article, name, data[name])
    article.title = clean_text(article.title)
    article.summary = clean_text(article.summary)
    article.author_line = clean_text(article.author_line)
    article.cover_alt = clean_text(article.cover_alt)
    article.body = sanitize_article_html(article.body)
    if not article.title:
        raise ValidationError({"title": _("Cần nhập tiêu đề.")})
    article.slug = slug_for(article.title)
    old_files = [article.cover, article.cover_small]
    if cover is not None:
        paths = save_cover(cover)
        article.cover, article.cover_small = paths["large"], paths["small"]
        if not article.cover_alt:
            article.cover_alt = article.title
    elif remove_cover:
        article.cover = article.cover_small = article.cover_alt = ""
    # ``tags=None`` keeps the article's tags (a change of text only).
    tag_list = tags_named(tags) if tags is not None else (list(article.tags.all()) if article.pk else [])
    article.search_text = article.folded_text(" ".join(t.name for t in tag_list))
    article._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    article.save()
    article.tags.set(tag_list)
    _public_lists_changed()
    replaced = [name for name in old_files if name and name not in (article.cover, article.cover_small)]
    if replaced:
        transaction.on_commit(lambda: delete_cover_files(replaced))
    return article


@transaction.atomic
def article_publish(*, article: Article, by: Any, at: dt.datetime | None = None, seen: str | None = None) -> Article:
    """Publish now, or schedule for ``at``.

    An article that was public before (sent back to draft or archived, then published again)
    keeps its first publish time unless a new one is given, so it does not jump to the top of
    the newest lists and feeds as if it were news.
    """
    article = Article.objects.get(pk=article.pk)
    if not article.body.strip() and not article.summary.strip():
        raise ValidationError(_("Bài viết chưa có nội dung."))
    now = timezone.now()
    if article.is_public and at is None:
        return article  # already public: a second click changes nothing
    was_public = article.publish_at is not None and article.publish_at <= now
    when = at or (article.publish_at if was_public and article.publish_at else now)
    reason = (
        ""
        if when <= now
        else _("Lên lịch đăng lúc %(when)s") % {"when": timezone.localtime(when).strftime("%d/%m/%Y %H:%M")}
    )
    return _move(article, Article.PUBLISH, by=by, reason=reason, seen=seen, publish_at=when)


@transaction.atomic
def article_archive(*, article: Article, by: Any, seen: str | None = None) -> Article:
    article = Article.objects.get(pk=article.pk)
    if article.status == Article.Status.ARCHIVED:
        return article  # a second click changes nothing
    return _move(article, Article.ARCHIVE, by=by, seen=seen)


@transaction.atomic
def article_unpublish(*, article: Article, by: Any, seen: str | None = None) -> Article:
    """Back to draft (e.g. a scheduled article that must wait; its planned time is dropped)."""
    article = Article.objects.get(pk=article.pk)
    if article.status == Article.Status.DRAFT:
        return article
    keep = article.publish_at if article.publish_at and article.publish_at <= timezone.now() else None
    return _move(article, Article.UNPUBLISH, by=by, seen=seen, publish_at=keep)


def _move(
    article: Article,
    transition: transitions.Transition,
    *,
    by: Any,
    reason: str = "",
    seen: str | None = None,
    **changes: Any,
) -> Article:
    article = transitions.apply(article, transition, by=by, reason=reason, seen=seen, changes=changes)
    _public_lists_changed()
    return article


@transaction.atomic
def article_delete(*, article: Article, by: Any) -> None:
    """Only drafts that were never published may be deleted; the rest are archived."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.DRAFT or article.publish_at is not None:
        raise ValidationError(_("Chỉ xóa được bản nháp chưa từng đăng; bài đã đăng hãy chuyển vào lưu trữ."))
    article._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    article.delete()
    _public_lists_changed()
