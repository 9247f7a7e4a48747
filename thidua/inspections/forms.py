"""Forms of inspections. Units are offered from the scoped pickers in ``selectors``; the
services check every posted id again (a tampered id is refused there, never trusted here)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.inspections.models import Finding
from thidua.units.models import Unit

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]
TEXT_MAX = 5000


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, input_formats=DATE_INPUT, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": rows})
    )


def unit_choices(units: Iterable[Unit], *, top_depth: int | None = None) -> list[tuple[int, str]]:
    """Units as options, indented by their depth below the first one."""
    units = list(units)
    base = top_depth if top_depth is not None else min((u.depth for u in units), default=0)
    return [(u.pk, "— " * max(0, u.depth - base) + u.name) for u in units]


class InspectionEditForm(forms.Form):
    name = forms.CharField(
        label=_("Tên đợt kiểm tra"),
        max_length=200,
        help_text=_("Ví dụ: Kiểm tra việc thực hiện Kế hoạch 07/KH-LĐLĐ đợt 1"),
    )
    start = _date(_("Từ ngày"))
    end = _date(_("Đến ngày"))
    note = _text(_("Nội dung, phương pháp kiểm tra"), required=False)


class InspectionForm(InspectionEditForm):
    # A number, not a choice: the service decides whether the person may inspect from that unit.
    unit = forms.IntegerField(label=_("Đơn vị kiểm tra"), min_value=1, max_value=2**62, widget=forms.Select)

    field_order = ["unit", "name", "start", "end", "note"]

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]


class TargetsForm(forms.Form):
    units = forms.TypedMultipleChoiceField(
        label=_("Đơn vị được kiểm tra"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Giữ Ctrl (hoặc Cmd) để chọn nhiều đơn vị."),
    )
    scheduled_on = _date(_("Ngày kiểm tra"))

    def __init__(self, *args: Any, units: Iterable[Unit] = (), top_depth: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = unit_choices(units, top_depth=top_depth)  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=_("Mức độ"), choices=Finding.Severity.choices, initial="shortcoming")
    text = _text(_("Nội dung kết luận"), rows=4)
    evidence = forms.FileField(
        label=_("Tệp minh chứng (không bắt buộc)"),
        required=False,
        help_text=_("PDF, Word, Excel, JPG hoặc PNG; tối đa 10 MB."),
    )


class FollowUpForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Đơn vị thực hiện"), coerce=int)
    description = _text(_("Nội dung yêu cầu khắc phục"))
    due_on = _date(_("Hạn khắc phục"))

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = unit_choices(units)  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = _text(_("Kết quả khắc phục"))


class ReasonForm(forms.Form):
    reason = _text(_("Lý do"), rows=2)
