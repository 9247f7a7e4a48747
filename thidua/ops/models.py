"""What the operators need from the database: each background worker's heartbeat, and the webhooks
with the log of their deliveries."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of one background worker (``manage.py <command> --loop``)."""

    # The command's name; two copies of one worker share the row (the last one to beat wins).
    name = models.CharField(_("tiến trình"), max_length=60, unique=True)
    host = models.CharField(_("máy"), max_length=255)
    pid = models.PositiveIntegerField()
    interval_s = models.FloatField(_("chu kỳ (giây)"))
    started_at = models.DateTimeField(_("khởi động lúc"))
    beat_at = models.DateTimeField(_("lần chạy gần nhất"))
    last_ok_at = models.DateTimeField(_("lần chạy thành công gần nhất"), null=True, blank=True)
    # The type and message of the last failure; cleared by the next success. Never shown by /healthz.
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    iterations = models.PositiveBigIntegerField(_("số lần chạy"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nhịp tiến trình nền")
        verbose_name_plural = _("nhịp tiến trình nền")

    def __str__(self) -> str:
        return self.name


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A URL that receives the events it asks for, each delivery signed with its secret (``thidua.ops.webhooks``).

    Registered by a system administrator (Django admin). ``unit`` limits it to the events of objects
    that unit's subtree sees (as a viewer on it would: its own plans and those issued above it, its
    units' registrations and reports); empty, the whole system.
    """

    name = models.CharField(_("tên"), max_length=100)
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=500)
    # Kept as is: signing needs the secret itself (a digest could not sign). Shown to administrators.
    secret = models.CharField(_("khoá bí mật ký HMAC"), max_length=64, default=new_webhook_secret)
    events = models.JSONField(_("sự kiện"), default=list)
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
        help_text=_("Chỉ nhận sự kiện trong phạm vi đơn vị này; để trống: toàn hệ thống."),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook: its payload, attempts and outcome (the log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ gửi")
        SUCCEEDED = "succeeded", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    event = models.CharField(_("sự kiện"), max_length=60)
    # The event (shared by its deliveries to every webhook and by replays) and this delivery (X-ThiDua-Delivery).
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("nội dung"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("lần gửi tới"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(_("mã trả về gần nhất"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    delivered_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("gửi lại của")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("lần gửi webhook")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ops_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"
