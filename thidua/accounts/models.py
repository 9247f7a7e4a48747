from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Role
from thidua.accounts.scope import ByPath, OwnedBy, ScopedQuerySet

__all__ = ["ApiToken", "Role", "RoleAssignment", "User"]


class User(AbstractUser):
    """A person who logs in; what they may do comes from their role assignments."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # Reminders and decisions are always in the app; by e-mail too unless the person turns it off.
    email_notifications = models.BooleanField(_("nhận thông báo qua e-mail"), default=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """A role a user holds on a unit; its scope is that unit's whole subtree."""

    scope_rule = ByPath("unit__path")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("tài khoản")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class ApiToken(models.Model):
    """A personal access token for the JSON API: the owner's scope, read-only or read-write, until it expires.

    Only a SHA-256 digest of the token is kept (``thidua.accounts.tokens`` says why a fast hash is
    enough); the token itself is shown once, when it is created. ``prefix`` is its visible part.
    """

    class Access(models.TextChoices):
        READ = "read", _("Chỉ đọc")
        WRITE = "write", _("Đọc và ghi")

    scope_rule = OwnedBy("user")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("tài khoản")
    )
    name = models.CharField(_("tên gợi nhớ"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, editable=False)  # hex SHA-256 of the whole token
    access = models.CharField(_("quyền"), max_length=5, choices=Access.choices, default=Access.READ)
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    # Written at most once a minute (not on every request): "when was it last used", not a log.
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"thd_{self.prefix}… ({self.name})"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def writes(self) -> bool:
        return self.access == self.Access.WRITE
