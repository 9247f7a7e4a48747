"""Initiatives (sáng kiến) and effective models (mô hình hiệu quả, điển hình tiên tiến).

An ``Initiative`` belongs to the unit where it was applied; its ``InitiativeAuthor`` rows are
the co-authors (members) with their % contribution (summing to 100). The unit sends it to an
``InitiativeCouncil`` (Hội đồng sáng kiến) of the unit or a level above, whose session is
recorded as an ``InitiativeReview`` with the counts the secretary writes down (present, for,
against): the council's quorum and pass threshold are data on the council (defaults 2/3 of
members and 2/3 of **all** members, labelled "mặc định"), and the result decides recognised or
refused. Recognition of the effect and its scope (unit, sector/province, national) is a later,
separate step (Decree 13/2012, Circular 18/2013: "unit-level recognition, then a separate
recognition of effect and scope").

An ``EffectiveModel`` is submitted by a unit with its results and evidence and approved or
returned by the level directly above (``decides_above``). Once approved it is in the library of
that level: every unit under the approving level reads it and may record its adoption
(``ModelAdoption``); the approving level may publish it on the public portal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, Scope, ScopedQuerySet, ViaParent, allows, decides_above
from thidua.core.transitions import StateEvent, Transition

# --- initiatives ------------------------------------------------------------------------------------


def unit_side(user: Any, obj: Any) -> bool:
    """The owning unit's emulation officers (and the levels above them) prepare and send it."""
    return allows(user, obj, Perm.MANAGE_EMULATION)


def sees_confidential(user: Any, initiative: Initiative) -> bool:
    """The confidential parts of an initiative (Decree 13/2012 art. 4) are read only by the emulation
    officers of its unit and the levels above it; viewers, council-role accounts and editors do not."""
    return allows(user, initiative, Perm.MANAGE_EMULATION)


class Initiative(models.Model):
    """An initiative (sáng kiến): what it improves, where it was first applied, its benefit, its authors."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi hội đồng")
        RECOGNISED = "recognised", _("Được công nhận")
        REFUSED = "refused", _("Không được công nhận")

    class Field(models.TextChoices):
        TECHNICAL = "technical", _("Kỹ thuật, sản xuất")
        MANAGEMENT = "management", _("Quản lý, tổ chức")
        EDUCATION = "education", _("Giáo dục, đào tạo")
        HEALTH = "health", _("Y tế")
        AGRICULTURE = "agriculture", _("Nông, lâm nghiệp")
        ADMINISTRATION = "administration", _("Hành chính, dịch vụ công")
        UNION = "union", _("Công tác công đoàn")
        OTHER = "other", _("Lĩnh vực khác")

    class Effect(models.TextChoices):
        UNIT = "unit", _("Cấp cơ sở (đơn vị)")
        PROVINCE = "province", _("Cấp ngành, tỉnh")
        NATIONAL = "national", _("Toàn quốc")

    # The kind level (units.UnitKind.level) a unit must have, at most, to recognise each scope of effect.
    EFFECT_LEVEL: dict[str, int] = {Effect.UNIT: 99, Effect.PROVINCE: 2, Effect.NATIONAL: 1}
    EFFECT_RANK: dict[str, int] = {"": 0, Effect.UNIT: 1, Effect.PROVINCE: 2, Effect.NATIONAL: 3}

    scope_rule = ByPath("unit__path")

    _STALE = _("Sáng kiến đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    SUBMIT = Transition(
        "submit", source=(Status.DRAFT,), target=Status.SUBMITTED, policy=unit_side, stale_message=_STALE
    )
    REDRAFT = Transition(
        "redraft",
        source=(Status.SUBMITTED, Status.REFUSED),
        target=Status.DRAFT,
        policy=unit_side,
        stale_message=_STALE,
    )
    # The council's result; the service checks the recorder holds the council's desk.
    RECOGNISE = Transition(
        "recognise", source=(Status.SUBMITTED,), target=Status.RECOGNISED, policy=unit_side, stale_message=_STALE
    )
    REFUSE = Transition(
        "refuse", source=(Status.SUBMITTED,), target=Status.REFUSED, policy=unit_side, stale_message=_STALE
    )

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("đơn vị áp dụng")
    )
    plan = models.ForeignKey(
        "campaigns.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("phong trào, kế hoạch thi đua"),
    )
    title = models.CharField(_("tên sáng kiến"), max_length=300)
    field = models.CharField(_("lĩnh vực"), max_length=20, choices=Field.choices, default=Field.TECHNICAL)
    description = models.TextField(_("mô tả nội dung sáng kiến"))
    first_applied_on = models.DateField(_("ngày áp dụng lần đầu"))
    benefit_vnd = models.PositiveBigIntegerField(_("hiệu quả (đồng)"), default=0)
    confidential_notes = models.TextField(_("nội dung cần giữ bí mật"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    recognised_on = models.DateField(_("ngày công nhận"), null=True, blank=True)
    refusal_reason = models.TextField(_("lý do không công nhận"), blank=True)
    effect_scope = models.CharField(_("phạm vi ảnh hưởng"), max_length=10, choices=Effect.choices, blank=True)
    effect_on = models.DateField(_("ngày công nhận phạm vi ảnh hưởng"), null=True, blank=True)
    effect_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị công nhận phạm vi ảnh hưởng"),
    )
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-first_applied_on", "-id"]
        verbose_name = _("sáng kiến")
        verbose_name_plural = _("sáng kiến")
        indexes = [models.Index(fields=["status", "recognised_on"])]
        constraints = [models.CheckConstraint(condition=Q(benefit_vnd__gte=0), name="initiative_benefit_not_negative")]

    def __str__(self) -> str:
        return self.title

    def can_edit(self, user: Any) -> bool:
        return self.status == self.Status.DRAFT and unit_side(user, self)

    def can_submit(self, user: Any) -> bool:
        return self.SUBMIT.available(self, user)

    def can_redraft(self, user: Any) -> bool:
        return self.REDRAFT.available(self, user)

    def can_review(self, user: Any) -> bool:
        """Record a council session: some council above (or of) the unit is the user's desk."""
        return self.status == self.Status.SUBMITTED and InitiativeCouncil.for_initiative(self, user).exists()

    def can_effect(self, user: Any) -> bool:
        return self.status == self.Status.RECOGNISED and unit_side(user, self)


class InitiativeEvent(StateEvent):
    """A step in an initiative's history (created, sent, recognised, refused, scope of effect)."""

    scope_rule = ViaParent("initiative")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


class InitiativeAuthor(models.Model):
    """A co-author of an initiative with their share of the contribution (all shares sum to 100 %)."""

    class Role(models.TextChoices):
        MAIN = "main", _("Tác giả chính")
        CO = "co", _("Đồng tác giả")

    scope_rule = ViaParent("initiative")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="authors")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="initiative_authorships", verbose_name=_("tác giả")
    )
    share_percent = models.DecimalField(_("tỷ lệ đóng góp (%)"), max_digits=5, decimal_places=2)
    role = models.CharField(_("vai trò"), max_length=6, choices=Role.choices, default=Role.CO)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-share_percent", "id"]
        verbose_name = _("tác giả sáng kiến")
        verbose_name_plural = _("tác giả sáng kiến")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "member"], name="initiative_author_once"),
            models.CheckConstraint(
                condition=Q(share_percent__gt=0, share_percent__lte=100), name="initiative_share_in_range"
            ),
        ]
        indexes = [models.Index(fields=["member", "initiative"])]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.share_percent}%"


def initiative_evidence_path(instance: InitiativeEvidence, filename: str) -> str:
    return f"initiatives/{instance.initiative_id}/{uuid.uuid4().hex[:12]}-{filename[-80:]}"


class InitiativeEvidence(models.Model):
    """A file proving an initiative and its benefit (checked by its bytes)."""

    scope_rule = ViaParent("initiative")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp minh chứng"), upload_to=initiative_evidence_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("minh chứng sáng kiến")
        verbose_name_plural = _("minh chứng sáng kiến")

    def __str__(self) -> str:
        return self.name


# --- the initiative council ---------------------------------------------------------------------------


class InitiativeCouncil(models.Model):
    """A unit's initiative council (Hội đồng sáng kiến): its members, quorum and pass threshold as data.

    Defaults (labelled "mặc định" for the administrator to confirm): a session is valid with at
    least 2/3 of the members present, and an initiative passes with at least 2/3 of **all**
    members approving (a national agency's 2024 rule, RULES.md). Votes are counted by the
    secretary and recorded as numbers; the secret e-ballot belongs to the emulation council."""

    DEFAULT_QUORUM = (2, 3)
    DEFAULT_PASS = (2, 3)

    scope_rule = ByPath("unit__path")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="initiative_councils", verbose_name=_("đơn vị")
    )
    name = models.CharField(_("tên hội đồng"), max_length=200)
    quorum_num = models.PositiveSmallIntegerField(_("số thành viên có mặt tối thiểu (tử số)"), default=2)
    quorum_den = models.PositiveSmallIntegerField(_("mẫu số"), default=3)
    pass_num = models.PositiveSmallIntegerField(_("tỷ lệ đồng ý trên tổng số thành viên (tử số)"), default=2)
    pass_den = models.PositiveSmallIntegerField(_("mẫu số"), default=3)
    basis = models.CharField(
        _("căn cứ"),
        max_length=300,
        blank=True,
        default="Mặc định: có mặt ≥ 2/3 thành viên; công nhận khi ≥ 2/3 tổng số thành viên đồng ý.",
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "name", "id"]
        verbose_name = _("hội đồng sáng kiến")
        verbose_name_plural = _("hội đồng sáng kiến")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_num__gte=1, quorum_num__lte=models.F("quorum_den")), name="council_quorum_fraction"
            ),
            models.CheckConstraint(
                condition=Q(pass_num__gte=1, pass_num__lte=models.F("pass_den")), name="council_pass_fraction"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return (self.quorum_num, self.quorum_den) == self.DEFAULT_QUORUM and (
            self.pass_num,
            self.pass_den,
        ) == self.DEFAULT_PASS

    def can_manage(self, user: Any) -> bool:
        return allows(user, self, Perm.MANAGE_EMULATION)

    @classmethod
    def for_initiative(cls, initiative: Initiative, user: Any) -> models.QuerySet[InitiativeCouncil]:
        """Active councils of the initiative's unit or a unit above it that the user records for."""
        path = initiative.unit.path
        above = [path[:end] for end in range(4, len(path) + 1, 4)]
        return cls.objects.visible_to(user, Perm.MANAGE_EMULATION).filter(unit__path__in=above, active=True)


class CouncilMember(models.Model):
    """A member of an initiative council (an account, a union member, or just a name and position)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chủ tịch hội đồng")
        SECRETARY = "secretary", _("Thư ký")
        MEMBER = "member", _("Ủy viên")

    scope_rule = ViaParent("council")

    council = models.ForeignKey(InitiativeCouncil, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=120)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    member = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("thành viên hội đồng sáng kiến")
        verbose_name_plural = _("thành viên hội đồng sáng kiến")

    def __str__(self) -> str:
        return self.full_name


class InitiativeReview(models.Model):
    """A council session's result for one initiative: the counts the secretary recorded and what they
    decided, with the council's size and rules as they stood that day."""

    scope_rule = ViaParent("initiative")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reviews")
    council = models.ForeignKey(InitiativeCouncil, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("ngày họp"))
    members_total = models.PositiveSmallIntegerField(_("tổng số thành viên"))
    present = models.PositiveSmallIntegerField(_("số thành viên có mặt"))
    approve = models.PositiveSmallIntegerField(_("số phiếu đồng ý"))
    reject = models.PositiveSmallIntegerField(_("số phiếu không đồng ý"))
    quorum_num = models.PositiveSmallIntegerField()
    quorum_den = models.PositiveSmallIntegerField()
    pass_num = models.PositiveSmallIntegerField()
    pass_den = models.PositiveSmallIntegerField()
    passed = models.BooleanField(_("đạt"))
    minutes_number = models.CharField(_("số biên bản"), max_length=60, blank=True)
    note = models.TextField(_("ý kiến của hội đồng"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("kết quả họp hội đồng sáng kiến")
        verbose_name_plural = _("kết quả họp hội đồng sáng kiến")

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.held_on:%d/%m/%Y}"


# --- effective models ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InLibrary(ByPath):
    """Owned by its unit (``ByPath``); once in one of ``states`` it is also read by every unit under
    its library unit (``library``, a path lookup: the level that approved it), for adoption."""

    library: str = ""
    states: tuple[str, ...] = ()

    def condition(self, model: type[models.Model], scope: Scope, perm: str, prefix: str) -> Q:
        own = super().condition(model, scope, perm, prefix)
        if perm != Perm.VIEW or scope.is_global:
            return own
        reach = sorted(scope.ancestors_of_scope(Perm.VIEW) | set(scope.prefixes(Perm.VIEW)))
        if not reach:
            return own
        return own | Q(**{f"{prefix}{self.library}__in": reach, f"{prefix}status__in": self.states})

    def allows(self, obj: models.Model, scope: Scope, perm: str) -> bool:
        if super().allows(obj, scope, perm):
            return True
        if perm != Perm.VIEW or getattr(obj, "status", None) not in self.states:
            return False
        library: Any = obj
        for part in self.library.split("__"):
            library = getattr(library, part, None)
            if library is None:
                return False
        return any(p.startswith(str(library)) for p in scope.prefixes(Perm.VIEW))


def reviewer_of(user: Any, model: EffectiveModel) -> bool:
    """The level directly above the submitting unit approves or returns a model."""
    return decides_above(user, model.unit.path)


class EffectiveModel(models.Model):
    """An effective model or exemplar (mô hình hiệu quả, điển hình tiên tiến) other units can adopt."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Chờ cấp trên duyệt")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Bị trả lại")

    scope_rule = InLibrary("unit__path", library="library_unit__path", states=(Status.APPROVED,))

    _STALE = _("Mô hình đang ở trạng thái “%(status)s”; có thể người khác vừa xử lý.")
    SUBMIT = Transition(
        "submit",
        source=(Status.DRAFT, Status.RETURNED),
        target=Status.SUBMITTED,
        policy=unit_side,
        stale_message=_STALE,
    )
    APPROVE = Transition(
        "approve", source=(Status.SUBMITTED,), target=Status.APPROVED, policy=reviewer_of, stale_message=_STALE
    )
    RETURN = Transition(
        "return", source=(Status.SUBMITTED,), target=Status.RETURNED, policy=reviewer_of, stale_message=_STALE
    )

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="effective_models", verbose_name=_("đơn vị xây dựng")
    )
    plan = models.ForeignKey(
        "campaigns.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="effective_models",
        verbose_name=_("phong trào, kế hoạch thi đua"),
    )
    title = models.CharField(_("tên mô hình"), max_length=300)
    summary = models.TextField(_("nội dung, cách làm"))
    results = models.TextField(_("kết quả đạt được"))
    started_on = models.DateField(_("bắt đầu thực hiện từ"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    approved_on = models.DateField(_("ngày duyệt"), null=True, blank=True)
    # The approving level: every unit under it reads the model in its library and may adopt it.
    library_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("thư viện")
    )
    published = models.BooleanField(_("công khai trên cổng thông tin"), default=False)
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_on", "-id"]
        verbose_name = _("mô hình hiệu quả")
        verbose_name_plural = _("mô hình hiệu quả")
        indexes = [models.Index(fields=["status", "published"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED and self.published

    def can_edit(self, user: Any) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED) and unit_side(user, self)

    def can_submit(self, user: Any) -> bool:
        return self.SUBMIT.available(self, user)

    def can_approve(self, user: Any) -> bool:
        return self.APPROVE.available(self, user)

    def can_return(self, user: Any) -> bool:
        return self.RETURN.available(self, user)

    def can_publish(self, user: Any) -> bool:
        return self.status == self.Status.APPROVED and reviewer_of(user, self)

    def can_adopt(self, user: Any) -> bool:
        return self.status == self.Status.APPROVED and user.is_authenticated


class ModelEvent(StateEvent):
    """A step in a model's history (created, sent, approved, returned, published)."""

    scope_rule = ViaParent("model")

    model = models.ForeignKey(EffectiveModel, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


def model_evidence_path(instance: ModelEvidence, filename: str) -> str:
    return f"models/{instance.model_id}/{uuid.uuid4().hex[:12]}-{filename[-80:]}"


class ModelEvidence(models.Model):
    """A file showing a model's results (checked by its bytes)."""

    scope_rule = ViaParent("model")

    model = models.ForeignKey(EffectiveModel, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp minh chứng"), upload_to=model_evidence_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("minh chứng mô hình")
        verbose_name_plural = _("minh chứng mô hình")

    def __str__(self) -> str:
        return self.name


class ModelAdoption(models.Model):
    """A unit that took up an approved model (nhân rộng): since when, and what it achieved."""

    # The adopting unit and the levels above it; the model's page lists every adoption of it
    # (unit names and dates only, as the public portal does once the model is published).
    scope_rule = ByPath("unit__path")

    model = models.ForeignKey(EffectiveModel, on_delete=models.CASCADE, related_name="adoptions")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="model_adoptions", verbose_name=_("đơn vị áp dụng")
    )
    adopted_on = models.DateField(_("ngày áp dụng"))
    results = models.TextField(_("kết quả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["adopted_on", "id"]
        verbose_name = _("đơn vị nhân rộng mô hình")
        verbose_name_plural = _("đơn vị nhân rộng mô hình")
        constraints = [models.UniqueConstraint(fields=["model", "unit"], name="adopt_a_model_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.model_id} → {self.unit_id}"
