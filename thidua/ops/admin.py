from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from thidua.ops.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """Read-only: the workers write these rows; deleting one forgets a retired worker."""

    list_display = ["name", "host", "pid", "beat_at", "last_ok_at", "iterations"]
    readonly_fields = [f.name for f in Heartbeat._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
