"""The Redis view buffer: exact counting, and what restarts and crashes do to the counts."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from thidua.portal import buffer, stats
from thidua.portal.models import ArticleDay, FlushLog, Seen, SiteDay
from thidua.portal.tests.factories import make_article
from thidua.testing import make_unit
from thidua.units.tests.test_concurrency import run_concurrently

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def buffered(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    settings.THIDUA_VIEW_BUFFER_URL = REDIS_URL
    settings.THIDUA_VIEW_BUFFER_PREFIX = f"test:{uuid.uuid4().hex}:"
    stats._salts.clear()
    yield buffer.client()
    client = buffer.client()
    for key in client.scan_iter(match=settings.THIDUA_VIEW_BUFFER_PREFIX + "*"):
        client.delete(key)


@pytest.fixture
def article(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    unit = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    return make_article(unit, "Đại hội", public=True)


def hold_flushes():
    """Take the flush lock for the test, so that only the test's own flush() calls run."""
    buffer.client().set(buffer.prefix() + "flushlock", "1", ex=600)


def read(client, article, ua=BROWSER, ip="203.0.113.7"):
    return client.get(article.get_absolute_url(), HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)


def db_total():
    return sum(SiteDay.objects.values_list("views", flat=True))


@pytest.mark.django_db
def test_buffered_views_are_live_at_once_and_reach_the_database_exactly_once(client, buffered, article):
    SiteDay.objects.create(day=stats.local_day() - dt.timedelta(days=3), views=100, visitors=40)
    first = read(client, article).content.decode()
    assert 'data-counted="true"' in first and 'data-figure="total">101<' in first  # history + this view
    assert 'data-counted="false"' in read(client, article).content.decode()  # a reload
    read(client, article, ip="198.51.100.2")
    assert stats.site_figures().total == 102 and stats.article_figures(article.pk).visitors == 2
    assert not Seen.objects.exists()  # deduplication lives in Redis
    buffer.client().delete(buffer.prefix() + "flushlock")
    buffer.flush()  # the first view may have flushed itself already (the lock was free)
    assert buffer.flush() == 0
    assert db_total() == 102
    assert ArticleDay.objects.get(article=article).views == 2
    assert SiteDay.objects.get(day=stats.local_day()).visitors == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_buffered_views_are_counted_exactly(buffered, article):
    visitors = [f"{BROWSER} #{i}" for i in range(16)] + [BROWSER] * 8
    url = article.get_absolute_url()
    outcomes = run_concurrently(
        *(lambda ua=ua: Client().get(url, HTTP_USER_AGENT=ua, REMOTE_ADDR="203.0.113.1") for ua in visitors)
    )
    assert [getattr(outcome, "status_code", outcome) for outcome in outcomes] == [200] * len(visitors)
    assert (stats.site_figures().total, stats.site_figures().visitors) == (17, 17)
    buffer.flush()
    assert (db_total(), SiteDay.objects.get().visitors) == (17, 17)


@pytest.mark.django_db
def test_a_crash_before_the_database_commit_is_applied_by_the_next_flush(client, buffered, article):
    hold_flushes()
    for i in range(3):
        read(client, article, ua=f"{BROWSER} #{i}")
    buffer.flush()
    before = db_total()
    read(client, article, ua=f"{BROWSER} #late")
    table = SiteDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO portal_siteday_away")
    try:
        with pytest.raises(Exception):  # noqa: B017 - the database refuses: any error will do
            buffer.flush()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE portal_siteday_away RENAME TO {table}")
    assert db_total() == before and list(buffer.client().scan_iter(match=buffer.prefix() + "flushing:*"))
    assert buffer.flush() == 1
    assert db_total() == before + 1 == stats.site_figures().total
    assert not list(buffer.client().scan_iter(match=buffer.prefix() + "flushing:*"))


@pytest.mark.django_db
def test_a_crash_after_the_database_commit_does_not_count_twice(client, buffered, article, monkeypatch):
    hold_flushes()
    read(client, article)
    buffer.flush()
    read(client, article, ua=f"{BROWSER} #2")
    real_delete = buffer.client().delete
    monkeypatch.setattr(buffer.client(), "delete", lambda *keys: (_ for _ in ()).throw(ConnectionError("killed")))
    try:
        with pytest.raises(ConnectionError):
            buffer.flush()  # the rows are written and logged, the Redis key is not deleted
    finally:
        monkeypatch.setattr(buffer.client(), "delete", real_delete)
    assert db_total() == 2 and FlushLog.objects.count() == 2
    assert buffer.flush() == 0  # the logged batch is only removed
    assert db_total() == 2 == stats.site_figures().total


@pytest.mark.django_db
def test_an_app_restart_loses_nothing(client, buffered, article):
    read(client, article)
    buffer._clients.clear()  # a new process: new connection, empty memory
    stats._salts.clear()
    assert 'data-counted="false"' in read(client, article).content.decode()  # still deduplicated
    read(client, article, ua=f"{BROWSER} #2")
    assert stats.site_figures().total == 2
    buffer.client().delete(buffer.prefix() + "flushlock")
    buffer.flush()
    assert db_total() == 2


@pytest.mark.django_db
def test_redis_losing_its_memory_loses_only_the_unflushed_views(client, buffered, article):
    hold_flushes()
    read(client, article)
    buffer.flush()
    read(client, article, ua=f"{BROWSER} #2")  # buffered, not flushed yet
    for key in buffer.client().scan_iter(match=buffer.prefix() + "*"):
        buffer.client().delete(key)  # a Redis restart without persistence
    hold_flushes()
    third = read(client, article, ua=f"{BROWSER} #3").content.decode()
    assert 'data-figure="total">2<' in third, third[-1500:]  # rebuilt from the database (1) + this view
    buffer.flush()
    assert db_total() == 2  # the view buffered before the loss is gone, as documented


@pytest.mark.django_db
def test_officer_statistics_flush_first(client, buffered, article):
    from thidua.accounts.models import Role
    from thidua.testing import make_user

    read(client, article)
    read(client, article, ua=f"{BROWSER} #2")
    editor = make_user("bientap", (article.unit, Role.EDITOR))
    client.force_login(editor)
    page = client.get(reverse("portal:statistics"))
    assert page.context["figures"].total == 2 and db_total() == 2


@pytest.mark.django_db
def test_views_of_an_article_deleted_before_the_flush_do_not_block_flushing(client, buffered, article):
    hold_flushes()
    other = make_article(article.unit, "Bài sẽ bị xóa", public=True)
    read(client, article)
    read(client, other)
    other.delete()
    assert buffer.flush() == 2  # both views count for the site; the deleted article's row is skipped
    assert list(ArticleDay.objects.values_list("article_id", "views")) == [(article.pk, 1)]
    read(client, article, ua=f"{BROWSER} #2")
    assert buffer.flush() == 1 and db_total() == 3
    assert not buffer.client().smembers(buffer.prefix() + "flushing")


@pytest.mark.django_db
def test_redis_down_serves_pages_without_counting(client, article, settings):
    SiteDay.objects.create(day=stats.local_day(), views=5, visitors=2)
    settings.THIDUA_VIEW_BUFFER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    buffer._down_until = 0.0
    try:
        for url in [article.get_absolute_url(), reverse("portal:home"), reverse("portal:figures")]:
            assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 200, url
        assert 'data-figure="total">5<' in read(client, article).content.decode()  # the database's figures
        assert db_total() == 5  # not counted while Redis is away (documented)
    finally:
        buffer._down_until = 0.0
        buffer._clients.pop("redis://127.0.0.1:1/0", None)


@pytest.mark.django_db
def test_buffered_mode_forgets_old_salts_too(client, buffered, article, monkeypatch):
    from thidua.portal.models import DailySalt

    hold_flushes()
    day = dt.datetime(2026, 11, 20, 12, 0, tzinfo=stats.ZONE)
    for offset in range(4):
        monkeypatch.setattr(stats, "now", lambda offset=offset: day + dt.timedelta(days=offset))
        read(client, article)
        buffer._purged_on = None
        buffer.flush()
    assert sorted(DailySalt.objects.values_list("day", flat=True)) == [dt.date(2026, 11, 22), dt.date(2026, 11, 23)]


@pytest.mark.django_db
def test_switching_the_buffer_on_again_rebuilds_the_totals(client, buffered, article, settings):
    from django.core.management import call_command

    hold_flushes()
    read(client, article)
    call_command("flush_views")
    url, settings.THIDUA_VIEW_BUFFER_URL = settings.THIDUA_VIEW_BUFFER_URL, ""  # switched off
    read(client, article, ua=f"{BROWSER} #2")  # written through
    settings.THIDUA_VIEW_BUFFER_URL = url  # switched on again: the live totals miss that view
    call_command("flush_views", "--rebuild")
    assert 'data-figure="total">3<' in read(client, article, ua=f"{BROWSER} #3").content.decode()
