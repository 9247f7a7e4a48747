from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField

from thidua.accounts.roles import Perm
from thidua.campaigns.models import Plan
from thidua.core.html import sanitize_article_html
from thidua.portal.images import validate_cover
from thidua.portal.models import Article, Category
from thidua.units.models import Unit

# What the editor offers is exactly what the sanitiser keeps (thidua.core.html.ARTICLE_TAGS).
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}


class ArticleForm(forms.ModelForm):
    body = ProseEditorFormField(
        label=_("Nội dung"),
        required=False,
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitize_article_html,
    )
    tag_names = forms.CharField(
        label=_("Thẻ"),
        required=False,
        max_length=400,
        help_text=_("Ngăn cách bằng dấu phẩy, ví dụ: Đại hội MTTQ, Thi đua yêu nước."),
    )
    cover_file = forms.FileField(
        label=_("Ảnh bìa"),
        required=False,
        help_text=_("JPEG, PNG hoặc WebP, tối đa 10 MB; hệ thống tự tạo bản lớn và bản nhỏ."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_cover = forms.BooleanField(label=_("Bỏ ảnh bìa hiện tại"), required=False)

    class Meta:
        model = Article
        fields = [
            "unit",
            "category",
            "title",
            "summary",
            "body",
            "author_line",
            "cover_alt",
            "plan",
            "featured",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user, Perm.PUBLISH).filter(dissolved_on__isnull=True)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        # Offered in the list: the editor's units and the level below (a national editor's scope
        # holds 100,000 units); any unit of the scope is accepted, and the current one is listed.
        top = units.order_by("depth").values_list("depth", flat=True).first()
        offered = units.filter(depth__lte=(top or 0) + 1)
        current = self.data.get("unit") if self.is_bound else self.instance.unit_id
        if current and str(current).isdigit():
            offered = offered | units.filter(pk=int(current))
        offered_list = list(offered.order_by("path"))
        self.fields["unit"].widget.choices = [("", "---------"), *((u.pk, str(u)) for u in offered_list)]
        if not self.instance.pk and not self.is_bound and offered_list:
            self.initial["unit"] = offered_list[0].pk
        self.fields["category"].queryset = Category.objects.all()  # type: ignore[attr-defined]
        plans = Plan.objects.visible_to(user).filter(status__in=Plan.PUBLISHED).order_by("-issued_on")[:200]
        self.fields["plan"].queryset = Plan.objects.filter(pk__in=[p.pk for p in plans])  # type: ignore[attr-defined]
        if not self.instance.cover:
            del self.fields["remove_cover"]
        if self.instance.pk and not self.is_bound:
            self.initial["tag_names"] = ", ".join(t.name for t in self.instance.tags.all())
        self.cover_image: Any = None
        self.order_fields(
            ["unit", "category", "title", "summary", "body", "author_line", "tag_names", "cover_file", "remove_cover"]
        )

    def clean_cover_file(self) -> Any:
        upload = self.cleaned_data.get("cover_file")
        if upload:
            self.cover_image = validate_cover(upload)
        return upload

    def tag_list(self) -> list[str]:
        return [name for name in self.cleaned_data.get("tag_names", "").split(",") if name.strip()]


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Đăng vào lúc"),
        required=False,
        widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
        help_text=_("Để trống để đăng ngay; chọn thời điểm sau này để lên lịch."),
    )
