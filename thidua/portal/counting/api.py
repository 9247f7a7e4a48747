"""What the rest of the portal calls: count a request's view, read figures, flush.

The counter (database or Redis) is chosen once per process, on first use, from
``THIDUA_VIEW_BUFFER_URL``; ``reset()`` forgets it together with the rest of the process's
counting state (the day's salt, Redis's connection and back-off), which is what a restart does.
Tests call it to simulate one, and it runs by itself when a test changes a counting setting.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest

from thidua.portal.counting import clock, rules, visitors
from thidua.portal.counting.buffer import RedisCounter
from thidua.portal.counting.counter import Counter, Figures
from thidua.portal.counting.database import DatabaseCounter

logger = logging.getLogger(__name__)

CHOICE_SETTINGS = frozenset({"THIDUA_VIEW_BUFFER_URL", "THIDUA_VIEW_BUFFER_PREFIX"})


@dataclass(frozen=True)
class _Process:
    """The counting state of this process."""

    counter: Counter
    salts: visitors.Salts = field(default_factory=visitors.Salts)


_lock = threading.Lock()
_current: _Process | None = None


def _choose_counter() -> Counter:
    url = settings.THIDUA_VIEW_BUFFER_URL
    database = DatabaseCounter()
    if not url:
        return database
    return RedisCounter(url, settings.THIDUA_VIEW_BUFFER_PREFIX, database)


def _process() -> _Process:
    global _current
    current = _current
    if current is None:
        with _lock:  # two threads' first views must not choose two counters
            if _current is None:
                _current = _Process(counter=_choose_counter())
            current = _current
    return current


def reset() -> None:
    """Forget the counter chosen and the day's salt: the next use starts as a new process would."""
    global _current
    with _lock:
        _current = None


@receiver(setting_changed)
def _setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in CHOICE_SETTINGS:  # only tests change settings while running
        reset()


def counter() -> Counter:
    """The counter of this process (chosen on first use)."""
    return _process().counter


def redis_buffer() -> RedisCounter | None:
    """The Redis counter, or None when views are written through to the database."""
    chosen = counter()
    return chosen if isinstance(chosen, RedisCounter) else None


# --- counting --------------------------------------------------------------------------------


def count_view(request: HttpRequest, article_id: int, *, beacon: bool = False) -> tuple[bool, Figures, Figures]:
    """Count this request's view of a public article (when it is one, see ``rules``) and return
    (counted, the site's figures, the article's) for the page to show."""
    moment = clock.now()  # one moment: the visitor's hash and the counted day agree at midnight
    process = _process()
    visitor, address_key = None, ""
    reader = rules.reader_of(request, beacon=beacon, hops=settings.THIDUA_PROXY_COUNT)
    if reader is not None:
        day = clock.local_day(moment)
        salt = process.salts.for_day(day)
        cap = settings.THIDUA_PORTAL_IP_DAILY_CAP
        if cap:
            address_key = rules.address_key(day, visitors.visitor_hash(reader.address, "", salt))
        if not rules.address_capped(address_key, cap):
            visitor = visitors.visitor_hash(reader.address, reader.user_agent, salt)
    counted, site, article = process.counter.count(article_id, visitor, moment)
    if counted and address_key:
        rules.note_address_view(address_key)
    return counted, site, article


# --- reading ---------------------------------------------------------------------------------


def figures_of(article_id: int, day: dt.date | None = None) -> tuple[Figures, Figures]:
    """The site's and one article's figures as of ``day`` (default today): one query or one Redis call."""
    return counter().figures(day or clock.local_day(), article_id)


def site_figures(day: dt.date | None = None) -> Figures:
    """The footer's odometer: one query, whatever the length of history (one row per day)."""
    return counter().figures(day or clock.local_day(), None)[0]


def article_figures(article_id: int, day: dt.date | None = None) -> Figures:
    return figures_of(article_id, day)[1]


# --- flushing --------------------------------------------------------------------------------


def flush() -> int:
    """Write the buffered views into the daily rows (nothing to do without the Redis buffer)."""
    return counter().flush()


def flush_for_officers() -> None:
    """Before the officers' statistics read the daily rows: a failure is logged, never shown."""
    try:
        flush()
    except Exception:
        logger.exception("flushing buffered views failed")
