from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.units.models import Unit, UnitKind


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["kind", "name", "short_name", "place_name", "code", "active_from"]
        widgets = {"active_from": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["kind"]).queryset = UnitKind.objects.all()


class TargetForm(forms.Form):
    """Pick a unit among those the user may manage (move/merge target)."""

    target = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Đơn vị đích"),
        error_messages={
            "required": _("Hãy chọn đơn vị đích."),
            "invalid_choice": _("Đơn vị đích không hợp lệ hoặc nằm ngoài phạm vi của bạn."),
        },
    )
    effective_on = forms.DateField(
        label=_("Ngày hiệu lực"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    reason = forms.CharField(
        label=_("Lý do / căn cứ"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = targets
        self.fields["target"].widget = forms.HiddenInput()


class DissolveForm(forms.Form):
    effective_on = forms.DateField(
        label=_("Ngày giải thể"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    reason = forms.CharField(
        label=_("Lý do / căn cứ"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
