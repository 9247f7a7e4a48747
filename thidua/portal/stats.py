"""View statistics: exact counting under concurrency, read in one query.

A view is counted by ``record_view`` in one database transaction of at most
four statements, each an atomic upsert, so N concurrent views are counted
exactly (or exactly the deduplicated number) on SQLite and PostgreSQL:

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
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from thidua.portal.models import ArticleDay, DailySalt, Seen, SiteDay, SiteVisitor

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
REPEAT_WINDOW = dt.timedelta(minutes=30)

# Crawlers, link previewers, monitors and scripted clients. Zalo's and Facebook's
# in-app browsers say "Zalo"/"FBAN" and are people; their preview fetchers are not.
_BOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog|zalo-?preview|preview|"
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
    seen, site_visitor = Seen._meta.db_table, SiteVisitor._meta.db_table
    article_day, site_day = ArticleDay._meta.db_table, SiteDay._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"INSERT INTO {seen} (day, visitor, article_id, last_at, hits) VALUES (%s, %s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (day, visitor, article_id) DO UPDATE SET last_at = excluded.last_at, "
            f"hits = {seen}.hits + 1 WHERE {seen}.last_at <= %s RETURNING hits",
            [day, visitor, article_id, moment, moment - REPEAT_WINDOW],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        new_for_article = row[0] == 1
        new_for_site = False
        if new_for_article:
            cursor.execute(
                f"INSERT INTO {site_visitor} (day, visitor) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (day, visitor) DO NOTHING RETURNING 1",
                [day, visitor],
            )
            new_for_site = cursor.fetchone() is not None
        cursor.execute(
            f"INSERT INTO {article_day} (article_id, day, views, visitors) VALUES (%s, %s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (article_id, day) DO UPDATE SET views = {article_day}.views + 1, "
            f"visitors = {article_day}.visitors + excluded.visitors",
            [article_id, day, int(new_for_article)],
        )
        cursor.execute(
            f"INSERT INTO {site_day} (day, views, visitors) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (day) DO UPDATE SET views = {site_day}.views + 1, "
            f"visitors = {site_day}.visitors + excluded.visitors RETURNING views",
            [day, int(new_for_site)],
        )
        first_of_day = cursor.fetchone()[0] == 1
    if first_of_day:
        purge_before(day - dt.timedelta(days=1))
    return True


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

    def as_dict(self) -> dict[str, int]:
        return {
            "today": self.today,
            "month": self.month,
            "year": self.year,
            "total": self.total,
            "visitors": self.visitors,
        }


def _figures(queryset: Any, day: dt.date) -> Figures:
    month_start, year_start = day.replace(day=1), day.replace(month=1, day=1)
    row = queryset.aggregate(
        today=Sum("views", filter=Q(day=day), default=0),
        month=Sum("views", filter=Q(day__gte=month_start, day__lte=day), default=0),
        year=Sum("views", filter=Q(day__gte=year_start, day__lte=day), default=0),
        total=Sum("views", filter=Q(day__lte=day), default=0),
        visitors=Sum("visitors", filter=Q(day__lte=day), default=0),
    )
    return Figures(**row)


def site_figures(day: dt.date | None = None) -> Figures:
    """The footer's odometer: one query, whatever the length of history (one row per day)."""
    return _figures(SiteDay.objects.all(), day or local_day())


def article_figures(article_id: int, day: dt.date | None = None) -> Figures:
    return _figures(ArticleDay.objects.filter(article_id=article_id), day or local_day())
