from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.scope import ByPath, ScopedQuerySet
from thidua.core.text import clean_text, fold, vietnamese_sort_key

# Fields only roles with Perm.VIEW_SENSITIVE may see. Views, exports and the
# API leave them out entirely for everybody else.
SENSITIVE_FIELDS = ("phone", "id_number", "date_of_birth")


class MemberQuerySet(ScopedQuerySet["Member"]):
    def search(self, query: str) -> MemberQuerySet:
        folded = fold(query)
        if not folded:
            return self
        return self.filter(search_name__contains=folded)

    def in_subtree(self, unit: Any) -> MemberQuerySet:
        return self.filter(unit__path__startswith=unit.path)


class Member(models.Model):
    """A union member (đoàn viên); most have no login and are entered by an officer."""

    scope_rule = ByPath("unit__path")

    class Gender(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang sinh hoạt")
        LEFT = "left", _("Đã thôi sinh hoạt")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="members", verbose_name=_("đơn vị"))
    full_name = models.CharField(_("họ và tên"), max_length=120)
    given_name = models.CharField(
        _("tên"), max_length=40, help_text=_("Tên gọi, dùng để sắp xếp theo thứ tự tiếng Việt")
    )
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    job = models.CharField(_("công việc"), max_length=120, blank=True)
    joined_on = models.DateField(_("ngày vào công đoàn"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Sensitive: see SENSITIVE_FIELDS.
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    id_number = models.CharField(_("số CCCD"), max_length=12, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)

    search_name = models.CharField(max_length=120, editable=False)
    sort_key = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["search_name", "sort_key", "updated_at"])

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("đoàn viên")
        verbose_name_plural = _("đoàn viên")
        ordering = ["sort_key", "id"]
        indexes = [
            models.Index(fields=["unit", "sort_key"]),
            models.Index(fields=["unit", "search_name"]),
            models.Index(fields=["sort_key", "id"]),
            # Citizen-ID look-ups (the duplicate check of every save, Excel matching).
            models.Index(fields=["id_number"], name="members_member_id_number"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def refresh_derived(self) -> None:
        self.full_name = clean_text(self.full_name)
        self.given_name = clean_text(self.given_name) or (self.full_name.rsplit(" ", 1)[-1] if self.full_name else "")
        self.position = clean_text(self.position)
        self.job = clean_text(self.job)
        self.phone = clean_text(self.phone)
        self.id_number = clean_text(self.id_number)
        self.search_name = fold(self.full_name)[:120]
        self.sort_key = vietnamese_sort_key(self.given_name, self.full_name)[:255]
