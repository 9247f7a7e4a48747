"""Deliver the webhook deliveries that are due: once (cron), or as the worker (--loop)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.ops import webhooks
from thidua.ops.workers import run_loop

DEFAULT_INTERVAL = 5.0


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due, signed, retrying failures after 1 min, 5 min, 30 min, "
        "2 h and 12 h. Each is sent once even when several copies run at once. With --loop, keep doing "
        "it every --interval seconds until SIGTERM or Ctrl-C (the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run as the worker.")
        parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, help="Seconds between passes.")
        parser.add_argument("--batch", type=int, default=20, help="Deliveries claimed per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        if not options["loop"]:
            self.once(options["batch"])
            return
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        self.stdout.write(f"Delivering webhooks every {options['interval']:g} s; stop with SIGTERM or Ctrl-C.")
        run_loop(
            "deliver_webhooks",
            options["interval"],
            lambda: self.once(options["batch"]),
            doing="delivering webhooks",
            say=self.stdout.write,
        )

    def once(self, batch: int) -> None:
        result = webhooks.run_pass(batch=batch)
        if result.sent or result.failed or result.retried:
            self.stdout.write(f"{result.sent} delivered, {result.retried} to retry, {result.failed} failed.")
