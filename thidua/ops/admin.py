from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from thidua.ops import webhooks
from thidua.ops.models import Heartbeat, Webhook, WebhookDelivery, new_webhook_secret


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """Read-only: the workers write these rows; deleting one forgets a retired worker."""

    list_display = ["name", "host", "pid", "beat_at", "last_ok_at", "iterations"]
    readonly_fields = [f.name for f in Heartbeat._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("Địa chỉ nhận (URL)"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Sự kiện"), choices=webhooks.event_choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "unit", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        webhooks.validate_url(url)  # the same checks as each delivery: http(s), public addresses
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """System administrators register the URLs; the secret is generated and shown here to copy into
    the receiving system (signing needs it, so it is kept as is)."""

    form = WebhookForm
    list_display = ["name", "url", "unit", "active", "created_at"]
    list_filter = ["active"]
    raw_id_fields = ["unit"]
    readonly_fields = ["secret", "created_by", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Tạo khoá bí mật mới (hệ thống nhận phải cập nhật khoá)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for webhook in queryset:
            Webhook.objects.filter(pk=webhook.pk).update(secret=new_webhook_secret())
        self.message_user(request, gettext("Đã tạo khoá mới cho %(n)s webhook.") % {"n": queryset.count()})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only; "replay" sends a delivery again as a new one."""

    list_display = ["created_at", "webhook", "event", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["=delivery_id", "=event_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Gửi lại (một lần gửi mới với cùng nội dung)"), permissions=["view"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        replays = [webhooks.delivery_replay(delivery) for delivery in queryset]
        self.message_user(request, gettext("Đã xếp %(n)s lần gửi lại.") % {"n": len(replays)})
