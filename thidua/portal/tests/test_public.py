"""Public pages: what anyone may read, and what they must never see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from thidua.portal import services
from thidua.portal.models import Article
from thidua.portal.tests.factories import category, make_article
from thidua.testing import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    return make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")


@pytest.fixture
def hidden(unit):
    """One article of each kind the public must never see."""
    return {
        "draft": make_article(unit, "Bản nháp bí mật Đại hội"),
        "scheduled": make_article(
            unit,
            "Bài hẹn giờ bí mật Đại hội",
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now() + dt.timedelta(days=2),
        ),
        "archived": make_article(
            unit,
            "Bài lưu trữ bí mật Đại hội",
            status=Article.Status.ARCHIVED,
            publish_at=timezone.now() - dt.timedelta(days=2),
        ),
    }


def test_home_category_article_and_search_need_no_login(client, unit):
    article = make_article(unit, "Đại hội Công đoàn tỉnh Bắc Kạn lần thứ X", public=True)
    for url in [
        reverse("portal:home"),
        reverse("portal:category", args=[article.category.slug]),
        article.get_absolute_url(),
        reverse("portal:search") + "?q=dai+hoi",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert article.title in response.content.decode(), url


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("dai hoi", True),
        ("ĐẠI HỘI", True),
        ("Đại hội", True),
        ("dang", True),  # "Đặng" without diacritics
        ("dai hoi dang", True),  # every word must match
        ("hoi nghi", False),
    ],
)
def test_search_ignores_diacritics_and_case(client, unit, query, found):
    make_article(unit, "Đại hội Công đoàn trường Tiểu học Đặng Trần Côn", public=True)
    response = client.get(reverse("portal:search"), {"q": query})
    assert ("Đặng Trần Côn" in response.content.decode()) is found


def test_hidden_articles_are_invisible_everywhere(client, unit, hidden):
    visible = make_article(unit, "Bài công khai Đại hội", public=True)
    pages = [
        reverse("portal:home"),
        reverse("portal:category", args=[category().slug]),
        reverse("portal:search") + "?q=bi+mat",
        reverse("portal:search") + "?q=dai+hoi",
        reverse("portal:rss"),
        reverse("portal:atom"),
        reverse("portal:sitemap"),
        visible.get_absolute_url(),  # related and newest lists
    ]
    for url in pages:
        text = client.get(url).content.decode()
        for article in hidden.values():
            assert article.title not in text, (url, article.title)
            assert f"/tin/{article.pk}/" not in text, (url, article.title)
    for article in hidden.values():
        assert client.get(reverse("portal:article", args=[article.pk, article.slug])).status_code == 404
        assert client.get(reverse("portal:article_by_id", args=[article.pk])).status_code == 404


def test_scheduled_article_appears_when_its_time_comes(client, unit, hidden):
    article = hidden["scheduled"]
    url = reverse("portal:article", args=[article.pk, article.slug])
    assert client.get(url).status_code == 404
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 200


def test_wrong_or_missing_slug_redirects_to_the_canonical_url(client, unit):
    article = make_article(unit, "Đại hội Công đoàn", public=True)
    assert article.slug == "dai-hoi-cong-doan"
    for url in [reverse("portal:article_by_id", args=[article.pk]), f"/tin/{article.pk}/sai-duong-dan/"]:
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()


def test_article_page_shares_the_right_url_without_third_party_scripts(client, unit, settings):
    settings.ALLOWED_HOSTS = ["tin.congdoan.test"]
    article = make_article(unit, "Tháng Công nhân 2019", public=True)
    response = client.get(article.get_absolute_url(), HTTP_HOST="tin.congdoan.test")
    html = response.content.decode()
    url = f"http://tin.congdoan.test{article.get_absolute_url()}"
    assert f'<meta property="og:url" content="{url}">' in html
    assert "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftin.congdoan.test%2Ftin%2F" in html
    assert "https://sp.zalo.me/share_inline?d=http%3A%2F%2Ftin.congdoan.test%2Ftin%2F" in html
    assert f'data-url="{url}"' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/' in s for s in scripts), scripts
    assert "csrfmiddlewaretoken" not in html  # no per-visitor token: the page is cacheable


def test_related_newest_previous_and_next(client, unit):
    now = timezone.now()
    other = category("Gương điển hình", "guong")
    older = make_article(unit, "Bài cũ hơn", public=True, publish_at=now - dt.timedelta(days=3))
    middle = make_article(unit, "Bài giữa", public=True, publish_at=now - dt.timedelta(days=2))
    newer = make_article(unit, "Bài mới hơn", public=True, publish_at=now - dt.timedelta(days=1), category=other)
    response = client.get(middle.get_absolute_url())
    ctx = response.context
    assert [a.pk for a in ctx["related"]] == [older.pk]
    assert [a.pk for a in ctx["newest"]] == [newer.pk, older.pk]
    assert ctx["previous"].pk == older.pk
    assert ctx["next"].pk == newer.pk


def test_cache_headers_and_conditional_get(client, unit):
    article = make_article(unit, "Đại hội", public=True)
    # Last-Modified has one-second resolution: start from a past edit so that the edit below is newer.
    Article.objects.update(updated_at=timezone.now() - dt.timedelta(days=1))
    article.refresh_from_db()
    response = client.get(article.get_absolute_url())
    # Cacheable by anyone, but revalidated on every use: that request is where a view is counted.
    assert "public" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    last_modified = response["Last-Modified"]
    again = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert again.status_code == 304
    home = client.get(reverse("portal:home"))
    assert "max-age=60" in home["Cache-Control"]
    assert client.get(reverse("portal:home"), HTTP_IF_MODIFIED_SINCE=home["Last-Modified"]).status_code == 304
    article = services.article_save(article=article, data={"title": "Đại hội (sửa)"}, by=None)
    assert client.get(reverse("portal:home"), HTTP_IF_MODIFIED_SINCE=home["Last-Modified"]).status_code == 200
    assert client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


XSS_CORPUS = [
    '"><svg/onload=alert(1)>',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;đã mã hoá&lt;/b&gt; & <i>nghiêng</i>",
    "]]><x>",
    "Sản xuất & Thương mại < 0,5%",
]


@pytest.mark.parametrize("summary", XSS_CORPUS)
def test_feed_summaries_reach_a_feed_reader_as_the_text_that_was_typed(client, unit, summary):
    import html

    import feedparser

    make_article(unit, "Tin thử", public=True, summary=summary)
    for name in ("portal:rss", "portal:atom"):
        parsed = feedparser.parse(client.get(reverse(name)).content)
        assert not parsed.bozo, parsed.bozo_exception
        (entry,) = parsed.entries
        detail = entry.summary_detail
        if detail.type == "text/plain":  # Atom: type="text"
            shown = entry.summary
        else:  # RSS: HTML for the reader to render; it must hold no markup, only escaped text
            assert "<" not in entry.summary, entry.summary
            shown = html.unescape(entry.summary)
        assert shown == summary, (name, entry.summary)


def test_feeds_sitemap_and_robots(client, unit):
    article = make_article(unit, "Đại hội Công đoàn & <Bắc Kạn>", public=True)
    rss = client.get(reverse("portal:rss"))
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "Đại hội Công đoàn &amp; &lt;Bắc Kạn&gt;" in rss.content.decode()
    atom = client.get(reverse("portal:atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    sitemap = client.get(reverse("portal:sitemap")).content.decode()
    assert f"http://testserver{article.get_absolute_url()}" in sitemap
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert "Sitemap: http://testserver/tin/sitemap.xml" in robots.content.decode()
    assert "Disallow: /tin/quan-tri/" in robots.content.decode()


def test_language_switch_is_a_plain_link_and_refuses_foreign_redirects(client, unit):
    response = client.get(reverse("portal:set_language", args=["en"]), {"next": "/tin/"})
    assert response.status_code == 302 and response["Location"] == "/tin/"
    assert client.get(reverse("portal:home")).content.decode().count('lang="en"') >= 1
    evil = client.get(reverse("portal:set_language", args=["vi"]), {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:set_language", args=["xx"])).status_code == 404


def test_home_lists_the_most_read_public_articles(client, unit, hidden):
    from thidua.portal.counting.clock import local_day
    from thidua.portal.models import ArticleDay

    today = local_day()
    popular = make_article(unit, "Bài được đọc nhiều", public=True)
    quiet = make_article(unit, "Bài ít người đọc", public=True)
    ArticleDay.objects.create(article=popular, day=today, views=50, visitors=20)
    ArticleDay.objects.create(article=quiet, day=today - dt.timedelta(days=3), views=5, visitors=5)
    ArticleDay.objects.create(article=quiet, day=today - dt.timedelta(days=40), views=500, visitors=90)  # too old
    ArticleDay.objects.create(article=hidden["archived"], day=today, views=900, visitors=90)
    most_read = client.get(reverse("portal:home")).context["most_read"]
    assert [a.pk for a in most_read] == [popular.pk, quiet.pk]


def test_footer_figures_endpoint_for_cached_pages(client, unit):
    from thidua.portal.counting.clock import local_day
    from thidua.portal.models import SiteDay

    SiteDay.objects.create(day=local_day(), views=9, visitors=4)
    make_article(unit, "Đại hội", public=True)
    response = client.get(reverse("portal:figures"))
    assert response.json() == {"site": {"today": 9, "month": 9, "year": 9, "total": 9, "visitors": 4}}
    assert "max-age=10" in response["Cache-Control"]
    category_page = client.get(reverse("portal:category", args=[category().slug]))
    assert (
        client.get(
            reverse("portal:category", args=[category().slug]), HTTP_IF_MODIFIED_SINCE=category_page["Last-Modified"]
        ).status_code
        == 304
    )


def test_cached_article_page_shows_fresh_figures_and_follows_edits(client, unit, django_assert_max_num_queries):
    article = make_article(unit, "Đại hội lần thứ nhất", public=True)
    ua = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36 #"
    first = client.get(article.get_absolute_url(), HTTP_USER_AGENT=ua + "1").content.decode()
    assert '<span data-article-figure="total">1</span>' in first
    with django_assert_max_num_queries(8):  # cached: the article, its view (4 upserts + transaction), figures
        second = client.get(article.get_absolute_url(), HTTP_USER_AGENT=ua + "2").content.decode()
    assert '<span data-article-figure="total">2</span>' in second
    assert 'data-figure="today">2<' in second and 'data-counted="true"' in second
    assert "\x1e" not in second
    article = services.article_save(article=article, data={"title": "Đại hội lần thứ hai"}, by=None)
    third = client.get(article.get_absolute_url(), follow=True, HTTP_USER_AGENT=ua + "3").content.decode()
    assert "<h1>Đại hội lần thứ hai</h1>" in third


def test_demo_publishes_the_seed_article_verbatim(client, unit):
    from thidua.portal.demo import SEED_AUTHOR, SEED_TITLE, load_articles

    seed = load_articles(unit)
    page = client.get(seed.get_absolute_url()).content.decode()
    assert f"<h1>{SEED_TITLE}</h1>" in page
    assert SEED_AUTHOR == "Lương Thị Quyên – Sở Công Thương" and SEED_AUTHOR in page
    assert "triển khai có hiệu quả phong trào thi đua “Bắc Kạn chung sức xây dựng nông thôn mới”" in page
    assert seed.category.name == "Tin hoạt động công đoàn"
    assert Article.objects.public().count() == 33  # the seed and 32 others; a draft and a scheduled one hidden
    assert Article.objects.count() == 35


def test_tag_page_lists_only_public_articles_with_that_tag(client, unit, hidden):
    from thidua.portal.models import Tag

    label = Tag.objects.create(name="Thi đua yêu nước", slug="thi-dua-yeu-nuoc")
    tagged = make_article(unit, "Bài có thẻ", public=True)
    tagged.tags.add(label)
    hidden["draft"].tags.add(label)
    make_article(unit, "Thi đua yêu nước nhưng không gắn thẻ", public=True)
    page = client.get(reverse("portal:tag", args=["thi-dua-yeu-nuoc"]))
    assert [a.pk for a in page.context["page"]] == [tagged.pk]
    assert reverse("portal:tag", args=["thi-dua-yeu-nuoc"]) in client.get(tagged.get_absolute_url()).content.decode()
    assert client.get(reverse("portal:tag", args=["khong-co"])).status_code == 404
