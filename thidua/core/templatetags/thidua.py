from __future__ import annotations

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
