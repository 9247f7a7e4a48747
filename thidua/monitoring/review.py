"""Interim and final reviews (sơ kết, tổng kết) of a campaign for any subtree and period.

``review()`` gathers the figures once — registration coverage, reporting compliance (from the
tallies), criteria totals against targets (one GROUP BY over the verified reports' values),
the ranking of the units directly below, the inspections — and three renderings read them:
the dashboard page, the Decree-30 "BÁO CÁO" .docx (``review_document``, through
``thidua.core.decree30``) and its .xlsx annex (``review_workbook``, through
``thidua.core.excel``), so the page, the document and the annex never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from thidua.campaigns.models import Criterion, Plan
from thidua.core import decree30
from thidua.core.decree30 import Heading, Para
from thidua.core.excel import DECIMAL, INTEGER, PERCENT, Header, Title, add_sheet, new_workbook
from thidua.core.text import plain_number
from thidua.inspections.models import Finding
from thidua.inspections.selectors import InspectionSummary, inspection_summary
from thidua.monitoring import scoring, selectors, tallies
from thidua.monitoring.models import CriterionTally, Period, Report, ReportValue
from thidua.registrations.selectors import CoverageRow, coverage
from thidua.units.models import Unit


@dataclass
class CriterionTotal:
    criterion: Criterion
    reports: int = 0  # verified reports that answered it
    total: Decimal = Decimal(0)  # numbers summed (number criteria), points summed (score criteria)
    done: int = 0  # yes/no criteria answered yes
    reached: int = 0  # number criteria at or above the unit's target

    @property
    def average(self) -> Decimal | None:
        return (self.total / self.reports).quantize(Decimal("0.01")) if self.reports else None

    @property
    def rate(self) -> float:
        """Share of the verified reports that did it (yes/no) or reached the target (number)."""
        if not self.reports:
            return 0.0
        hits = self.done if self.criterion.kind == Criterion.Kind.YES_NO else self.reached
        return hits / self.reports

    @property
    def result(self) -> str:
        c = self.criterion
        if c.kind == Criterion.Kind.YES_NO:
            return _("%(n)s / %(of)s báo cáo đã thực hiện") % {"n": self.done, "of": self.reports}
        if c.kind == Criterion.Kind.SCORE:
            return _("bình quân %(avg)s / %(max)s điểm") % {
                "avg": plain_number(self.average),
                "max": plain_number(c.max_score),
            }
        text = _("tổng %(total)s %(unit)s") % {"total": plain_number(self.total), "unit": c.unit_label}
        if c.target is not None:
            text += "; " + _("%(n)s / %(of)s đơn vị đạt chỉ tiêu %(target)s") % {
                "n": self.reached,
                "of": self.reports,
                "target": plain_number(c.target),
            }
        return text.strip()


@dataclass
class Review:
    plan: Plan
    period: Period
    root: Unit
    day: dt.date
    board: selectors.Board
    coverage_total: CoverageRow
    coverage_rows: list[CoverageRow]
    criteria: list[CriterionTotal]
    ranking: list[selectors.Ranked]
    ranking_periods: list[Period]
    inspections: InspectionSummary

    @property
    def kind_label(self) -> str:
        if self.period.kind == Period.Kind.FINAL:
            return _("Tổng kết")
        return _("Sơ kết") if self.period.kind == Period.Kind.INTERIM else _("Báo cáo kỳ")


def criteria_totals(plan: Plan, period: Period, root: Unit) -> list[CriterionTotal]:
    """Verified values of the period's reports at and below ``root``, per criterion of the campaign:
    the root's criterion tallies (its subtree, kept up to date) and its own report's values, with
    the campaign's criteria first and any a lower plan added after them (three queries)."""
    root_id = plan.campaign_root_id
    totals: dict[int, CriterionTotal] = {
        c.pk: CriterionTotal(c)
        for c in Criterion.objects.filter(content__plan_id=root_id).order_by("content__position", "position", "id")
    }
    below = CriterionTally.objects.filter(period_id=period.root_key, path=root.path).select_related("criterion")
    for row in below.order_by("criterion__content__position", "criterion__position", "criterion_id"):
        item = totals.setdefault(row.criterion_id, CriterionTotal(row.criterion))
        item.reports += row.reports
        item.total += row.total
        item.done += row.done
        item.reached += row.reached
    own = list(
        ReportValue.objects.filter(
            report__root_period_id=period.root_key, report__unit=root, report__status=Report.Status.VERIFIED
        ).select_related("criterion")
    )
    tops = tallies.criterion_tops({v.criterion_id for v in own}) if own else {}
    for value in own:
        item = totals.setdefault(tops[value.criterion_id], CriterionTotal(value.criterion))
        item.reports += 1
        item.total += value.number or Decimal(0)
        item.done += value.done is True
        target = value.criterion.target
        item.reached += value.number is not None and target is not None and value.number >= target
    return list(totals.values())


def ranking_periods(period: Period) -> list[Period]:
    """An interim or final review ranks over the campaign's months it covers; another period, itself."""
    if period.kind in (Period.Kind.INTERIM, Period.Kind.FINAL):
        months = list(
            Period.objects.filter(
                plan_id=period.plan_id, kind=Period.Kind.MONTH, start__gte=period.start, end__lte=period.end
            ).order_by("start")
        )
        if months:
            return months
    return [period]


def review(period: Period, root: Unit, user: Any, *, day: dt.date) -> Review:
    """The review of ``period`` (a campaign period) below ``root`` (in the user's scope)."""
    plan = selectors.campaign_root(period.plan)
    total, rows = coverage(plan, root, user)
    spans = ranking_periods(period)
    children = list(Unit.objects.filter(parent=root, reports__root_period_id__in=[p.pk for p in spans]).distinct())
    return Review(
        plan=plan,
        period=period,
        root=root,
        day=day,
        board=selectors.board(root, period, day=day),
        coverage_total=total,
        coverage_rows=rows,
        criteria=criteria_totals(plan, period, root),
        ranking=selectors.ranking([p.pk for p in spans], children),
        ranking_periods=spans,
        inspections=inspection_summary(root, day, campaign=plan),
    )


# --- the Decree-30 report ----------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    rate = (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal(0)
    return f"{plain_number(rate)}%"


def _day(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def review_body(data: Review) -> list[decree30.Block]:
    plan, period, board = data.plan, data.period, data.board
    body: list[decree30.Block] = [
        Para.of(
            _(
                "Thực hiện Kế hoạch số %(number)s ngày %(date)s của %(issuer)s, %(unit)s báo cáo kết quả "
                "phong trào thi đua từ ngày %(start)s đến ngày %(end)s như sau:"
            )
            % {
                "number": plan.document_number,
                "date": _day(plan.issued_on),
                "issuer": plan.issuer.name,
                "unit": data.root.name,
                "start": _day(period.start),
                "end": _day(period.end),
            }
        )
    ]
    part = 0

    def heading(text: str) -> None:
        nonlocal part
        part += 1
        body.append(Heading(f"{decree30.roman(part)}.", text))

    cov = data.coverage_total
    heading(_("Công tác triển khai và đăng ký thi đua"))
    body.append(
        Para.of(
            _(
                "%(units)s / %(grassroots)s công đoàn cơ sở đã gửi đăng ký thi đua (%(unit_rate)s); "
                "%(members)s / %(all)s đoàn viên đăng ký danh hiệu thi đua (%(member_rate)s)."
            )
            % {
                "units": plain_number(cov.registered_units),
                "grassroots": plain_number(cov.grassroots),
                "unit_rate": _pct(cov.registered_units, cov.grassroots),
                "members": plain_number(cov.registered_members),
                "all": plain_number(cov.members),
                "member_rate": _pct(cov.registered_members, cov.members),
            }
        )
    )

    heading(_("Tình hình báo cáo kết quả"))
    t = board.total
    body.append(
        Para.of(
            _(
                "%(owed)s đơn vị phải báo cáo; %(sent)s đã gửi (%(rate)s), trong đó %(verified)s đã được cấp trên "
                "xác nhận, %(late)s gửi muộn; %(missing)s chưa gửi; %(returned)s bị trả lại để bổ sung."
            )
            % {
                "owed": plain_number(t.owed),
                "sent": plain_number(t.sent),
                "rate": _pct(t.sent, t.owed),
                "verified": plain_number(t.verified),
                "late": plain_number(t.late),
                "missing": plain_number(t.not_sent),
                "returned": plain_number(t.returned),
            }
        )
    )
    body.append(
        decree30.Table(
            headers=(_("Đơn vị"), _("Phải báo cáo"), _("Đã gửi"), _("Đã xác nhận"), _("Chưa gửi"), _("Gửi muộn")),
            rows=tuple(
                (
                    row.unit.name,
                    *(
                        plain_number(n)
                        for n in (
                            row.total.owed,
                            row.total.sent,
                            row.total.verified,
                            row.total.not_sent,
                            row.total.late,
                        )
                    ),
                )
                for row in board.rows
            ),
            widths=(5.2, 1.5, 1.3, 1.5, 1.3, 1.3),
            numeric=(1, 2, 3, 4, 5),
        )
    )

    heading(_("Kết quả thực hiện các tiêu chí thi đua"))
    answered = [c for c in data.criteria if c.reports]
    if answered:
        for index, item in enumerate(answered):
            body.append(Para.of(f"{item.criterion.name}: {item.result}.", label=f"{decree30.letter(index)})"))
    else:
        body.append(Para.of(_("Chưa có báo cáo nào được xác nhận trong kỳ.")))

    heading(_("Xếp hạng thi đua"))
    body.append(Para.of(str(scoring.FORMULA)))
    body.append(Para.of(str(scoring.TIE_BREAK)))
    if data.ranking:
        body.append(
            decree30.Table(
                headers=(_("Hạng"), _("Đơn vị"), _("Điểm")),
                rows=tuple((str(r.position), r.unit.name, plain_number(r.score)) for r in data.ranking),
                widths=(1, 6, 1.4),
                numeric=(0, 2),
            )
        )

    heading(_("Công tác kiểm tra"))
    body.append(Para.of(inspection_text(data.inspections)))

    heading(_("Đánh giá chung và phương hướng"))
    body.append(
        Para.of(
            _(
                "(Đơn vị bổ sung nhận xét ưu điểm, hạn chế, nguyên nhân, bài học kinh nghiệm và phương hướng, "
                "nhiệm vụ thời gian tới trước khi trình ký.)"
            ),
            italic=True,
        )
    )
    return body


def inspection_text(summary: InspectionSummary) -> str:
    if not summary.targets:
        return _("Trong kỳ chưa có đợt kiểm tra nào tại các đơn vị.")
    findings = summary.findings
    follow = summary.follow_ups
    return _(
        "%(rounds)s đợt kiểm tra tại %(targets)s lượt đơn vị; kết luận %(good)s cách làm hay, %(short)s tồn tại, "
        "hạn chế, %(bad)s sai phạm; %(total)s yêu cầu khắc phục, trong đó %(closed)s đã hoàn thành, "
        "%(open)s đang thực hiện (%(overdue)s quá hạn), %(done)s chờ cấp kiểm tra xác nhận."
    ) % {
        "rounds": plain_number(summary.rounds),
        "targets": plain_number(summary.targets),
        "good": plain_number(findings[Finding.Severity.GOOD]),
        "short": plain_number(findings[Finding.Severity.SHORTCOMING]),
        "bad": plain_number(findings[Finding.Severity.VIOLATION]),
        "total": plain_number(follow["total"]),
        "closed": plain_number(follow["closed"]),
        "open": plain_number(follow["open"]),
        "overdue": plain_number(follow["overdue"]),
        "done": plain_number(follow["done"]),
    }


def review_document(data: Review) -> decree30.Document:
    root = data.root
    parent = Unit.objects.filter(pk=root.parent_id).only("name").first()
    short = root.short_name or root.code
    verb = data.kind_label.lower()
    return decree30.Document(
        parent_body=parent.name if parent else "",
        issuer_body=root.name,
        symbol=f"BC-{short}",
        sequence=None,  # numbered and dated by the clerk when it is signed
        place=root.document_place() or data.plan.place,
        day=None,
        kind="BÁO CÁO",
        summary=_("%(verb)s phong trào thi đua theo Kế hoạch số %(number)s, từ ngày %(start)s đến ngày %(end)s")
        % {
            "verb": data.kind_label,
            "number": data.plan.document_number,
            "start": _day(data.period.start),
            "end": _day(data.period.end),
        },
        body=review_body(data),
        signers=[decree30.Signer("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "")],
        recipients=[
            *([f"{parent.name} (b/c)"] if parent else []),
            _("Các đơn vị trực thuộc"),
            _("Lưu: VT"),
        ],
        appendices=[
            decree30.Appendix(
                number="Phụ lục",
                title=_("Số liệu chi tiết"),
                reference=_("(Kèm theo Báo cáo %(verb)s; bảng tính Excel đi kèm có đủ số liệu từng đơn vị)")
                % {"verb": verb},
                blocks=(
                    decree30.Table(
                        headers=(_("Tiêu chí"), _("Báo cáo"), _("Kết quả")),
                        rows=tuple((c.criterion.name, str(c.reports), c.result) for c in data.criteria if c.reports),
                    ),
                ),
            )
        ],
        state="draft",
        author=root.name,
        keywords=data.plan.document_number,
    )


# --- the .xlsx annex ----------------------------------------------------------------------------


def review_workbook(data: Review) -> Any:
    workbook = new_workbook()
    about = [
        _("Đơn vị: %(unit)s") % {"unit": data.root.name},
        _("Kế hoạch: %(plan)s") % {"plan": data.plan.document_number},
        _("Kỳ: %(period)s (%(start)s – %(end)s)")
        % {"period": data.period.name, "start": _day(data.period.start), "end": _day(data.period.end)},
    ]
    name = data.kind_label
    add_sheet(
        workbook,
        _("Báo cáo"),
        [
            _("Đơn vị"),
            Header(_("Phải báo cáo"), INTEGER),
            Header(_("Đã gửi"), INTEGER),
            Header(_("Đã xác nhận"), INTEGER),
            Header(_("Bị trả lại"), INTEGER),
            Header(_("Chưa gửi"), INTEGER),
            Header(_("Gửi muộn"), INTEGER),
            Header(_("Tỷ lệ đã gửi"), PERCENT),
        ],
        (
            [
                r.unit.name,
                r.total.owed,
                r.total.sent,
                r.total.verified,
                r.total.returned,
                r.total.not_sent,
                r.total.late,
                r.total.sent_rate,
            ]
            for r in data.board.rows
        ),
        title=Title(_("%(name)s – tình hình báo cáo kết quả") % {"name": name}, about),
    )
    add_sheet(
        workbook,
        _("Tiêu chí"),
        [
            _("Tiêu chí"),
            _("Kiểu"),
            Header(_("Báo cáo đã xác nhận"), INTEGER),
            Header(_("Tổng kết quả"), DECIMAL),
            Header(_("Bình quân"), DECIMAL),
            Header(_("Tỷ lệ đạt"), PERCENT),
        ],
        (
            [c.criterion.name, c.criterion.get_kind_display(), c.reports, c.total, c.average, c.rate]
            for c in data.criteria
        ),
        title=Title(_("%(name)s – kết quả theo tiêu chí") % {"name": name}, about),
    )
    add_sheet(
        workbook,
        _("Xếp hạng"),
        [Header(_("Hạng"), INTEGER), _("Đơn vị"), Header(_("Điểm"), DECIMAL), Header(_("Đúng hạn"), INTEGER)],
        ([r.position, r.unit.name, r.score, r.on_time] for r in data.ranking),
        title=Title(_("%(name)s – xếp hạng thi đua") % {"name": name}, [*about, str(scoring.TIE_BREAK)]),
    )
    cov = [*data.coverage_rows, data.coverage_total]
    add_sheet(
        workbook,
        _("Đăng ký"),
        [
            _("Đơn vị"),
            Header(_("Đoàn viên"), INTEGER),
            Header(_("Đoàn viên đã đăng ký"), INTEGER),
            Header(_("CĐCS"), INTEGER),
            Header(_("CĐCS đã đăng ký"), INTEGER),
        ],
        ([r.unit.name, r.members, r.registered_members, r.grassroots, r.registered_units] for r in cov),
        title=Title(_("%(name)s – đăng ký thi đua") % {"name": name}, about),
    )
    return workbook
