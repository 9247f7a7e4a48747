"""The workers' loop: every round beats its heartbeat, a failed round is recorded and survived,
and the two commands that run as workers use it."""

from __future__ import annotations

import io
import logging
import os
import signal

import pytest
from django.core.management import call_command
from django.db import OperationalError

from thidua.monitoring import reminders
from thidua.monitoring.tests.factories import campaign
from thidua.notifications.models import Notification
from thidua.ops.models import Heartbeat
from thidua.ops.workers import run_loop
from thidua.testing import build_world

# The loop closes stale connections between rounds, as Django does between requests: these tests
# run outside a wrapping transaction (transaction=True) so that it may.
pytestmark = pytest.mark.django_db(transaction=True)


def stop_after(rounds: int, results: list[object] | None = None):
    """A round of work that records itself and sends SIGTERM to this process at round ``rounds``;
    ``results`` says what each round does: an exception is raised, anything else returned."""
    done: list[Heartbeat | None] = []

    def work() -> None:
        done.append(Heartbeat.objects.filter(name="test").first())  # the row as the round starts
        if len(done) == rounds:
            os.kill(os.getpid(), signal.SIGTERM)
        outcome = results[len(done) - 1] if results and len(done) <= len(results) else None
        if isinstance(outcome, Exception):
            raise outcome

    return work, done


def test_every_round_beats_the_heartbeat_and_a_signal_stops_the_loop():
    work, done = stop_after(3)
    lines: list[str] = []
    before = signal.getsignal(signal.SIGTERM)
    run_loop("test", 0.01, work, doing="testing", say=lines.append)
    assert len(done) == 3
    assert [row.iterations for row in done] == [0, 1, 2]  # registered, then one beat after each round
    beat = Heartbeat.objects.get(name="test")
    assert beat.iterations == 3 and beat.pid == os.getpid() and beat.interval_s == 0.01
    assert beat.last_ok_at == beat.beat_at and beat.last_error == ""
    assert lines == ["Received SIGTERM, finishing.", "Stopped."]
    assert signal.getsignal(signal.SIGTERM) is before  # the process's own handling is given back


def test_last_round_runs_once_more_after_the_signal():
    work, done = stop_after(2)
    run_loop("test", 0.01, work, doing="testing", say=lambda _line: None, last_round=True)
    assert len(done) == 3 and Heartbeat.objects.get(name="test").iterations == 3


def test_a_failed_round_is_logged_recorded_and_cleared_by_the_next_success(caplog):
    rows: list[Heartbeat] = []
    work, _done = stop_after(3, [OperationalError("database restarting"), None, None])

    def watched() -> None:
        if len(_done) == 1:
            rows.append(Heartbeat.objects.get(name="test"))  # after the failed round's beat
        work()

    with caplog.at_level(logging.ERROR):
        run_loop("test", 0.01, watched, doing="testing the loop", say=lambda _line: None)
    failed = rows[0]
    assert failed.iterations == 1 and failed.last_ok_at is None
    assert failed.last_error == "OperationalError: database restarting"
    assert "testing the loop failed; retrying at the next round" in caplog.text
    beat = Heartbeat.objects.get(name="test")
    assert beat.iterations == 3 and beat.last_error == "" and beat.last_ok_at == beat.beat_at


def test_a_deleted_heartbeat_comes_back_and_a_restart_takes_the_row_over():
    Heartbeat.objects.create(
        name="test", host="old-host", pid=1, interval_s=60, started_at="2025-01-01T00:00Z", beat_at="2025-01-01T00:00Z"
    )

    def work() -> None:
        Heartbeat.objects.filter(name="test").delete()  # an operator forgets a retired worker meanwhile
        os.kill(os.getpid(), signal.SIGTERM)

    run_loop("test", 0.01, work, doing="testing", say=lambda _line: None)
    beat = Heartbeat.objects.get(name="test")
    assert beat.pid == os.getpid() and beat.host != "old-host" and beat.iterations == 1


def test_a_heartbeat_that_cannot_be_written_does_not_stop_the_worker(monkeypatch, caplog):
    rounds: list[int] = []

    def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    def refuse(*_args, **_kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(Heartbeat.objects, "update_or_create", refuse)
    monkeypatch.setattr(Heartbeat.objects, "filter", refuse)
    with caplog.at_level(logging.ERROR):
        run_loop("test", 0.01, work, doing="testing", say=lambda _line: None)
    assert rounds == [0, 1]  # both rounds ran
    assert "registering the worker test failed" in caplog.text
    assert caplog.text.count("writing the heartbeat of test failed") == 2


def test_send_reminders_loop_reminds_and_beats(monkeypatch):
    world = build_world()
    campaign(world)

    real_pass, passes = reminders.run_pass, []

    def one_pass(**kwargs):
        passes.append(kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return real_pass(**kwargs)

    monkeypatch.setattr(reminders, "run_pass", one_pass)
    out = io.StringIO()
    call_command("send_reminders", "--loop", "--interval", "30", "--today", "05/02/2025", stdout=out)
    assert len(passes) == 1  # SIGTERM ended the 30-second wait at once
    assert Notification.objects.filter(user=world.users["grassroots"]).exists()
    beat = Heartbeat.objects.get(name="send_reminders")
    assert beat.iterations == 1 and beat.interval_s == 30 and beat.last_ok_at is not None
    output = out.getvalue()
    assert "Received SIGTERM, finishing." in output and output.endswith("4 reports reminded, 2 messages.\nStopped.\n")
