"""The Redis view buffer: exact counting, and what restarts and crashes do to the counts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from thidua.portal import counting
from thidua.portal.counting import clock
from thidua.portal.models import ArticleDay, FlushLog, Seen, SiteDay
from thidua.portal.tests.factories import make_article
from thidua.testing import make_unit, run_concurrently

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


@pytest.fixture
def article(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    unit = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    return make_article(unit, "Đại hội", public=True)


def read(client, article, ua=BROWSER, ip="203.0.113.7"):
    return client.get(article.get_absolute_url(), HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)


def db_total():
    return sum(SiteDay.objects.values_list("views", flat=True))


@pytest.mark.django_db
def test_buffered_views_are_live_at_once_and_reach_the_database_exactly_once(client, buffered, article):
    SiteDay.objects.create(day=clock.local_day() - dt.timedelta(days=3), views=100, visitors=40)
    first = read(client, article).content.decode()
    assert 'data-counted="true"' in first and 'data-figure="total">101<' in first  # history + this view
    assert 'data-counted="false"' in read(client, article).content.decode()  # a reload
    read(client, article, ip="198.51.100.2")
    assert counting.site_figures().total == 102 and counting.article_figures(article.pk).visitors == 2
    assert not Seen.objects.exists()  # deduplication lives in Redis
    assert db_total() == 100  # readers never flush: their views wait in Redis for the worker
    assert buffered.flush() == 2
    assert buffered.flush() == 0
    assert db_total() == 102
    assert ArticleDay.objects.get(article=article).views == 2
    assert SiteDay.objects.get(day=clock.local_day()).visitors == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_buffered_views_are_counted_exactly(buffered, article):
    visitors = [f"{BROWSER} #{i}" for i in range(16)] + [BROWSER] * 8
    url = article.get_absolute_url()
    outcomes = run_concurrently(
        *(lambda ua=ua: Client().get(url, HTTP_USER_AGENT=ua, REMOTE_ADDR="203.0.113.1") for ua in visitors)
    )
    assert [getattr(outcome, "status_code", outcome) for outcome in outcomes] == [200] * len(visitors)
    assert (counting.site_figures().total, counting.site_figures().visitors) == (17, 17)
    assert db_total() == 0  # not one of the 24 readers flushed
    assert buffered.flush() == 17
    assert (db_total(), SiteDay.objects.get().visitors) == (17, 17)


@pytest.mark.django_db
def test_a_crash_before_the_database_commit_is_applied_by_the_next_flush(client, buffered, article):
    for i in range(3):
        read(client, article, ua=f"{BROWSER} #{i}")
    buffered.flush()
    before = db_total()
    read(client, article, ua=f"{BROWSER} #late")
    table = SiteDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO portal_siteday_away")
    try:
        with pytest.raises(Exception):  # noqa: B017 - the database refuses: any error will do
            buffered.flush()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE portal_siteday_away RENAME TO {table}")
    assert db_total() == before and list(buffered.client.scan_iter(match=buffered.prefix + "flushing:*"))
    assert buffered.flush() == 1
    assert db_total() == before + 1 == counting.site_figures().total
    assert not list(buffered.client.scan_iter(match=buffered.prefix + "flushing:*"))


@pytest.mark.django_db
def test_a_crash_after_the_database_commit_does_not_count_twice(client, buffered, article, monkeypatch):
    read(client, article)
    buffered.flush()
    read(client, article, ua=f"{BROWSER} #2")
    real_delete = buffered.client.delete
    monkeypatch.setattr(buffered.client, "delete", lambda *keys: (_ for _ in ()).throw(ConnectionError("killed")))
    try:
        with pytest.raises(ConnectionError):
            buffered.flush()  # the rows are written and logged, the Redis key is not deleted
    finally:
        monkeypatch.setattr(buffered.client, "delete", real_delete)
    assert db_total() == 2 and FlushLog.objects.count() == 2
    assert buffered.flush() == 0  # the logged batch is only removed
    assert db_total() == 2 == counting.site_figures().total


@pytest.mark.django_db
def test_an_app_restart_loses_nothing(client, buffered, article):
    read(client, article)
    counting.reset()  # a new process: new connection, empty memory
    restarted = counting.redis_buffer()
    assert restarted is not None and restarted is not buffered
    assert 'data-counted="false"' in read(client, article).content.decode()  # still deduplicated
    read(client, article, ua=f"{BROWSER} #2")
    assert counting.site_figures().total == 2
    assert restarted.flush() == 2
    assert db_total() == 2


@pytest.mark.django_db
def test_redis_losing_its_memory_loses_only_the_unflushed_views(client, buffered, article):
    read(client, article)
    buffered.flush()
    read(client, article, ua=f"{BROWSER} #2")  # buffered, not flushed yet
    for key in buffered.client.scan_iter(match=buffered.prefix + "*"):
        buffered.client.delete(key)  # a Redis restart without persistence
    third = read(client, article, ua=f"{BROWSER} #3").content.decode()
    assert 'data-figure="total">2<' in third, third[-1500:]  # rebuilt from the database (1) + this view
    buffered.flush()
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
    other = make_article(article.unit, "Bài sẽ bị xóa", public=True)
    read(client, article)
    read(client, other)
    other.delete()
    assert buffered.flush() == 2  # both views count for the site; the deleted article's row is skipped
    assert list(ArticleDay.objects.values_list("article_id", "views")) == [(article.pk, 1)]
    read(client, article, ua=f"{BROWSER} #2")
    assert buffered.flush() == 1 and db_total() == 3
    assert not buffered.client.smembers(buffered.prefix + "flushing")


@pytest.mark.django_db
def test_redis_down_serves_pages_without_counting(client, article, settings, monkeypatch):
    SiteDay.objects.create(day=clock.local_day(), views=5, visitors=2)
    settings.THIDUA_VIEW_BUFFER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    down = counting.redis_buffer()
    assert down is not None
    for url in [article.get_absolute_url(), reverse("portal:home"), reverse("portal:figures")]:
        assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 200, url
    assert 'data-figure="total">5<' in read(client, article).content.decode()  # the database's figures
    assert db_total() == 5  # not counted while Redis is away (documented)
    # After the failure the process leaves Redis alone for 10 s: no reader waits for a timeout...
    calls = []
    real_count = down._count
    monkeypatch.setattr(down, "_count", lambda **kwargs: calls.append(kwargs) or real_count(**kwargs))
    started = clock.monotonic()
    assert 'data-figure="total">5<' in read(client, article, ua=f"{BROWSER} #2").content.decode()
    assert calls == []
    # ...and asks again once they have passed.
    monkeypatch.setattr(clock, "monotonic", lambda: started + 10.5)
    assert read(client, article, ua=f"{BROWSER} #3").status_code == 200
    assert len(calls) == 1 and db_total() == 5


@pytest.mark.django_db
def test_buffered_mode_forgets_old_salts_too(client, buffered, article, monkeypatch):
    from thidua.portal.models import DailySalt

    day = dt.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    for offset in range(4):
        monkeypatch.setattr(clock, "now", lambda offset=offset: day + dt.timedelta(days=offset))
        read(client, article)
        buffered.flush()  # the first flush of each day forgets the day before yesterday
    assert sorted(DailySalt.objects.values_list("day", flat=True)) == [dt.date(2026, 11, 22), dt.date(2026, 11, 23)]


@pytest.mark.django_db
def test_switching_the_buffer_on_again_rebuilds_the_totals(client, buffered, article, settings):
    from django.core.management import call_command

    read(client, article)
    call_command("flush_views")
    url, settings.THIDUA_VIEW_BUFFER_URL = settings.THIDUA_VIEW_BUFFER_URL, ""  # switched off
    read(client, article, ua=f"{BROWSER} #2")  # written through
    settings.THIDUA_VIEW_BUFFER_URL = url  # switched on again: the live totals miss that view
    call_command("flush_views", "--rebuild")
    assert 'data-figure="total">3<' in read(client, article, ua=f"{BROWSER} #3").content.decode()
