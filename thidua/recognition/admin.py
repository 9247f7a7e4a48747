"""The catalogue and the rules are edited here by system administrators; every change is versioned
(simple_history: the "History" button of each row shows who changed what, and when)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from thidua.recognition.models import AnnualRecord, Award, AwardingPower, AwardKind, BaseSalary, Rule, RuleSet


class AwardingPowerInline(admin.TabularInline):
    model = AwardingPower
    extra = 0


@admin.register(AwardKind)
class AwardKindAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "category", "system", "subject", "cadence", "confidence", "active"]
    list_filter = ["system", "category", "subject", "confidence", "active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["owner"]
    inlines = [AwardingPowerInline]


@admin.register(AwardingPower)
class AwardingPowerAdmin(SimpleHistoryAdmin):
    list_display = ["award_kind", "unit_kind", "valid_from", "valid_to", "confidence"]
    list_filter = ["unit_kind", "confidence"]


@admin.register(BaseSalary)
class BaseSalaryAdmin(SimpleHistoryAdmin):
    list_display = ["valid_from", "amount", "source"]


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    fields = ["award_kind", "subject", "kind", "params", "explanation", "source", "confidence", "active"]


@admin.register(RuleSet)
class RuleSetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "valid_from", "valid_to", "confidence"]
    inlines = [RuleInline]


@admin.register(Rule)
class RuleAdmin(SimpleHistoryAdmin):
    """``params`` is validated per rule kind (``thidua.recognition.params``) when saved."""

    list_display = ["explanation", "rule_set", "award_kind", "kind", "confidence", "active"]
    list_filter = ["rule_set", "kind", "confidence", "active"]
    search_fields = ["explanation", "source", "key"]


@admin.register(Award)
class AwardAdmin(SimpleHistoryAdmin):
    """Awards come from decisions (``services.award_create``); here they are read and, if need be, corrected."""

    list_display = ["kind", "member", "unit", "period_end", "decision_ref", "revoked_at"]
    list_filter = ["kind", "year"]
    raw_id_fields = ["member", "unit", "awarded_by", "campaign"]
    readonly_fields = ["year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AnnualRecord)
class AnnualRecordAdmin(SimpleHistoryAdmin):
    list_display = ["year", "member", "unit", "rating", "days_off", "discipline"]
    list_filter = ["year", "rating"]
    raw_id_fields = ["member", "unit"]
