"""Rich text: an allow-list of harmless tags (what a clerk types in Word), cleaned with nh3."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote"}


def sanitize_html(value: str | None) -> str:
    return nh3.clean(value or "", tags=ALLOWED_TAGS, attributes={}, link_rel=None).strip()


# Articles of the public portal also carry links and sub-headings; link targets are
# restricted to web and mail addresses, and every link gets rel="noopener noreferrer nofollow".
ARTICLE_TAGS = ALLOWED_TAGS | {"a", "h2", "s", "hr"}
ARTICLE_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def sanitize_article_html(value: str | None) -> str:
    return nh3.clean(
        value or "",
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
