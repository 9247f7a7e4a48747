from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from thidua.portal import buffer


class Command(BaseCommand):
    help = "Move buffered portal views from Redis into the daily rows (only with THIDUA_VIEW_BUFFER_URL)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not buffer.enabled():
            self.stdout.write("No view buffer configured (THIDUA_VIEW_BUFFER_URL); views are written directly.")
            return
        moved = buffer.flush()
        self.stdout.write(f"{moved} buffered views written to the database.")
