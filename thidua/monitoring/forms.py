from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.campaigns.models import Criterion
from thidua.core.text import plain_number
from thidua.monitoring.models import Cluster, Period

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, input_formats=DATE_INPUT, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại kỳ"), choices=Period.Kind.choices)
    name = forms.CharField(label=_("Tên kỳ"), max_length=120, help_text=_("Ví dụ: Tháng 10/2018, Sơ kết 6 tháng"))
    start = _date(_("Từ ngày"))
    end = _date(_("Đến ngày"))
    due_on = _date(_("Hạn báo cáo"))


class GenerateForm(forms.Form):
    due_day = forms.IntegerField(label=_("Hạn báo cáo: ngày trong tháng sau"), min_value=1, max_value=28, initial=5)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AdjustForm(forms.Form):
    score = forms.CharField(label=_("Điểm sau điều chỉnh (0–100)"), max_length=10)
    reason = forms.CharField(label=_("Lý do điều chỉnh"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Tệp minh chứng"), help_text=_("PDF, Word, Excel, JPG hoặc PNG; tối đa 10 MB."))


class ClusterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=Cluster.Kind.choices)
    name = forms.CharField(label=_("Tên cụm, khối"), max_length=200)


class ReportForm(forms.Form):
    """One field per criterion, typed by its kind; parsed again by ``scoring.parse_value``."""

    narrative = forms.CharField(
        label=_("Tình hình, kết quả thực hiện"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            key = f"c{c.pk}"
            if c.kind == Criterion.Kind.YES_NO:
                self.fields[key] = forms.ChoiceField(
                    label=c.name,
                    required=False,
                    choices=[
                        ("", _("— chưa trả lời —")),
                        ("1", _("Có, đã thực hiện")),
                        ("0", _("Không, chưa thực hiện")),
                    ],
                )
            else:
                if c.kind == Criterion.Kind.SCORE:
                    help_text = _("Điểm tối đa: %(max)s") % {"max": plain_number(c.max_score)}
                elif c.target is not None:
                    help_text = _("Chỉ tiêu: %(target)s %(unit)s") % {
                        "target": plain_number(c.target),
                        "unit": c.unit_label,
                    }
                else:
                    help_text = c.unit_label
                self.fields[key] = forms.CharField(
                    label=c.name,
                    required=False,
                    max_length=20,
                    help_text=help_text,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
            if c.weight:
                self.fields[key].help_text = f"{self.fields[key].help_text} · " + str(
                    _("trọng số %(w)s") % {"w": plain_number(c.weight)}
                )

    def values(self) -> dict[int, Any]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}
