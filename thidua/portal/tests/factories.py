from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from thidua.portal.models import Article, Category


def category(name: str = "Tin hoạt động công đoàn", slug: str = "tin-hoat-dong") -> Category:
    return Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_article(unit: Any, title: str = "Đại hội Công đoàn cơ sở", *, public: bool = False, **fields: Any) -> Article:
    defaults: dict[str, Any] = {
        "unit": unit,
        "category": fields.pop("category", None) or category(),
        "title": title,
        "summary": "Tóm tắt " + title,
        "body": "<p>Nội dung " + title + "</p>",
        "author_line": "Ban Tuyên giáo",
    }
    if public:
        defaults |= {"status": Article.Status.PUBLISHED, "publish_at": timezone.now() - dt.timedelta(hours=1)}
    defaults |= fields
    return Article.objects.create(**defaults)
