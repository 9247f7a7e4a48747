"""Inspections (kiểm tra) of an emulation campaign: who inspects which units when, what they
found at each unit with its evidence, and the follow-ups the inspected units owe.

An ``Inspection`` (đợt kiểm tra) is run by one unit (the plan's issuer, or a unit above the
units it inspects) under one plan; its ``InspectionTarget`` rows are the inspected units with
their scheduled day. The inspecting level records a ``Finding`` per inspected unit and sets
``FollowUp`` requirements (yêu cầu khắc phục) with a due date and an owner unit (the inspected
unit or one below it). The owner reports a follow-up done with a note; the inspecting level
accepts (closes) it or sends it back (reopens it). A follow-up still open after its due date is
overdue, and boards count it.

Scope: the inspection itself belongs to the inspecting unit (seen there and above); each
inspected unit sees its own target row, the findings about it and its follow-ups, never the
other units of the round.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, ScopedQuerySet, ViaParent, allows
from thidua.core.transitions import StateEvent, Transition


def inspecting_level(user: Any, inspection: Inspection) -> bool:
    """The inspecting unit's emulation officers (and the levels above it) run and close an inspection."""
    return allows(user, inspection, Perm.MANAGE_EMULATION)


class Inspection(models.Model):
    """An inspection round (đợt kiểm tra) of a plan: the inspecting unit, its dates, its state."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Đã lên kế hoạch")
        IN_PROGRESS = "in_progress", _("Đang kiểm tra")
        CLOSED = "closed", _("Đã kết thúc")

    # Seen by the inspecting unit and the levels above it; inspected units see their target rows.
    scope_rule = ByPath("unit__path")

    _STALE = _("Đợt kiểm tra đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    START = Transition(
        "start", source=(Status.PLANNED,), target=Status.IN_PROGRESS, policy=inspecting_level, stale_message=_STALE
    )
    CLOSE = Transition(
        "close", source=(Status.IN_PROGRESS,), target=Status.CLOSED, policy=inspecting_level, stale_message=_STALE
    )

    plan = models.ForeignKey(
        "campaigns.Plan", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("kế hoạch")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("đơn vị kiểm tra")
    )
    name = models.CharField(_("tên đợt kiểm tra"), max_length=200)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    note = models.TextField(_("nội dung, phương pháp kiểm tra"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("đợt kiểm tra")
        verbose_name_plural = _("đợt kiểm tra")
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="inspection_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    # What the user may do (templates read them through ``Can``).
    def can_manage(self, user: Any) -> bool:
        """Edit the round and its list of inspected units: the inspecting level, until it is closed."""
        return not self.is_closed and inspecting_level(user, self)

    def can_start(self, user: Any) -> bool:
        return self.START.available(self, user)

    def can_close(self, user: Any) -> bool:
        return self.CLOSE.available(self, user)

    def can_record(self, user: Any) -> bool:
        """Record findings and follow-ups: the inspecting level, while the round is under way."""
        return self.status == self.Status.IN_PROGRESS and inspecting_level(user, self)


class InspectionEvent(StateEvent):
    """A transition of an inspection (started, closed): who, when, why."""

    scope_rule = ViaParent("inspection")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


class InspectionTarget(models.Model):
    """A unit inspected in a round, with the day it is scheduled."""

    # The inspected unit and the levels above it (the inspecting level among them).
    scope_rule = ByPath("unit__path")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="inspected_in", verbose_name=_("đơn vị được kiểm tra")
    )
    scheduled_on = models.DateField(_("ngày kiểm tra"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_on", "unit__path"]
        verbose_name = _("đơn vị được kiểm tra")
        verbose_name_plural = _("đơn vị được kiểm tra")
        constraints = [models.UniqueConstraint(fields=["inspection", "unit"], name="inspect_a_unit_once_per_round")]

    def __str__(self) -> str:
        return f"{self.inspection_id} → {self.unit_id}"

    def can_record(self, user: Any) -> bool:
        return self.inspection.can_record(user)


def evidence_path(instance: Finding, filename: str) -> str:
    return f"inspections/{instance.target_id}/{uuid.uuid4().hex[:12]}-{filename[-80:]}"


class Finding(models.Model):
    """What the inspection found at one inspected unit (kết luận), with its evidence file."""

    class Severity(models.TextChoices):
        GOOD = "good", _("Cách làm hay, ưu điểm")
        SHORTCOMING = "shortcoming", _("Tồn tại, hạn chế")
        VIOLATION = "violation", _("Sai phạm")

    scope_rule = ViaParent("target")

    target = models.ForeignKey(InspectionTarget, on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField(_("mức độ"), max_length=12, choices=Severity.choices, default=Severity.SHORTCOMING)
    text = models.TextField(_("nội dung kết luận"))
    evidence = models.FileField(_("tệp minh chứng"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_size = models.PositiveIntegerField(default=0)
    evidence_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("kết luận kiểm tra")
        verbose_name_plural = _("kết luận kiểm tra")

    def __str__(self) -> str:
        return self.text[:80]


def owner_side(user: Any, follow_up: FollowUp) -> bool:
    """The owner unit's officers (and the levels above it) report a follow-up done."""
    return allows(user, follow_up, Perm.MANAGE_EMULATION)


def inspector_of(user: Any, follow_up: FollowUp) -> bool:
    """The inspecting level accepts a follow-up or sends it back."""
    return inspecting_level(user, follow_up.inspection)


class FollowUpQuerySet(ScopedQuerySet["FollowUp"]):
    def overdue(self, day: dt.date) -> Self:
        """Still open after the due date (a follow-up sent back counts again)."""
        return self.filter(status=FollowUp.Status.OPEN, due_on__lt=day)


class FollowUp(models.Model):
    """A follow-up (yêu cầu khắc phục) set by an inspection: what to fix, by which unit, by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa khắc phục")
        DONE = "done", _("Đã báo cáo khắc phục, chờ xác nhận")
        CLOSED = "closed", _("Đã khắc phục, được xác nhận")

    # The owner unit and the levels above it (the inspected unit and the inspecting level among them).
    scope_rule = ByPath("owner__path")

    _STALE = _("Yêu cầu khắc phục đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    DONE = Transition("done", source=(Status.OPEN,), target=Status.DONE, policy=owner_side, stale_message=_STALE)
    CLOSE = Transition("close", source=(Status.DONE,), target=Status.CLOSED, policy=inspector_of, stale_message=_STALE)
    REOPEN = Transition("reopen", source=(Status.DONE,), target=Status.OPEN, policy=inspector_of, stale_message=_STALE)

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="follow_ups")
    # The finding's inspection, kept here so lists and the inspecting level's checks need no chain of joins.
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="follow_ups")
    owner = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("đơn vị thực hiện")
    )
    description = models.TextField(_("nội dung yêu cầu"))
    due_on = models.DateField(_("hạn khắc phục"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_note = models.TextField(_("kết quả khắc phục"), blank=True)
    done_on = models.DateField(_("ngày báo cáo khắc phục"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("ý kiến của đơn vị kiểm tra"), blank=True)
    closed_at = models.DateTimeField(_("ngày xác nhận"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("yêu cầu khắc phục")
        verbose_name_plural = _("yêu cầu khắc phục")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, day: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < day

    def can_done(self, user: Any) -> bool:
        return self.DONE.available(self, user)

    def can_close(self, user: Any) -> bool:
        return self.CLOSE.available(self, user)

    def can_reopen(self, user: Any) -> bool:
        return self.REOPEN.available(self, user)


class FollowUpEvent(StateEvent):
    """A transition of a follow-up (reported done, accepted, sent back): who, when, why."""

    scope_rule = ViaParent("follow_up")

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass
