from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, ScopedQuerySet, ViaParent, allows, decided_above_by, decides_above
from thidua.core.transitions import StateEvent, Transition


def unit_officer(user: Any, registration: Registration) -> bool:
    """The registering unit's side writes and submits (its officers, and the levels above it)."""
    return allows(user, registration, Perm.MANAGE_EMULATION)


def decides(user: Any, registration: Registration) -> bool:
    """Who accepts or returns a registration: the level directly above the registering unit
    (``thidua.accounts.scope.decides_above``, the rule reports share)."""
    return decides_above(user, registration.unit.path)


def decided_by_user(user: Any) -> Q:
    """Registrations whose decision is the user's (``decides`` as a query): for the "waiting for me" list."""
    return decided_above_by(user)


class Registration(models.Model):
    """A unit's emulation registration (đăng ký thi đua) for a plan: its titles, pledges and its members'."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi cấp trên")
        ACCEPTED = "accepted", _("Đã được chấp nhận")
        RETURNED = "returned", _("Bị trả lại")

    scope_rule = ByPath("unit__path")

    _STALE = _("Đăng ký đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    SUBMIT = Transition(
        "submit",
        source=(Status.DRAFT, Status.RETURNED),
        target=Status.SUBMITTED,
        policy=unit_officer,
        stale_message=_STALE,
    )
    ACCEPT = Transition(
        "accept", source=(Status.SUBMITTED,), target=Status.ACCEPTED, policy=decides, stale_message=_STALE
    )
    RETURN = Transition(
        "return", source=(Status.SUBMITTED,), target=Status.RETURNED, policy=decides, stale_message=_STALE
    )

    plan = models.ForeignKey(
        "campaigns.Plan", on_delete=models.PROTECT, related_name="registrations", verbose_name=_("kế hoạch")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="registrations", verbose_name=_("đơn vị")
    )
    titles = models.ManyToManyField(
        "campaigns.Title", blank=True, related_name="+", verbose_name=_("danh hiệu tập thể đăng ký")
    )
    pledge = models.TextField(_("giao ước thi đua của tập thể"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("ý kiến của cấp trên"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by the level above for this unit when the plan's registration deadline has passed (audited).
    deadline_extended_to = models.DateField(_("gia hạn đăng ký đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[titles])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đăng ký thi đua")
        verbose_name_plural = _("đăng ký thi đua")
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="one_registration_per_unit_and_plan")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.plan}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def closes_on(self) -> dt.date:
        """The last day this unit may write its registration: the plan's deadline, or its extension."""
        deadline = self.plan.registration_closes_on
        if self.deadline_extended_to and self.deadline_extended_to > deadline:
            return self.deadline_extended_to
        return deadline

    def accepts_edits(self, day: dt.date | None = None) -> bool:
        """The plan is issued, its window has begun and this unit's deadline has not passed (on ``day``)."""
        day = day or timezone.localdate()
        plan = self.plan
        return plan.status == plan.Status.ISSUED and plan.window_start <= day <= self.closes_on

    # What the user may do with this registration (templates read them through ``Can``).
    def can_edit(self, user: Any) -> bool:
        """Written by the unit's side while a draft or returned, and while its deadline has not passed."""
        return self.editable and self.accepts_edits() and unit_officer(user, self)

    def can_submit(self, user: Any) -> bool:
        return self.accepts_edits() and self.SUBMIT.available(self, user)

    def can_extend(self, user: Any) -> bool:
        """The level that decides may give this unit more time while the registration is still open to it."""
        return self.editable and self.plan.status == self.plan.Status.ISSUED and decides(user, self)

    @property
    def closed_for_edits(self) -> bool:
        """Still a draft or returned, but no longer (or not yet) open for the unit to write."""
        return self.editable and not self.accepts_edits()

    def can_accept(self, user: Any) -> bool:
        return self.ACCEPT.available(self, user)

    def can_return(self, user: Any) -> bool:
        return self.RETURN.available(self, user)


class RegistrationEvent(StateEvent):
    """A transition of a registration: submitted, accepted, returned — who, when, why."""

    scope_rule = ViaParent("registration")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


class Commitment(models.Model):
    """The value a unit commits to for one criterion of the plan."""

    scope_rule = ViaParent("registration")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="commitments")
    criterion = models.ForeignKey("campaigns.Criterion", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    agreed = models.BooleanField(default=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "criterion"], name="one_commitment_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class MemberPledge(models.Model):
    """A member registered for a title in a plan; never twice for the same title and plan."""

    scope_rule = ViaParent("registration")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="pledges")
    plan = models.ForeignKey("campaigns.Plan", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="pledges")
    title = models.ForeignKey("campaigns.Title", on_delete=models.PROTECT, related_name="+")
    commitment = models.CharField(_("cam kết"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "member", "title"], name="one_pledge_per_member_title_plan")
        ]
        indexes = [models.Index(fields=["plan", "member"])]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.title_id}"


class ImportBatch(models.Model):
    """An uploaded Excel file of pledges: previewed first, then committed whole, once."""

    scope_rule = ViaParent("registration")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Đã xem trước")
        COMMITTED = "committed", _("Đã ghi")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    rows = models.JSONField(default=list)  # [{"member": id, "title": id, "commitment": str, "row": n}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    committed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class CoverageTally(models.Model):
    """Registration coverage of one campaign (a root plan with its implementations) under one unit.

    ``own_members``: the unit's own members (pledges count where the member is now) with at
    least one pledge in the campaign, each once; ``own_units``: 1 when the unit is a grassroots
    union with a registration in the campaign that is no longer a draft. ``members`` and
    ``units`` sum them over the unit's subtree. Kept by ``thidua.registrations.tallies`` through
    the units' queue of dirty units (``thidua.units.tallies``); ``coverage()`` reads these rows.
    """

    campaign = models.ForeignKey("campaigns.Plan", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    own_members = models.PositiveIntegerField(default=0)
    own_units = models.PositiveSmallIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_coverage_tally_per_unit")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.unit_id}: {self.members} / {self.units}"
