from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.accounts.roles import Perm
from thidua.members.models import SENSITIVE_FIELDS, Member
from thidua.units.models import Unit

UNIT_SELECT_LIMIT = 1000


class MemberForm(forms.ModelForm):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Đơn vị"),
        error_messages={"invalid_choice": _("Đơn vị không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý.")},
    )
    birth_year = forms.IntegerField(
        label=_("Năm sinh"),
        min_value=1,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Năm sinh phải là một số, ví dụ 1985.")},
    )

    class Meta:
        model = Member
        fields = [
            "unit",
            "full_name",
            "given_name",
            "gender",
            "birth_year",
            "position",
            "job",
            "joined_on",
            "status",
            "phone",
            "id_number",
            "date_of_birth",
        ]
        widgets = {
            "joined_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
            "date_of_birth": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, user: Any, show_sensitive: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user, Perm.MANAGE_MEMBERS).active().order_by("path")
        field = cast(forms.ModelChoiceField, self.fields["unit"])
        field.queryset = units
        total = units.count()
        if total == 1 and not self.instance.pk and not self.is_bound and not self.initial.get("unit"):
            self.initial["unit"] = units.get().pk  # the only unit one may add to: nothing to pick
        if total > UNIT_SELECT_LIMIT:
            field.to_field_name = "code"
            field.widget = forms.TextInput()
            field.help_text = _("Nhập mã đơn vị.")
            if self.instance.pk and not self.is_bound:
                self.initial["unit"] = self.instance.unit.code
        self.fields["given_name"].required = False
        if not show_sensitive:
            for name in SENSITIVE_FIELDS:
                del self.fields[name]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên (có dấu hoặc không dấu)"), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Member.Status.choices]
    )
    gender = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=[("", _("Tất cả")), *Member.Gender.choices]
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:100]
