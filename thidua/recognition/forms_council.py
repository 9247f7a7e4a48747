"""Forms of the emulation council, its sessions and the secret ballot. Pickers offer only what the
person may choose; the services in ``council.py`` check every posted id again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thidua.recognition.models import AwardCouncilMember, BallotItem, Candidate

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]
ID_MAX = 2**62
ITEM_PREFIX = "item_"
APPROVE, REJECT = "approve", "reject"


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, input_formats=DATE_INPUT, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


def parse_thresholds(text: str) -> dict[str, str]:
    """Lines "mã danh hiệu: tỷ lệ" (``cstd-co-so: 90%``) as a dict; the service checks codes and ratios."""
    found: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, ratio = line.partition(":")
        if not sep or not code.strip() or not ratio.strip():
            raise ValidationError(
                _("Dòng %(n)s: ghi theo mẫu “mã danh hiệu: tỷ lệ”, ví dụ “cstd-co-so: 90%%”.") % {"n": number}
            )
        found[code.strip()] = ratio.strip()
    return found


class CouncilForm(forms.Form):
    name = forms.CharField(label=_("Tên hội đồng"), max_length=200)
    quorum = forms.CharField(
        label=_("Số thành viên có mặt tối thiểu"),
        max_length=12,
        initial="2/3",
        help_text=_("Tỷ lệ trên tổng số thành viên, dạng “2/3” hoặc “80%”."),
    )
    threshold = forms.CharField(
        label=_("Tỷ lệ đồng ý để thông qua (trên tổng số thành viên)"),
        max_length=12,
        initial="80%",
        help_text=_("Áp dụng cho mọi danh hiệu không có tỷ lệ riêng."),
    )
    thresholds = forms.CharField(
        label=_("Tỷ lệ riêng theo danh hiệu"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một danh hiệu: “mã danh hiệu: tỷ lệ”, ví dụ “cstd-tinh: 90%”."),
    )
    basis = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)

    def clean_thresholds(self) -> dict[str, str]:
        return parse_thresholds(self.cleaned_data.get("thresholds", ""))


class CouncilEditForm(CouncilForm):
    active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)


class CouncilCreateForm(CouncilForm):
    # A number, not a choice: the service decides whether the person holds that unit's desk.
    unit = forms.IntegerField(label=_("Đơn vị"), min_value=1, max_value=ID_MAX, widget=forms.Select)

    field_order = ["unit", "name"]

    def __init__(self, *args: Any, units: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=120, required=False, help_text=_("Để trống để lấy tên của tài khoản.")
    )
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=AwardCouncilMember.Role.choices, initial="member")
    user = forms.TypedChoiceField(
        label=_("Tài khoản bỏ phiếu"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Không có tài khoản: thành viên bỏ phiếu bằng văn bản, thư ký nhập."),
    )

    def __init__(self, *args: Any, accounts: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [  # type: ignore[attr-defined]
            ("", _("— Không có —")),
            *((u.pk, f"{u.full_name or u.username} ({u.username})") for u in accounts),
        ]


class MemberEditForm(MemberForm):
    active = forms.BooleanField(label=_("Đang là thành viên"), required=False, initial=True)


def candidate_label(c: Candidate) -> str:
    return f"{c.recipient_name} – {c.kind.name} ({c.nomination.proposer.name})"


class CandidatesField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Nội dung phiên họp"), max_length=300)
    held_on = _date(_("Ngày họp"))
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)


class SessionCreateForm(SessionForm):
    candidates = CandidatesField(label=_("Người, tập thể đưa ra bỏ phiếu"), coerce=int)

    def __init__(self, *args: Any, candidates: Iterable[Candidate] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(c.pk, candidate_label(c)) for c in candidates]  # type: ignore[attr-defined]


class ItemAddForm(forms.Form):
    candidates = CandidatesField(label=_("Thêm vào chương trình"), coerce=int)

    def __init__(self, *args: Any, candidates: Iterable[Candidate] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(c.pk, candidate_label(c)) for c in candidates]  # type: ignore[attr-defined]


class BallotForm(forms.Form):
    """One approve/reject choice per item of the session; a posted item that is not on the ballot
    (a tampered id) makes the whole ballot invalid."""

    def __init__(self, *args: Any, items: Iterable[BallotItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"{ITEM_PREFIX}{item.pk}"] = forms.ChoiceField(
                label=item.candidate.recipient_name,
                choices=[(APPROVE, _("Đồng ý")), (REJECT, _("Không đồng ý"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Hãy chọn “Đồng ý” hoặc “Không đồng ý”.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_bound:
            posted = {key for key in self.data if key.startswith(ITEM_PREFIX)}
            if posted - set(self.fields):
                raise ValidationError(_("Phiếu có mục không thuộc phiên họp này."))
        return data

    @property
    def choices(self) -> dict[int, bool]:
        """{item id: approve?} once the form is valid."""
        return {
            int(name.removeprefix(ITEM_PREFIX)): value == APPROVE
            for name, value in self.cleaned_data.items()
            if name.startswith(ITEM_PREFIX)
        }

    def rows(self) -> list[tuple[BallotItem, Any]]:
        return [(item, self[f"{ITEM_PREFIX}{item.pk}"]) for item in self.items]
