"""The public library of effective models on the portal (no login): approved and published models
only, with their unit, contents, results, adoption counts and the tree of units that took them up.
Nothing about people is shown: no submitter, reviewer, member or contact (the models hold none)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from thidua.accounts.access import public
from thidua.core.text import fold
from thidua.initiatives import selectors
from thidua.portal import counting
from thidua.portal.models import Category

PAGE_SIZE = 20
MAX_AGE = 300


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
def model_library(request: HttpRequest) -> HttpResponse:
    """Approved, published models, newest first, searchable without diacritics."""
    query = (request.GET.get("q") or "").strip()[:100]
    models = selectors.public_models()
    for word in fold(query).split()[:8]:
        models = models.filter(search_text__contains=word)
    page = Paginator(models, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "initiatives/public_library.html", {"page": page, "query": query})


@public
@require_safe
def model_page(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.public_models().filter(pk=pk).first()
    if model is None:
        raise Http404(_("Không tìm thấy mô hình."))
    adoptions = list(model.adoptions.select_related("unit").order_by("adopted_on", "pk"))
    return _render(
        request,
        "initiatives/public_model.html",
        {
            "model": model,
            "adoption_count": len(adoptions),
            "tree": selectors.flatten(selectors.spread_tree(model, adoptions)),
        },
    )
