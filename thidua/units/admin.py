from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thidua.units.models import UnitKind


@admin.register(UnitKind)
class UnitKindAdmin(SimpleHistoryAdmin):
    """Kinds of unit are data: administrators add or rename them here."""

    list_display = ["name", "code", "level", "is_grassroots"]
    list_filter = ["level", "is_grassroots"]
