"""Remind units of reports not sent, escalating to the level above: once (cron), or as the worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.monitoring import reminders
from thidua.ops.workers import run_loop

DEFAULT_INTERVAL = 60.0


def _day(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar day
    except ValueError:
        return dt.date.fromisoformat(value)


class Command(BaseCommand):
    help = (
        "Send the report reminders that are due: before the due date, on it, and after "
        "THIDUA_ESCALATE_AFTER_DAYS days to the officers of the level above. Each reminder is sent "
        "once, even when several copies run at once; safe to run every minute from cron. "
        "With --loop, keep doing it every --interval seconds until SIGTERM or Ctrl-C (the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run as the worker.")
        parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, help="Seconds between passes.")
        parser.add_argument("--batch", type=int, default=500, help="Reports claimed per transaction.")
        parser.add_argument("--today", type=_day, default=None, help="The day to act as (dd/mm/yyyy); tests, catch-up.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        if not options["loop"]:
            self.once(options["today"], options["batch"])
            return
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        self.stdout.write(f"Sending report reminders every {options['interval']:g} s; stop with SIGTERM or Ctrl-C.")
        run_loop(
            "send_reminders",
            options["interval"],
            lambda: self.once(options["today"], options["batch"]),
            doing="sending reminders",
            say=self.stdout.write,
        )

    def once(self, today: dt.date | None, batch: int) -> None:
        result = reminders.run_pass(today=today, batch=batch)
        if result.claimed or not today:
            self.stdout.write(f"{result.claimed} reports reminded, {result.messages} messages.")
