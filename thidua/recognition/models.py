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
import re
import uuid
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm, Role
from thidua.accounts.scope import ByPath, ScopedQuerySet, ViaParent, scope_for
from thidua.core.transitions import StateEvent, Transition
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
    # The decision in Thi Đua that made it (empty for awards recorded from paper history).
    decision = models.ForeignKey(
        "AwardDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("quyết định"),
    )
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


# --- ratios as data ("2/3", "90%") -------------------------------------------------------------


_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)%$")
_FRACTION = re.compile(r"^(\d{1,3})/(\d{1,3})$")


def parse_ratio(text: str) -> Fraction:
    """ "2/3" or "90%" (or "80 %", "66,67%") as an exact fraction in (0, 1]; ``ValueError`` otherwise.
    Only these two short shapes are read (no exponents: "1e999999%" would make a huge number)."""
    raw = (text or "").strip().replace(" ", "").replace(",", ".")
    percent, fraction = _PERCENT.match(raw), _FRACTION.match(raw)
    if percent:
        value = Fraction(percent.group(1)) / 100
    elif fraction and int(fraction.group(2)):
        value = Fraction(int(fraction.group(1)), int(fraction.group(2)))
    else:
        raise ValueError(raw)
    if not 0 < value <= 1:
        raise ValueError(raw)
    return value


def validate_ratio(text: str) -> None:
    try:
        parse_ratio(text)
    except ValueError:
        raise ValidationError(
            _("Nhập tỷ lệ dạng “2/3” hoặc “90%” (lớn hơn 0, không quá 100%)."), code="ratio"
        ) from None


def meets(count: int, total: int, ratio: str) -> bool:
    """``count`` of ``total`` reaches ``ratio`` exactly (2 of 3 reaches "2/3"; 8 of 9 does not reach "90%")."""
    return total > 0 and Fraction(count, total) >= parse_ratio(ratio)


# --- nomination dossiers (hồ sơ đề nghị khen thưởng) ---------------------------------------------


def _acts_for(user: Any, path: str) -> bool:
    """The user holds the emulation desk of the unit at ``path`` itself (or administers above it)."""
    scope = scope_for(user)
    return scope.granted_at(path, Perm.MANAGE_EMULATION) or Role.ADMIN in scope.roles_at(path)


def proposer_desk(user: Any, nomination: Nomination) -> bool:
    """The proposing unit's emulation officers prepare, send and withdraw its dossier."""
    return _acts_for(user, nomination.proposer.path)


def holder_desk(user: Any, nomination: Nomination) -> bool:
    """The emulation officers of the level now holding the dossier forward, return, take or reject it."""
    return _acts_for(user, nomination.holder.path)


class Nomination(models.Model):
    """A dossier (hồ sơ đề nghị khen thưởng) by which a unit proposes members and collectives
    (``Candidate`` rows) for awards, with its achievement report, minutes and evidence (files).

    It moves up the tree level by level: ``holder`` is the unit whose desk it is on. The proposer
    sends it to its parent (``SUBMIT``); the holder forwards it to its own parent (``FORWARD``),
    returns it to the proposer with a reason (``RETURN``), takes it to decide at its level
    (``TAKE``: its council votes and it issues the decision) or rejects it (``REJECT``). Every move
    goes through ``thidua.core.transitions`` and is kept in ``events`` (the processing log).
    Seen by the proposer and the levels above it (``ByPath`` on the proposer): the holder is
    always one of them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang lập")
        SUBMITTED = "submitted", _("Đang xét ở cấp trên")
        RETURNED = "returned", _("Bị trả lại")
        TAKEN = "taken", _("Đang trình hội đồng, chờ quyết định")
        REJECTED = "rejected", _("Không đề nghị")
        DECIDED = "decided", _("Đã có quyết định")

    OPEN = ("draft", "submitted", "returned", "taken")

    scope_rule = ByPath("proposer__path")

    _STALE = _("Hồ sơ đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    SUBMIT = Transition(
        "submit",
        source=(Status.DRAFT, Status.RETURNED),
        target=Status.SUBMITTED,
        policy=proposer_desk,
        stale_message=_STALE,
    )
    FORWARD = Transition(
        "forward", source=(Status.SUBMITTED,), target=Status.SUBMITTED, policy=holder_desk, stale_message=_STALE
    )
    RETURN = Transition(
        "return", source=(Status.SUBMITTED,), target=Status.RETURNED, policy=holder_desk, stale_message=_STALE
    )
    TAKE = Transition("take", source=(Status.SUBMITTED,), target=Status.TAKEN, policy=holder_desk, stale_message=_STALE)
    REJECT = Transition(
        "reject",
        source=(Status.SUBMITTED, Status.TAKEN),
        target=Status.REJECTED,
        policy=holder_desk,
        stale_message=_STALE,
    )
    # Written by the decision that settles it (system move, inside the decision's transaction).
    DECIDE = Transition("decide", source=(Status.TAKEN,), target=Status.DECIDED, policy=holder_desk)

    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposer = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("đơn vị đề nghị")
    )
    holder = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="nominations_held", verbose_name=_("cấp đang xử lý")
    )
    campaign = models.ForeignKey(
        "campaigns.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phong trào"),
    )
    title = models.CharField(_("trích yếu"), max_length=300)
    period_start = models.DateField(_("thành tích từ ngày"))
    period_end = models.DateField(_("thành tích đến ngày"))
    achievement = models.TextField(_("tóm tắt thành tích"), blank=True)
    deadline = models.DateField(_("hạn gửi"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hồ sơ đề nghị khen thưởng")
        verbose_name_plural = _("hồ sơ đề nghị khen thưởng")
        indexes = [models.Index(fields=["holder", "status"]), models.Index(fields=["proposer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="nomination_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    # The buttons a page shows (``can.<action>`` in templates): the transition's state and policy.
    def can_submit(self, user: Any) -> bool:
        return self.SUBMIT.available(self, user)

    def can_forward(self, user: Any) -> bool:
        return self.FORWARD.available(self, user)

    def can_return(self, user: Any) -> bool:
        return self.RETURN.available(self, user)

    def can_take(self, user: Any) -> bool:
        return self.TAKE.available(self, user)

    def can_reject(self, user: Any) -> bool:
        return self.REJECT.available(self, user)

    def is_late(self, today: dt.date | None = None) -> bool:
        """Sent after its deadline, or not sent and the deadline has passed."""
        if self.deadline is None:
            return False
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.deadline
        return (
            self.status in (self.Status.DRAFT, self.Status.RETURNED) and (today or timezone.localdate()) > self.deadline
        )


class NominationEvent(StateEvent):
    """One step of a dossier's processing log (who, when, from, to, why); ``at_unit`` is the level
    that acted (the holder before the move)."""

    scope_rule = ViaParent("nomination")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("nhật ký xử lý hồ sơ")


def nomination_file_path(instance: NominationFile, filename: str) -> str:
    return f"nominations/{instance.nomination_id}/{uuid.uuid4().hex[:12]}-{filename[-80:]}"


class NominationFile(models.Model):
    """A file of a dossier: the achievement report, the proposing unit's review minutes, or evidence."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Báo cáo thành tích")
        MINUTES = "minutes", _("Biên bản họp xét của đơn vị")
        EVIDENCE = "evidence", _("Minh chứng")

    REQUIRED = ("report", "minutes")

    scope_rule = ViaParent("nomination")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("loại tệp"), max_length=10, choices=Kind.choices, default=Kind.EVIDENCE)
    file = models.FileField(_("tệp"), upload_to=nomination_file_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at", "id"]
        verbose_name = _("tệp hồ sơ đề nghị")
        verbose_name_plural = _("tệp hồ sơ đề nghị")

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    """One proposal of a dossier: a member or a collective for an award kind, with the achievement
    and the eligibility verdict it was admitted with (kept: the rule set, notes, a quota tie).

    ``outcome`` follows it to the end: proposed, passed or failed at the council, awarded by a
    decision, or withdrawn.
    """

    class Outcome(models.TextChoices):
        PROPOSED = "proposed", _("Đề nghị")
        PASSED = "passed", _("Hội đồng thông qua")
        FAILED = "failed", _("Không đạt tỷ lệ biểu quyết")
        AWARDED = "awarded", _("Đã khen thưởng")
        WITHDRAWN = "withdrawn", _("Không đề nghị nữa")

    scope_rule = ViaParent("nomination")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="candidates")
    kind = models.ForeignKey(AwardKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("khen thưởng"))
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("cá nhân"),
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    achievement = models.TextField(_("thành tích"), blank=True)
    verdict = models.CharField(_("kết quả kiểm tra điều kiện"), max_length=10, default="eligible")
    notes = models.JSONField(_("ghi chú kiểm tra"), default=list, blank=True)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    initiative_refs = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(_("kiểm tra lúc"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, default=Outcome.PROPOSED)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["nomination", "position", "pk"]
        verbose_name = _("người, tập thể được đề nghị")
        verbose_name_plural = _("người, tập thể được đề nghị")
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "kind", "member"], condition=Q(member__isnull=False), name="candidate_member_once"
            ),
            models.UniqueConstraint(
                fields=["nomination", "kind", "unit"], condition=Q(member__isnull=True), name="candidate_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} – {self.kind}"

    @property
    def recipient_name(self) -> str:
        return self.member.full_name if self.member is not None else self.unit.name

    @property
    def is_individual(self) -> bool:
        return self.member_id is not None


# --- the emulation and commendation council (Hội đồng thi đua – khen thưởng) ---------------------


class AwardCouncil(models.Model):
    """A unit's emulation and commendation council: its members, quorum and vote thresholds as data.

    Defaults (RULES.md, "mặc định — cần xác nhận"): a session is valid with ≥ 2/3 of the members
    present; a candidate passes with ≥ 80 % of the **whole** council approving, ≥ 90 % for the
    high titles listed in ``thresholds`` (absent members vote in writing, entered by the secretary).
    """

    DEFAULT_QUORUM = "2/3"
    DEFAULT_THRESHOLD = "80%"

    scope_rule = ByPath("unit__path")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="award_councils", verbose_name=_("đơn vị")
    )
    name = models.CharField(_("tên hội đồng"), max_length=200)
    quorum = models.CharField(
        _("số thành viên có mặt tối thiểu"), max_length=12, default=DEFAULT_QUORUM, validators=[validate_ratio]
    )
    threshold = models.CharField(
        _("tỷ lệ đồng ý trên tổng số thành viên"),
        max_length=12,
        default=DEFAULT_THRESHOLD,
        validators=[validate_ratio],
    )
    # {award kind code: "90%"}: a kind's own threshold over the council's default.
    thresholds = models.JSONField(_("tỷ lệ riêng theo danh hiệu"), default=dict, blank=True)
    basis = models.CharField(
        _("căn cứ"),
        max_length=300,
        blank=True,
        default="Mặc định — cần xác nhận: có mặt ≥ 2/3 thành viên; thông qua khi ≥ 80% tổng số thành viên "
        "đồng ý (≥ 90% với danh hiệu cao); thành viên vắng mặt gửi phiếu bằng văn bản.",
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "name", "id"]
        verbose_name = _("hội đồng thi đua – khen thưởng")
        verbose_name_plural = _("hội đồng thi đua – khen thưởng")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for code, ratio in (self.thresholds or {}).items():
            try:
                parse_ratio(str(ratio))
            except ValueError:
                raise ValidationError(
                    {"thresholds": _("Tỷ lệ của “%(code)s” không hợp lệ.") % {"code": code}}
                ) from None

    def threshold_for(self, kind: AwardKind) -> str:
        return str((self.thresholds or {}).get(kind.code) or self.threshold)

    @property
    def is_default(self) -> bool:
        return self.quorum == self.DEFAULT_QUORUM and self.threshold == self.DEFAULT_THRESHOLD


class AwardCouncilMember(models.Model):
    """A member of an emulation council; votes electronically through ``user`` (an account), or in
    writing when absent (the secretary enters the written ballot)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chủ tịch hội đồng")
        VICE_CHAIR = "vice_chair", _("Phó Chủ tịch hội đồng")
        SECRETARY = "secretary", _("Thư ký")
        MEMBER = "member", _("Ủy viên")

    scope_rule = ViaParent("council")

    council = models.ForeignKey(AwardCouncil, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=120)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="award_council_seats",
        verbose_name=_("tài khoản bỏ phiếu"),
    )
    active = models.BooleanField(_("đang là thành viên"), default=True)
    # Who changed a seat and when (its account decides who may vote on it).
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["council", "id"]
        verbose_name = _("thành viên hội đồng thi đua – khen thưởng")
        verbose_name_plural = _("thành viên hội đồng thi đua – khen thưởng")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], condition=Q(user__isnull=False), name="award_council_seat_once"
            )
        ]

    def __str__(self) -> str:
        return self.full_name


def council_desk(user: Any, session: CouncilSession) -> bool:
    """The council's unit's emulation officers (the secretariat) prepare, open and close sessions."""
    return _acts_for(user, session.council.unit.path)


class CouncilSession(models.Model):
    """A council meeting that votes on candidates by secret e-ballot.

    ``DRAFT``: the agenda (``BallotItem`` per candidate) and attendance are set. ``OPEN``: members
    vote (``BallotReceipt`` records who voted, ``BallotChoice`` what was chosen, with no link
    between them); the secretary enters absent members' written votes. ``CLOSED``: the choices are
    counted into the items and deleted (``services.session_close``), so after the tally nothing
    anywhere joins a voter to a choice. The counts are not shown before closing.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chuẩn bị")
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kiểm phiếu")

    scope_rule = ByPath("council__unit__path")

    _STALE = _("Phiên họp đang ở trạng thái “%(status)s”; có thể người khác vừa thao tác.")
    OPEN_BALLOT = Transition(
        "open", source=(Status.DRAFT,), target=Status.OPEN, policy=council_desk, stale_message=_STALE
    )
    CLOSE_BALLOT = Transition(
        "close", source=(Status.OPEN,), target=Status.CLOSED, policy=council_desk, stale_message=_STALE
    )

    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    council = models.ForeignKey(AwardCouncil, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("nội dung phiên họp"), max_length=300)
    held_on = models.DateField(_("ngày họp"))
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    # The council as it stood when the ballot opened (the denominator of every threshold).
    council_size = models.PositiveSmallIntegerField(_("tổng số thành viên hội đồng"), default=0)
    present_count = models.PositiveSmallIntegerField(_("số thành viên có mặt"), default=0)
    quorum = models.CharField(_("số có mặt tối thiểu"), max_length=12, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("phiên họp hội đồng")
        verbose_name_plural = _("phiên họp hội đồng")

    def __str__(self) -> str:
        return self.title


class SessionEvent(StateEvent):
    scope_rule = ViaParent("session")

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = _("bước của phiên họp")
        verbose_name_plural = _("nhật ký phiên họp")


class Attendance(models.Model):
    """Whether a council member attended a session (written votes come from those absent)."""

    scope_rule = ViaParent("session")

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(AwardCouncilMember, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("có mặt"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["member_id"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.present}"


class BallotItem(models.Model):
    """One candidate on a session's ballot; the counts and the result are written at closing only."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Chưa kiểm phiếu")
        PASSED = "passed", _("Đạt")
        FAILED = "failed", _("Không đạt")

    scope_rule = ViaParent("session")

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="items")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="ballot_items")
    threshold = models.CharField(_("tỷ lệ cần đạt"), max_length=12)
    approve = models.PositiveSmallIntegerField(_("đồng ý"), null=True, blank=True)
    reject = models.PositiveSmallIntegerField(_("không đồng ý"), null=True, blank=True)
    result = models.CharField(_("kết quả"), max_length=8, choices=Result.choices, default=Result.PENDING)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "candidate"], name="ballot_item_once")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.candidate_id}"


class BallotReceipt(models.Model):
    """That a council member voted in a session (once: the unique constraint), electronically or in
    writing. Holds no choice and no time: nothing here joins to ``BallotChoice``."""

    scope_rule = ViaParent("session")

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey(AwardCouncilMember, on_delete=models.PROTECT, related_name="+")
    written = models.BooleanField(_("phiếu bằng văn bản"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["member_id"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="ballot_receipt_once")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.member_id}"


class BallotChoice(models.Model):
    """One choice on one item, with no voter, no time and a random key (nothing orders or joins it to
    a receipt). Counted into ``BallotItem`` and deleted when the session closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(BallotItem, on_delete=models.CASCADE, related_name="+")
    approve = models.BooleanField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.id)


# --- decisions (QUYẾT ĐỊNH khen thưởng) -----------------------------------------------------------


def decision_desk(user: Any, decision: AwardDecision) -> bool:
    return _acts_for(user, decision.issuer.path)


class AwardDecision(models.Model):
    """A numbered decision (Quyết định …/QĐ-…) awarding the recipients in ``lines``.

    Drafted from a session's passing list (or from taken candidates); ``ISSUE`` numbers it per
    issuer and year, computes each line's prize on the base salary in force on the decision date
    and its gold-book number (số sổ vàng), and creates the ``Award`` rows (the recipients'
    history). ``REVOKE`` withdraws it with a reason and revokes its awards.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")
        REVOKED = "revoked", _("Đã thu hồi")

    DOC_TYPE = "QĐ"
    GOLD_BOOK = "SV"

    scope_rule = ByPath("issuer__path")

    _STALE = _("Quyết định đang ở trạng thái “%(status)s”; có thể người khác vừa thao tác.")
    ISSUE = Transition(
        "issue", source=(Status.DRAFT,), target=Status.ISSUED, policy=decision_desk, stale_message=_STALE
    )
    REVOKE = Transition(
        "revoke", source=(Status.ISSUED,), target=Status.REVOKED, policy=decision_desk, stale_message=_STALE
    )

    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    issuer = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="award_decisions", verbose_name=_("đơn vị ban hành")
    )
    issuer_short_name = models.CharField(_("viết tắt của đơn vị trong số ký hiệu"), max_length=30, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    issued_on = models.DateField(_("ngày ban hành"))
    place = models.CharField(_("địa danh"), max_length=100)
    title = models.CharField(_("trích yếu"), max_length=500)
    legal_basis = models.TextField(_("căn cứ"), blank=True)
    achievement = models.CharField(
        _("thành tích (ghi trên bằng, giấy khen)"),
        max_length=300,
        help_text=_("Ví dụ: Đã có thành tích xuất sắc trong phong trào thi đua … năm 2026"),
    )
    campaign = models.ForeignKey(
        "campaigns.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phong trào"),
    )
    session = models.ForeignKey(
        CouncilSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("phiên họp hội đồng"),
    )
    period_start = models.DateField(_("thành tích từ ngày"))
    period_end = models.DateField(_("thành tích đến ngày"))
    signer_capacity = models.CharField(_("thẩm quyền ký"), max_length=60, blank=True, default="TM. BAN THƯỜNG VỤ")
    signer_position = models.CharField(_("chức vụ người ký"), max_length=120, default="CHỦ TỊCH")
    signer_name = models.CharField(_("họ tên người ký"), max_length=120)
    recipients = models.TextField(_("nơi nhận"), blank=True)
    publish = models.BooleanField(
        _("công bố trên Bảng vàng"),
        default=False,
        help_text=_("Đưa tên người, tập thể được khen lên Bảng vàng của cổng thông tin (không kèm thông tin cá nhân)."),
    )
    base_salary = models.PositiveIntegerField(_("lương cơ sở áp dụng"), null=True, blank=True)
    revoke_reason = models.TextField(_("lý do thu hồi"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "number"], condition=Q(number__isnull=False), name="award_decision_number"
            ),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="decision_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} – {self.title}"

    @property
    def symbol(self) -> str:
        return f"{self.DOC_TYPE}-{self.issuer_short_name or self.issuer.short_name or self.issuer.code}"

    @property
    def document_number(self) -> str:
        if self.number is None:
            return f"Dự thảo/{self.symbol}"
        return f"{self.number:02d}/{self.symbol}"


class DecisionEvent(StateEvent):
    scope_rule = ViaParent("decision")

    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = _("bước của quyết định")
        verbose_name_plural = _("nhật ký quyết định")


class DecisionLine(models.Model):
    """A recipient of a decision: who, which award, for what; the prize and the gold-book number are
    written when the decision is issued, with the ``Award`` it created."""

    scope_rule = ViaParent("decision")

    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="lines")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.ForeignKey(AwardKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("khen thưởng"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("cá nhân")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    # What the certificate and the annex print: "Chủ tịch CĐCS", "Công đoàn cơ sở Trường …".
    position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    unit_name = models.CharField(_("đơn vị công tác"), max_length=300, blank=True)
    achievement = models.CharField(_("thành tích"), max_length=300, blank=True)
    prize = models.PositiveIntegerField(_("tiền thưởng (đồng)"), default=0)
    prize_note = models.CharField(_("ghi chú tiền thưởng"), max_length=200, blank=True)
    gold_book = models.PositiveIntegerField(_("số sổ vàng"), null=True, blank=True)
    award = models.OneToOneField(Award, on_delete=models.PROTECT, null=True, blank=True, related_name="line")
    order = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "order", "pk"]
        verbose_name = _("người, tập thể được khen trong quyết định")
        verbose_name_plural = _("danh sách kèm quyết định")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind", "member"], condition=Q(member__isnull=False), name="line_member_once"
            ),
            models.UniqueConstraint(
                fields=["decision", "kind", "unit"], condition=Q(member__isnull=True), name="line_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} – {self.kind}"

    @property
    def recipient_name(self) -> str:
        return self.member.full_name if self.member is not None else self.unit.name

    @property
    def is_individual(self) -> bool:
        return self.member_id is not None


class CertificateLayout(models.Model):
    """Where each field of a certificate is printed on a pre-printed blank of an award kind
    (millimetres from the top-left corner of an A4 landscape sheet, and a font size), adjusted by an
    administrator with a test print. Without a layout the full certificate is drawn."""

    FIELDS = ("recipient", "position", "unit", "achievement", "decision", "gold_book", "date_line", "signer")

    kind = models.OneToOneField(AwardKind, on_delete=models.CASCADE, related_name="layout")
    positions = models.JSONField(_("vị trí các trường (mm)"), default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bố cục in trên phôi")
        verbose_name_plural = _("bố cục in trên phôi")

    def __str__(self) -> str:
        return str(self.kind)
