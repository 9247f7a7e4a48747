"""Recognition (khen thưởng): the catalogue of titles and forms as dated data, the rules that
decide who may receive them, and the history of awards those rules read.

The catalogue (``AwardKind``, ``AwardingPower``, ``BaseSalary``) and the rules (``RuleSet``,
``Rule``) are shared by every unit and edited by system administrators in the Django admin;
every edit is versioned (simple_history). Each value carries its legal source and a
confidence: what could not be confirmed in a legal text ships as ``UNCONFIRMED`` and is shown
as "mặc định — cần xác nhận", never as the law (docs/RULES.md).

A ``RuleSet`` is valid over a date range; the eligibility engine (``eligibility.check``)
chooses the one in force on the last day of the achievement period, so the Law amended with
effect from 01/10/2026 and the one before it are both loadable.

``Award`` is the history the rules read (streaks, "one achievement, one award", prizes once in
a lifetime); ``AnnualRecord`` holds the yearly facts about a member or a collective that the
rules need and the member register does not keep (task rating, days off, discipline).
Write both through ``thidua.recognition.services``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.scope import ByPath, ScopedQuerySet
from thidua.recognition.params import validate


class Confidence(models.TextChoices):
    """How sure the catalogue is of a value (docs/RULES.md): read in a legal text, or a default."""

    CHECKED = "checked", _("Đã đối chiếu văn bản")
    UNCONFIRMED = "unconfirmed", _("Mặc định — cần xác nhận")


class Subject(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    COLLECTIVE = "collective", _("Tập thể")
    HOUSEHOLD = "household", _("Hộ gia đình")


class Rating(models.TextChoices):
    """Yearly task rating (mức độ hoàn thành nhiệm vụ), best first in ``RATING_ORDER``."""

    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETE = "complete", _("Hoàn thành nhiệm vụ")
    INCOMPLETE = "incomplete", _("Không hoàn thành nhiệm vụ")


RATING_ORDER = {Rating.INCOMPLETE: 0, Rating.COMPLETE: 1, Rating.GOOD: 2, Rating.EXCELLENT: 3}


class Discipline(models.TextChoices):
    """Disciplinary measure of the year (the most serious one), least serious first."""

    NONE = "", _("Không")
    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    DEMOTION = "demotion", _("Hạ bậc lương, giáng chức")
    DISMISSAL = "dismissal", _("Cách chức, buộc thôi việc")


DISCIPLINE_ORDER = {
    Discipline.NONE: 0,
    Discipline.REPRIMAND: 1,
    Discipline.WARNING: 2,
    Discipline.DEMOTION: 3,
    Discipline.DISMISSAL: 4,
}


class AwardKind(models.Model):
    """A title (danh hiệu) or form (hình thức khen thưởng) of the state or the union (catalogue)."""

    class Category(models.TextChoices):
        TITLE = "title", _("Danh hiệu thi đua")
        FORM = "form", _("Hình thức khen thưởng")

    class System(models.TextChoices):
        STATE = "state", _("Nhà nước")
        UNION = "union", _("Công đoàn")

    class Cadence(models.TextChoices):
        ANNUAL = "annual", _("Hằng năm")
        CAMPAIGN = "campaign", _("Theo đợt, phong trào")
        THEMATIC = "thematic", _("Chuyên đề")
        SUDDEN = "sudden", _("Đột xuất")
        LONG_SERVICE = "long_service", _("Quá trình cống hiến")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    category = models.CharField(_("loại"), max_length=5, choices=Category.choices)
    system = models.CharField(_("hệ thống"), max_length=5, choices=System.choices)
    subject = models.CharField(_("đối tượng"), max_length=10, choices=Subject.choices)
    cadence = models.CharField(_("thời điểm xét"), max_length=12, choices=Cadence.choices, default=Cadence.ANNUAL)
    # Higher is the higher award (for "only the highest is paid" and orderly lists).
    rank = models.PositiveSmallIntegerField(_("bậc"), default=0)
    # The entry of the registrations catalogue a member or unit registers for ("not registered" rule).
    title = models.ForeignKey(
        "campaigns.Title",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("danh hiệu đăng ký tương ứng"),
    )
    # A prize with an owner (Giải thưởng Nguyễn Văn Linh of the Confederation, a province's Tôn Đức Thắng prize).
    owner = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị sở hữu giải thưởng"),
    )
    quota_per_round = models.PositiveIntegerField(_("số lượng tối đa mỗi đợt"), null=True, blank=True)
    once_in_lifetime = models.BooleanField(_("chỉ tặng một lần"), default=False)
    # Cash = multiplier × base salary in force on the decision date (Decree 152/2025 art. 49-50).
    salary_multiplier = models.DecimalField(
        _("hệ số tiền thưởng (lần lương cơ sở)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    confidence = models.CharField(
        _("độ tin cậy"), max_length=12, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )
    source = models.TextField(_("căn cứ"), blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "category", "subject", "rank", "name"]
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh mục khen thưởng")

    def __str__(self) -> str:
        return self.name

    @property
    def unconfirmed(self) -> bool:
        return self.confidence == Confidence.UNCONFIRMED


class AwardingPower(models.Model):
    """Which kind of unit may award a kind, over which dates (after 01/07/2025 commune-level bodies took
    the district's powers: Decree 129/2025 art. 59; Confederation letter 4282/TLĐ-ToC)."""

    award_kind = models.ForeignKey(AwardKind, on_delete=models.CASCADE, related_name="powers")
    unit_kind = models.ForeignKey("units.UnitKind", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    confidence = models.CharField(
        _("độ tin cậy"), max_length=12, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )
    source = models.TextField(_("căn cứ"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["award_kind", "unit_kind__level", "valid_from"]
        verbose_name = _("thẩm quyền khen thưởng")
        verbose_name_plural = _("thẩm quyền khen thưởng")

    def __str__(self) -> str:
        return f"{self.award_kind} ← {self.unit_kind}"

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class BaseSalary(models.Model):
    """The base salary (lương cơ sở) from a date: prize money is computed on the one in force."""

    valid_from = models.DateField(_("áp dụng từ"), unique=True)
    amount = models.PositiveIntegerField(_("mức lương cơ sở (đồng/tháng)"))
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("lương cơ sở")
        verbose_name_plural = _("lương cơ sở")

    def __str__(self) -> str:
        return f"{self.amount} ({self.valid_from:%d/%m/%Y})"


class RuleSetQuerySet(models.QuerySet["RuleSet"]):
    def in_force_on(self, day: dt.date) -> RuleSetQuerySet:
        """Rule sets valid on ``day`` (the last day of an achievement period), latest start first."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        ).order_by(models.F("valid_from").desc(nulls_last=True), "-pk")


class RuleSet(models.Model):
    """A set of award rules under one legal basis, valid over a date range (chosen by the achievement period)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    valid_from = models.DateField(_("áp dụng cho thành tích kết thúc từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    confidence = models.CharField(
        _("độ tin cậy"), max_length=12, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )
    history = HistoricalRecords()

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "pk"]
        verbose_name = _("bộ quy tắc khen thưởng")
        verbose_name_plural = _("bộ quy tắc khen thưởng")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="ruleset_from_before_to",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unconfirmed(self) -> bool:
        return self.confidence == Confidence.UNCONFIRMED


class Rule(models.Model):
    """One rule of a rule set for an award kind (or for every kind of a subject): its parameters as
    JSON validated per kind (``thidua.recognition.params``), its source, confidence and wording."""

    class Kind(models.TextChoices):
        PREREQUISITE = "prerequisite", _("Điều kiện")
        STREAK = "streak", _("Thành tích liên tục")
        QUOTA = "quota", _("Chỉ tiêu, tỷ lệ")
        EXCLUSION = "exclusion", _("Trường hợp không xét")
        ONE_ACHIEVEMENT = "one_achievement", _("Một thành tích, một hình thức")
        INITIATIVE_ONCE = "initiative_once", _("Sáng kiến chỉ dùng một lần")

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    # None: the rule applies to every kind of ``subject`` (or of any subject when that is blank).
    award_kind = models.ForeignKey(
        AwardKind, on_delete=models.CASCADE, null=True, blank=True, related_name="rules", verbose_name=_("áp dụng cho")
    )
    subject = models.CharField(_("đối tượng"), max_length=10, choices=Subject.choices, blank=True)
    # Stable name of a shipped rule, so ``load_award_rules`` adds new ones without duplicating.
    key = models.SlugField(max_length=60, blank=True)
    kind = models.CharField(_("loại quy tắc"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    explanation = models.TextField(_("nội dung quy tắc"), help_text=_("Câu tiếng Việt nêu quy tắc, dùng trong lý do."))
    source = models.CharField(_("căn cứ"), max_length=300, blank=True)
    confidence = models.CharField(
        _("độ tin cậy"), max_length=12, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule_set", "award_kind", "position", "pk"]
        verbose_name = _("quy tắc khen thưởng")
        verbose_name_plural = _("quy tắc khen thưởng")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "key"], condition=~Q(key=""), name="rule_key_once_per_set")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.explanation[:60]}"

    @property
    def unconfirmed(self) -> bool:
        return self.confidence == Confidence.UNCONFIRMED

    def clean(self) -> None:
        try:
            self.params = validate(self.kind, self.params)
        except ValidationError as error:
            raise ValidationError({"params": error.messages}) from None

    def applies_to(self, award_kind: AwardKind) -> bool:
        if self.award_kind_id is not None:
            return self.award_kind_id == award_kind.pk
        return not self.subject or self.subject == award_kind.subject


class AwardQuerySet(ScopedQuerySet["Award"]):
    def standing(self) -> AwardQuerySet:
        """Awards not revoked: only these count for streaks, prerequisites and "once only"."""
        return self.filter(revoked_at__isnull=True)


class Award(models.Model):
    """An award received (the history the rules read): a member or a collective, an award kind,
    the achievement period, the decision. Revoked awards stay, marked, and stop counting.

    Create and revoke through ``services.award_create`` / ``services.award_revoke``. ``unit`` is the
    collective itself, or the member's unit when the award was made (the award stays with it).
    """

    # Seen by the recipient's unit (the member's unit at the time) and the levels above it.
    scope_rule = ByPath("unit__path")

    kind = models.ForeignKey(AwardKind, on_delete=models.PROTECT, related_name="awards", verbose_name=_("khen thưởng"))
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("cá nhân"),
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="awards", verbose_name=_("đơn vị"))
    period_start = models.DateField(_("thành tích từ ngày"))
    period_end = models.DateField(_("thành tích đến ngày"))
    year = models.PositiveSmallIntegerField(_("năm thành tích"), editable=False)
    campaign = models.ForeignKey(
        "campaigns.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phong trào"),
    )
    awarded_by = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards_given",
        verbose_name=_("đơn vị quyết định"),
    )
    decided_on = models.DateField(_("ngày quyết định"))
    decision_ref = models.CharField(_("số quyết định"), max_length=100, blank=True)
    # Ids of the initiatives the award relied on ("an initiative used for a title is not reused for a form").
    initiative_refs = models.JSONField(default=list, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoke_reason = models.TextField(_("lý do thu hồi"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("khen thưởng đã tặng")
        verbose_name_plural = _("khen thưởng đã tặng")
        indexes = [
            models.Index(fields=["member", "year"]),
            models.Index(fields=["unit", "year"]),
            models.Index(fields=["kind", "year"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="award_period_order"),
            models.UniqueConstraint(
                fields=["kind", "member", "period_end"],
                condition=Q(revoked_at__isnull=True, member__isnull=False),
                name="award_once_per_member_kind_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "unit", "period_end"],
                condition=Q(revoked_at__isnull=True, member__isnull=True),
                name="award_once_per_unit_kind_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} – {self.recipient_name} ({self.period_end:%Y})"

    @property
    def recipient_name(self) -> str:
        return self.member.full_name if self.member is not None else self.unit.name

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class AnnualRecord(models.Model):
    """The facts of one year about a member or a collective that award rules read: the task rating
    (hoàn thành xuất sắc nhiệm vụ…), months worked, days off (maternity counted apart: it counts as
    work, Decree 152/2025 art. 4), the most serious discipline, and whether under investigation.

    For a collective, ``discipline`` is the most serious discipline of anyone in it that year.
    """

    scope_rule = ByPath("unit__path")

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("cá nhân")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm"))
    rating = models.CharField(_("mức độ hoàn thành nhiệm vụ"), max_length=10, choices=Rating.choices, blank=True)
    months_worked = models.PositiveSmallIntegerField(_("số tháng công tác trong năm"), null=True, blank=True)
    days_off = models.PositiveSmallIntegerField(_("số ngày nghỉ (không kể nghỉ thai sản)"), default=0)
    maternity_days = models.PositiveSmallIntegerField(_("số ngày nghỉ thai sản"), default=0)
    discipline = models.CharField(_("kỷ luật"), max_length=10, choices=Discipline.choices, blank=True)
    under_investigation = models.BooleanField(_("đang bị xem xét kỷ luật, điều tra"), default=False)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("kết quả đánh giá năm")
        verbose_name_plural = _("kết quả đánh giá năm")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"], condition=Q(member__isnull=False), name="annual_record_once_per_member"
            ),
            models.UniqueConstraint(
                fields=["unit", "year"], condition=Q(member__isnull=True), name="annual_record_once_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id or self.unit_id} / {self.year}"
