"""Reminders escalate on a controlled clock, and each is sent once, even by copies running at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from thidua.accounts.roles import Role
from thidua.campaigns import services as campaigns
from thidua.monitoring import reminders, services
from thidua.monitoring.models import Period, Report
from thidua.monitoring.tests.factories import campaign, report_of, values_for
from thidua.notifications.models import Notification
from thidua.testing import build_world, make_user, run_concurrently

DUE = dt.date(2025, 2, 5)  # January's reports


def messages_to(user):
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


@pytest.mark.django_db
def test_reminders_before_on_and_after_the_due_date_escalate_to_the_level_above(
    settings, django_capture_on_commit_callbacks
):
    settings.THIDUA_ESCALATE_AFTER_DAYS = 5
    settings.THIDUA_REMIND_DAYS_BEFORE = 3
    world = build_world()
    campaign(world)
    grassroots, district, province = (world.users[k] for k in ("grassroots", "district", "province"))
    grassroots.email = "g1@example.org"
    grassroots.save()
    # G1 sends January on time: it is never reminded about January again.
    done = report_of(world.G1b)
    make_user("g1b", (world.G1b, Role.OFFICER))
    services.report_save(report=done, by=None, values=values_for(done), narrative="Đúng hạn")
    services.report_submit(report=done, by=None, today=dt.date(2025, 2, 1))

    assert reminders.run_pass(today=dt.date(2025, 2, 1)).claimed == 0  # four days before: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.run_pass(today=dt.date(2025, 2, 2))  # three days before
    assert [m for m in messages_to(grassroots) if "Sắp đến hạn" in m] == [
        "Sắp đến hạn báo cáo Tháng 01/2025 (05/02/2025) của Công đoàn cơ sở Trường Một."
    ]
    assert first.claimed == 3  # G1, D1, D2 (G1b has sent)
    assert [m.to for m in mail.outbox] == [["g1@example.org"]]  # e-mail leaves after commit
    assert "Nhắc báo cáo" in mail.outbox[0].subject
    assert reminders.run_pass(today=dt.date(2025, 2, 3)).claimed == 0  # the same stage is not sent again

    reminders.run_pass(today=DUE)
    assert any("Hôm nay hoặc đã qua hạn" in m for m in messages_to(grassroots))
    assert not any("Công đoàn cơ sở Trường Một chưa gửi" in m for m in messages_to(district))

    reminders.run_pass(today=DUE + dt.timedelta(days=4))  # not yet N days late
    assert not any("đề nghị cấp trên đôn đốc" in m for m in messages_to(district))
    reminders.run_pass(today=DUE + dt.timedelta(days=5))
    escalated = [m for m in messages_to(district) if "Công đoàn cơ sở Trường Một chưa gửi" in m]
    assert len(escalated) == 1  # the district is told about its grassroots union
    assert any("Liên đoàn Lao động huyện Một chưa gửi" in m for m in messages_to(province))
    reminders.run_pass(today=DUE + dt.timedelta(days=30))  # February's stages run; January's are done
    assert len([m for m in messages_to(district) if "Công đoàn cơ sở Trường Một chưa gửi báo cáo Tháng 01" in m]) == 1
    assert report_of(world.G1b).reminder_stage == 0  # sent on time: never reminded about January


@pytest.mark.django_db
def test_an_officer_who_turned_email_off_is_reminded_in_the_app_only(django_capture_on_commit_callbacks):
    world = build_world()
    campaign(world)
    grassroots = world.users["grassroots"]
    grassroots.email = "g1@example.org"
    grassroots.email_notifications = False
    grassroots.save()
    district = world.users["district"]
    district.email = "d1@example.org"
    district.save()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_pass(today=DUE)
    assert messages_to(grassroots)
    assert [m.to for m in mail.outbox] == [["d1@example.org"]]  # the district's own report


@pytest.mark.django_db
def test_a_late_start_sends_only_the_furthest_stage():
    world = build_world()
    campaign(world)
    reminders.run_pass(today=DUE + dt.timedelta(days=20))
    texts = messages_to(world.users["grassroots"])
    january = [t for t in texts if "Tháng 01/2025" in t]
    assert len(january) == 1 and "chưa gửi báo cáo" in january[0]
    assert Report.objects.get(unit=world.G1, period__name="Tháng 01/2025").reminder_stage == reminders.ESCALATED


@pytest.mark.django_db
def test_the_command_runs_once_for_a_given_day():
    world = build_world()
    campaign(world)
    call_command("send_reminders", "--today", "05/02/2025", verbosity=0)
    assert messages_to(world.users["grassroots"])


@pytest.mark.django_db
def test_batches_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    world = build_world()
    campaign(world)
    for i in range(12):
        make_user(f"can-bo-{i}", (world.G1, Role.OFFICER))
    with django_assert_max_num_queries(40):  # 3 stages × (claim, update, officers, insert) + empty rounds
        result = reminders.run_pass(today=DUE, batch=2)
    assert result.claimed == 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_copies_running_at_once_send_each_reminder_once():
    world = build_world()
    campaign(world)
    outcomes = run_concurrently(*[(lambda: reminders.run_pass(today=DUE, batch=1)) for _ in range(4)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.claimed for o in outcomes) == 4  # D1, D2, G1, G1b: each claimed by exactly one copy
    grassroots = world.users["grassroots"]
    assert len(messages_to(grassroots)) == 1


@pytest.mark.django_db
def test_a_recalled_plan_or_a_closed_period_reminds_nobody():
    world = build_world()
    plan = campaign(world)
    services.period_close(period=Period.objects.get(plan=plan, name="Tháng 01/2025"), by=None)
    assert reminders.run_pass(today=DUE).claimed == 0  # January closed
    campaigns.plan_recall(plan=plan, by=None, reason="Ban hành nhầm")
    assert reminders.run_pass(today=DUE + dt.timedelta(days=28)).claimed == 2  # D1's own plan still runs
    assert set(Report.objects.filter(reminder_stage__gt=0).values_list("unit__code", flat=True)) == {"G1", "G1b"}
