from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thidua.units import tallies
from thidua.units.models import UnitKind


@admin.register(UnitKind)
class UnitKindAdmin(SimpleHistoryAdmin):
    """Kinds of unit are data: administrators add or rename them here."""

    list_display = ["name", "code", "level", "is_grassroots"]
    list_filter = ["level", "is_grassroots"]

    def save_model(self, request: Any, obj: UnitKind, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_grassroots" in form.changed_data:  # its units count as grassroots or no longer do
            tallies.touch_kind(obj.pk)
