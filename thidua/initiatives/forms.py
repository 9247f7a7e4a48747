"""Forms of initiatives, councils and models. Units, members and councils are offered from scoped
pickers in ``selectors``; the services check every posted id again (a tampered id is refused there)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thidua.initiatives.models import CouncilMember, Initiative, InitiativeAuthor
from thidua.members.models import Member
from thidua.units.models import Unit

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]
TEXT_MAX = 10_000
ID_MAX = 2**62


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )


def _text(label: Any, *, required: bool = True, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _unit_field() -> forms.IntegerField:
    # A number, not a choice: the service decides whether the person holds that unit's desk.
    return forms.IntegerField(label=_("Đơn vị"), min_value=1, max_value=ID_MAX, widget=forms.Select)


def unit_options(units: Iterable[Unit]) -> list[tuple[int, str]]:
    units = list(units)
    base = min((u.depth for u in units), default=0)
    return [(u.pk, "— " * max(0, u.depth - base) + u.name) for u in units]


class VndField(forms.CharField):
    """Whole đồng, typed as 85000000, 85.000.000 or 85 000 000."""

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = super().clean(value)
        digits = re.sub(r"[\s.]", "", text or "0")
        if not digits.isdigit():
            raise ValidationError(_("Hãy ghi số đồng (số nguyên, không âm), ví dụ 85.000.000."))
        if len(digits) > 16:
            raise ValidationError(_("Hiệu quả quá lớn; hãy kiểm tra lại số đồng."))
        return int(digits)


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Tên sáng kiến"), max_length=300)
    field = forms.ChoiceField(label=_("Lĩnh vực"), choices=Initiative.Field.choices)
    first_applied_on = _date(_("Ngày áp dụng lần đầu"))
    benefit_vnd = VndField(
        label=_("Hiệu quả mang lại (đồng)"),
        max_length=30,
        required=False,
        help_text=_("Số tiền làm lợi hoặc tiết kiệm được, tính bằng đồng; để 0 nếu chưa tính được."),
    )
    description = _text(_("Mô tả nội dung sáng kiến"), rows=6)
    confidential_notes = _text(
        _("Nội dung cần giữ bí mật (nếu có)"),
        required=False,
        rows=3,
        help_text=_("Chỉ cán bộ thi đua của đơn vị và cấp trên xem được."),
    )
    plan = forms.TypedChoiceField(label=_("Thuộc phong trào, kế hoạch"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, plans: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("— Không —")), *((p.pk, str(p)) for p in plans)]  # type: ignore[attr-defined]


class InitiativeCreateForm(InitiativeForm):
    unit = _unit_field()

    field_order = ["unit", "title", "field", "first_applied_on", "benefit_vnd", "description"]

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("Đơn vị áp dụng")
        self.fields["unit"].widget.choices = unit_options(units)  # type: ignore[attr-defined]


class AuthorForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Tác giả"), coerce=int, required=False, empty_value=None)
    share_percent = forms.CharField(label=_("Tỷ lệ đóng góp (%)"), max_length=10, required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=InitiativeAuthor.Role.choices, initial="co")

    def __init__(self, *args: Any, members: Iterable[Member] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((m.pk, f"{m.full_name} ({m.unit.name})") for m in members),
        ]


class BaseAuthorFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, members: Iterable[Member] = (), **kwargs: Any) -> None:
        self.members = list(members)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"members": self.members}


# Typed as the base class so callers may pass ``members`` (formset_factory returns a plain BaseFormSet type).
AuthorFormSet: type[BaseAuthorFormSet] = forms.formset_factory(  # type: ignore[assignment]
    AuthorForm, formset=BaseAuthorFormSet, extra=3, max_num=20, absolute_max=30
)


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("Tệp minh chứng"), help_text=_("PDF, Word, Excel, JPG hoặc PNG; tối đa 10 MB."))


class ReasonForm(forms.Form):
    reason = _text(_("Lý do"), rows=2)


class ReviewForm(forms.Form):
    council = forms.TypedChoiceField(label=_("Hội đồng sáng kiến"), coerce=int)
    held_on = _date(_("Ngày họp"))
    minutes_number = forms.CharField(label=_("Số biên bản"), max_length=60, required=False)
    present = forms.IntegerField(label=_("Số thành viên có mặt"), min_value=0, max_value=1000)
    approve = forms.IntegerField(label=_("Số phiếu đồng ý"), min_value=0, max_value=1000)
    reject = forms.IntegerField(label=_("Số phiếu không đồng ý"), min_value=0, max_value=1000)
    note = _text(_("Ý kiến của hội đồng"), required=False, rows=3)

    def __init__(self, *args: Any, councils: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.name} – {c.unit.name} ({c.size})") for c in councils
        ]


class EffectForm(forms.Form):
    scope = forms.ChoiceField(label=_("Phạm vi ảnh hưởng"), choices=Initiative.Effect.choices)
    recognised_on = _date(_("Ngày công nhận"))
    note = forms.CharField(label=_("Số quyết định, ghi chú"), max_length=1000, required=False)


class CouncilForm(forms.Form):
    name = forms.CharField(label=_("Tên hội đồng"), max_length=300)
    quorum_num = forms.IntegerField(label=_("Có mặt tối thiểu: tử số"), min_value=1, max_value=100, initial=2)
    quorum_den = forms.IntegerField(label=_("Có mặt tối thiểu: mẫu số"), min_value=1, max_value=100, initial=3)
    pass_num = forms.IntegerField(
        label=_("Công nhận khi đồng ý ≥ (trên tổng số thành viên): tử số"), min_value=1, max_value=100, initial=2
    )
    pass_den = forms.IntegerField(label=_("mẫu số"), min_value=1, max_value=100, initial=3)
    basis = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)


class CouncilCreateForm(CouncilForm):
    unit = _unit_field()

    field_order = ["unit", "name"]

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = unit_options(units)  # type: ignore[attr-defined]


class CouncilMemberForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=CouncilMember.Role.choices, initial="member")


class ModelForm(forms.Form):
    title = forms.CharField(label=_("Tên mô hình"), max_length=300)
    started_on = _date(_("Bắt đầu thực hiện từ"), required=False)
    summary = _text(_("Nội dung, cách làm"), rows=6)
    results = _text(_("Kết quả đạt được"), rows=4)


class ModelCreateForm(ModelForm):
    unit = _unit_field()

    field_order = ["unit", "title"]

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("Đơn vị xây dựng")
        self.fields["unit"].widget.choices = unit_options(units)  # type: ignore[attr-defined]


class ApproveForm(forms.Form):
    publish = forms.BooleanField(label=_("Đăng công khai trên cổng thông tin"), required=False, initial=True)


class AdoptionForm(forms.Form):
    unit = _unit_field()
    adopted_on = _date(_("Ngày áp dụng"))
    results = _text(_("Kết quả áp dụng"), required=False, rows=3)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("Đơn vị áp dụng")
        self.fields["unit"].widget.choices = unit_options(units)  # type: ignore[attr-defined]
