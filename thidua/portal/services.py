"""Writes to articles: save (with cover image), publish or schedule, archive, delete drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from thidua.core.html import sanitize_article_html
from thidua.core.text import clean_text
from thidua.portal.images import delete_cover_files, save_cover
from thidua.portal.models import Article, Tag, slug_for

ARTICLE_FIELDS = ("unit", "category", "title", "summary", "body", "author_line", "cover_alt", "plan", "featured")


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
    tags: Iterable[str] = (),
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
    tag_list = tags_named(tags)
    article.extra_search = " ".join(t.name for t in tag_list)
    article.save()
    article.tags.set(tag_list)
    replaced = [name for name in old_files if name and name not in (article.cover, article.cover_small)]
    if replaced:
        transaction.on_commit(lambda: delete_cover_files(replaced))
    return article


def article_publish(*, article: Article, by: Any, at: dt.datetime | None = None) -> Article:
    """Publish now, or schedule for ``at``.

    An article that was public before (sent back to draft or archived, then published again)
    keeps its first publish time unless a new one is given, so it does not jump to the top of
    the newest lists and feeds as if it were news.
    """
    article = Article.objects.get(pk=article.pk)
    if not article.body.strip() and not article.summary.strip():
        raise ValidationError(_("Bài viết chưa có nội dung."))
    now = timezone.now()
    if article.status == Article.Status.PUBLISHED and article.is_public and at is None:
        return article
    was_public = article.publish_at is not None and article.publish_at <= now
    when = at or (article.publish_at if was_public else now)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, publish_at=when)
    article.refresh_from_db()
    article.save()  # a history row for the change
    return article


def article_archive(*, article: Article, by: Any) -> Article:
    article = Article.objects.get(pk=article.pk)
    if article.status == Article.Status.ARCHIVED:
        return article
    article.status = Article.Status.ARCHIVED
    article.save()
    return article


def article_unpublish(*, article: Article, by: Any) -> Article:
    """Back to draft (e.g. a scheduled article that must wait; its planned time is dropped)."""
    article = Article.objects.get(pk=article.pk)
    article.status = Article.Status.DRAFT
    if article.publish_at and article.publish_at > timezone.now():
        article.publish_at = None
    article.save()
    return article


def article_delete(*, article: Article, by: Any) -> None:
    """Only drafts that were never published may be deleted; the rest are archived."""
    if article.status != Article.Status.DRAFT or article.publish_at is not None:
        raise ValidationError(_("Chỉ xóa được bản nháp chưa từng đăng; bài đã đăng hãy chuyển vào lưu trữ."))
    article.delete()
