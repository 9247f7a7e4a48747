"""``manage.py flush_views``: once, and as the worker (``--loop``) that keeps the daily rows current."""

from __future__ import annotations

import io
import logging
import os
import signal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from thidua.portal import counting
from thidua.portal.tests.factories import make_article
from thidua.portal.tests.test_buffer import BROWSER, db_total, read
from thidua.testing import make_unit

# The worker closes stale connections between rounds, as Django does between requests: these
# tests run outside a wrapping transaction (transaction=True) so that it may.


@pytest.fixture
def article(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    unit = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    return make_article(unit, "Đại hội", public=True)


def worker(*options: str) -> str:
    out = io.StringIO()
    call_command("flush_views", "--loop", *options, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_flushes_every_interval_until_a_signal(buffered, article, monkeypatch, signum):
    reader = Client()
    real_flush, rounds = buffered.flush, []

    def flush() -> int:
        moved = real_flush()
        rounds.append(moved)
        if len(rounds) < 3:
            read(reader, article, ua=f"{BROWSER} #{len(rounds)}")  # a reader between two rounds
        elif len(rounds) == 3:
            os.kill(os.getpid(), signum)  # systemd stopping the service, or Ctrl-C
        return moved

    monkeypatch.setattr(buffered, "flush", flush)
    read(reader, article)  # before the worker starts
    before = signal.getsignal(signum)
    output = worker("--interval", "0.01")
    assert rounds == [1, 1, 1, 0]  # three rounds, each moving the view read since; one last on the way out
    assert db_total() == 3 == counting.site_figures().total
    assert f"Received {signal.Signals(signum).name}, finishing." in output and output.endswith("Stopped.\n")
    assert signal.getsignal(signum) is before  # the process's own handling is given back


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_running_when_a_flush_fails(buffered, article, monkeypatch, caplog):
    real_flush, rounds = buffered.flush, []

    def flush() -> int:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise ConnectionError("database restarting")
        if len(rounds) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return real_flush()

    monkeypatch.setattr(buffered, "flush", flush)
    read(Client(), article)
    with caplog.at_level(logging.ERROR):
        worker("--interval", "0.01")
    assert len(rounds) == 3 and db_total() == 1
    assert "flushing buffered views failed; retrying at the next round" in caplog.text


@pytest.mark.django_db
def test_one_flush_without_loop(client, buffered, article):
    read(client, article)
    out = io.StringIO()
    call_command("flush_views", stdout=out)
    assert out.getvalue() == "1 buffered views written to the database.\n" and db_total() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--loop", "--rebuild"], "--rebuild is done once"),
        (["--loop", "--interval", "0"], "--interval must be more than 0"),
    ],
)
def test_the_worker_refuses_options_that_make_no_sense(buffered, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("flush_views", *options)


@pytest.mark.django_db
@pytest.mark.parametrize("options", [[], ["--loop"]])
def test_without_a_buffer_there_is_nothing_to_flush(options):
    assert counting.redis_buffer() is None
    with pytest.raises(CommandError, match="No view buffer configured"):
        call_command("flush_views", *options)
