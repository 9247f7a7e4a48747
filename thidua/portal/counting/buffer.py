"""The Redis counter (``THIDUA_VIEW_BUFFER_URL``), for sites read by many.

A view costs one Redis round trip: a Lua script, atomic on the Redis server, that

* deduplicates (``SET seen:… NX EX 1800``: the 30-minute window, per day, visitor, article),
* tracks the day's unique visitors of the article and of the site (sets, kept two days),
* adds the view to ``pending`` (what the database does not have yet), and
* adds it to live totals per day, month, year and all time, which it returns, so the page
  shows exact figures without reading the database.

``flush()`` moves ``pending`` into the daily rows (``SiteDay``, ``ArticleDay``) exactly once:
the hash is renamed to ``flushing:<token>`` atomically, added to the database in one
transaction with a ``FlushLog(token)`` row, then deleted. A crash between any two steps is
repaired by the next flush: a ``flushing:`` key whose token is logged is only deleted, one
whose token is not logged is applied. Readers' requests never flush: the worker
(``manage.py flush_views --loop``) does, every few seconds, and so do the officers' statistics
page and ``manage.py flush_views``. Flushes may run at the same time (the rename hands each
batch to one of them).

What a failure loses: restarting or killing app processes loses nothing (the views are in
Redis). Losing Redis's memory (a Redis restart without persistence) loses the views not yet
flushed, plus the deduplication window; the live totals are then rebuilt from the database
on the next view. While Redis does not answer, pages are served with the database's figures
and views are not counted; the process leaves Redis alone for ``RETRY_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from typing import Any

import redis
from django.db import connection, transaction
from django.db.models import Q, Sum

from thidua.portal.counting import clock, rules, visitors
from thidua.portal.counting.counter import Figures
from thidua.portal.counting.database import DatabaseCounter
from thidua.portal.models import Article, ArticleDay, FlushLog, SiteDay

RETRY_SECONDS = 10  # how long a process leaves Redis alone after it did not answer
TIMEOUT_SECONDS = 0.5  # connecting and answering: a reader never waits longer for Redis
logger = logging.getLogger(__name__)

_COUNT = """
local p = ARGV[1]
local day, month, year, article, visitor = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local window = tonumber(ARGV[7])
if redis.call('EXISTS', p .. 'loaded') == 0 then return {-1} end
local periods = {'d:' .. day, 'm:' .. month, 'y:' .. year, 'all'}
local ttl = {3 * 86400, 40 * 86400, 400 * 86400, -1}
local counted = 0
if visitor ~= '' and redis.call('SET', p .. 'seen:' .. day .. ':' .. article .. ':' .. visitor, '1', 'NX', 'EX', window) then
  counted = 1
  local av, sv = p .. 'av:' .. day .. ':' .. article, p .. 'sv:' .. day
  local new_a = redis.call('SADD', av, visitor)
  redis.call('EXPIRE', av, 2 * 86400)
  local new_s = 0
  if new_a == 1 then
    new_s = redis.call('SADD', sv, visitor)
    redis.call('EXPIRE', sv, 2 * 86400)
  end
  local pending = p .. 'pending'
  redis.call('HINCRBY', pending, 's|' .. day .. '|v', 1)
  redis.call('HINCRBY', pending, 'a|' .. day .. '|v|' .. article, 1)
  if new_s == 1 then redis.call('HINCRBY', pending, 's|' .. day .. '|u', 1) end
  if new_a == 1 then redis.call('HINCRBY', pending, 'a|' .. day .. '|u|' .. article, 1) end
  for i, period in ipairs(periods) do
    local t = p .. 't:' .. period
    redis.call('HINCRBY', t, 's:v', 1)
    redis.call('HINCRBY', t, 'a:' .. article .. ':v', 1)
    if new_s == 1 then redis.call('HINCRBY', t, 's:u', 1) end
    if new_a == 1 then redis.call('HINCRBY', t, 'a:' .. article .. ':u', 1) end
    if ttl[i] > 0 then redis.call('EXPIRE', t, ttl[i]) end
  end
end
local out = {counted}
for _, period in ipairs(periods) do
  table.insert(out, redis.call('HGET', p .. 't:' .. period, 's:v') or '0')
end
table.insert(out, redis.call('HGET', p .. 't:all', 's:u') or '0')
if article ~= '' then
  for _, period in ipairs(periods) do
    table.insert(out, redis.call('HGET', p .. 't:' .. period, 'a:' .. article .. ':v') or '0')
  end
  table.insert(out, redis.call('HGET', p .. 't:all', 'a:' .. article .. ':u') or '0')
end
return out
"""

_LOAD = """
local p = ARGV[1]
if redis.call('EXISTS', p .. 'loaded') == 1 then return 0 end
local i = 2
while i <= #ARGV do
  local key, n = p .. 't:' .. ARGV[i], tonumber(ARGV[i + 1])
  redis.call('DEL', key)
  for j = 1, n do
    redis.call('HSET', key, ARGV[i + 2 * j], ARGV[i + 2 * j + 1])
  end
  i = i + 2 + 2 * n
end
redis.call('SET', p .. 'loaded', '1')
return 1
"""

_TAKE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('SADD', KEYS[3], KEYS[2])
  return 1
end
return 0
"""


class Unavailable(Exception):
    """Redis did not answer (or is being reloaded): the page is served without it."""


class RedisCounter:
    """Views counted in Redis, flushed into the daily rows by ``flush``; see the module."""

    def __init__(self, url: str, prefix: str, database: DatabaseCounter) -> None:
        self.prefix = prefix
        self.database = database  # the figures of other days, and while Redis is down
        # No connection is made here: the first command connects.
        self.client: Any = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        self._count = self.client.register_script(_COUNT)
        self._take = self.client.register_script(_TAKE)
        self._load = self.client.register_script(_LOAD)
        self._down_until = 0.0  # clock.monotonic() before which Redis is left alone
        self._purged_on: dt.date | None = None

    # --- the Counter interface -------------------------------------------------------------

    def count(self, article_id: int, visitor: str | None, moment: dt.datetime) -> tuple[bool, Figures, Figures]:
        day = clock.local_day(moment)
        try:
            counted, values = self._run(day, article_id, visitor or "")
        except Unavailable:  # served with the database's figures (without the views still in Redis)
            site, article = self.database.figures(day, article_id)
            return False, site, article
        return counted, Figures(*values[:5]), Figures(*values[5:])

    def figures(self, day: dt.date, article_id: int | None) -> tuple[Figures, Figures]:
        if day == clock.local_day():  # the live totals are today's; other days are in the database
            try:
                _counted, values = self._run(day, article_id, "")
            except Unavailable:
                pass
            else:
                return Figures(*values[:5]), Figures(*values[5:]) if article_id is not None else Figures()
        return self.database.figures(day, article_id)

    def flush(self) -> int:
        """Add the buffered views to the daily rows, exactly once; returns the views moved."""
        r, p = self.client, self.prefix
        moved = 0
        left = sorted(r.smembers(p + "flushing"))  # batches of flushes that crashed
        token = uuid.uuid4().hex
        if self._take(keys=[p + "pending", p + "flushing:" + token, p + "flushing"]):
            left.append(p + "flushing:" + token)
        failures = []
        for key in left:
            try:
                moved += self._apply(key)
            except Exception as exc:  # one bad batch must not hold back the others
                logger.exception("buffered views of %s could not be written", key)
                failures.append(exc)
        today = clock.local_day()
        if self._purged_on != today:  # forget visitor hashes and salts of the day before yesterday
            visitors.purge_before(today - dt.timedelta(days=1))
            self._purged_on = today
        if failures:
            raise failures[0]
        return moved

    # --- beyond the interface ----------------------------------------------------------------

    def forget_live_totals(self) -> None:
        """Make the next view rebuild the live totals from the database (``flush_views --rebuild``)."""
        self.client.delete(self.prefix + "loaded")

    def _run(self, day: dt.date, article_id: int | None, visitor: str) -> tuple[bool, list[int]]:
        """Count (unless ``visitor`` is empty) and read the figures: one round trip.

        Returns (counted, [site today, month, year, total, visitors, article today, …]).
        Raises ``Unavailable`` when Redis does not answer; after a failure this process leaves
        Redis alone for ``RETRY_SECONDS`` so that readers do not each wait for a timeout.
        """
        if clock.monotonic() < self._down_until:
            raise Unavailable
        args: list[str | int] = [
            self.prefix,
            day.isoformat(),
            day.strftime("%Y-%m"),
            str(day.year),
            str(article_id or ""),
            visitor,
            int(rules.REPEAT_WINDOW.total_seconds()),
        ]
        try:
            result = self._count(args=args)
            if result[0] == -1:  # live totals missing: first use, or Redis lost its memory
                self._load_totals(day)
                result = self._count(args=args)
                if result[0] == -1:
                    raise Unavailable
        except redis.RedisError as exc:
            self._down_until = clock.monotonic() + RETRY_SECONDS
            logger.warning("view buffer unavailable (%s); views are not counted for %s s", exc, RETRY_SECONDS)
            raise Unavailable from exc
        return bool(result[0]), [int(value) for value in result[1:]]

    def _load_totals(self, day: dt.date) -> None:
        """Build the live totals from the database (the views it holds are all there is).

        The totals are written by a script that does nothing once they exist, so two processes
        loading at once cannot overwrite views counted in between.
        """
        r, p = self.client, self.prefix
        if not r.set(p + "loading", "1", nx=True, ex=30):
            for _ in range(30):  # another process is loading: wait a little for it
                time.sleep(0.1)
                if r.exists(p + "loaded"):
                    return
            raise Unavailable
        periods = {
            f"d:{day.isoformat()}": Q(day=day),
            f"m:{day:%Y-%m}": Q(day__gte=day.replace(day=1), day__lte=day),
            f"y:{day.year}": Q(day__gte=day.replace(month=1, day=1), day__lte=day),
            "all": Q(day__lte=day),
        }
        args: list[Any] = [p]
        for period, condition in periods.items():
            site = SiteDay.objects.filter(condition).aggregate(v=Sum("views"), u=Sum("visitors"))
            fields: list[Any] = ["s:v", site["v"] or 0, "s:u", site["u"] or 0]
            for row in (
                ArticleDay.objects.filter(condition).values("article_id").annotate(v=Sum("views"), u=Sum("visitors"))
            ):
                fields += [f"a:{row['article_id']}:v", row["v"], f"a:{row['article_id']}:u", row["u"]]
            args += [period, len(fields) // 2, *fields]
        try:
            self._load(args=args)
        finally:
            r.delete(p + "loading")

    def _apply(self, key: str) -> int:
        """Write one batch (a ``flushing:<token>`` hash) into the daily rows, unless it already was."""
        r = self.client
        token = key.rsplit(":", 1)[1]
        site: dict[str, list[int]] = {}
        articles: dict[tuple[int, str], list[int]] = {}
        for field, value in r.hgetall(key).items():
            parts = field.split("|")
            slot = 0 if parts[2] == "v" else 1
            if parts[0] == "s":
                site.setdefault(parts[1], [0, 0])[slot] += int(value)
            else:
                articles.setdefault((int(parts[3]), parts[1]), [0, 0])[slot] += int(value)
        views = sum(v for v, _u in site.values())
        now = clock.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FlushLog._meta.db_table} (token, applied_at) VALUES (%s, %s) "  # noqa: S608 - our table's name; values are parameters
                "ON CONFLICT (token) DO NOTHING RETURNING 1",
                [token, now],
            )
            if cursor.fetchone() is not None:  # not applied before
                table = ArticleDay._meta.db_table
                # In a fixed order (no deadlock between two flushes); an article deleted since its
                # views were buffered is skipped (its views still count for the site).
                for (article_id, day), (v, u) in sorted(articles.items()):
                    cursor.execute(
                        f"INSERT INTO {table} (article_id, day, views, visitors) "  # noqa: S608 - as above
                        f"SELECT id, %s, %s, %s FROM {Article._meta.db_table} WHERE id = %s "
                        f"ON CONFLICT (article_id, day) DO UPDATE SET views = {table}.views + excluded.views, "
                        f"visitors = {table}.visitors + excluded.visitors",
                        [dt.date.fromisoformat(day), v, u, article_id],
                    )
                table = SiteDay._meta.db_table
                for day, (v, u) in sorted(site.items()):
                    cursor.execute(
                        f"INSERT INTO {table} (day, views, visitors) VALUES (%s, %s, %s) "  # noqa: S608 - as above
                        f"ON CONFLICT (day) DO UPDATE SET views = {table}.views + excluded.views, "
                        f"visitors = {table}.visitors + excluded.visitors",
                        [dt.date.fromisoformat(day), v, u],
                    )
            else:
                views = 0
            FlushLog.objects.filter(applied_at__lt=now - dt.timedelta(days=30)).delete()
        r.delete(key)
        r.srem(self.prefix + "flushing", key)
        return views
