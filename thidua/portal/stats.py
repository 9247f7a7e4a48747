"""View statistics: exact counting under concurrency, read in one query.

A view is counted by ``record_view`` in one database transaction of at most
four upserts (on PostgreSQL one statement of four data-modifying CTEs, one
round trip), so N concurrent views are counted exactly (or exactly the
deduplicated number) on SQLite and PostgreSQL:

1. ``Seen`` (day, visitor, article): inserted, or its ``last_at`` moved only
   when the previous counted view is older than ``REPEAT_WINDOW``. No row
   back means "a reload inside the window": nothing else is written.
2. ``SiteVisitor`` (day, visitor): only for the visitor's first article of
   the day; a new row means one more unique visitor of the site today.
3. ``ArticleDay`` and 4. ``SiteDay``: counters incremented in place.

Days are Asia/Ho_Chi_Minh days. Nothing is buffered in memory: a restart or a
crash loses no committed view (PostgreSQL: the counting transaction commits
with ``synchronous_commit = off`` — a crash of the database server itself may
lose the last fraction of a second of views, never corrupt a counter).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from thidua.portal import buffer
from thidua.portal.models import ArticleDay, DailySalt, Seen, SiteDay, SiteVisitor

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
REPEAT_WINDOW = dt.timedelta(minutes=30)

# Crawlers, link previewers, monitors and scripted clients. Zalo's and Facebook's
# in-app browsers say "Zalo"/"FBAN" and are people; their preview fetchers are not.
_BOTS = re.compile(
    r"bot[/;)\-_]|bot$|[\-_ ]bot\b|^bot|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog|zalo-?preview|preview|"
    r"headless|phantomjs|lighthouse|pingdom|uptime|monitor|curl/|wget/|python-requests|python-urllib|httpx|"
    r"aiohttp|go-http-client|okhttp|java/|libwww|scrapy|node-fetch|axios/|feedfetcher|rss",
    re.IGNORECASE,
)


def now() -> dt.datetime:
    """The clock of the statistics (tests and the demo's reference date replace it)."""
    return timezone.now()


def local_day(moment: dt.datetime | None = None) -> dt.date:
    return (moment or now()).astimezone(ZONE).date()


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_BOTS.search(user_agent))


def client_ip(meta: dict[str, Any]) -> str:
    """REMOTE_ADDR, or the address a trusted reverse proxy saw (``THIDUA_PROXY_COUNT``)."""
    hops = settings.THIDUA_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(meta.get("REMOTE_ADDR", ""))


_salts: dict[dt.date, str] = {}


def salt_for(day: dt.date) -> str:
    """The day's random salt, shared by every process through the database."""
    salt = _salts.get(day)
    if salt is None:
        DailySalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        salt = DailySalt.objects.get(day=day).salt
        _salts.clear()
        _salts[day] = salt
    return salt


def visitor_hash(ip: str, user_agent: str, day: dt.date) -> str:
    digest = hashlib.blake2b(f"{ip}\n{user_agent}".encode(), key=salt_for(day).encode()[:64], digest_size=12)
    return digest.hexdigest()


def record_view(article_id: int, visitor: str, moment: dt.datetime | None = None) -> bool:
    """Count one view of a public article; False when it repeats inside the window."""
    moment = moment or now()
    day = local_day(moment)
    if buffer.enabled():
        answer = _buffered(day, article_id, visitor)
        return bool(answer and answer[0])  # Redis down: the page is served, the view is not counted
    params = {
        "day": day,
        "visitor": visitor,
        "article": article_id,
        "now": moment,
        "cutoff": moment - REPEAT_WINDOW,
    }
    if connection.vendor == "postgresql":
        counted, first_of_day = _record_postgresql(params)
    else:
        counted, first_of_day = _record_portable(params)
    if first_of_day:
        purge_before(day - dt.timedelta(days=1))
    return counted


_SEEN = (
    f"INSERT INTO {Seen._meta.db_table} (day, visitor, article_id, last_at, hits) "
    "VALUES (%(day)s, %(visitor)s, %(article)s, %(now)s, 1) "
    f"ON CONFLICT (day, visitor, article_id) DO UPDATE SET last_at = excluded.last_at, "
    f"hits = {Seen._meta.db_table}.hits + 1 WHERE {Seen._meta.db_table}.last_at <= %(cutoff)s RETURNING hits"
)
_ARTICLE_DAY = (
    f"ON CONFLICT (article_id, day) DO UPDATE SET views = {ArticleDay._meta.db_table}.views + 1, "
    f"visitors = {ArticleDay._meta.db_table}.visitors + excluded.visitors"
)
_SITE_DAY = (
    f"ON CONFLICT (day) DO UPDATE SET views = {SiteDay._meta.db_table}.views + 1, "
    f"visitors = {SiteDay._meta.db_table}.visitors + excluded.visitors RETURNING views"
)

# PostgreSQL: the four upserts as data-modifying CTEs of one statement, sent with SET LOCAL in
# one round trip (Django's client-side binding cursor; in autocommit the two statements form one
# implicit transaction, and synchronous_commit is read when it commits). The later CTEs read
# what the earlier ones RETURN, so a repeat (no row from "seen") writes nothing else.
_RECORD_POSTGRESQL = (
    f"WITH seen AS ({_SEEN}), "
    f"site_visitor AS (INSERT INTO {SiteVisitor._meta.db_table} (day, visitor) "
    "SELECT %(day)s, %(visitor)s FROM seen WHERE hits = 1 ON CONFLICT (day, visitor) DO NOTHING RETURNING 1), "
    f"article_day AS (INSERT INTO {ArticleDay._meta.db_table} (article_id, day, views, visitors) "
    f"SELECT %(article)s, %(day)s, 1, CASE WHEN hits = 1 THEN 1 ELSE 0 END FROM seen {_ARTICLE_DAY} RETURNING 1), "
    f"site_day AS (INSERT INTO {SiteDay._meta.db_table} (day, views, visitors) "
    f"SELECT %(day)s, 1, (SELECT count(*) FROM site_visitor) FROM seen {_SITE_DAY}) "
    "SELECT (SELECT hits FROM seen), (SELECT views FROM site_day), (SELECT count(*) FROM article_day); "
    "SET LOCAL synchronous_commit TO OFF"
)


def _record_postgresql(params: dict[str, Any]) -> tuple[bool, bool]:
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_POSTGRESQL, params)
        hits, site_views, _article_rows = cursor.fetchone()
    return hits is not None, site_views == 1


def _record_portable(params: dict[str, Any]) -> tuple[bool, bool]:
    """SQLite (no data-modifying CTEs): the same upserts, one by one, in one IMMEDIATE transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SEEN, params)
        row = cursor.fetchone()
        if row is None:
            return False, False
        new_for_article = row[0] == 1
        new_for_site = False
        if new_for_article:
            cursor.execute(
                f"INSERT INTO {SiteVisitor._meta.db_table} (day, visitor) VALUES (%(day)s, %(visitor)s) "
                "ON CONFLICT (day, visitor) DO NOTHING RETURNING 1",
                params,
            )
            new_for_site = cursor.fetchone() is not None
        cursor.execute(
            f"INSERT INTO {ArticleDay._meta.db_table} (article_id, day, views, visitors) "
            f"VALUES (%(article)s, %(day)s, 1, {int(new_for_article)}) {_ARTICLE_DAY}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {SiteDay._meta.db_table} (day, views, visitors) "
            f"VALUES (%(day)s, 1, {int(new_for_site)}) {_SITE_DAY}",
            params,
        )
        return True, cursor.fetchone()[0] == 1


def purge_before(day: dt.date) -> None:
    """Forget who read what before ``day``: visitor hashes and the salts that made them."""
    Seen.objects.filter(day__lt=day).delete()
    SiteVisitor.objects.filter(day__lt=day).delete()
    DailySalt.objects.filter(day__lt=day).delete()


@dataclass(frozen=True)
class Figures:
    today: int = 0
    month: int = 0
    year: int = 0
    total: int = 0
    visitors: int = 0

    @property
    def odometer(self) -> str:
        """Unique visitors as the seed's widget shows them: six digits at least (004733)."""
        return f"{self.visitors:06d}"

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_FIGURES = (
    "SELECT COALESCE(SUM(CASE WHEN day = %s THEN views END), 0), "
    "COALESCE(SUM(CASE WHEN day >= %s THEN views END), 0), "
    "COALESCE(SUM(CASE WHEN day >= %s THEN views END), 0), "
    "COALESCE(SUM(views), 0), COALESCE(SUM(visitors), 0) FROM {table} WHERE day <= %s"
)


def _figure_rows(day: dt.date, article_id: int | None) -> list[Figures]:
    """The site's figures, and an article's after them, up to ``day``: one statement over daily rows.

    Hand-written because it runs on every public page: the ORM's filtered aggregates cost
    more to build in Python than the query takes to run.
    """
    month_start, year_start = day.replace(day=1), day.replace(month=1, day=1)
    sql = _FIGURES.format(table=SiteDay._meta.db_table)
    params: list[Any] = [day, month_start, year_start, day]
    if article_id is not None:
        sql = f"{sql} UNION ALL {_FIGURES.format(table=ArticleDay._meta.db_table)} AND article_id = %s"
        params += [day, month_start, year_start, day, article_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Figures(*(int(value) for value in row)) for row in cursor.fetchall()]


def _buffered(day: dt.date, article_id: int | None, visitor: str) -> tuple[bool, list[int]] | None:
    """The Redis buffer's answer (counted, figures); None without a buffer or while it is down."""
    if not buffer.enabled():
        return None
    try:
        return buffer.count(day, article_id, visitor)
    except buffer.Unavailable:
        return None  # the database's figures then (without the views still in Redis)


def figures_of(article_id: int, day: dt.date | None = None) -> tuple[Figures, Figures]:
    """The site's and one article's figures in one query (or one Redis call)."""
    today = local_day()
    answer = _buffered(today, article_id, "") if day in (None, today) else None
    if answer:
        return Figures(*answer[1][:5]), Figures(*answer[1][5:])
    site, article = _figure_rows(day or today, article_id)
    return site, article


def count_and_figures(
    article_id: int, visitor: str | None, moment: dt.datetime | None = None
) -> tuple[bool, Figures, Figures]:
    """Count a view (unless ``visitor`` is None) and read the figures the page shows.

    One Redis round trip with the buffer; otherwise the counting transaction and one query.
    ``moment`` is the request's: the visitor's hash and the counted day must agree at midnight.
    """
    moment = moment or now()
    day = local_day(moment)
    answer = _buffered(day, article_id, visitor or "")
    if answer:
        return answer[0], Figures(*answer[1][:5]), Figures(*answer[1][5:])
    counted = record_view(article_id, visitor, moment) if visitor and not buffer.enabled() else False
    site, article = _figure_rows(day, article_id)
    return counted, site, article


def site_figures(day: dt.date | None = None) -> Figures:
    """The footer's odometer: one query, whatever the length of history (one row per day)."""
    today = local_day()
    answer = _buffered(today, None, "") if day in (None, today) else None
    if answer:
        return Figures(*answer[1][:5])
    return _figure_rows(day or today, None)[0]


def article_figures(article_id: int, day: dt.date | None = None) -> Figures:
    return figures_of(article_id, day)[1]
