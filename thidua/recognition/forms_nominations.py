"""Forms of nomination dossiers. Units, members and campaigns are offered from scoped pickers; the
services check every posted id again (a tampered id is refused there)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.recognition.models import AwardKind, NominationFile
from thidua.units.models import Unit

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]
ID_MAX = 2**62


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        help_text=help_text,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": _("Nhập ngày dạng dd/mm/yyyy, ví dụ 31/12/2025.")},
    )


def unit_options(units: Iterable[Unit]) -> list[tuple[int, str]]:
    units = list(units)
    base = min((u.depth for u in units), default=0)
    return [(u.pk, "— " * max(0, u.depth - base) + u.name) for u in units]


def kind_options(kinds: Iterable[AwardKind]) -> list[tuple[Any, Any]]:
    """Award kinds grouped by subject (cá nhân / tập thể / hộ gia đình)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    labels: dict[str, str] = {}
    for kind in kinds:
        groups.setdefault(kind.subject, []).append((kind.pk, kind.name))
        labels[kind.subject] = str(kind.get_subject_display())
    return [("", "—"), *((labels[s], options) for s, options in groups.items())]


class NominationForm(forms.Form):
    title = forms.CharField(label=_("Trích yếu"), max_length=300, help_text=_("Ví dụ: Đề nghị khen thưởng năm 2025"))
    period_start = _date(_("Thành tích từ ngày"))
    period_end = _date(_("Thành tích đến ngày"))
    campaign = forms.TypedChoiceField(label=_("Phong trào thi đua"), coerce=int, required=False, empty_value=None)
    deadline = _date(_("Hạn gửi"), required=False, help_text=_("Hạn cấp trên đặt cho hồ sơ (nếu có)."))
    achievement = forms.CharField(
        label=_("Tóm tắt thành tích"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, plans: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("— Không —")), *((p.pk, str(p)) for p in plans)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("Ngày kết thúc thành tích phải từ ngày bắt đầu trở đi."))
        return data


class NominationCreateForm(NominationForm):
    proposer = forms.TypedChoiceField(label=_("Đơn vị đề nghị"), coerce=int)

    field_order = ["proposer", "title", "period_start", "period_end", "campaign", "deadline", "achievement"]

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposer"].choices = unit_options(units)  # type: ignore[attr-defined]


class CandidateForm(forms.Form):
    kind = forms.TypedChoiceField(label=_("Danh hiệu, hình thức khen thưởng"), coerce=int)
    member = forms.IntegerField(
        label=_("Đoàn viên"), required=False, min_value=1, max_value=ID_MAX, widget=forms.Select
    )
    unit = forms.IntegerField(label=_("Tập thể"), required=False, min_value=1, max_value=ID_MAX, widget=forms.Select)
    achievement = forms.CharField(
        label=_("Thành tích"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        kinds: Iterable[AwardKind] = (),
        members: Iterable[Any] = (),
        units: Iterable[Unit] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_options(kinds)  # type: ignore[attr-defined]
        self.fields["member"].widget.choices = [  # type: ignore[attr-defined]
            ("", _("— Chọn đoàn viên (khen cá nhân) —")),
            *((m.pk, f"{m.full_name} ({m.birth_year}) – {m.unit.name}") for m in members),
        ]
        self.fields["unit"].widget.choices = [  # type: ignore[attr-defined]
            ("", _("— Chọn tập thể (khen tập thể) —")),
            *unit_options(units),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("member")) == bool(data.get("unit")) and not self.errors:
            raise forms.ValidationError(_("Chọn đúng một người được đề nghị: một đoàn viên hoặc một tập thể."))
        return data


class RankingForm(forms.Form):
    kind = forms.TypedChoiceField(label=_("Danh hiệu, hình thức khen thưởng (tập thể)"), coerce=int)
    top_n = forms.IntegerField(label=_("Số tập thể đứng đầu"), required=False, min_value=1, max_value=10_000)
    top_percent = forms.DecimalField(
        label=_("hoặc tỷ lệ đứng đầu (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
    )

    def __init__(self, *args: Any, kinds: Iterable[AwardKind] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_options(kinds)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and (data.get("top_n") is None) == (data.get("top_percent") is None):
            raise forms.ValidationError(_("Ghi số lượng hoặc tỷ lệ đứng đầu bảng xếp hạng (một trong hai)."))
        return data


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tệp"), choices=NominationFile.Kind.choices)
    file = forms.FileField(label=_("Tệp"), help_text=_("PDF, Word (.docx), Excel (.xlsx), JPG hoặc PNG; tối đa 10 MB."))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), help_text=_("Dùng mẫu tải về; tối đa 10 MB, 2.000 dòng."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ý kiến (nếu có)"), required=False, max_length=2000)
