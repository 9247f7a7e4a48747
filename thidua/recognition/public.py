"""The honour roll (Bảng vàng) on the public portal, no login.

It lists the recipients of issued decisions that chose to be published (``AwardDecision.publish``,
opt-in per decision), whose award stands (not revoked); a revoked decision disappears at once.
Grouped by decision (number, date, issuer), then award kind. Only what a certificate prints is
shown: the recipient's name, position, unit, the award and the achievement. Nothing else about a
member is read from the database (``.only``), so no phone, ID number, birth date or address can
reach the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition, require_safe

from thidua.accounts.access import public
from thidua.core.text import fold
from thidua.portal import counting
from thidua.portal.models import Category
from thidua.recognition.models import Award, AwardDecision, AwardKind, DecisionLine

PAGE_SIZE = 50  # recipients per page (a decision of 500 spreads over pages, its heading repeated)
MAX_AGE = 300
MAX_WORDS = 8
LATEST_KEY = "recognition:honour-roll:changed"


def honour_roll_lines(query: str = "") -> QuerySet[DecisionLine]:
    """Published recipients: issued decisions with ``publish``, awards not revoked, searched without
    diacritics in the recipient's name, their unit and the award's name."""
    lines = (
        DecisionLine.objects.filter(
            decision__status=AwardDecision.Status.ISSUED,
            decision__publish=True,
            award__isnull=False,
            award__revoked_at__isnull=True,
        )
        .select_related("decision__issuer", "kind", "member", "unit")
        .only(
            "position",
            "unit_name",
            "achievement",
            "order",
            "decision__number",
            "decision__year",
            "decision__issued_on",
            "decision__issuer_short_name",
            "decision__achievement",
            "decision__title",
            "decision__issuer__name",
            "decision__issuer__short_name",
            "decision__issuer__code",
            "kind__name",
            "kind__rank",
            "kind__subject",
            "member__full_name",
            "unit__name",
        )
        # Newest decision first; in it individuals before collectives (as the annex: I. Cá nhân,
        # II. Tập thể), the higher award first, then the annex's order.
        .order_by("-decision__issued_on", "-decision_id", "-kind__subject", "-kind__rank", "kind_id", "order", "pk")
    )
    words = fold(query).split()[:MAX_WORDS]
    if words:
        kinds = [(pk, fold(name)) for pk, name in AwardKind.objects.values_list("pk", "name")]
        for word in words:
            matching_kinds = [pk for pk, name in kinds if word in name]
            lines = lines.filter(
                Q(member__search_name__contains=word)
                | Q(unit__search_text__contains=word)
                | Q(decision__issuer__search_text__contains=word)
                | Q(kind_id__in=matching_kinds)
            )
    return lines


def _latest_change(*_args: Any, **_kwargs: Any) -> dt.datetime | None:
    """When the roll last changed: a decision edited, issued, published or revoked (``updated_at``),
    or one of its awards revoked. Read at most every 10 s per process."""
    return cache.get_or_set(LATEST_KEY, _read_latest_change, 10)


def _read_latest_change() -> dt.datetime | None:
    edited = AwardDecision.objects.aggregate(at=Max("updated_at"))["at"]
    revoked = Award.objects.filter(decision__isnull=False).aggregate(at=Max("revoked_at"))["at"]
    moments = [m for m in (edited, revoked) if m is not None]
    return max(moments) if moments else None


def _render(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    context.setdefault("categories", list(Category.objects.all()))
    context.setdefault("figures", counting.site_figures())
    context.setdefault("canonical", request.build_absolute_uri(request.path))
    response = render(request, template, context)
    # As the portal's pages: shared caches for readers, ``private`` for signed-in people.
    signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
    patch_cache_control(response, **({"private": True} if signed_in else {"public": True}), max_age=MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


@public
@require_safe
@condition(last_modified_func=_latest_change)
def honour_roll(request: HttpRequest) -> HttpResponse:
    """The honour roll, newest decision first, paged by recipient, searchable without diacritics."""
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(honour_roll_lines(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "recognition/public/honour_roll.html", {"page": page, "query": query})
