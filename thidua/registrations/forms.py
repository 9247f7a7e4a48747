from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.campaigns.models import Title
from thidua.core.text import plain_number


class RegistrationForm(forms.Form):
    titles = forms.ModelMultipleChoiceField(
        queryset=Title.objects.filter(active=True, for_collective=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Danh hiệu tập thể đăng ký"),
    )
    pledge = forms.CharField(
        label=_("Giao ước thi đua của tập thể"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            if criterion.kind == "number":
                self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                    label=f"{criterion.name} ({criterion.unit_label})",
                    required=False,
                    min_value=0,
                    max_digits=14,
                    decimal_places=2,
                    localize=True,
                    help_text=_("Chỉ tiêu: %(target)s") % {"target": plain_number(criterion.target)}
                    if criterion.target is not None
                    else "",
                )


class PledgeForm(forms.Form):
    title = forms.ModelChoiceField(
        queryset=Title.objects.filter(active=True, for_individual=True),
        label=_("Danh hiệu cá nhân"),
        error_messages={"required": _("Hãy chọn danh hiệu."), "invalid_choice": _("Danh hiệu không hợp lệ.")},
    )
    commitment = forms.CharField(label=_("Cam kết"), required=False, max_length=500)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), help_text=_("Dùng mẫu tải về; tối đa 10 MB."))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    until = forms.DateField(
        label=_("Gia hạn đến ngày"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
    )
    reason = forms.CharField(label=_("Lý do gia hạn"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
