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

    def items(self) -> list[Any]:
        return ["home", *Category.objects.all()]

    def location(self, item: Any) -> str:
        return reverse("portal:home") if item == "home" else item.get_absolute_url()


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap}
