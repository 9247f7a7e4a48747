"""Pages of recognition: the catalogue with its rule sets (shared by every unit), and the awards
made to members and collectives in the user's scope (with an Excel export)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from thidua.accounts.access import scoped
from thidua.core.excel import DATE, Title, scope_line
from thidua.core.listing import Column, Listing, Sort
from thidua.recognition import selectors
from thidua.units.selectors import scope_roots

AWARD_SORTS = (
    Sort("period", ("period_end",)),
    Sort("kind", ("kind__name",)),
    Sort("unit", ("unit__name",)),
    Sort("decided", ("decided_on",)),
)


@scoped
def catalogue(request: HttpRequest) -> HttpResponse:
    """The award catalogue and rule sets, each value with its source and confidence (read-only here;
    system administrators edit them in the Django admin, every change versioned)."""
    kinds = list(selectors.catalogue())
    groups = (
        [
            (system_label, category_label, [k for k in kinds if k.system == system and k.category == category])
            for system, system_label in kinds[0].System.choices
            for category, category_label in kinds[0].Category.choices
        ]
        if kinds
        else []
    )
    return render(
        request,
        "recognition/catalogue.html",
        {"nav": "recognition", "groups": [g for g in groups if g[2]], "rule_sets": list(selectors.rule_sets())},
    )


@scoped
def award_list(request: HttpRequest) -> HttpResponse:
    """Awards received by members and collectives of the user's units and those below them."""
    query = request.GET.get("q", "").strip()[:100]
    listing = Listing(request, selectors.awards_for(request.user, query), sorts=AWARD_SORTS, default_sort="-period")
    if listing.wants_export:
        return listing.export(
            "khen-thuong.xlsx",
            _("Khen thưởng"),
            title=Title(_("Danh sách khen thưởng"), [scope_line(u.name for u in scope_roots(request.user))]),
            columns=[
                Column(_("Khen thưởng"), lambda a: a.kind.name),
                Column(_("Cá nhân"), lambda a: a.member.full_name if a.member_id else ""),
                Column(_("Đơn vị"), lambda a: a.unit.name),
                Column(_("Thành tích đến ngày"), lambda a: a.period_end, fmt=DATE),
                Column(_("Số quyết định"), lambda a: a.decision_ref),
                Column(_("Ngày quyết định"), lambda a: a.decided_on, fmt=DATE),
                Column(_("Thu hồi"), lambda a: a.revoke_reason if a.revoked else ""),
            ],
        )
    return render(request, "recognition/award_list.html", {"nav": "recognition", "listing": listing, "q": query})
