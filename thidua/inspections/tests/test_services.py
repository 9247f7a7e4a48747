"""Inspections: who may plan, conclude and follow through, what input is refused, and overdue."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.accounts.roles import Role
from thidua.campaigns import services as campaigns
from thidua.campaigns.tests.factories import make_plan
from thidua.core.transitions import state_token
from thidua.inspections import selectors, services
from thidua.inspections.models import Finding, FollowUp, FollowUpEvent, Inspection, InspectionTarget
from thidua.notifications.models import Notification
from thidua.testing import make_user

from .factories import DUE, END, START, VISIT, finding_at, follow_up_for, fresh, province_plan, round_of, target_of

pytestmark = pytest.mark.django_db


def plan_for_d1_only(world):
    """P's plan given to D1 only: D2 does not implement it."""
    return campaigns.plan_issue(plan=make_plan(world.P), by=None, due_on=dt.date(2025, 3, 5), units=[world.D1])


def errors_of(exc_info) -> dict[str, list[str]]:
    return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc_info.value.error_dict.items()}


# --- planning a round -----------------------------------------------------------------------------


def test_the_issuer_and_units_the_plan_applies_to_plan_rounds_others_cannot(world):
    plan = province_plan(world)
    kwargs = {"plan": plan, "name": "Kiểm tra", "start": START, "end": END}
    by_province = services.inspection_create(unit=world.P, by=world.users["province"], **kwargs)
    assert by_province.status == Inspection.Status.PLANNED
    assert by_province.events.get().action == "create"
    # D1 holds an obligation of the plan: its officers inspect their own units under it.
    assert services.inspection_create(unit=world.D1, by=world.users["district"], **kwargs).unit == world.D1
    for unit, actor in ((world.P, "district"), (world.D1, "council"), (world.D3, "province"), (world.P2, "district")):
        with pytest.raises(ValidationError) as exc:
            services.inspection_create(unit=unit, by=world.users[actor], **kwargs)
        assert "unit" in exc.value.error_dict, (unit.code, actor)
    assert Inspection.objects.count() == 2


def test_a_unit_the_plan_does_not_reach_cannot_inspect_under_it(world):
    plan = plan_for_d1_only(world)
    officer = make_user("d2-officer", (world.D2, Role.OFFICER))
    with pytest.raises(ValidationError) as exc:
        services.inspection_create(plan=plan, unit=world.D2, by=officer, name="Kiểm tra", start=START, end=END)
    assert "Đơn vị kiểm tra phải là" in errors_of(exc)["unit"][0]


def test_a_draft_plan_is_not_inspected(world):
    draft = make_plan(world.P)
    with pytest.raises(ValidationError, match="đã ban hành"):
        services.inspection_create(plan=draft, unit=world.P, by=None, name="Kiểm tra", start=START, end=END)


@pytest.mark.parametrize(
    ("name", "start", "end", "field"),
    [
        ("  ", START, END, "name"),
        ("Kiểm tra", END, START, "end"),
        ("Kiểm tra", dt.date(2024, 12, 31), END, "start"),  # before the plan's window
        ("Kiểm tra", dt.date(2026, 1, 2), dt.date(2026, 1, 5), "start"),  # after it
        ("Kiểm tra", dt.date(2025, 1, 2), dt.date(2026, 2, 5), "end"),  # longer than a year
    ],
)
def test_bad_round_input_is_refused_in_vietnamese_and_nothing_is_written(world, name, start, end, field):
    plan = province_plan(world)
    with pytest.raises(ValidationError) as exc:
        services.inspection_create(plan=plan, unit=world.P, by=None, name=name, start=start, end=end)
    assert field in exc.value.error_dict
    assert Inspection.objects.count() == 0


def test_units_inspected_must_lie_below_the_inspecting_unit_and_in_the_plans_reach(world):
    plan = plan_for_d1_only(world)
    inspection = round_of(world, plan=plan, units=(world.D1,), start=False)
    with pytest.raises(ValidationError) as exc:
        services.targets_add(inspection=inspection, by=None, units=[world.D2], scheduled_on=VISIT)
    assert errors_of(exc)["units"] == ["Liên đoàn Lao động huyện Hai không thực hiện kế hoạch này."]
    # Another branch: refused without naming it (its name may be outside the officer's scope).
    for foreign in (world.G3, world.P, 10**9):
        with pytest.raises(ValidationError) as exc:
            services.targets_add(inspection=inspection, by=None, units=[foreign], scheduled_on=VISIT)
        assert "units" in exc.value.error_dict
        assert getattr(foreign, "name", "Tỉnh Alpha") not in str(exc.value)
    with pytest.raises(ValidationError, match="đã có trong đợt"):
        services.targets_add(inspection=inspection, by=None, units=[world.D1], scheduled_on=VISIT)
    with pytest.raises(ValidationError) as exc:
        services.targets_add(inspection=inspection, by=None, units=[world.G1], scheduled_on=END + dt.timedelta(1))
    assert "scheduled_on" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.targets_add(inspection=inspection, by=None, units=["x"], scheduled_on=VISIT)
    assert list(inspection.targets.values_list("unit__code", flat=True)) == ["D1"]


def test_only_the_inspecting_level_changes_a_round(world):
    inspection = round_of(world, start=False)
    for actor in ("district", "grassroots", "council"):
        with pytest.raises(PermissionDenied):
            services.targets_add(inspection=inspection, by=world.users[actor], units=[world.G1b], scheduled_on=VISIT)
        with pytest.raises(PermissionDenied):
            services.inspection_start(inspection=inspection, by=world.users[actor])
    services.targets_add(inspection=inspection, by=world.users["province"], units=[world.G1b], scheduled_on=VISIT)
    assert inspection.targets.count() == 3


def test_editing_a_round_keeps_its_units_days_inside_it_and_is_recorded(world):
    inspection = round_of(world, start=False)
    with pytest.raises(ValidationError, match="nằm ngoài thời gian mới"):
        services.inspection_update(inspection=inspection, by=None, name="Kiểm tra", start=dt.date(2025, 3, 15), end=END)
    services.inspection_update(
        inspection=inspection, by=world.users["province"], name="Kiểm tra đợt 1", start=START, end=END, note="Hồ sơ"
    )
    inspection.refresh_from_db()
    assert (inspection.name, inspection.note) == ("Kiểm tra đợt 1", "Hồ sơ")
    assert inspection.events.filter(action="edit").count() == 1
    assert inspection.history.count() >= 2


def test_a_round_starts_with_units_and_closes_when_every_unit_has_a_conclusion(world):
    plan = province_plan(world)
    empty = services.inspection_create(plan=plan, unit=world.P, by=None, name="Trống", start=START, end=END)
    with pytest.raises(ValidationError, match="thêm đơn vị"):
        services.inspection_start(inspection=empty, by=None)
    inspection = round_of(world, plan=plan, start=False)
    with pytest.raises(ValidationError, match="bắt đầu đợt kiểm tra"):
        finding_at(inspection, world.D1)
    services.inspection_start(inspection=inspection, by=world.users["province"])
    finding_at(inspection, world.D1)
    with pytest.raises(ValidationError) as exc:
        services.inspection_close(inspection=inspection, by=world.users["province"])
    assert "Công đoàn cơ sở Trường Một" in exc.value.messages[0]
    finding_at(inspection, world.G1)
    with pytest.raises(PermissionDenied):
        services.inspection_close(inspection=inspection, by=world.users["district"])
    services.inspection_close(inspection=inspection, by=world.users["province"], reason="Thông báo kết luận")
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.CLOSED
    assert [e.action for e in inspection.events.all()] == ["create", "targets", "start", "close"]
    # Closed: nothing more is concluded, no unit is added.
    with pytest.raises(ValidationError, match="đã kết thúc"):
        finding_at(inspection, world.D1)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        services.targets_add(inspection=inspection, by=None, units=[world.G1b], scheduled_on=VISIT)
    # The inspected units are told the conclusions are out.
    assert Notification.objects.filter(user=world.users["grassroots"], message__contains="đã kết thúc").exists()


def test_a_stale_page_cannot_start_a_round_twice(world):
    inspection = round_of(world, start=False)
    seen = state_token(inspection)
    services.inspection_start(inspection=inspection, by=None, seen=seen)
    again = Inspection.objects.get(pk=inspection.pk)
    with pytest.raises(ValidationError, match="người khác vừa xử lý"):
        services.inspection_start(inspection=again, by=None, seen=seen)


# --- findings -------------------------------------------------------------------------------------


def test_findings_are_recorded_by_the_inspecting_level_only_and_stored_nfc(world):
    inspection = round_of(world)
    target = target_of(inspection, world.G1)
    for actor in ("district", "grassroots", "council"):  # D1 is above G1, but it is not inspecting
        with pytest.raises(PermissionDenied):
            services.finding_add(target=target, by=world.users[actor], severity="good", text="Tốt")
    nfd = unicodedata.normalize("NFD", "Đơn vị chưa lập sổ theo dõi\r\nthi đua")
    finding = services.finding_add(target=target, by=world.users["province"], severity="violation", text=nfd)
    assert finding.text == "Đơn vị chưa lập sổ theo dõi\nthi đua"
    assert unicodedata.is_normalized("NFC", Finding.objects.get(pk=finding.pk).text)
    assert finding.created_by == world.users["province"]


@pytest.mark.parametrize(
    ("severity", "text", "field"),
    [("good", "   ", "text"), ("catastrophe", "Nội dung", "severity"), ("good", "x" * 5001, "text")],
)
def test_bad_findings_are_refused(world, severity, text, field):
    inspection = round_of(world)
    with pytest.raises(ValidationError) as exc:
        services.finding_add(target=target_of(inspection, world.D1), by=None, severity=severity, text=text)
    assert field in exc.value.error_dict
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bien-ban.pdf", b"MZ\x90\x00 not a pdf", "không khớp"),
        ("bien-ban.exe", b"MZ\x90\x00", "Chỉ nhận tệp"),
        ("bien-ban.pdf", b"", "rỗng"),
        ("bien-ban.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "quá lớn"),
    ],
)
def test_evidence_is_checked_by_its_bytes_and_a_refused_file_writes_nothing(world, name, content, message):
    inspection = round_of(world)
    with pytest.raises(ValidationError) as exc:
        services.finding_add(
            target=target_of(inspection, world.D1),
            by=None,
            severity="shortcoming",
            text="Thiếu hồ sơ",
            upload=SimpleUploadedFile(name, content),
        )
    assert message in " ".join(errors_of(exc)["evidence"])
    assert not Finding.objects.exists()


def test_a_finding_is_removed_only_while_nothing_follows_from_it(world):
    inspection = round_of(world)
    lone = finding_at(inspection, world.D1, evidence=True)
    followed = finding_at(inspection, world.D1, text="Thiếu biên bản")
    follow_up_for(followed)
    with pytest.raises(ValidationError, match="yêu cầu khắc phục"):
        services.finding_remove(finding=followed, by=None)
    with pytest.raises(PermissionDenied):
        services.finding_remove(finding=lone, by=world.users["grassroots"])
    services.finding_remove(finding=lone, by=world.users["province"])
    assert list(Finding.objects.values_list("pk", flat=True)) == [followed.pk]


def test_a_unit_with_a_conclusion_stays_in_the_round(world):
    inspection = round_of(world)
    finding_at(inspection, world.D1)
    with pytest.raises(ValidationError, match="Đã có kết luận"):
        services.target_remove(target=target_of(inspection, world.D1), by=None)
    services.target_remove(target=target_of(inspection, world.G1), by=world.users["province"])
    assert list(InspectionTarget.objects.values_list("unit__code", flat=True)) == ["D1"]


# --- follow-ups -----------------------------------------------------------------------------------


def test_a_follow_up_goes_to_the_inspected_unit_or_below_it_with_a_sensible_due_date(world):
    inspection = round_of(world)
    finding = finding_at(inspection, world.D1)
    assert follow_up_for(finding, world.G1b).owner == world.G1b  # a union below D1 fixes it
    for owner in (world.D2, world.P, world.G3):
        with pytest.raises(ValidationError) as exc:
            follow_up_for(finding, owner)
        assert "owner" in exc.value.error_dict
    for due_on in (VISIT - dt.timedelta(days=1), VISIT + dt.timedelta(days=800)):
        with pytest.raises(ValidationError) as exc:
            follow_up_for(finding, due_on=due_on)
        assert "due_on" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.followup_add(finding=finding, by=None, owner=world.D1, description=" ", due_on=DUE)
    assert "description" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.followup_add(
            finding=finding, by=world.users["district"], owner=world.D1, description="Sửa", due_on=DUE
        )
    assert FollowUp.objects.count() == 1


def test_the_owner_reports_done_the_inspecting_level_accepts_or_sends_back(world):
    inspection = round_of(world)
    follow_up = follow_up_for(finding_at(inspection, world.G1))
    grassroots, province = world.users["grassroots"], world.users["province"]
    # The owner's officers are told; the inspecting level is told of the report.
    assert Notification.objects.filter(user=grassroots, message__contains="khắc phục trước ngày 30/04/2025").exists()
    outsider = make_user("g1b-officer", (world.G1b, Role.OFFICER))
    with pytest.raises(PermissionDenied):
        services.followup_done(follow_up=follow_up, by=outsider, note="Xong")
    with pytest.raises(ValidationError) as exc:
        services.followup_done(follow_up=follow_up, by=grassroots, note="  ")
    assert "note" in exc.value.error_dict
    services.followup_done(follow_up=follow_up, by=grassroots, note="Đã lập sổ", today=dt.date(2025, 4, 20))
    assert Notification.objects.filter(user=province, message__contains="đã báo cáo khắc phục").exists()
    follow_up = fresh(follow_up)
    assert (follow_up.status, follow_up.done_on, follow_up.done_by) == ("done", dt.date(2025, 4, 20), grassroots)
    # The owner (and D1, above it but not inspecting) cannot accept their own remedy.
    for actor in ("grassroots", "district"):
        with pytest.raises(PermissionDenied):
            services.followup_close(follow_up=follow_up, by=world.users[actor])
        with pytest.raises(PermissionDenied):
            services.followup_reopen(follow_up=follow_up, by=world.users[actor], reason="Chưa đạt")
    with pytest.raises(ValidationError) as exc:
        services.followup_reopen(follow_up=follow_up, by=province, reason="")
    assert "reason" in exc.value.error_dict
    services.followup_reopen(follow_up=follow_up, by=province, reason="Chưa có biên bản")
    follow_up = fresh(follow_up)
    assert (follow_up.status, follow_up.comment, follow_up.done_on) == ("open", "Chưa có biên bản", None)
    services.followup_done(follow_up=follow_up, by=grassroots, note="Đã bổ sung biên bản")
    services.followup_close(follow_up=fresh(follow_up), by=province)
    follow_up = fresh(follow_up)
    assert follow_up.status == "closed" and follow_up.closed_by == province
    assert list(FollowUpEvent.objects.filter(follow_up=follow_up).values_list("action", "by__username")) == [
        ("create", None),
        ("done", "grassroots"),
        ("reopen", "province"),
        ("done", "grassroots"),
        ("close", "province"),
    ]
    with pytest.raises(ValidationError, match="Đã khắc phục, được xác nhận"):
        services.followup_done(follow_up=follow_up, by=grassroots, note="Lại")


def test_follow_ups_live_on_after_the_round_is_closed(world):
    inspection = round_of(world, units=(world.D1,))
    follow_up = follow_up_for(finding_at(inspection, world.D1))
    services.inspection_close(inspection=inspection, by=None)
    services.followup_done(follow_up=follow_up, by=world.users["district"], note="Đã sửa")
    services.followup_close(follow_up=fresh(follow_up), by=world.users["province"])
    assert fresh(follow_up).status == FollowUp.Status.CLOSED
    with pytest.raises(ValidationError, match="đã kết thúc"):
        follow_up_for(follow_up.finding)


# --- overdue, and what a board reads --------------------------------------------------------------


def test_overdue_means_open_after_the_due_date_counted_under_a_subtree(world, django_assert_num_queries):
    inspection = round_of(world, units=(world.D1, world.G1, world.D2))
    at_g1 = follow_up_for(finding_at(inspection, world.G1), due_on=dt.date(2025, 4, 30))
    at_d1 = follow_up_for(finding_at(inspection, world.D1), due_on=dt.date(2025, 4, 10))
    at_d2 = follow_up_for(finding_at(inspection, world.D2), due_on=dt.date(2025, 4, 20))
    on_due_day = dt.date(2025, 4, 30)
    assert list(selectors.overdue_followups(world.P, on_due_day)) == [at_d1, at_d2]  # due that day: not yet
    assert list(selectors.overdue_followups(world.P, dt.date(2025, 5, 1))) == [at_d1, at_d2, at_g1]
    assert list(selectors.overdue_followups(world.D1, dt.date(2025, 5, 1))) == [at_d1, at_g1]
    assert list(selectors.overdue_followups(world.G1b, dt.date(2025, 5, 1))) == []
    services.followup_done(follow_up=at_d1, by=None, note="Đã sửa")  # reported: no longer overdue
    services.followup_done(follow_up=at_d2, by=None, note="Đã sửa")
    services.followup_close(follow_up=fresh(at_d2), by=None)
    with django_assert_num_queries(1):
        counts = selectors.followup_counts(world.P, dt.date(2025, 5, 1))
    assert counts == {"open": 1, "overdue": 1, "done": 1, "closed": 1, "total": 3}
    assert selectors.followup_counts(world.D1, dt.date(2025, 4, 15)) == {
        "open": 1,
        "overdue": 0,
        "done": 1,
        "closed": 0,
        "total": 2,
    }
    services.followup_reopen(follow_up=fresh(at_d1), by=None, reason="Chưa đạt")  # sent back: overdue again
    assert list(selectors.overdue_followups(world.D1, dt.date(2025, 5, 1))) == [at_d1, at_g1]
    assert selectors.followup_counts(world.P2, dt.date(2025, 5, 1))["total"] == 0


def test_a_board_can_count_one_campaigns_follow_ups_only(world):
    plan = province_plan(world)
    other = province_plan(world)
    follow_up_for(finding_at(round_of(world, plan=plan, units=(world.D1,)), world.D1))
    follow_up_for(finding_at(round_of(world, plan=other, units=(world.D1,)), world.D1))
    # An implementation plan of the campaign counts with it.
    obligation = plan.obligations.get(unit=world.D1)
    district_plan = campaigns.implementation_start(obligation=obligation, by=None, issued_on=dt.date(2025, 3, 2))
    district_plan = campaigns.plan_issue(plan=district_plan, by=None, due_on=dt.date(2025, 3, 20))
    below = round_of(world, plan=district_plan, unit=world.D1, units=(world.G1,))
    follow_up_for(finding_at(below, world.G1))
    day = dt.date(2025, 6, 1)
    assert selectors.followup_counts(world.P, day)["overdue"] == 3
    assert selectors.followup_counts(world.P, day, campaign=plan)["overdue"] == 2
    assert selectors.followup_counts(world.P, day, campaign=district_plan)["overdue"] == 2
    assert selectors.overdue_followups(world.P, day, campaign=other).count() == 1
