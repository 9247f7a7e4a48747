"""RSS 2.0 and Atom feeds of the newest public articles."""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
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
        # RSS readers render <description> as HTML: the plain-text summary is escaped for HTML
        # here, then once more for XML by the feed writer, so "<svg onload=…>" stays text.
        return escape(item.summary)

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.publish_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.author_line

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name]


class PlainTextSummaryAtom(Atom1Feed):
    """Atom with the summary marked ``type="text"``: it is plain text, not HTML to render."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        summary = item["description"]
        item["description"] = None  # Django would write it as type="html"
        super().add_item_elements(handler, item)
        item["description"] = summary
        if summary is not None:
            handler.addQuickElement("summary", unescape(summary), {"type": "text"})


class LatestArticlesAtom(LatestArticles):
    feed_type = PlainTextSummaryAtom
    subtitle = LatestArticles.description


def _view(feed: Feed) -> Any:
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return feed(request, *args, **kwargs)

    return public(view)


rss = _view(LatestArticles())
atom = _view(LatestArticlesAtom())
