from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Role
from thidua.accounts.scope import ByPath, ScopedQuerySet

__all__ = ["Role", "RoleAssignment", "User"]


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
