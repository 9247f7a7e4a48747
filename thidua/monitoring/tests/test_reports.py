"""Reporting: the calendar and its inheritance, typed values, the review chain, closed periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thidua.accounts.roles import Role
from thidua.campaigns.models import Plan
from thidua.core.transitions import state_token
from thidua.monitoring import scoring, services, tallies
from thidua.monitoring.models import CriterionTally, Period, Report, Tally
from thidua.monitoring.tests.factories import campaign, report_of, root_period, values_for
from thidua.testing import build_world, make_user

pytestmark = pytest.mark.django_db


def snapshot():
    """Every tally row and every criterion tally row, in order."""
    states = Tally.objects.values_list(
        "period_id", "path", "depth", "due", "draft", "submitted", "returned", "verified", "late", "score_sum"
    )
    values = CriterionTally.objects.exclude(reports=0).values_list(  # a row counting nothing is as good as none
        "period_id", "path", "criterion_id", "reports", "total", "done", "reached"
    )
    return sorted(states) + sorted(values)


def assert_tallies_exact():
    """What the incremental updates left equals a recount from the reports."""
    kept = snapshot()
    tallies.rebuild()
    assert snapshot() == kept


def test_every_unit_the_plan_applies_to_owes_a_report_per_period_and_lower_plans_inherit():
    world = build_world()
    plan = campaign(world)
    owing = set(Report.objects.values_list("unit__code", "period__name"))
    months = {"Tháng 01/2025", "Tháng 02/2025"}
    assert owing == {(code, m) for code in ("D1", "D2", "G1", "G1b") for m in months}
    implementation = Plan.objects.get(parent=plan)
    copies = Period.objects.filter(plan=implementation)
    assert {p.name for p in copies} == months
    assert all(p.root.plan_id == plan.pk for p in copies)  # roll-ups key on the campaign's periods
    # A level below may not drop what it inherited.
    with pytest.raises(ValidationError):
        services.period_delete(period=copies.first(), by=None)
    # A period the campaign adds later reaches every level at once.
    services.period_add(
        plan=plan,
        by=None,
        kind="interim",
        name="Sơ kết quý I",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
        due_on=dt.date(2025, 4, 5),
    )
    assert Report.objects.filter(period__name="Sơ kết quý I").count() == 4
    assert_tallies_exact()


def test_lower_level_adds_its_own_period_for_its_units_only():
    world = build_world()
    plan = campaign(world)
    implementation = Plan.objects.get(parent=plan)
    services.period_add(
        plan=implementation,
        by=None,
        kind="custom",
        name="Kiểm tra giữa kỳ",
        start=dt.date(2025, 2, 1),
        end=dt.date(2025, 2, 15),
        due_on=dt.date(2025, 2, 20),
    )
    assert set(Report.objects.filter(period__name="Kiểm tra giữa kỳ").values_list("unit__code", flat=True)) == {
        "G1",
        "G1b",
    }


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("number", "mười", "cần một số"),
        ("number", "-1", "không được âm"),
        ("number", "1.234", "tối đa hai chữ số thập phân"),
        ("number", "1e20", "số quá lớn"),
        ("number", "NaN", "cần một số"),
        ("number", True, "cần một số"),
        ("score", "11", "điểm tối đa"),
        ("yes_no", "có lẽ", "chọn có hoặc không"),
    ],
)
def test_values_of_the_wrong_type_or_out_of_range_are_refused_naming_the_criterion(kind, raw, message):
    world = build_world()
    campaign(world)
    report = report_of(world.G1)
    criterion = next(c for c in services.criteria_of(report) if c.kind == kind)
    with pytest.raises(ValidationError) as caught:
        services.report_save(report=report, by=None, values={criterion.pk: raw}, narrative="")
    assert message in " ".join(caught.value.messages)
    assert criterion.name in " ".join(caught.value.messages)
    assert Report.objects.get(pk=report.pk).status == Report.Status.DUE  # nothing written


def test_the_weighted_formula():
    world = build_world()
    campaign(world)
    report = report_of(world.G1)
    # done (1 × 1) + 1 of 2 initiatives (1 × 0.5) + 8 of 10 points (2 × 0.8) = 3.1 of 4 → 77.5
    services.report_save(report=report, by=None, values=values_for(report), narrative="Đã phát động")
    assert Report.objects.get(pk=report.pk).self_score == Decimal("77.50")
    criteria = services.criteria_of(report)
    assert scoring.total(criteria, {}) == Decimal("0.00")
    assert "Σ" in str(scoring.FORMULA)


def test_the_review_chain_from_draft_to_verified_with_a_return_and_a_reopen():
    world = build_world()
    campaign(world)
    grassroots, district = world.users["grassroots"], world.users["district"]
    report = report_of(world.G1)
    services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Kết quả tháng 1")
    services.report_submit(report=report, by=grassroots, today=dt.date(2025, 2, 7))
    report = report_of(world.G1)
    assert report.status == Report.Status.SUBMITTED and report.late  # after 05/02: late, same period
    assert_tallies_exact()

    with pytest.raises(ValidationError):  # a return needs its reason
        services.report_return(report=report, by=district, comment="  ")
    with pytest.raises(PermissionDenied):  # the unit does not verify itself
        services.report_verify(report=report, by=grassroots)
    services.report_return(report=report, by=district, comment="Thiếu biên bản phát động")
    report = report_of(world.G1)
    services.report_save(
        report=report, by=grassroots, values=values_for(report, initiatives="2"), narrative="Bổ sung biên bản"
    )
    services.report_submit(report=report, by=grassroots, today=dt.date(2025, 2, 8))
    services.report_verify(report=report_of(world.G1), by=district)
    report = report_of(world.G1)
    assert report.status == Report.Status.VERIFIED and report.late
    assert [e.action for e in report.events.all()] == ["start", "submit", "return", "submit", "verify"]
    assert_tallies_exact()
    tally = Tally.objects.get(
        period=root_period(Plan.objects.get(parent=None, issuer=world.P)), path=world.P.path, depth=world.G1.depth
    )
    assert (tally.verified, tally.late, tally.score_sum) == (1, 1, report.score)
    # Its values count under the campaign's own criterion at every level above it.
    initiatives = CriterionTally.objects.filter(
        period=tally.period, criterion__name="Sáng kiến", criterion__source__isnull=True
    )
    assert {(t.path, t.reports, t.total, t.reached) for t in initiatives} == {
        (path, 1, Decimal("2"), 1) for path in (world.R.path, world.P.path, world.D1.path)
    }

    # A verified report is not changed by the unit; the level above reopens it with a reason.
    with pytest.raises(ValidationError):
        services.report_save(report=report, by=grassroots, values={}, narrative="Sửa lén")
    with pytest.raises(ValidationError):
        services.report_reopen(report=report, by=district, reason="")
    services.report_reopen(report=report, by=district, reason="Sai số liệu sáng kiến")
    assert report_of(world.G1).status == Report.Status.RETURNED
    assert {(t.reports, t.total, t.reached) for t in initiatives.all()} == {(0, Decimal(0), 0)}
    assert_tallies_exact()


def test_score_adjustments_keep_the_original_and_each_level():
    world = build_world()
    campaign(world)
    grassroots, district, province = (world.users[k] for k in ("grassroots", "district", "province"))
    report = report_of(world.G1)
    services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Kết quả")
    services.report_submit(report=report, by=grassroots, today=dt.date(2025, 2, 3))
    services.report_verify(report=report_of(world.G1), by=district)
    with pytest.raises(PermissionDenied):
        services.score_adjust(report=report_of(world.G1), by=grassroots, score="100", reason="Tự nâng điểm")
    with pytest.raises(ValidationError):
        services.score_adjust(report=report_of(world.G1), by=district, score="101", reason="Quá thang điểm")
    services.score_adjust(report=report_of(world.G1), by=district, score="70", reason="Minh chứng chưa đủ")
    services.score_adjust(report=report_of(world.G1), by=province, score="72,5", reason="Phúc tra của tỉnh")
    report = report_of(world.G1)
    assert report.self_score == Decimal("77.50") and report.score == Decimal("72.50")
    assert [(a.level.code, a.before, a.after) for a in report.adjustments.all()] == [
        ("D1", Decimal("77.50"), Decimal("70.00")),
        ("P", Decimal("70.00"), Decimal("72.50")),
    ]
    assert_tallies_exact()


def test_a_closed_period_freezes_its_reports_and_reopening_is_audited():
    world = build_world()
    plan = campaign(world)
    grassroots, province = world.users["grassroots"], world.users["province"]
    period = root_period(plan)
    report = report_of(world.G1)
    services.period_close(period=period, by=province)
    assert Period.objects.filter(root=period).values_list("status", flat=True).distinct().get() == "closed"
    with pytest.raises(ValidationError, match="đã chốt"):
        services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Muộn quá")
    with pytest.raises(ValidationError):
        services.period_reopen(period=period, by=province, reason="")
    district_officer = world.users["district"]
    with pytest.raises(PermissionDenied):  # only the campaign's level reopens
        services.period_reopen(period=period, by=district_officer, reason="Xin mở")
    services.period_reopen(period=period, by=province, reason="Bổ sung báo cáo của huyện Hai")
    assert [(e.action, e.reason) for e in period.events.all()] == [
        ("close", ""),
        ("reopen", "Bổ sung báo cáo của huyện Hai"),
    ]
    services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Đã bổ sung")


def test_only_the_level_directly_above_verifies():
    world = build_world()
    campaign(world)
    province = world.users["province"]
    grassroots = world.users["grassroots"]
    report = report_of(world.G1)
    services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Kết quả")
    services.report_submit(report=report, by=grassroots, today=dt.date(2025, 2, 3))
    with pytest.raises(PermissionDenied):  # the province is two levels above a grassroots union
        services.report_verify(report=report_of(world.G1), by=province)
    d1 = report_of(world.D1)
    services.report_save(report=d1, by=world.users["district"], values=values_for(d1), narrative="Huyện Một")
    services.report_submit(report=d1, by=world.users["district"], today=dt.date(2025, 2, 3))
    services.report_verify(report=report_of(world.D1), by=province)


def test_a_stale_page_cannot_verify_a_report_returned_and_sent_again():
    world = build_world()
    campaign(world)
    grassroots, district = world.users["grassroots"], world.users["district"]
    report = report_of(world.G1)
    services.report_save(report=report, by=grassroots, values=values_for(report), narrative="Kết quả")
    services.report_submit(report=report, by=grassroots, today=dt.date(2025, 2, 3))
    seen = state_token(report_of(world.G1))
    services.report_return(report=report_of(world.G1), by=district, comment="Thiếu minh chứng")
    services.report_submit(report=report_of(world.G1), by=grassroots, today=dt.date(2025, 2, 4))
    with pytest.raises(ValidationError):
        services.report_verify(report=report_of(world.G1), by=district, seen=seen)


def test_an_officer_of_another_branch_cannot_write_a_report():
    world = build_world()
    campaign(world)
    stranger = make_user("nguoi-la", (world.D3, Role.OFFICER))
    report = report_of(world.G1)
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, by=stranger, values={}, narrative="Chen ngang")
