from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from thidua.accounts.roles import Perm
from thidua.accounts.scope import PATH_STEP, ByPath, ScopedQuerySet, ViaParent, allows, scope_for
from thidua.core.text import clean_text, fold


# The stubs cannot resolve reverse managers onto a model whose manager is built with
# treebeard's from_queryset, hence the ignore.
class UnitKind(models.Model):  # type: ignore[django-manager-missing]
    """A kind of union organisation (levels are data, not code)."""

    name = models.CharField(_("tên loại"), max_length=120, unique=True)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    level = models.PositiveSmallIntegerField(
        _("cấp"),
        help_text=_(
            "1 = Tổng Liên đoàn, 2 = tỉnh/ngành trung ương, 3 = cấp trên trực tiếp cơ sở, 4 = cơ sở, 5 = dưới cơ sở"
        ),
    )
    is_grassroots = models.BooleanField(_("là công đoàn cơ sở"), default=False)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("loại đơn vị")
        verbose_name_plural = _("loại đơn vị")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The kind's name in the page's language (catalogue rows carry their English name)."""
        return kind_label(self.name, self.name_en)


def kind_label(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else name


class UnitQuerySet(ScopedQuerySet["Unit"], MP_NodeQuerySet):
    def active(self) -> UnitQuerySet:
        return self.filter(dissolved_on__isnull=True)

    def search(self, query: str) -> UnitQuerySet:
        folded = fold(query)
        if not folded:
            return self
        qs = self
        for word in folded.split(" "):
            qs = qs.filter(search_text__contains=word)
        return qs


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A node of the union tree: Confederation, federation, grassroots union, union group…"""

    scope_rule = ByPath("path")
    steplen = PATH_STEP
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name=_("loại"))
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(
        _("tên viết tắt"), max_length=30, blank=True, help_text=_("Dùng trong số văn bản, ví dụ LĐLĐ")
    )
    code = models.CharField(_("mã đơn vị"), max_length=40, unique=True)
    place_name = models.CharField(
        _("địa danh"),
        max_length=100,
        blank=True,
        help_text=_("Nơi đơn vị đóng, in ở dòng địa danh của văn bản, ví dụ Ba Bể; để trống thì dùng của cấp trên"),
    )
    # Kept with the path so parents are one join away and the recursive-CTE
    # baseline in bench/ can run on the same table; services keep both in step.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    active_from = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_units",
        verbose_name=_("hợp nhất vào"),
    )
    search_text = models.CharField(max_length=400, editable=False, db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "numchild", "updated_at"])

    objects = UnitManager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def document_place(self) -> str:
        """The place a document of this unit is dated from: its own, else the nearest above."""
        if self.place_name:
            return self.place_name
        found = (
            Unit.objects.filter(path__in=[self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)])
            .exclude(place_name="")
            .order_by("-depth")
            .values_list("place_name", flat=True)
            .first()
        )
        return found or ""

    def refresh_search_text(self) -> None:
        self.name = clean_text(self.name)
        self.short_name = clean_text(self.short_name)
        self.code = clean_text(self.code)
        self.search_text = fold(f"{self.name} {self.short_name} {self.code}")[:400]

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]

    # What the user may do with this unit (templates read them through ``Can``).
    def can_edit(self, user: Any) -> bool:
        return self.is_active and allows(user, self, Perm.MANAGE_UNITS)

    def can_restructure(self, user: Any) -> bool:
        """Move, merge, dissolve or delete: decided by the level above, so the permission is on the parent."""
        parent_path = self.path[: -self.steplen]
        return self.is_active and bool(parent_path) and scope_for(user).allows(parent_path, Perm.MANAGE_UNITS)

    def can_add_member(self, user: Any) -> bool:
        return self.is_active and allows(user, self, Perm.MANAGE_MEMBERS)


class UnitEvent(models.Model):
    """A structural change of the tree: kept forever so history reads as it was."""

    scope_rule = ViaParent("unit")

    class Kind(models.TextChoices):
        CREATED = "created", _("Thành lập")
        MOVED = "moved", _("Chuyển đơn vị cấp trên")
        MERGED = "merged", _("Hợp nhất")
        ABSORBED = "absorbed", _("Tiếp nhận hợp nhất")
        DISSOLVED = "dissolved", _("Giải thể")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="events", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại sự kiện"), max_length=20, choices=Kind.choices)
    old_parent = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new_parent = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    other_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The full chain of names at the time, so later renames don't rewrite history.
    old_parent_label = models.CharField(max_length=600, blank=True)
    new_parent_label = models.CharField(max_length=600, blank=True)
    effective_on = models.DateField(_("ngày hiệu lực"))
    reason = models.TextField(_("lý do"), blank=True)
    members_moved = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sự kiện đơn vị")
        verbose_name_plural = _("sự kiện đơn vị")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit}"


class UnitTally(models.Model):
    """Counts of one unit's subtree (the unit and everything below it), kept so reads never count.

    ``own_*`` is what the unit itself contributes as last counted (its active members; 1 when it
    is an active grassroots union); ``members`` and ``grassroots`` are the sums of ``own_*`` over
    the subtree. Writes mark units dirty (``DirtyUnit``); ``thidua.units.tallies.drain`` recounts
    the dirty units' own figures and adds the differences to their ancestors' rows, a move
    carries a subtree's sums from its old ancestors to its new ones. A missing row counts zero.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="tally")
    own_members = models.PositiveIntegerField(default=0)
    own_grassroots = models.PositiveSmallIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    grassroots = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.members} / {self.grassroots}"


class DirtyUnit(models.Model):
    """A unit whose own counts may have changed (a member, a pledge, its kind…): drained in order.

    Rows are only inserted by writes and only deleted, by id, by the drain that recounted them,
    so a mark committed while a drain runs survives it and is recounted by the next one.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.unit_id}"
