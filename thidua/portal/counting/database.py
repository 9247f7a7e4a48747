"""The database counter (the default): every view written through, exactly, in its request.

A view is counted by ``DatabaseCounter.record`` in one database transaction of at most four
upserts (on PostgreSQL one statement of four data-modifying CTEs, one round trip), so N
concurrent views are counted exactly (or exactly the deduplicated number) on SQLite and
PostgreSQL:

1. ``Seen`` (day, visitor, article): inserted, or its ``last_at`` moved only when the previous
   counted view is older than ``rules.REPEAT_WINDOW``. No row back means "a reload inside the
   window": nothing else is written.
2. ``SiteVisitor`` (day, visitor): only for the visitor's first article of the day; a new row
   means one more unique visitor of the site today.
3. ``ArticleDay`` and 4. ``SiteDay``: counters incremented in place.

Nothing is buffered in memory: a restart or a crash loses no committed view (PostgreSQL: the
counting transaction commits with ``synchronous_commit = off`` — a crash of the database server
itself may lose the last fraction of a second of views, never corrupt a counter).

The figures are read from the daily rows in one statement whatever the length of history;
the Redis counter reads them here too (other days, Redis down, rebuilding its totals).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from thidua.portal.counting import clock, rules, visitors
from thidua.portal.counting.counter import Figures
from thidua.portal.models import ArticleDay, Seen, SiteDay, SiteVisitor

# The SQL below is assembled from our own models' table names; every value is a parameter.
_SEEN_TABLE, _VISITOR_TABLE = Seen._meta.db_table, SiteVisitor._meta.db_table
_ARTICLE_TABLE, _SITE_TABLE = ArticleDay._meta.db_table, SiteDay._meta.db_table

_SEEN = (
    f"INSERT INTO {_SEEN_TABLE} (day, visitor, article_id, last_at, hits) "  # noqa: S608 - see above
    "VALUES (%(day)s, %(visitor)s, %(article)s, %(now)s, 1) "
    f"ON CONFLICT (day, visitor, article_id) DO UPDATE SET last_at = excluded.last_at, "
    f"hits = {_SEEN_TABLE}.hits + 1 WHERE {_SEEN_TABLE}.last_at <= %(cutoff)s RETURNING hits"
)
_ARTICLE_DAY = (
    f"ON CONFLICT (article_id, day) DO UPDATE SET views = {_ARTICLE_TABLE}.views + 1, "
    f"visitors = {_ARTICLE_TABLE}.visitors + excluded.visitors"
)
_SITE_DAY = (
    f"ON CONFLICT (day) DO UPDATE SET views = {_SITE_TABLE}.views + 1, "
    f"visitors = {_SITE_TABLE}.visitors + excluded.visitors RETURNING views"
)

# PostgreSQL: the four upserts as data-modifying CTEs of one statement, sent with SET LOCAL in
# one round trip (Django's client-side binding cursor; in autocommit the two statements form one
# implicit transaction, and synchronous_commit is read when it commits). The later CTEs read
# what the earlier ones RETURN, so a repeat (no row from "seen") writes nothing else.
_RECORD_POSTGRESQL = (
    f"WITH seen AS ({_SEEN}), "  # noqa: S608 - see above
    f"site_visitor AS (INSERT INTO {_VISITOR_TABLE} (day, visitor) "
    "SELECT %(day)s, %(visitor)s FROM seen WHERE hits = 1 ON CONFLICT (day, visitor) DO NOTHING RETURNING 1), "
    f"article_day AS (INSERT INTO {_ARTICLE_TABLE} (article_id, day, views, visitors) "
    f"SELECT %(article)s, %(day)s, 1, CASE WHEN hits = 1 THEN 1 ELSE 0 END FROM seen {_ARTICLE_DAY} RETURNING 1), "
    f"site_day AS (INSERT INTO {_SITE_TABLE} (day, views, visitors) "
    f"SELECT %(day)s, 1, (SELECT count(*) FROM site_visitor) FROM seen {_SITE_DAY}) "
    "SELECT (SELECT hits FROM seen), (SELECT views FROM site_day), (SELECT count(*) FROM article_day); "
    "SET LOCAL synchronous_commit TO OFF"
)

_FIGURES = (
    "SELECT COALESCE(SUM(CASE WHEN day = %s THEN views END), 0), "
    "COALESCE(SUM(CASE WHEN day >= %s THEN views END), 0), "
    "COALESCE(SUM(CASE WHEN day >= %s THEN views END), 0), "
    "COALESCE(SUM(views), 0), COALESCE(SUM(visitors), 0) FROM {table} WHERE day <= %s"
)


class DatabaseCounter:
    """Views written through to the daily rows; nothing is buffered, so ``flush`` has nothing to do."""

    def count(self, article_id: int, visitor: str | None, moment: dt.datetime) -> tuple[bool, Figures, Figures]:
        counted = self.record(article_id, visitor, moment) if visitor else False
        site, article = self.figures(clock.local_day(moment), article_id)
        return counted, site, article

    def figures(self, day: dt.date, article_id: int | None) -> tuple[Figures, Figures]:
        """One statement over the daily rows, up to ``day``, whatever the length of history.

        Hand-written because it runs on every public page: the ORM's filtered aggregates cost
        more to build in Python than the query takes to run.
        """
        month_start, year_start = day.replace(day=1), day.replace(month=1, day=1)
        sql = _FIGURES.format(table=_SITE_TABLE)
        params: list[Any] = [day, month_start, year_start, day]
        if article_id is not None:
            sql = f"{sql} UNION ALL {_FIGURES.format(table=_ARTICLE_TABLE)} AND article_id = %s"
            params += [day, month_start, year_start, day, article_id]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [Figures(*(int(value) for value in row)) for row in cursor.fetchall()]
        return rows[0], rows[1] if article_id is not None else Figures()

    def flush(self) -> int:
        return 0

    def record(self, article_id: int, visitor: str, moment: dt.datetime) -> bool:
        """Count one view of a public article; False when it repeats inside the window."""
        day = clock.local_day(moment)
        params = {
            "day": day,
            "visitor": visitor,
            "article": article_id,
            "now": moment,
            "cutoff": moment - rules.REPEAT_WINDOW,
        }
        if connection.vendor == "postgresql":
            counted, first_of_day = _record_postgresql(params)
        else:
            counted, first_of_day = _record_portable(params)
        if first_of_day:  # the first view of a day forgets the day before yesterday
            visitors.purge_before(day - dt.timedelta(days=1))
        return counted


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
                f"INSERT INTO {_VISITOR_TABLE} (day, visitor) VALUES (%(day)s, %(visitor)s) "  # noqa: S608 - see above
                "ON CONFLICT (day, visitor) DO NOTHING RETURNING 1",
                params,
            )
            new_for_site = cursor.fetchone() is not None
        cursor.execute(
            f"INSERT INTO {_ARTICLE_TABLE} (article_id, day, views, visitors) "  # noqa: S608 - see above
            f"VALUES (%(article)s, %(day)s, 1, {int(new_for_article)}) {_ARTICLE_DAY}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {_SITE_TABLE} (day, views, visitors) "  # noqa: S608 - see above
            f"VALUES (%(day)s, 1, {int(new_for_site)}) {_SITE_DAY}",
            params,
        )
        return True, cursor.fetchone()[0] == 1
