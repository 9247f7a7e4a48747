from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from thidua.portal import services
from thidua.portal.models import Article, Category


def category(name: str = "Tin hoạt động công đoàn", slug: str = "tin-hoat-dong") -> Category:
    return Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_article(unit: Any, title: str = "Đại hội Công đoàn cơ sở", *, public: bool = False, **fields: Any) -> Article:
    """An article built through the services, as an editor would: saved, then published,
    scheduled (``status=PUBLISHED`` with a future ``publish_at``) or archived when asked."""
    status = fields.pop("status", Article.Status.PUBLISHED if public else Article.Status.DRAFT)
    publish_at = fields.pop("publish_at", timezone.now() - dt.timedelta(hours=1) if public else None)
    tags = fields.pop("tags", ())
    data: dict[str, Any] = {
        "unit": unit,
        "category": fields.pop("category", None) or category(),
        "title": title,
        "summary": "Tóm tắt " + title,
        "body": "<p>Nội dung " + title + "</p>",
        "author_line": "Ban Tuyên giáo",
        **fields,
    }
    article = services.article_save(article=None, data=data, by=None, tags=tags)
    if status in (Article.Status.PUBLISHED, Article.Status.ARCHIVED):
        article = services.article_publish(article=article, by=None, at=publish_at)
    if status == Article.Status.ARCHIVED:
        article = services.article_archive(article=article, by=None)
    return article
