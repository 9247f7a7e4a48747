from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.campaigns.models import Content, Criterion, Plan, Title

DATE = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}


class PlanForm(forms.ModelForm):
    number = forms.IntegerField(
        label=_("Số"),
        required=False,
        min_value=1,
        max_value=99999,
        help_text=_("Để trống để hệ thống cấp số tiếp theo."),
    )

    class Meta:
        model = Plan
        fields = [
            "doc_type",
            "number",
            "issued_on",
            "place",
            "title",
            "summary",
            "purpose",
            "legal_basis",
            "window_start",
            "window_end",
            "registration_deadline",
            "titles",
            "signing_capacity",
            "signing_for",
            "signer_position",
            "signer_name",
            "recipients",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs=DATE),
            "window_start": forms.DateInput(attrs=DATE),
            "window_end": forms.DateInput(attrs=DATE),
            "registration_deadline": forms.DateInput(attrs=DATE),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "purpose": forms.Textarea(attrs={"rows": 6}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "titles": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["titles"].queryset = Title.objects.filter(active=True)  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    due_on = forms.DateField(
        label=_("Hạn ban hành kế hoạch thực hiện"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Để trống: 15 ngày sau ngày ban hành."),
    )
    units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Giao cho các đơn vị trực thuộc"),
        required=False,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, children: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        field.queryset = children  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["units"] = list(children)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ContentForm(forms.ModelForm):
    class Meta:
        model = Content
        fields = ["name", "description", "required"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "applies_to", "kind", "unit_label", "target", "weight", "max_score"]
        localized_fields = ["target", "weight", "max_score"]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Tên đợt"), max_length=200)
    start = forms.DateField(label=_("Bắt đầu"), widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("Kết thúc"), widget=forms.DateInput(attrs=DATE))
