"""Statistics of recognition: how many were proposed and how many were decided, by award kind, level,
achievement year, sex and leading post, within a user's scope (issue 12, item 8).

* **Proposed** (đề nghị): ``Candidate`` rows of dossiers that left the draft (every status but
  ``draft``), seen through the dossier's scope (the proposing unit and the levels above).
* **Decided** (được khen thưởng): ``Award`` rows made by a decision in Thi Đua (``decision`` set)
  and not revoked, seen through the award's scope (the recipient's unit and the levels above).
  Awards recorded from paper history (no decision) are not counted: they were never proposed here.
* **Level** (cấp): the ``UnitKind.level`` of the proposing unit; for an award, of the unit that
  proposed it through a dossier, or (an award drafted without a dossier) of the recipient's unit.
* **Year**: the year the achievement period ends (``period_end``).
* **Sex**: ``Member.gender``; collectives are counted apart.
* **Leading post**: a member whose ``position`` (chức vụ) is not empty holds a leading post; the
  page says so, as the register keeps no other mark of leadership.

Two grouped queries whatever the number of rows (one per side, grouped by every dimension at once;
the result has at most kinds × levels × years × 3 × 3 rows) plus one for the kinds' names; the
marginal tables are summed in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.recognition.models import Award, AwardKind, Candidate, Nomination

COLLECTIVE = "collective"
LEADER, NOT_LEADER = "leader", "not_leader"

LEVEL_LABELS = {
    1: gettext_lazy("Cấp Tổng Liên đoàn"),
    2: gettext_lazy("Cấp tỉnh, ngành trung ương"),
    3: gettext_lazy("Cấp trên trực tiếp cơ sở"),
    4: gettext_lazy("Công đoàn cơ sở"),
    5: gettext_lazy("Dưới cơ sở"),
}
SEX_LABELS = {
    "M": gettext_lazy("Nam"),
    "F": gettext_lazy("Nữ"),
    COLLECTIVE: gettext_lazy("Tập thể"),
}
LEADER_LABELS = {
    LEADER: gettext_lazy("Cá nhân giữ chức vụ lãnh đạo"),
    NOT_LEADER: gettext_lazy("Cá nhân không giữ chức vụ"),
    COLLECTIVE: gettext_lazy("Tập thể"),
}
LEADER_DEFINITION = gettext_lazy(
    "Cá nhân “giữ chức vụ lãnh đạo” là đoàn viên có ghi chức vụ trong hồ sơ đoàn viên (ô “Chức vụ” không để trống)."
)


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to (``None``: no restriction)."""

    year: int | None = None
    campaign_id: int | None = None
    kind_id: int | None = None


@dataclass
class Row:
    """One line of a table: a value of the dimension and its two counts."""

    key: Any
    label: str
    proposed: int = 0
    decided: int = 0

    @property
    def rate(self) -> float | None:
        """Decided over proposed, as a fraction (None when nothing was proposed)."""
        return self.decided / self.proposed if self.proposed else None

    @property
    def percent(self) -> str:
        rate = self.rate
        return "" if rate is None else f"{rate * 100:.1f}".replace(".", ",")


@dataclass
class Table:
    """A dimension's table: its name, the heading of its first column, its rows."""

    slug: str
    title: str
    heading: str
    rows: list[Row] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(r.proposed or r.decided for r in self.rows)


@dataclass
class Statistics:
    total: Row
    tables: list[Table]

    def table(self, slug: str) -> Table:
        return next(t for t in self.tables if t.slug == slug)


def _leader_case(prefix: str = "") -> Case:
    member = f"{prefix}member"
    return Case(
        When(**{f"{member}__isnull": True}, then=Value(COLLECTIVE)),
        When(**{f"{member}__position": ""}, then=Value(NOT_LEADER)),
        default=Value(LEADER),
        output_field=CharField(),
    )


def _sex_case() -> Coalesce:
    return Coalesce(F("member__gender"), Value(COLLECTIVE), output_field=CharField())


def proposed_rows(user: Any, filters: Filters) -> QuerySet[Any]:
    """Candidates of dossiers out of draft, grouped by every dimension (one query)."""
    qs = Candidate.objects.visible_to(user).exclude(nomination__status=Nomination.Status.DRAFT)
    if filters.year is not None:
        qs = qs.filter(nomination__period_end__year=filters.year)
    if filters.campaign_id is not None:
        qs = qs.filter(nomination__campaign_id=filters.campaign_id)
    if filters.kind_id is not None:
        qs = qs.filter(kind_id=filters.kind_id)
    return (
        qs.annotate(
            s_level=F("nomination__proposer__kind__level"),
            s_year=ExtractYear("nomination__period_end"),
            s_sex=_sex_case(),
            s_leader=_leader_case(),
        )
        .values("kind_id", "s_level", "s_year", "s_sex", "s_leader")
        .annotate(n=Count("pk"))
        .order_by()
    )


def decided_rows(user: Any, filters: Filters) -> QuerySet[Any]:
    """Standing awards made by a decision, grouped by every dimension (one query)."""
    qs = Award.objects.visible_to(user).standing().filter(decision__isnull=False)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.campaign_id is not None:
        qs = qs.filter(Q(campaign_id=filters.campaign_id) | Q(decision__campaign_id=filters.campaign_id))
    if filters.kind_id is not None:
        qs = qs.filter(kind_id=filters.kind_id)
    return (
        qs.annotate(
            s_level=Coalesce(F("line__candidate__nomination__proposer__kind__level"), F("unit__kind__level")),
            s_year=F("year"),
            s_sex=_sex_case(),
            s_leader=_leader_case(),
        )
        .values("kind_id", "s_level", "s_year", "s_sex", "s_leader")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _level_label(level: int | None) -> str:
    if level is None:
        return _("Không rõ cấp")
    return str(LEVEL_LABELS.get(level) or _("Cấp %(level)s") % {"level": level})


def build(user: Any, filters: Filters | None = None) -> Statistics:
    """The figures for ``user``'s scope under ``filters`` (three queries besides the scope's own)."""
    filters = filters or Filters()
    dims: dict[str, dict[Any, list[int]]] = {d: {} for d in ("kind", "level", "year", "sex", "leader")}
    total = [0, 0]
    for side, rows in enumerate((proposed_rows(user, filters), decided_rows(user, filters))):
        for r in rows:
            count = r["n"]
            total[side] += count
            for dim, key in (
                ("kind", r["kind_id"]),
                ("level", r["s_level"]),
                ("year", r["s_year"]),
                ("sex", r["s_sex"]),
                ("leader", r["s_leader"]),
            ):
                dims[dim].setdefault(key, [0, 0])[side] += count

    kinds = {k.pk: k for k in AwardKind.objects.filter(pk__in=list(dims["kind"])).only("name", "rank", "system")}

    def rows_of(dim: str, keys: Iterable[Any], label: Any) -> list[Row]:
        return [
            Row(key=key, label=str(label(key)), proposed=dims[dim][key][0], decided=dims[dim][key][1])
            for key in keys
            if key in dims[dim]
        ]

    kind_keys = sorted(dims["kind"], key=lambda pk: (kinds[pk].system, -kinds[pk].rank, kinds[pk].name))
    level_keys = sorted(dims["level"], key=lambda lv: (lv is None, lv or 0))
    year_keys = sorted(dims["year"], key=lambda y: y or 0)
    tables = [
        Table(
            "kind",
            _("Theo danh hiệu, hình thức khen thưởng"),
            _("Khen thưởng"),
            rows_of("kind", kind_keys, lambda pk: kinds[pk].name),
        ),
        Table("level", _("Theo cấp của đơn vị đề nghị"), _("Cấp"), rows_of("level", level_keys, _level_label)),
        Table("year", _("Theo năm thành tích"), _("Năm"), rows_of("year", year_keys, lambda y: y)),
        Table(
            "sex", _("Theo giới tính"), _("Giới tính"), rows_of("sex", ("F", "M", COLLECTIVE), lambda k: SEX_LABELS[k])
        ),
        Table(
            "leader",
            _("Theo chức vụ lãnh đạo"),
            _("Đối tượng"),
            rows_of("leader", (LEADER, NOT_LEADER, COLLECTIVE), lambda k: LEADER_LABELS[k]),
        ),
    ]
    return Statistics(total=Row(key="total", label=_("Tổng cộng"), proposed=total[0], decided=total[1]), tables=tables)


def chart_data(stats: Statistics) -> dict[str, Any]:
    """What the bar charts draw (the same figures as the tables beside them)."""
    series = [_("Đề nghị"), _("Được khen thưởng")]

    def of(slug: str) -> dict[str, Any]:
        rows = stats.table(slug).rows
        return {
            "labels": [r.label for r in rows],
            "proposed": [r.proposed for r in rows],
            "decided": [r.decided for r in rows],
        }

    return {"series": series, "kind": of("kind"), "year": of("year")}


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    """Years a filter accepts (the register holds nothing before 1950)."""
    return 1950, (today or timezone.localdate()).year + 5
