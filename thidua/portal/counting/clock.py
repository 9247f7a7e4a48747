"""The one clock of view counting: what time it is, and which day that is where the project lives.

Every "now" and every counted day of the package comes from here, so a test sets the time in
one place (``monkeypatch.setattr(clock, "now", ...)``; callers always go through the module,
never ``from clock import now``). Days are days of ``settings.TIME_ZONE``, read when asked.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def zone() -> ZoneInfo:
    """The project's time zone (``settings.TIME_ZONE``): a day of statistics is a day there."""
    return ZoneInfo(settings.TIME_ZONE)  # ZoneInfo caches its instances: no parsing per call


def now() -> dt.datetime:
    """The current moment, aware (UTC)."""
    return timezone.now()


def local_day(moment: dt.datetime | None = None) -> dt.date:
    """The day ``moment`` (default: now) falls on in the project's time zone."""
    return (moment or now()).astimezone(zone()).date()


def monotonic() -> float:
    """Seconds for measuring intervals (back-off), immune to changes of the wall clock."""
    return time.monotonic()
