"""View statistics: counted once, deduplicated, bots out, no raw IP, exact under concurrency."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from thidua.portal import counting
from thidua.portal.counting import clock as counting_clock
from thidua.portal.counting import rules
from thidua.portal.demo import SEED_FIGURES, load_view_history, reference_date
from thidua.portal.models import ArticleDay, DailySalt, Seen, SiteDay, SiteVisitor
from thidua.portal.tests.factories import make_article
from thidua.testing import make_unit, run_concurrently

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")  # settings.TIME_ZONE
NOON = dt.datetime(2026, 11, 26, 12, 0, tzinfo=HANOI)


@pytest.fixture
def unit(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    return make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")


@pytest.fixture
def article(unit):
    return make_article(unit, "Đại hội Công đoàn", public=True)


@pytest.fixture
def clock(monkeypatch):
    """The counting clock, set by the test."""
    state = {"now": NOON}
    monkeypatch.setattr(counting_clock, "now", lambda: state["now"])
    counting.reset()
    return state


def beacon(client, article_id, ua=BROWSER, ip="203.0.113.7", **extra):
    return client.post(reverse("portal:beacon"), {"a": str(article_id)}, HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **extra)


def site():
    return counting.site_figures(counting_clock.local_day())


@pytest.mark.django_db
def test_a_view_counts_once_and_a_reload_inside_the_window_does_not(client, article, clock):
    first = beacon(client, article.pk).json()
    assert first["counted"] is True
    assert first["article"] == {"today": 1, "month": 1, "year": 1, "total": 1, "visitors": 1}
    assert first["site"]["total"] == 1
    clock["now"] = NOON + dt.timedelta(minutes=29)
    assert beacon(client, article.pk).json()["counted"] is False
    clock["now"] = NOON + dt.timedelta(minutes=31)
    again = beacon(client, article.pk).json()
    assert again["counted"] is True
    assert again["article"]["total"] == 2
    assert again["article"]["visitors"] == 1  # the same person, the same day


@pytest.mark.django_db
def test_visitors_are_counted_once_a_day_across_articles(client, unit, article, clock):
    other = make_article(unit, "Tháng Công nhân", public=True)
    beacon(client, article.pk)
    beacon(client, other.pk)
    beacon(client, article.pk, ip="198.51.100.9")
    assert site().visitors == 2 and site().total == 3
    assert counting.article_figures(article.pk).visitors == 2
    assert counting.article_figures(other.pk).visitors == 1
    clock["now"] = NOON + dt.timedelta(days=1)
    beacon(client, article.pk)  # a new day: a new visitor in that day's count
    figures = site()
    assert (figures.today, figures.total, figures.visitors) == (1, 4, 3)


@pytest.mark.django_db
def test_days_are_counted_in_ho_chi_minh_time(client, article, clock):
    clock["now"] = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 26th in Hà Nội
    beacon(client, article.pk)
    assert SiteDay.objects.get().day == dt.date(2026, 11, 26)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ua",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_bots_are_not_counted(client, article, clock, ua):
    response = beacon(client, article.pk, ua=ua)
    assert response.status_code == 200 and response.json()["counted"] is False
    assert not SiteDay.objects.exists() and not Seen.objects.exists()


@pytest.mark.django_db
def test_people_in_zalo_and_facebook_apps_are_counted(client, article, clock):
    zalo = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 Zalo android/12"
    fban = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0]"
    assert beacon(client, article.pk, ua=zalo).json()["counted"] is True
    assert beacon(client, article.pk, ua=fban).json()["counted"] is True


@pytest.mark.django_db
def test_prefetch_is_not_a_view(client, article, clock):
    assert beacon(client, article.pk, HTTP_SEC_PURPOSE="prefetch").json()["counted"] is False


@pytest.mark.django_db
def test_forged_beacons_change_nothing(client, unit, article, clock):
    draft = make_article(unit, "Bản nháp")
    for payload in [{"a": "999999"}, {"a": str(draft.pk)}, {"a": "-1"}, {"a": "1 OR 1=1"}, {"a": "x" * 90}, {}]:
        response = client.post(reverse("portal:beacon"), payload, HTTP_USER_AGENT=BROWSER)
        assert response.status_code in (400, 404), payload
    huge = client.post(
        reverse("portal:beacon"), data="a=" + "1" * 5000, content_type="application/x-www-form-urlencoded"
    )
    assert huge.status_code == 400
    assert client.get(reverse("portal:beacon")).status_code == 405
    assert "article" not in client.get(reverse("portal:figures"), {"a": draft.pk}).json()
    assert not SiteDay.objects.exists() and not ArticleDay.objects.exists() and not Seen.objects.exists()


@pytest.mark.django_db
def test_a_thousand_beacons_from_one_client_count_once(client, article, clock):
    for _ in range(1000):
        beacon(client, article.pk)
    assert site().total == 1 and Seen.objects.get().hits == 1


@pytest.mark.django_db
def test_reading_the_page_counts_also_when_a_cache_revalidates_it(client, article, clock):
    url = article.get_absolute_url()
    first = client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    assert first.status_code == 200 and 'data-counted="true"' in first.content.decode()
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    reload = client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    assert 'data-counted="false"' in reload.content.decode()
    # Another reader behind a cache that revalidates its copy: a 304, and a view.
    cached = client.get(
        url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.4", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert cached.status_code == 304 and cached.content == b""
    assert (site().total, site().visitors) == (2, 2)
    client.get(url, HTTP_USER_AGENT="Googlebot/2.1", REMOTE_ADDR="66.249.66.1")
    client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.9", HTTP_SEC_PURPOSE="prefetch")
    assert site().total == 2
    # The figures a cached page fetches again.
    figures = client.get(reverse("portal:figures"), {"a": article.pk}).json()
    assert figures["article"]["total"] == 2 and figures["site"]["total"] == 2


@pytest.mark.django_db
def test_no_raw_ip_is_stored_and_old_hashes_are_forgotten(client, article, clock):
    beacon(client, article.pk, ip="203.0.113.77")
    stored = [
        *Seen.objects.values_list("visitor", flat=True),
        *SiteVisitor.objects.values_list("visitor", flat=True),
    ]
    assert stored and all("203.0.113" not in value for value in stored)
    assert all(len(value) == 24 for value in stored)  # a 12-byte keyed hash
    # The same person tomorrow gets a different hash (the salt changes daily)...
    clock["now"] = NOON + dt.timedelta(days=1)
    beacon(client, article.pk, ip="203.0.113.77")
    assert Seen.objects.values("visitor").distinct().count() == 2
    # ...and the first view of the day after forgets the day before yesterday.
    clock["now"] = NOON + dt.timedelta(days=2)
    beacon(client, article.pk, ip="203.0.113.77")
    assert set(Seen.objects.values_list("day", flat=True)) == {dt.date(2026, 11, 27), dt.date(2026, 11, 28)}
    assert not DailySalt.objects.filter(day=dt.date(2026, 11, 26)).exists()
    assert site().total == 3  # the counters stay


def test_proxy_address_is_used_only_when_configured():
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"}
    assert rules.client_ip(meta, 0) == "10.0.0.1"
    assert rules.client_ip(meta, 1) == "203.0.113.5"
    assert rules.client_ip(meta, 3) == "10.0.0.1"  # fewer hops than configured: the socket's address


@pytest.mark.django_db
def test_the_proxy_setting_decides_who_the_visitor_is(client, article, clock, settings):
    """Two readers behind one proxy are two visitors only when the proxy is declared."""
    settings.THIDUA_PROXY_COUNT = 0  # the header is not trusted: one address, one visitor
    assert beacon(client, article.pk, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").json()["counted"] is True
    assert beacon(client, article.pk, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.6").json()["counted"] is False
    settings.THIDUA_PROXY_COUNT = 1
    assert beacon(client, article.pk, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7").json()["counted"] is True
    assert beacon(client, article.pk, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.8").json()["counted"] is True
    assert site().visitors == 3


@pytest.mark.django_db
def test_a_failure_in_the_middle_of_counting_leaves_no_partial_count(article, clock):
    """Nothing is buffered: a view is either wholly written or not at all, and can be retried.

    The last write (the site's daily row) is made to fail by renaming its table, after the
    visitor's row and the article's row were written in the same transaction.
    """
    table = SiteDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO portal_siteday_away")
    # PostgreSQL: one statement, atomic by itself; the savepoint only keeps the test's
    # transaction usable after the error. SQLite: the counter's own transaction must undo it.
    outer = transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
    try:
        with pytest.raises(DatabaseError), outer:
            counting.counter().count(article.pk, "visitor-1", counting_clock.now())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE portal_siteday_away RENAME TO {table}")
    assert not Seen.objects.exists() and not SiteVisitor.objects.exists() and not ArticleDay.objects.exists()
    counting.reset()  # a restarted process: the salt comes back from the database
    assert counting.counter().count(article.pk, "visitor-1", NOON)[0] is True
    assert site().total == 1 and counting.article_figures(article.pk).total == 1


@pytest.mark.django_db
def test_a_restart_keeps_deduplication(client, article, clock):
    beacon(client, article.pk)
    counting.reset()  # new process, empty memory
    assert beacon(client, article.pk).json()["counted"] is False
    assert site().total == 1


@pytest.mark.django_db
def test_footer_reads_in_at_most_two_queries_whatever_the_history(django_assert_max_num_queries, article):
    day = dt.date(2026, 11, 26)
    SiteDay.objects.create(day=day, views=5, visitors=2)
    with django_assert_max_num_queries(2):
        short = counting.site_figures(day)
    SiteDay.objects.bulk_create(
        [SiteDay(day=day - dt.timedelta(days=i), views=3, visitors=1) for i in range(1, 3651)]  # ten years
    )
    with django_assert_max_num_queries(2):
        long = counting.site_figures(day)
    assert short.total == 5 and long.total == 5 + 3 * 3650


@pytest.mark.django_db
def test_public_pages_query_count_does_not_grow_with_history(client, django_assert_max_num_queries, article):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(conn) as ctx:
            assert client.get(article.get_absolute_url(), HTTP_USER_AGENT="Googlebot").status_code == 200
        return len(ctx)

    count()  # warm the cached category menu
    before = count()
    day = counting_clock.local_day()
    SiteDay.objects.bulk_create([SiteDay(day=day - dt.timedelta(days=i), views=3, visitors=1) for i in range(2000)])
    ArticleDay.objects.bulk_create(
        [ArticleDay(article=article, day=day - dt.timedelta(days=i), views=3, visitors=1) for i in range(2000)]
    )
    assert count() == before <= 12


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 11, 26), dt.date(2026, 11, 26)),
        (dt.date(2026, 11, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 1, 15), dt.date(2025, 12, 31)),
        (dt.date(2026, 2, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 3, 1), dt.date(2026, 2, 28)),
    ],
)
def test_reference_date_can_hold_the_seed_figures(today, expected):
    assert reference_date(today) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("reference", [dt.date(2026, 11, 26), dt.date(2025, 12, 31), dt.date(2026, 2, 2)])
def test_demo_history_makes_the_footer_read_as_the_seed(article, reference):
    load_view_history(reference, article)
    assert counting.site_figures(reference).as_dict() == SEED_FIGURES
    assert sum(ArticleDay.objects.values_list("views", flat=True)) == SEED_FIGURES["total"]
    assert all(v <= n for n, v in ArticleDay.objects.values_list("views", "visitors"))


# --- concurrency: real threads, real connections -----------------------------------


def _hammer(article_id: int, visitors: list[str]) -> list[object]:
    """One beacon per visitor, all at once from real threads; the answers (or exceptions)."""
    url = reverse("portal:beacon")
    return [
        outcome.status_code if hasattr(outcome, "status_code") else outcome
        for outcome in run_concurrently(
            *(
                lambda ua=ua: Client().post(url, {"a": str(article_id)}, HTTP_USER_AGENT=ua, REMOTE_ADDR="203.0.113.1")
                for ua in visitors
            )
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_are_counted_exactly(unit):
    article = make_article(unit, "Đại hội", public=True)
    people = [f"{BROWSER} #{i}" for i in range(16)]
    assert _hammer(article.pk, people) == [200] * 16
    figures = counting.article_figures(article.pk)
    assert (figures.total, figures.visitors) == (16, 16)
    assert (site().total, site().visitors) == (16, 16)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reloads_by_one_person_count_once(unit):
    article = make_article(unit, "Đại hội", public=True)
    assert _hammer(article.pk, [BROWSER] * 12) == [200] * 12
    assert (site().total, site().visitors) == (1, 1)
    assert Seen.objects.get().hits == 1


@pytest.mark.django_db
def test_home_and_category_query_counts_do_not_grow_with_articles(client, unit):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from thidua.portal.tests.factories import category

    def count(url):
        with CaptureQueriesContext(conn) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = [reverse("portal:home"), reverse("portal:category", args=[category().slug]), "/tin/tim-kiem/?q=dai"]
    first = make_article(unit, "Đại hội một", public=True)
    ArticleDay.objects.create(article=first, day=counting_clock.local_day(), views=1, visitors=1)
    [count(url) for url in urls]  # warm the cached category menu
    before = [count(url) for url in urls]
    for i in range(40):
        article = make_article(unit, f"Đại hội {i}", public=True)
        ArticleDay.objects.create(article=article, day=counting_clock.local_day(), views=i + 1, visitors=1)
    [count(url) for url in urls]  # the saves dropped the cached "latest change": warm it again
    after = [count(url) for url in urls]
    assert after == before and max(after) <= 8, (before, after)


@pytest.mark.django_db
def test_head_requests_are_not_views(client, article, clock):
    for _ in range(3):
        client.head(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert site().total == 0


@pytest.mark.django_db
def test_text_in_an_article_cannot_pose_as_a_figure_slot(client, article, clock):
    article.body = "<p>\x1esite.total\x1e và \x1e.counted\x1e</p>"
    article.save()
    html = client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    assert "\x1esite.total\x1e" in html  # left as typed: only the keyed markers are slots
