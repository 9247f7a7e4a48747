"""Optional view buffer in Redis (``THIDUA_VIEW_BUFFER_URL``), for sites read by many.

Without it every view is written to the database in the request (``stats.record_view``).
With it a view costs one Redis round trip: a Lua script, atomic on the Redis server, that

* deduplicates (``SET seen:… NX EX 1800``: the 30-minute window, per day, visitor, article),
* tracks the day's unique visitors of the article and of the site (sets, kept two days),
* adds the view to ``pending`` (what the database does not have yet), and
* adds it to live totals per day, month, year and all time, which it returns, so the page
  shows exact figures without reading the database.

``flush()`` moves ``pending`` into the daily rows (``SiteDay``, ``ArticleDay``) exactly once:
the hash is renamed to ``flushing:<token>`` atomically, added to the database in one
transaction with a ``FlushLog(token)`` row, then deleted. A crash between any two steps is
repaired by the next flush: a ``flushing:`` key whose token is logged is only deleted, one
whose token is not logged is applied. A flush runs by itself at most every
``FLUSH_SECONDS`` (the view that finds the flush lock free does it after answering its own
count), and before the officers' statistics are read; ``manage.py flush_views`` runs one.

What a failure loses: restarting or killing app processes loses nothing (the views are in
Redis). Losing Redis's memory (a Redis restart without persistence) loses the views not yet
flushed — at most ``FLUSH_SECONDS`` of them, plus the deduplication window; the live totals
are then rebuilt from the database on the next view. Tests show each case.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from thidua.portal.models import Article, ArticleDay, FlushLog, SiteDay

FLUSH_SECONDS = 5
RETRY_SECONDS = 10
logger = logging.getLogger(__name__)

_COUNT = """
local p = ARGV[1]
local day, month, year, article, visitor = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local window, flush_every = tonumber(ARGV[7]), tonumber(ARGV[8])
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
local out = {counted, 0}
if counted == 1 and redis.call('SET', p .. 'flushlock', '1', 'NX', 'EX', flush_every) then out[2] = 1 end
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


def enabled() -> bool:
    return bool(settings.THIDUA_VIEW_BUFFER_URL)


_clients: dict[str, Any] = {}


def client() -> Any:
    import redis

    url = settings.THIDUA_VIEW_BUFFER_URL
    if url not in _clients:
        connection_ = redis.Redis.from_url(url, decode_responses=True, socket_timeout=0.5, socket_connect_timeout=0.5)
        connection_.count_script = connection_.register_script(_COUNT)  # type: ignore[attr-defined]
        connection_.take_script = connection_.register_script(_TAKE)  # type: ignore[attr-defined]
        connection_.load_script = connection_.register_script(_LOAD)  # type: ignore[attr-defined]
        _clients[url] = connection_
    return _clients[url]


def prefix() -> str:
    return str(settings.THIDUA_VIEW_BUFFER_PREFIX)


class Unavailable(Exception):
    """Redis did not answer (or is being reloaded): the caller serves the page without it."""


_down_until = 0.0


def count(day: dt.date, article_id: int | None, visitor: str) -> tuple[bool, list[int]]:
    """Count (unless ``visitor`` is empty) and read the figures: one round trip.

    Returns (counted, [site today, month, year, total, visitors, article today, …]).
    Raises ``Unavailable`` when Redis does not answer; after a failure this process leaves
    Redis alone for ``RETRY_SECONDS`` so that readers do not each wait for a timeout.
    """
    import redis

    global _down_until
    if time.monotonic() < _down_until:
        raise Unavailable
    from thidua.portal.stats import REPEAT_WINDOW

    args = [
        prefix(),
        day.isoformat(),
        day.strftime("%Y-%m"),
        str(day.year),
        str(article_id or ""),
        visitor,
        int(REPEAT_WINDOW.total_seconds()),
        FLUSH_SECONDS,
    ]
    try:
        script = client().count_script
        result = script(args=args)
        if result[0] == -1:  # live totals missing: first use, or Redis lost its memory
            load(day)
            result = script(args=args)
            if result[0] == -1:
                raise Unavailable
    except redis.RedisError as exc:
        _down_until = time.monotonic() + RETRY_SECONDS
        logger.warning("view buffer unavailable (%s); views are not counted for %s s", exc, RETRY_SECONDS)
        raise Unavailable from exc
    counted, should_flush = bool(result[0]), bool(result[1])
    if should_flush:
        flush_quietly()
    return counted, [int(value) for value in result[2:]]


def flush_quietly() -> None:
    """Flush for a page that must be served anyway: a failure is logged and retried later."""
    try:
        flush()
    except Exception:
        logger.exception("flushing buffered views failed")


def load(day: dt.date) -> None:
    """Build the live totals from the database (the views it holds are all there is).

    The totals are written by a script that does nothing once they exist, so two processes
    loading at once cannot overwrite views counted in between.
    """
    from django.db.models import Q, Sum

    r = client()
    p = prefix()
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
    args: list[Any] = [prefix()]
    for period, condition in periods.items():
        site = SiteDay.objects.filter(condition).aggregate(v=Sum("views"), u=Sum("visitors"))
        fields: list[Any] = ["s:v", site["v"] or 0, "s:u", site["u"] or 0]
        for row in (
            ArticleDay.objects.filter(condition).values("article_id").annotate(v=Sum("views"), u=Sum("visitors"))
        ):
            fields += [f"a:{row['article_id']}:v", row["v"], f"a:{row['article_id']}:u", row["u"]]
        args += [period, len(fields) // 2, *fields]
    try:
        r.load_script(args=args)
    finally:
        r.delete(p + "loading")


_purged_on: dt.date | None = None


def flush() -> int:
    """Add the buffered views to the daily rows, exactly once; returns the views moved."""
    global _purged_on
    r = client()
    p = prefix()
    moved = 0
    left = sorted(r.smembers(p + "flushing"))  # batches of flushes that crashed
    token = uuid.uuid4().hex
    if r.take_script(keys=[p + "pending", p + "flushing:" + token, p + "flushing"]):
        left.append(p + "flushing:" + token)
    failures = []
    for key in left:
        try:
            moved += _apply(key)
        except Exception as exc:  # one bad batch must not hold back the others
            logger.exception("buffered views of %s could not be written", key)
            failures.append(exc)
    from thidua.portal import stats

    today = stats.local_day()
    if _purged_on != today:  # forget visitor hashes and salts of the day before yesterday
        stats.purge_before(today - dt.timedelta(days=1))
        _purged_on = today
    if failures:
        raise failures[0]
    return moved


def _apply(key: str) -> int:
    r = client()
    token = key.rsplit(":", 1)[1]
    data = r.hgetall(key)
    site: dict[str, list[int]] = {}
    articles: dict[tuple[int, str], list[int]] = {}
    for field, value in data.items():
        parts = field.split("|")
        slot = 0 if parts[2] == "v" else 1
        if parts[0] == "s":
            site.setdefault(parts[1], [0, 0])[slot] += int(value)
        else:
            articles.setdefault((int(parts[3]), parts[1]), [0, 0])[slot] += int(value)
    views = sum(v for v, _u in site.values())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FlushLog._meta.db_table} (token, applied_at) VALUES (%s, %s) "
            "ON CONFLICT (token) DO NOTHING RETURNING 1",
            [token, dt.datetime.now(tz=dt.UTC)],
        )
        if cursor.fetchone() is not None:  # not applied before
            table = ArticleDay._meta.db_table
            # In a fixed order (no deadlock between two flushes); an article deleted since its
            # views were buffered is skipped (its views still count for the site).
            for (article_id, day), (v, u) in sorted(articles.items()):
                cursor.execute(
                    f"INSERT INTO {table} (article_id, day, views, visitors) "
                    f"SELECT id, %s, %s, %s FROM {Article._meta.db_table} WHERE id = %s "
                    f"ON CONFLICT (article_id, day) DO UPDATE SET views = {table}.views + excluded.views, "
                    f"visitors = {table}.visitors + excluded.visitors",
                    [dt.date.fromisoformat(day), v, u, article_id],
                )
            table = SiteDay._meta.db_table
            for day, (v, u) in sorted(site.items()):
                cursor.execute(
                    f"INSERT INTO {table} (day, views, visitors) VALUES (%s, %s, %s) "
                    f"ON CONFLICT (day) DO UPDATE SET views = {table}.views + excluded.views, "
                    f"visitors = {table}.visitors + excluded.visitors",
                    [dt.date.fromisoformat(day), v, u],
                )
        else:
            views = 0
        FlushLog.objects.filter(applied_at__lt=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=30)).delete()
    r.delete(key)
    r.srem(prefix() + "flushing", key)
    return views
