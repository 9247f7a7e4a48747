from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from thidua.core.html import sanitize_article_html, sanitize_html

register = template.Library()


@register.filter
def rich(value: str | None) -> SafeString:
    """Render stored rich text; it is cleaned again here, so no unsanitised HTML ever reaches a page."""
    return mark_safe(sanitize_html(value))  # noqa: S308 - nh3 allow-list output


@register.filter
def article_html(value: str | None) -> SafeString:
    """An article body, re-cleaned with the portal's allow-list (links allowed)."""
    return mark_safe(sanitize_article_html(value))  # noqa: S308 - nh3 allow-list output


@register.inclusion_tag("core/_sort_header.html")
def sort_header(listing: Any, key: str, label: str, css: str = "") -> dict[str, Any]:
    """A column heading that sorts the list by ``key`` (a link; a second click reverses)."""
    return {
        "label": label,
        "css": css,
        "url": listing.sort_url(key),
        "aria_sort": listing.aria_sort(key),
    }
