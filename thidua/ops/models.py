"""What the operators need from the database: each background worker's heartbeat."""

from __future__ import annotations

from django.db import models
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
