"""Public portal: news articles (publicity, *tuyên truyền*) and their view statistics."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, ScopedQuerySet, ViaParent, allows
from thidua.core.text import fold
from thidua.core.transitions import StateEvent, Transition


def search_words(text: str) -> list[str]:
    """Folded words, punctuation dropped: "“Đại hội”, (Đặng)" -> ["dai", "hoi", "dang"]."""
    return re.findall(r"\w+", fold(text))


def search_fold(*parts: str) -> str:
    """The stored search text: folded words, each after a space, so a search can match word starts."""
    return " " + " ".join(search_words(" ".join(parts)))


def slug_for(text: str) -> str:
    """ASCII slug that keeps Vietnamese words readable: "Đại hội" -> "dai-hoi"."""
    return slugify(fold(text))[:80].strip("-") or "bai-viet"


CATEGORIES_KEY = "portal:categories"
LATEST_CHANGE_KEY = "portal:latest-change"


class Category(models.Model):
    """A section of the portal (*chuyên mục*)."""

    name = models.CharField(_("tên chuyên mục"), max_length=120, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=80, unique=True)
    description = models.CharField(_("mô tả"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("chuyên mục")
        verbose_name_plural = _("chuyên mục")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(CATEGORIES_KEY)

    def get_absolute_url(self) -> str:
        return reverse("portal:category", args=[self.slug])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        cache.delete(CATEGORIES_KEY)
        return super().delete(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(_("thẻ"), max_length=60, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thẻ")
        verbose_name_plural = _("thẻ")

    def __str__(self) -> str:
        return self.name


# The four states people see: a published article whose time has not come is "scheduled".
DISPLAY_STATUSES = [
    ("draft", _("Bản nháp")),
    ("scheduled", _("Đã lên lịch")),
    ("published", _("Đã đăng")),
    ("archived", _("Lưu trữ")),
]


class ArticleQuerySet(ScopedQuerySet["Article"]):
    def public(self, now: Any = None) -> ArticleQuerySet:
        """What anyone may read: published, and its publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now or timezone.now())


def editor(user: Any, article: Article) -> bool:
    """Editors of the publishing unit's subtree (or above it) change its articles."""
    return allows(user, article, Perm.PUBLISH)


class Article(models.Model):
    """A news article of the public portal, written and published by editors of a unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đã đăng")
        ARCHIVED = "archived", _("Lưu trữ")

    scope_rule = ByPath("unit__path")

    # Publishing a published article again moves its time (a scheduled article rescheduled).
    PUBLISH = Transition(
        "publish", source=(Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED), target=Status.PUBLISHED, policy=editor
    )
    UNPUBLISH = Transition("unpublish", source=(Status.PUBLISHED,), target=Status.DRAFT, policy=editor)
    ARCHIVE = Transition("archive", source=(Status.DRAFT, Status.PUBLISHED), target=Status.ARCHIVED, policy=editor)

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="articles", verbose_name=_("đơn vị đăng")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("chuyên mục")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("thẻ"))
    title = models.CharField(_("tiêu đề"), max_length=300)
    slug = models.SlugField(_("đường dẫn"), max_length=80)
    summary = models.TextField(_("tóm tắt"), max_length=600, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    author_line = models.CharField(_("tác giả, nguồn"), max_length=200, blank=True)
    cover = models.CharField(_("ảnh bìa"), max_length=200, blank=True)  # file name under MEDIA_ROOT/portal
    cover_small = models.CharField(max_length=200, blank=True)
    cover_alt = models.CharField(_("mô tả ảnh bìa"), max_length=200, blank=True)
    plan = models.ForeignKey(
        "campaigns.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("kế hoạch liên quan"),
    )
    featured = models.BooleanField(_("tin nổi bật"), default=False)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("thời điểm đăng"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")  # folded title + summary + body
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")
        indexes = [
            models.Index(fields=["status", "publish_at"], name="portal_article_public"),
            models.Index(fields=["category", "status", "publish_at"], name="portal_article_category"),
            models.Index(fields=["updated_at"], name="portal_article_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:article", args=[self.pk, self.slug])

    def folded_text(self, tag_names: str) -> str:
        """What search matches: title, summary, body text, author line and tag names, folded."""
        return search_fold(self.title, self.summary, strip_tags(self.body), self.author_line, tag_names)

    # What the user may do with this article (templates read them through ``Can``).
    def can_edit(self, user: Any) -> bool:
        return editor(user, self)

    def can_publish(self, user: Any) -> bool:
        """Publish a draft or archived article, or (re)schedule one whose time has not come."""
        return not self.is_public and self.PUBLISH.available(self, user)

    def can_unpublish(self, user: Any) -> bool:
        return self.UNPUBLISH.available(self, user)

    def can_archive(self, user: Any) -> bool:
        return self.ARCHIVE.available(self, user)

    def can_delete(self, user: Any) -> bool:
        """Only drafts that were never published are deleted; the rest are archived."""
        return self.status == self.Status.DRAFT and self.publish_at is None and editor(user, self)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at <= timezone.now()
        )

    @property
    def display_status(self) -> str:
        """Four states for people: a published article whose time has not come is scheduled."""
        if self.status == self.Status.PUBLISHED and self.publish_at and self.publish_at > timezone.now():
            return "scheduled"
        return str(self.status)

    @property
    def display_status_label(self) -> str:
        return str(dict(DISPLAY_STATUSES)[self.display_status])

    @property
    def cover_url(self) -> str:
        return reverse("portal:media", args=[self.cover]) if self.cover else ""

    @property
    def cover_small_url(self) -> str:
        return reverse("portal:media", args=[self.cover_small]) if self.cover_small else self.cover_url


class ArticleEvent(StateEvent):
    """A transition of an article: published, scheduled, sent back to draft, archived."""

    scope_rule = ViaParent("article")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")

    objects = ScopedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        pass


# --- view statistics ----------------------------------------------------------
# One view is counted by ``thidua.portal.counting`` (``DatabaseCounter.record``) in one transaction.
# Visitors are identified only by a hash of (IP, user agent) with a salt that
# changes every day and is deleted after two days; raw addresses are never stored.


class DailySalt(models.Model):
    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt {self.day}"


class SiteDay(models.Model):
    """Views and unique visitors of the whole portal on one Asia/Ho_Chi_Minh day."""

    day = models.DateField(primary_key=True)
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.views}"


class ArticleDay(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="portal_articleday_unique")]
        indexes = [models.Index(fields=["day"], name="portal_articleday_day")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.views}"


class Seen(models.Model):
    """Who (hashed) read which article today, and when it was last counted.

    The unique key makes "count once per window" a single atomic upsert.
    Rows older than yesterday are purged with their day's salt.
    """

    day = models.DateField()
    visitor = models.CharField(max_length=32)
    article_id = models.BigIntegerField()
    last_at = models.DateTimeField()
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "visitor", "article_id"], name="portal_seen_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.visitor} {self.article_id}"


class SiteVisitor(models.Model):
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "visitor"], name="portal_sitevisitor_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.visitor}"


class FlushLog(models.Model):
    """A batch of buffered views (Redis) already added to the daily rows: applied exactly once."""

    token = models.CharField(max_length=40, unique=True)
    applied_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token
