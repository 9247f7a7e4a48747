from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from thidua.portal.models import Article, Category


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> Any:
        return Article.objects.public().only("id", "slug", "updated_at").order_by("-publish_at", "-id")

    def lastmod(self, item: Article) -> dt.datetime:
        return item.updated_at


class SectionSitemap(Sitemap):
    changefreq = "daily"

    # Named pages of the portal: the home page, the model library and the honour roll (whose apps
    # the portal does not import: they depend on it).
    PAGES = ("home", "model_library", "honour_roll")

    def items(self) -> list[Any]:
        return [*self.PAGES, *Category.objects.all()]

    def location(self, item: Any) -> str:
        return reverse(f"portal:{item}") if isinstance(item, str) else item.get_absolute_url()


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap}
