"""The "mặc định — cần xác nhận" badge is a warning distinct from a checked value: its own colours
with a contrast ratio of at least 4.5:1 (WCAG AA, what axe checks) and a mark besides the colour."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import render_to_string

CSS = Path(__file__).resolve().parents[2] / "static" / "thidua" / "app.css"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rule(css: str, selector: str) -> dict[str, str]:
    body = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert body, f"{selector} is not styled"
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    rule = {}
    for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+);", body.group(1)):
        value = value.strip()
        found = re.fullmatch(r"var\((--[\w-]+)\)", value)
        rule[name] = variables[found.group(1)] if found else value
    return rule


def test_the_unconfirmed_badge_is_a_distinct_readable_warning():
    css = CSS.read_text(encoding="utf-8")
    badge, unconfirmed = _rule(css, ".badge"), _rule(css, ".badge.unconfirmed")
    assert unconfirmed["color"] != badge["color"] and unconfirmed["background"] != badge["background"]
    assert _contrast(unconfirmed["color"], unconfirmed["background"]) >= 4.5
    assert _contrast(unconfirmed["border-color"], "#ffffff") >= 3  # the outline shows on the page


def test_the_badge_says_it_in_words_and_a_mark():
    class Item:
        unconfirmed = True

    html = render_to_string("recognition/_confidence.html", {"item": Item()})
    assert 'class="badge unconfirmed"' in html and "mặc định — cần xác nhận" in html
    assert '<span aria-hidden="true">⚠ </span>' in html
