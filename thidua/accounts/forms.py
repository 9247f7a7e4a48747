from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.accounts.models import RoleAssignment
from thidua.accounts.roles import Perm, Role

UNIT_SELECT_LIMIT = 1000
# The unit model as the assignment's relation names it: accounts sits below the tree's app.
Unit: Any = RoleAssignment._meta.get_field("unit").related_model


class AssignmentForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên (khi tạo tài khoản mới)"), max_length=150, required=False)
    email = forms.EmailField(label=_("Thư điện tử (khi tạo tài khoản mới)"), required=False)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu (khi tạo tài khoản mới)"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    unit = forms.ModelChoiceField(
        queryset=Unit._default_manager.none(),
        label=_("Đơn vị"),
        error_messages={"invalid_choice": _("Đơn vị không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý.")},
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit._default_manager.visible_to(user, Perm.MANAGE_ACCOUNTS).active().order_by("path")
        field = cast(forms.ModelChoiceField, self.fields["unit"])
        field.queryset = units
        if units.count() > UNIT_SELECT_LIMIT:
            field.to_field_name = "code"
            field.widget = forms.TextInput()
            field.help_text = _("Nhập mã đơn vị.")
        if not user.is_superuser:
            cast(forms.ChoiceField, self.fields["role"]).choices = [c for c in Role.choices if c[0] != Role.ADMIN]
