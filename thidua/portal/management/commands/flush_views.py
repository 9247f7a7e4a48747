from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thidua.portal import buffer


class Command(BaseCommand):
    help = (
        "Move buffered portal views from Redis into the daily rows (THIDUA_VIEW_BUFFER_URL). "
        "Run it before switching the buffer off; with --rebuild after running without it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="After flushing, drop the live totals so the next view rebuilds them from the database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not buffer.enabled():
            raise CommandError("No view buffer configured (THIDUA_VIEW_BUFFER_URL): views are written directly.")
        moved = buffer.flush()
        self.stdout.write(f"{moved} buffered views written to the database.")
        if options["rebuild"]:
            buffer.client().delete(buffer.prefix() + "loaded")
            self.stdout.write("Live totals will be rebuilt from the database on the next view.")
