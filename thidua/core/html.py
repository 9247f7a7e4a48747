"""Rich text: an allow-list of harmless tags (what a clerk types in Word), cleaned with nh3."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote"}


def sanitize_html(value: str | None) -> str:
    return nh3.clean(value or "", tags=ALLOWED_TAGS, attributes={}, link_rel=None).strip()
