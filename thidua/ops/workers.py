"""The loop every background worker runs (``manage.py <command> --loop``), with its heartbeat.

As healthchecks runs ``sendalerts``: a long-running management command is the worker. Each
round calls ``work()``; a failed round is logged and retried at the next one, never fatal.
After each round the worker's ``Heartbeat`` row records when it last ran and last succeeded,
which ``/healthz`` reads. SIGTERM (systemd, honcho) and SIGINT (Ctrl-C) end the wait at once;
a round under way finishes first.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from django.db import DatabaseError, close_old_connections
from django.db.models import F
from django.utils import timezone

from thidua.ops.models import Heartbeat

logger = logging.getLogger(__name__)
ERROR_CHARS = 2000  # of the last failure kept on the heartbeat row


@dataclass(frozen=True)
class Worker:
    name: str
    interval: float

    def register(self) -> None:
        """(Re)start the row: this host and pid, beating now; the last success and error stay."""
        now = timezone.now()
        Heartbeat.objects.update_or_create(
            name=self.name,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "interval_s": self.interval,
                "started_at": now,
                "beat_at": now,
                "iterations": 0,
            },
        )

    def beat(self, error: str) -> None:
        """One round done: ``error`` is empty when it succeeded. A database that does not answer
        is logged, not raised: the worker goes on and /healthz sees the heartbeat age."""
        now = timezone.now()
        fields: dict[str, object] = {"beat_at": now, "iterations": F("iterations") + 1, "last_error": error}
        if not error:
            fields["last_ok_at"] = now
        try:
            if not Heartbeat.objects.filter(name=self.name).update(**fields):
                self.register()  # the row was deleted (or never written): start it again
                Heartbeat.objects.filter(name=self.name).update(**fields)
        except DatabaseError:
            logger.exception("writing the heartbeat of %s failed", self.name)


def run_loop(
    name: str,
    interval: float,
    work: Callable[[], object],
    *,
    doing: str,
    say: Callable[[str], None],
    last_round: bool = False,
) -> None:
    """Call ``work()`` every ``interval`` seconds until SIGTERM or SIGINT, beating ``name``'s
    heartbeat after each call; with ``last_round``, once more on the way out (e.g. the views
    counted since the last flush). ``doing`` names the work in the log line of a failure;
    ``say`` prints the worker's own lines (the command's stdout)."""
    worker = Worker(name=name, interval=interval)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        say(f"Received {signal.Signals(signum).name}, finishing.")
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            worker.register()
        except DatabaseError:
            logger.exception("registering the worker %s failed; the first heartbeat will", name)
        while True:
            _round(worker, work, doing)
            if stop.wait(interval):
                break
        if last_round:
            _round(worker, work, doing)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    say("Stopped.")


def _round(worker: Worker, work: Callable[[], object], doing: str) -> None:
    close_old_connections()  # as after a request: a connection broken or too old is replaced
    error = ""
    try:
        work()
    except Exception as exc:
        logger.exception("%s failed; retrying at the next round", doing)
        error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    worker.beat(error)
