"""The statistics page of recognition: proposed vs decided by award kind, level, year, sex and
leading post, within the user's scope, with bar charts, tables and an Excel export."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.accounts.access import scoped
from thidua.campaigns.models import Plan
from thidua.core.excel import INTEGER, PERCENT, Header, Title, add_sheet, new_workbook, scope_line, workbook_response
from thidua.recognition import statistics
from thidua.recognition.models import AwardKind
from thidua.units.selectors import scope_roots

CAMPAIGN_CHOICES = 200  # the newest published plans the user reads; older ones by their own pages


class CampaignField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.document_number} – {obj.title[:80]}"


class StatisticsFilter(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm thành tích"), required=False)
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Phong trào"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tất cả"),
    )
    kind = forms.ModelChoiceField(
        label=gettext_lazy("Khen thưởng"),
        queryset=AwardKind.objects.all(),
        required=False,
        empty_label=gettext_lazy("Tất cả"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = statistics.year_range()
        self.fields["year"].widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})
        campaigns = (
            Plan.objects.visible_to(user)
            .filter(status__in=Plan.PUBLISHED)
            .select_related("issuer")
            .order_by("-issued_on", "-pk")
        )
        campaign = cast(CampaignField, self.fields["campaign"])
        # Scoped choices: a plan outside the user's scope is "not one of the available choices".
        campaign.queryset = Plan.objects.filter(pk__in=list(campaigns.values_list("pk", flat=True)[:CAMPAIGN_CHOICES]))

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        low, high = statistics.year_range()
        if year is not None and not low <= year <= high:
            raise forms.ValidationError(
                _("Năm phải từ %(low)s đến %(high)s.") % {"low": low, "high": high}, code="year_range"
            )
        return year

    def filters(self) -> statistics.Filters:
        data = self.cleaned_data if self.is_bound else {}
        campaign, kind = data.get("campaign"), data.get("kind")
        return statistics.Filters(
            year=data.get("year"),
            campaign_id=campaign.pk if campaign is not None else None,
            kind_id=kind.pk if kind is not None else None,
        )

    def describe(self) -> str:
        """The filters as the export's title states them."""
        data = self.cleaned_data if self.is_bound else {}
        parts = []
        if data.get("year"):
            parts.append(_("Năm thành tích: %(year)s") % {"year": data["year"]})
        if data.get("campaign"):
            parts.append(_("Phong trào: %(plan)s") % {"plan": data["campaign"].document_number})
        if data.get("kind"):
            parts.append(_("Khen thưởng: %(kind)s") % {"kind": data["kind"].name})
        return "; ".join(parts)


def _export(stats: statistics.Statistics, about: list[str]) -> HttpResponse:
    workbook = new_workbook()
    counts = [
        Header(_("Đề nghị"), INTEGER),
        Header(_("Được khen thưởng"), INTEGER),
        Header(_("Tỷ lệ được khen / đề nghị"), PERCENT),
    ]
    for table in stats.tables:
        rows = [(r.label, r.proposed, r.decided, r.rate) for r in table.rows]
        rows.append((stats.total.label, stats.total.proposed, stats.total.decided, stats.total.rate))
        add_sheet(
            workbook,
            table.heading,
            [table.heading, *counts],
            rows,
            title=Title(_("Thống kê khen thưởng: đề nghị và được khen thưởng – %(by)s") % {"by": table.title}, about),
        )
    return workbook_response("thong-ke-khen-thuong.xlsx", workbook)


@scoped
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Proposed vs decided in the user's scope, by award kind, level, year, sex and leading post."""
    bound = any(request.GET.get(name) for name in ("year", "campaign", "kind"))
    form = StatisticsFilter(request.GET if bound else None, user=request.user)
    if bound:
        form.is_valid()  # an invalid filter is shown with its message and left out of the figures
    stats = statistics.build(request.user, form.filters())
    if request.GET.get("format") == "xlsx" and not form.errors:
        about = [
            scope_line(u.name for u in scope_roots(request.user)),
            form.describe(),
            str(statistics.LEADER_DEFINITION),
        ]
        return _export(stats, [line for line in about if line])
    export_query = request.GET.copy()
    export_query["format"] = "xlsx"
    return render(
        request,
        "recognition/statistics/statistics.html",
        {
            "nav": "recognition",
            "form": form,
            "stats": stats,
            "chart": statistics.chart_data(stats),
            "leader_definition": statistics.LEADER_DEFINITION,
            "export_query": export_query.urlencode(),
        },
        status=400 if form.errors else 200,
    )
