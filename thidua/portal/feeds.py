"""RSS 2.0 and Atom feeds of the newest public articles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from thidua.accounts.access import public
from thidua.portal.models import Article


class LatestArticles(Feed):
    title = _("Tin hoạt động Công đoàn")
    link = "/tin/"
    description = _("Tin tức, thi đua, gương điển hình của tổ chức Công đoàn.")

    def items(self) -> Any:
        return Article.objects.public().select_related("category")[:30]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.publish_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.author_line

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name]


class LatestArticlesAtom(LatestArticles):
    feed_type = Atom1Feed
    subtitle = LatestArticles.description


def _view(feed: Feed) -> Any:
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return feed(request, *args, **kwargs)

    return public(view)


rss = _view(LatestArticles())
atom = _view(LatestArticlesAtom())
