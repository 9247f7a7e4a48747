"""Move buffered portal views from Redis into the daily rows: once, or as the worker (``--loop``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.ops.workers import run_loop
from thidua.portal import counting
from thidua.portal.counting.buffer import RedisCounter

DEFAULT_INTERVAL = 5.0  # seconds between two flushes of the worker: how far the daily rows lag


class Command(BaseCommand):
    help = (
        "Move buffered portal views from Redis into the daily rows (THIDUA_VIEW_BUFFER_URL). "
        "With --loop, keep doing it every --interval seconds until SIGTERM or Ctrl-C (the worker). "
        "Run it once before switching the buffer off; with --rebuild after running without it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="After flushing, drop the live totals so the next view rebuilds them from the database.",
        )
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Run as the worker: flush every --interval seconds until SIGTERM or Ctrl-C, then flush once more.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=DEFAULT_INTERVAL,
            help=f"Seconds between two flushes with --loop (default {DEFAULT_INTERVAL:g}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        buffer = counting.redis_buffer()
        if buffer is None:
            raise CommandError("No view buffer configured (THIDUA_VIEW_BUFFER_URL): views are written directly.")
        if options["loop"]:
            if options["rebuild"]:
                raise CommandError("--rebuild is done once: run it without --loop.")
            if options["interval"] <= 0:
                raise CommandError("--interval must be more than 0 seconds.")
            self.loop(buffer, options["interval"])
            return
        moved = buffer.flush()
        self.stdout.write(f"{moved} buffered views written to the database.")
        if options["rebuild"]:
            buffer.forget_live_totals()
            self.stdout.write("Live totals will be rebuilt from the database on the next view.")

    def loop(self, buffer: RedisCounter, interval: float) -> None:
        """Flush every ``interval`` seconds until SIGTERM or SIGINT (Ctrl-C), then once more.

        A signal ends the wait at once; a flush under way finishes first (it is one database
        transaction per batch, and an interrupted one would be repaired by the next anyway).
        A failed flush is logged and retried at the next round: the worker keeps running.
        Each round beats the ``flush_views`` heartbeat that /healthz reads.
        """
        self.stdout.write(f"Flushing buffered views every {interval:g} s; stop with SIGTERM or Ctrl-C.")
        run_loop(
            "flush_views",
            interval,
            lambda: self.flush_once(buffer),
            doing="flushing buffered views",
            say=self.stdout.write,
            last_round=True,  # the views counted since the last round
        )

    def flush_once(self, buffer: RedisCounter) -> None:
        moved = buffer.flush()
        if moved:
            self.stdout.write(f"{moved} buffered views written to the database.")
