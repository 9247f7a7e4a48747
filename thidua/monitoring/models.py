"""Monitoring and results: the reporting calendar, the reports units owe, their evidence,
the level above's verification and score adjustments, and the roll-up tallies boards read.

A plan's reporting periods are its calendar. Every unit the plan applies to (the units
holding an ``Obligation`` of it) owes one ``Report`` per period; the rows exist from the
moment the period and the obligation do (status "due"), so a board counts missing reports
instead of guessing them. Implementation plans inherit their parent's periods (``source``
points to the period copied, ``root`` to the campaign's period it stands for) and may add
their own, never drop one.

``Tally`` keeps, for each root period, each unit and each depth below it, how many reports
are in each state: a change of state updates one row per ancestor in the same transaction
(``thidua.monitoring.tallies``), so a country-wide board reads a handful of rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, ScopedQuerySet, ViaParent, allows, decides_above
from thidua.campaigns.models import plan_manager
from thidua.core.transitions import StateEvent, Transition


def period_manager(user: Any, period: Period) -> bool:
    """A campaign period is closed and reopened by the managers of the plan that set it."""
    return period.root_id is None and plan_manager(user, period.plan)


class Period(models.Model):
    """A reporting period (kỳ báo cáo) of a plan: what it covers and when its reports are due."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Tháng")
        QUARTER = "quarter", _("Quý")
        ROUND = "round", _("Đợt thi đua")
        INTERIM = "interim", _("Sơ kết")
        FINAL = "final", _("Tổng kết")
        CUSTOM = "custom", _("Kỳ khác")

    class Status(models.TextChoices):
        OPEN = "open", _("Đang nhận báo cáo")
        CLOSED = "closed", _("Đã chốt")

    scope_rule = ViaParent("plan")

    _STALE = _("Kỳ báo cáo đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    CLOSE = Transition(
        "close", source=(Status.OPEN,), target=Status.CLOSED, policy=period_manager, stale_message=_STALE
    )
    REOPEN = Transition(
        "reopen", source=(Status.CLOSED,), target=Status.OPEN, policy=period_manager, stale_message=_STALE
    )

    plan = models.ForeignKey("campaigns.Plan", on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("loại kỳ"), max_length=10, choices=Kind.choices, default=Kind.MONTH)
    name = models.CharField(_("tên kỳ"), max_length=120)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    due_on = models.DateField(_("hạn báo cáo"))
    # The parent plan's period this one inherits (None: the plan set it itself).
    source = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies")
    # The period of the campaign this one stands for in roll-ups (None: it is its own root).
    root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "start", "id"]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="inherit_a_period_once"),
            models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="period_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def root_key(self) -> int:
        return self.root_id or self.pk

    @property
    def inherited(self) -> bool:
        return self.source_id is not None

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def can_close(self, user: Any) -> bool:
        return self.CLOSE.available(self, user)

    def can_reopen(self, user: Any) -> bool:
        return self.REOPEN.available(self, user)


class PeriodEvent(StateEvent):
    """A period closed (rankings frozen) or reopened: who, when, why."""

    scope_rule = ViaParent("period")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


def reporting_unit(user: Any, report: Report) -> bool:
    """The reporting unit's side writes and submits (its officers, and the levels above it)."""
    return allows(user, report, Perm.MANAGE_EMULATION)


def verifier(user: Any, report: Report) -> bool:
    """The level directly above the reporting unit verifies, returns, reopens and adjusts."""
    return decides_above(user, report.unit.path)


class Report(models.Model):
    """The report (báo cáo kết quả) one unit owes for one period of the plan it implements."""

    class Status(models.TextChoices):
        DUE = "due", _("Chưa báo cáo")
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi, chờ xác nhận")
        RETURNED = "returned", _("Bị trả lại")
        VERIFIED = "verified", _("Đã xác nhận")

    # Each state is counted in ``Tally`` under a column of the same name.
    TALLIED = ("due", "draft", "submitted", "returned", "verified")

    scope_rule = ByPath("unit__path")

    _STALE = _("Báo cáo đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    START = Transition("start", source=(Status.DUE,), target=Status.DRAFT, policy=reporting_unit, stale_message=_STALE)
    SUBMIT = Transition(
        "submit",
        source=(Status.DUE, Status.DRAFT, Status.RETURNED),
        target=Status.SUBMITTED,
        policy=reporting_unit,
        stale_message=_STALE,
    )
    VERIFY = Transition(
        "verify", source=(Status.SUBMITTED,), target=Status.VERIFIED, policy=verifier, stale_message=_STALE
    )
    RETURN = Transition(
        "return", source=(Status.SUBMITTED,), target=Status.RETURNED, policy=verifier, stale_message=_STALE
    )
    REOPEN = Transition(
        "reopen", source=(Status.VERIFIED,), target=Status.RETURNED, policy=verifier, stale_message=_STALE
    )

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports", verbose_name=_("kỳ"))
    root_period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("đơn vị"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DUE)
    narrative = models.TextField(_("tình hình, kết quả thực hiện"), blank=True)
    # The total the unit's own values give (its self-assessment), and the official total:
    # the same until a level above adjusts it (each adjustment is kept in ScoreAdjustment).
    self_score = models.DecimalField(_("điểm tự chấm"), max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2, null=True, blank=True)
    late = models.BooleanField(_("gửi muộn"), default=False)
    submitted_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    verified_at = models.DateTimeField(_("ngày xác nhận"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("ý kiến của cấp trên"), blank=True)
    # The last reminder sent (0 none, 1 before the due date, 2 on it, 3 escalated): claimed
    # with a conditional UPDATE, so two copies of send_reminders never send one twice.
    reminder_stage = models.PositiveSmallIntegerField(default=0)
    # The reporting unit's parent and depth, copied from the unit when the row is made and kept
    # in step when units move (``tallies.on_unit_moved``): a full rebuild of the tallies then
    # groups this one table, with no join to the units (bench/monitoring.py measures it).
    unit_parent = models.ForeignKey(
        "units.Unit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )
    unit_depth = models.PositiveSmallIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "reminder_stage", "unit_parent", "unit_depth"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period__due_on", "unit__path"]
        verbose_name = _("báo cáo kết quả")
        verbose_name_plural = _("báo cáo kết quả")
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="one_report_per_unit_and_period")]
        indexes = [
            models.Index(fields=["root_period", "status"]),
            models.Index(fields=["status", "reminder_stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.unit_depth:  # made without ``owed``: the unit's place now
            self.unit_parent_id, self.unit_depth = self.unit.parent_id, self.unit.depth
        super().save(*args, **kwargs)

    @classmethod
    def owed(cls, period: Period, unit: Any, **fields: Any) -> Report:
        """The report ``unit`` owes for ``period`` (not saved), with its unit's place in the tree."""
        return cls(
            period=period,
            root_period_id=period.root_key,
            unit=unit,
            unit_parent_id=unit.parent_id,
            unit_depth=unit.depth,
            **fields,
        )

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DUE, self.Status.DRAFT, self.Status.RETURNED)

    @property
    def open_period(self) -> bool:
        return self.period.status == Period.Status.OPEN

    def can_edit(self, user: Any) -> bool:
        return self.editable and self.open_period and reporting_unit(user, self)

    def can_submit(self, user: Any) -> bool:
        return self.open_period and self.SUBMIT.available(self, user)

    def can_verify(self, user: Any) -> bool:
        return self.open_period and self.VERIFY.available(self, user)

    def can_return(self, user: Any) -> bool:
        return self.open_period and self.RETURN.available(self, user)

    def can_reopen(self, user: Any) -> bool:
        return self.open_period and self.REOPEN.available(self, user)

    def can_adjust(self, user: Any) -> bool:
        """A level above the unit (its direct superior or higher) adjusts a verified score."""
        if not (self.open_period and self.status == self.Status.VERIFIED and self.unit.parent_id):
            return False
        return decides_above(user, self.unit.path) or allows(user, self.unit.parent, Perm.MANAGE_EMULATION)  # type: ignore[arg-type]


class ReportEvent(StateEvent):
    """A transition of a report (submitted, returned, verified, reopened) or an audited change."""

    scope_rule = ViaParent("report")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


class ReportValue(models.Model):
    """The value a report gives for one criterion, typed by the criterion's kind."""

    scope_rule = ViaParent("report")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    criterion = models.ForeignKey("campaigns.Criterion", on_delete=models.PROTECT, related_name="+")
    done = models.BooleanField(null=True, blank=True)  # yes/no criteria
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # number or score
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "criterion"], name="one_value_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.done if self.number is None else self.number}"


def evidence_path(instance: Evidence, filename: str) -> str:
    import uuid

    return f"reports/{instance.report_id}/{uuid.uuid4().hex[:12]}-{filename[-80:]}"


class Evidence(models.Model):
    """A file proving a report's results (minutes, photos, spreadsheets), checked by its bytes."""

    scope_rule = ViaParent("report")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    name = models.CharField(_("tên tệp"), max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.name


class ScoreAdjustment(models.Model):
    """A level above changed a verified report's score: the level, the score before and after, why."""

    scope_rule = ViaParent("report")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="adjustments")
    level = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp"))
    before = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    after = models.DecimalField(max_digits=6, decimal_places=2)
    reason = models.TextField(_("lý do"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.before} → {self.after}"


class Tally(models.Model):
    """Reports of one root period under one unit (``path``) made by units ``depth`` deep, by state.

    Maintained incrementally by ``thidua.monitoring.tallies`` and rebuilt in full by
    ``manage.py rebuild_tallies``; boards read these rows, never the reports, for counts.
    """

    scope_rule = ByPath("path")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    due = models.PositiveIntegerField(default=0)
    draft = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    score_sum = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "path", "depth"], name="one_tally_per_level")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.path}@{self.depth}"

    @property
    def owed(self) -> int:
        return self.due + self.draft + self.submitted + self.returned + self.verified


class CriterionTally(models.Model):
    """Verified values of one campaign criterion in one root period, summed over the reports of
    the units strictly below one unit (``path``): what a review's criteria table reads.

    A value of a criterion copied down into an implementation plan counts under the campaign's
    own criterion (``source`` followed up). Kept by ``tallies.values_move`` when a report becomes
    verified or stops being verified, rebuilt with the tallies.
    """

    scope_rule = ByPath("path")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    criterion = models.ForeignKey("campaigns.Criterion", on_delete=models.CASCADE, related_name="+")
    reports = models.PositiveIntegerField(default=0)  # verified reports that answered it
    total = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))  # numbers or points
    done = models.PositiveIntegerField(default=0)  # yes/no answered yes
    reached = models.PositiveIntegerField(default=0)  # numbers at or above the criterion's target

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "path", "criterion"], name="one_criterion_tally_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.path} #{self.criterion_id}"


class Cluster(models.Model):
    """An emulation cluster or block (cụm, khối thi đua): units of a campaign that compete together."""

    class Kind(models.TextChoices):
        CLUSTER = "cum", _("Cụm thi đua")
        BLOCK = "khoi", _("Khối thi đua")

    scope_rule = ViaParent("plan")

    plan = models.ForeignKey("campaigns.Plan", on_delete=models.CASCADE, related_name="clusters")
    kind = models.CharField(_("loại"), max_length=4, choices=Kind.choices, default=Kind.CLUSTER)
    name = models.CharField(_("tên"), max_length=200)
    units = models.ManyToManyField("units.Unit", related_name="+", verbose_name=_("đơn vị"))
    history = HistoricalRecords(m2m_fields=[units])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cụm, khối thi đua")
        verbose_name_plural = _("cụm, khối thi đua")
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="unique_cluster_name")]

    def __str__(self) -> str:
        return self.name
