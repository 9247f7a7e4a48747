from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, ScopedQuerySet, ViaParent, allows
from thidua.core.transitions import StateEvent, Transition


class Title(models.Model):
    """A title or form of commendation that plans and registrations can aim at (catalogue)."""

    class Kind(models.TextChoices):
        TITLE = "title", _("Danh hiệu")
        FORM = "form", _("Hình thức khen thưởng")

    name = models.CharField(_("tên"), max_length=200, unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    for_collective = models.BooleanField(_("cho tập thể"), default=False)
    for_individual = models.BooleanField(_("cho cá nhân"), default=False)
    is_union = models.BooleanField(_("của tổ chức Công đoàn"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("danh hiệu, hình thức")
        verbose_name_plural = _("danh hiệu, hình thức")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the page's language: shipped titles are in the message catalogue (titles.py)."""
        return gettext(self.name)


class DocumentType(models.TextChoices):
    PLAN = "KH", _("Kế hoạch")
    GUIDANCE = "HD", _("Hướng dẫn")


class SigningCapacity(models.TextChoices):
    NONE = "", _("Ký trực tiếp")
    ON_BEHALF = "TM.", _("TM. (thay mặt tập thể)")
    DEPUTY = "KT.", _("KT. (ký thay người đứng đầu)")
    BY_ORDER = "TL.", _("TL. (thừa lệnh)")


def plan_manager(user: Any, plan: Plan) -> bool:
    """The issuer's side manages a plan: emulation officers of the issuer or above."""
    return allows(user, plan, Perm.MANAGE_EMULATION)


class DocumentCounter(models.Model):
    """The last number an issuer used for a type of document in a year (Decree 30: restarts yearly)."""

    issuer = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    doc_type = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "doc_type", "year"], name="unique_document_counter")]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.year}: {self.last_number}"


class Plan(models.Model):
    """A plan (Kế hoạch) or guidance that launches or implements an emulation campaign."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")
        CLOSED = "closed", _("Đã kết thúc")
        RECALLED = "recalled", _("Đã thu hồi")

    PUBLISHED = ("issued", "closed")

    # A plan belongs to its issuer's side; once issued it applies to, and is read by, every unit below.
    scope_rule = ByPath("issuer__path", shared_down=("status", PUBLISHED))

    ISSUE = Transition("issue", source=(Status.DRAFT,), target=Status.ISSUED, policy=plan_manager)
    RECALL = Transition("recall", source=(Status.ISSUED,), target=Status.RECALLED, policy=plan_manager)
    CLOSE = Transition("close", source=(Status.ISSUED,), target=Status.CLOSED, policy=plan_manager)

    issuer = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="plans", verbose_name=_("đơn vị ban hành")
    )
    doc_type = models.CharField(
        _("loại văn bản"), max_length=4, choices=DocumentType.choices, default=DocumentType.PLAN
    )
    number = models.PositiveIntegerField(_("số"))
    year = models.PositiveSmallIntegerField(_("năm"))
    issued_on = models.DateField(_("ngày ban hành"))
    place = models.CharField(_("địa danh"), max_length=100, help_text=_("Ví dụ: Bắc Kạn"))
    title = models.CharField(_("trích yếu"), max_length=500)
    summary = models.TextField(_("tóm tắt"), blank=True)
    purpose = models.TextField(
        _("mục đích, yêu cầu"), blank=True, help_text=_("Văn bản có định dạng; được làm sạch khi lưu.")
    )
    legal_basis = models.TextField(_("căn cứ"), blank=True, help_text=_("Mỗi căn cứ một dòng."))
    window_start = models.DateField(_("thời gian bắt đầu"))
    window_end = models.DateField(_("thời gian kết thúc"))
    registration_deadline = models.DateField(_("hạn đăng ký thi đua"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name=_("thực hiện kế hoạch"),
    )
    # The plan that launched the campaign (None for that plan itself): one query finds the whole cascade.
    root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    titles = models.ManyToManyField(
        Title, blank=True, related_name="plans", verbose_name=_("danh hiệu, hình thức hướng tới")
    )
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_position = models.CharField(
        _("chức vụ người ký"), max_length=120, blank=True, help_text=_("Ví dụ: CHỦ TỊCH")
    )
    signing_capacity = models.CharField(_("thẩm quyền ký"), max_length=4, choices=SigningCapacity.choices, blank=True)
    signing_for = models.CharField(
        _("ký thay mặt / ký thay"),
        max_length=120,
        blank=True,
        help_text=_("Ví dụ: BAN THƯỜNG VỤ (sau TM.) hoặc CHỦ TỊCH (sau KT.)"),
    )
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi nơi nhận một dòng."))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    # The issuer as it was named when the plan was issued (units are renamed and merged).
    issuer_label = models.CharField(max_length=600, blank=True, editable=False)
    issuer_short_name = models.CharField(max_length=30, blank=True, editable=False)
    search_text = models.CharField(max_length=700, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"], m2m_fields=[titles])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "doc_type", "year", "number"], name="unique_plan_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} – {self.title}"

    @property
    def document_number(self) -> str:
        """Decree 30 form: 07/KH-LĐLĐ (two digits below 10, no spaces)."""
        short = self.issuer_short_name or self.issuer.short_name or self.issuer.code
        return f"{self.number:02d}/{self.doc_type}-{short}"

    @property
    def campaign_root_id(self) -> int:
        return self.root_id or self.pk

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    # What the user may do with this plan (templates read them through ``Can``).
    def can_manage(self, user: Any) -> bool:
        return plan_manager(user, self)

    def can_edit(self, user: Any) -> bool:
        return self.is_draft and plan_manager(user, self)

    def can_issue(self, user: Any) -> bool:
        return self.ISSUE.available(self, user)

    def can_recall(self, user: Any) -> bool:
        return self.RECALL.available(self, user)

    def can_close(self, user: Any) -> bool:
        return self.CLOSE.available(self, user)

    def can_urge(self, user: Any) -> bool:
        return self.status == self.Status.ISSUED and plan_manager(user, self)

    def can_register(self, user: Any) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def registration_closes_on(self) -> dt.date:
        """The last day units and members may register: the registration deadline, else the window's end."""
        return self.registration_deadline or self.window_end

    def accepts_registrations(self, day: dt.date | None = None) -> bool:
        """Issued, its window has begun and the registration deadline has not passed (on ``day``)."""
        day = day or timezone.localdate()
        return self.status == self.Status.ISSUED and self.window_start <= day <= self.registration_closes_on


class PlanEvent(StateEvent):
    """A life-cycle transition of a plan: who, when, from, to, why."""

    scope_rule = ViaParent("plan")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


class Content(models.Model):
    """A named emulation content (nội dung, phong trào) of a plan."""

    scope_rule = ViaParent("plan")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contents")
    name = models.CharField(_("tên nội dung"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    required = models.BooleanField(_("bắt buộc với cấp dưới"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("nội dung thi đua")
        verbose_name_plural = _("nội dung thi đua")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """A measurable criterion of a content: yes/no, a number with a target, or a weighted score."""

    scope_rule = ViaParent("content")

    class AppliesTo(models.TextChoices):
        COLLECTIVE = "collective", _("Tập thể")
        INDIVIDUAL = "individual", _("Cá nhân")
        BOTH = "both", _("Tập thể và cá nhân")

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Có / không")
        NUMBER = "number", _("Số lượng, chỉ tiêu")
        SCORE = "score", _("Chấm điểm")

    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("tiêu chí"), max_length=300)
    applies_to = models.CharField(_("áp dụng cho"), max_length=12, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    kind = models.CharField(_("kiểu"), max_length=8, choices=Kind.choices, default=Kind.YES_NO)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    target = models.DecimalField(_("chỉ tiêu"), max_digits=14, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("trọng số"), max_digits=6, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("điểm tối đa"), max_digits=8, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    source = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")

    def __str__(self) -> str:
        return self.name

    @property
    def comparable_target(self) -> Decimal | None:
        return self.max_score if self.kind == self.Kind.SCORE else self.target


class Round(models.Model):
    """An emulation round (đợt thi đua) inside the plan's window."""

    scope_rule = ViaParent("plan")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("tên đợt"), max_length=200)
    start = models.DateField(_("bắt đầu"))
    end = models.DateField(_("kết thúc"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: PlanAttachment, filename: str) -> str:
    return f"plans/{instance.plan_id}/{uuid4_hex()}-{filename[-80:]}"


def uuid4_hex() -> str:
    import uuid

    return uuid.uuid4().hex[:12]


class PlanAttachment(models.Model):
    """A file attached to a plan (appendix, form, scanned signed copy)."""

    # Downloadable by everyone who reads the plan (issued plans are read below their issuer).
    scope_rule = ViaParent("plan")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("tên tệp"), max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Obligation(models.Model):
    """A unit's duty to issue its implementation plan of a parent plan by a due date."""

    # Seen by the unit that owes it and every level above it (the issuer's side included).
    scope_rule = ByPath("unit__path")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="obligations")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="obligations")
    due_on = models.DateField(_("hạn ban hành"))
    implementation = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fulfilled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="unique_obligation")]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.unit_id}"

    def status_on(self, day: dt.date) -> str:
        if self.fulfilled_on:
            return "late_issued" if self.fulfilled_on > self.due_on else "issued"
        return "late" if day > self.due_on else "pending"


class Reminder(models.Model):
    """One urging (đôn đốc) of a unit about one obligation; at most one a day."""

    scope_rule = ViaParent("obligation")

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recipients = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["obligation", "day"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.obligation_id} @ {self.day}"
