"""Forms of award decisions and of the certificate print layouts. Every choice (issuer, session,
candidates, campaign) is offered from a scoped queryset, so a tampered id is an invalid choice; the
services check each again (the issuer's own desk, a closed session of its council, passed
candidates taken at it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.recognition.models import AwardDecision, CertificateLayout

DATE = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
TEXT_MAX = 5_000


class CandidateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        unit = obj.member.unit.name if obj.member_id else ""
        return f"{obj.recipient_name}{f' ({unit})' if unit else ''} – {obj.kind.name}"


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.held_on:%d/%m/%Y} – {obj.title} ({obj.council.name})"


class DecisionForm(forms.ModelForm):
    class Meta:
        model = AwardDecision
        fields = [
            "title",
            "issued_on",
            "place",
            "achievement",
            "period_start",
            "period_end",
            "legal_basis",
            "campaign",
            "signer_capacity",
            "signer_position",
            "signer_name",
            "recipients",
            "issuer_short_name",
            "publish",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs=DATE),
            "period_start": forms.DateInput(attrs=DATE),
            "period_end": forms.DateInput(attrs=DATE),
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "achievement": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "issued_on": _("Ngày dự kiến ký; khi ban hành sẽ ghi ngày ban hành thực tế."),
            "legal_basis": _("Mỗi căn cứ một dòng (Căn cứ …)."),
            "recipients": _("Mỗi nơi nhận một dòng; “Lưu: VT” được thêm khi in."),
        }

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        campaign.queryset = plans  # type: ignore[attr-defined]
        campaign.required = False
        for name in ("legal_basis", "recipients"):
            self.fields[name].max_length = TEXT_MAX  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("Ngày kết thúc thành tích phải sau ngày bắt đầu."))
        return data


class DecisionCreateForm(DecisionForm):
    issuer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label=_("Đơn vị ban hành"),
        empty_label=None,
    )
    session = SessionChoice(
        queryset=None,  # type: ignore[arg-type]
        label=_("Phiên họp hội đồng đã kiểm phiếu"),
        required=False,
        help_text=_("Những người, tập thể được hội đồng thông qua trong phiên họp được đưa vào quyết định."),
    )
    candidates = CandidateChoices(
        queryset=None,  # type: ignore[arg-type]
        label=_("Hoặc chọn từng người, tập thể đã được thông qua"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["issuer", "session", "candidates"]

    def __init__(self, *args: Any, units: Any, sessions: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = units  # type: ignore[attr-defined]
        self.fields["session"].queryset = sessions  # type: ignore[attr-defined]
        self.fields["candidates"].queryset = candidates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        picked = data.get("session") or data.get("candidates")
        if not picked and not self.has_error("session") and not self.has_error("candidates"):
            raise forms.ValidationError(_("Chọn một phiên họp hoặc ít nhất một người, tập thể được thông qua."))
        return data


class LineAddForm(forms.Form):
    candidates = CandidateChoices(
        queryset=None,  # type: ignore[arg-type]
        label=_("Người, tập thể đã được hội đồng thông qua"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = candidates  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs=DATE), help_text=_("Không được sau hôm nay.")
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Lý do thu hồi"), max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}))


ALIGN_CHOICES = [("left", _("Trái")), ("center", _("Giữa")), ("right", _("Phải"))]
FIELD_LABELS = {
    "recipient": _("Họ tên, tên tập thể"),
    "position": _("Chức vụ"),
    "unit": _("Đơn vị"),
    "achievement": _("Thành tích"),
    "decision": _("Số, ngày quyết định"),
    "gold_book": _("Số sổ vàng"),
    "date_line": _("Địa danh, ngày tháng"),
    "signer": _("Người ký"),
}


class LayoutForm(forms.Form):
    """One row per field of the certificate: x, y (mm from the top-left corner), font size (pt),
    alignment and width (mm). The values are checked by ``certificates.validate_positions``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CertificateLayout.FIELDS:
            label = FIELD_LABELS.get(name, name)
            for key, text in (
                ("x", _("x (mm)")),
                ("y", _("y (mm)")),
                ("size", _("cỡ chữ (pt)")),
                ("width", _("rộng (mm)")),
            ):
                self.fields[f"{name}__{key}"] = forms.DecimalField(
                    label=f"{label}: {text}", max_digits=6, decimal_places=1, min_value=0, max_value=999
                )
            self.fields[f"{name}__align"] = forms.ChoiceField(label=f"{label}: {_('căn lề')}", choices=ALIGN_CHOICES)

    @staticmethod
    def initial_for(positions: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            f"{name}__{key}": value
            for name, spec in positions.items()
            for key, value in spec.items()
            if key in ("x", "y", "size", "width", "align")
        }

    def positions(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            name: {
                "x": float(data[f"{name}__x"]),
                "y": float(data[f"{name}__y"]),
                "size": float(data[f"{name}__size"]),
                "align": data[f"{name}__align"],
                "width": float(data[f"{name}__width"]),
            }
            for name in CertificateLayout.FIELDS
        }

    def rows(self) -> list[dict[str, Any]]:
        """The fields grouped per certificate field, for a table of one row each."""
        return [
            {
                "name": name,
                "label": FIELD_LABELS.get(name, name),
                "cells": [self[f"{name}__{key}"] for key in ("x", "y", "size", "align", "width")],
            }
            for name in CertificateLayout.FIELDS
        ]
