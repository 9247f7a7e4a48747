"""Findings of a review (attacker and first-time user), each pinned by a test."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from thidua.accounts.models import Role
from thidua.portal import counting
from thidua.portal.models import Article, SiteDay
from thidua.portal.tests.factories import category, make_article
from thidua.testing import make_unit, make_user

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


@pytest.fixture
def newsroom(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    province = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    return province, make_user("bientap", (province, Role.EDITOR))


def _image(width=800, height=450) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 80, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("anh.jpg", buffer.getvalue())


def test_withdrawing_an_article_moves_last_modified_forward(client, newsroom):
    province, editor = newsroom
    make_article(province, "Bài còn lại", public=True)
    gone = make_article(province, "Bài sẽ lưu trữ", public=True)
    Article.objects.update(updated_at=timezone.now() - dt.timedelta(days=1))
    home = client.get(reverse("portal:home"))
    client.force_login(editor)
    client.post(reverse("portal:manage_archive", args=[gone.pk]))
    client.logout()
    for url in [reverse("portal:home"), reverse("portal:category", args=[category().slug])]:
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=home["Last-Modified"])
        assert again.status_code == 200, url
        assert "Bài sẽ lưu trữ" not in again.content.decode()


def test_signed_in_people_never_get_publicly_cacheable_answers(client, newsroom):
    province, editor = newsroom
    article = make_article(province, "Đại hội", public=True)
    client.force_login(editor)
    for url in [reverse("portal:home"), article.get_absolute_url(), reverse("portal:figures")]:
        control = client.get(url)["Cache-Control"]
        assert "private" in control and "public" not in control, (url, control)
    client.logout()
    assert "public" in client.get(reverse("portal:home"))["Cache-Control"]


@pytest.mark.parametrize("raw", ["²", "١", "1 ", "+1", "0x1", "1" * 13])
def test_only_ascii_ids_are_accepted(client, newsroom, raw):
    make_article(newsroom[0], "Đại hội", public=True)
    assert client.post(reverse("portal:beacon"), {"a": raw}, HTTP_USER_AGENT=BROWSER).status_code == 404
    assert "article" not in client.get(reverse("portal:figures"), {"a": raw}).json()


def test_other_sites_cannot_count_views(client, newsroom):
    article = make_article(newsroom[0], "Đại hội", public=True)
    url = article.get_absolute_url()
    client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_FETCH_DEST="image", HTTP_SEC_FETCH_SITE="cross-site")
    client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_FETCH_DEST="iframe", HTTP_SEC_FETCH_SITE="cross-site")
    client.post(reverse("portal:beacon"), {"a": article.pk}, HTTP_USER_AGENT=BROWSER, HTTP_SEC_FETCH_SITE="cross-site")
    client.post(
        reverse("portal:beacon"), {"a": article.pk}, HTTP_USER_AGENT=BROWSER, HTTP_ORIGIN="https://evil.example"
    )
    assert not SiteDay.objects.exists()
    # A reader arriving from Facebook is a cross-site navigation: counted.
    client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_FETCH_DEST="document", HTTP_SEC_FETCH_SITE="cross-site")
    assert counting.site_figures().total == 1


def test_one_address_inventing_user_agents_is_capped(client, newsroom, settings):
    settings.THIDUA_PORTAL_IP_DAILY_CAP = 5
    article = make_article(newsroom[0], "Đại hội", public=True)
    for i in range(12):
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=f"{BROWSER} #{i}", REMOTE_ADDR="203.0.113.50")
    client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.1")
    assert counting.site_figures().total == 6


def test_tags_are_searchable_and_words_match_from_their_start(client, newsroom):
    province, editor = newsroom
    client.force_login(editor)
    client.post(
        reverse("portal:manage_create"),
        {
            "unit": province.pk,
            "category": category().pk,
            "title": "Hội thao",
            "body": "<p>Trường học</p>",
            "tag_names": "Thi đua yêu nước",
        },
    )
    article = Article.objects.get()
    client.post(reverse("portal:manage_publish", args=[article.pk]), {"publish_at": ""})
    make_article(province, "“Đại hội” Công đoàn (Đặng Văn An)", public=True)
    make_article(province, "Hội nghị đại biểu, hội thảo", public=True)
    client.logout()

    def found(q):
        return [a.title for a in client.get(reverse("portal:search"), {"q": q}).context["page"]]

    assert found("thi dua yeu nuoc") == ["Hội thao"]
    assert found("dang") == ["“Đại hội” Công đoàn (Đặng Văn An)"]
    assert found("ruong") == []  # not the middle of "trường"
    assert found("dai hoi") == ["“Đại hội” Công đoàn (Đặng Văn An)", "Hội nghị đại biểu, hội thảo"]


def test_republishing_keeps_the_first_publish_time(client, newsroom):
    province, editor = newsroom
    first = timezone.now() - dt.timedelta(days=400)
    article = make_article(province, "Bài cũ", public=True, publish_at=first)
    client.force_login(editor)
    client.post(reverse("portal:manage_unpublish", args=[article.pk]))
    client.post(reverse("portal:manage_publish", args=[article.pk]), {"publish_at": ""})
    article.refresh_from_db()
    assert article.is_public and article.publish_at == first
    # A scheduled article sent back to draft forgets its planned time, so it can be deleted.
    later = make_article(
        province, "Bài hẹn giờ", status=Article.Status.PUBLISHED, publish_at=timezone.now() + dt.timedelta(days=3)
    )
    client.post(reverse("portal:manage_unpublish", args=[later.pk]))
    client.post(reverse("portal:manage_delete", args=[later.pk]))
    assert not Article.objects.filter(pk=later.pk).exists()


def test_cover_replace_and_remove_delete_the_old_files(client, newsroom, django_capture_on_commit_callbacks):
    province, editor = newsroom
    client.force_login(editor)
    data = {"unit": province.pk, "category": category().pk, "title": "Có ảnh", "body": "<p>x</p>"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:manage_create"), data | {"cover_file": _image()})
    article = Article.objects.get()
    folder = Path(settings.MEDIA_ROOT) / "portal"
    first = [article.cover, article.cover_small]
    assert all((folder / name).exists() for name in first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:manage_edit", args=[article.pk]), data | {"cover_file": _image(900, 600)})
    article.refresh_from_db()
    assert not any((folder / name).exists() for name in first)
    second = [article.cover, article.cover_small]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:manage_edit", args=[article.pk]), data | {"remove_cover": "on"})
    article.refresh_from_db()
    assert article.cover == "" and not any((folder / name).exists() for name in second)


@pytest.mark.parametrize(("width", "height"), [(200, 8000), (3000, 300)])
def test_strips_and_banners_are_refused_as_covers(client, newsroom, width, height):
    province, editor = newsroom
    client.force_login(editor)
    response = client.post(
        reverse("portal:manage_create"),
        {"unit": province.pk, "category": category().pk, "title": "Ảnh dài", "cover_file": _image(width, height)},
    )
    assert response.status_code == 400 and "tỉ lệ khung" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?den=01/01/0001",
        "?den=31/12/9999",
        "?den=31/12/9999&format=xlsx",
        "?tu=32/13/2026",
        "?tu=01/01/2020&den=01/01/2026",
    ],
)
def test_statistics_refuse_odd_periods_with_a_message(client, newsroom, query):
    client.force_login(newsroom[1])
    response = client.get(reverse("portal:statistics") + query)
    assert response.status_code == 200
    if "xlsx" not in query:
        assert "đang xem 30 ngày gần nhất" in response.content.decode()


def test_statistics_show_twelve_months(client, newsroom):
    client.force_login(newsroom[1])
    SiteDay.objects.bulk_create([SiteDay(day=dt.date(2025, m, 10), views=m, visitors=1) for m in range(1, 13)])
    SiteDay.objects.create(day=dt.date(2026, 3, 10), views=99, visitors=1)
    months = client.get(reverse("portal:statistics"), {"tu": "01/03/2026", "den": "15/03/2026"}).context["by_month"]
    assert months[0]["month"] == dt.date(2025, 4, 1)
    assert len(months) == 10  # 04/2025 … 12/2025 and 03/2026 (months without views are not rows)


def test_head_requests_and_robots(client, newsroom):
    article = make_article(newsroom[0], "Đại hội", public=True)
    for url in [reverse("portal:home"), article.get_absolute_url(), "/robots.txt", reverse("portal:figures")]:
        assert client.head(url, HTTP_USER_AGENT="curl/8").status_code == 200, url
    assert settings.ADMIN_URL not in client.get("/robots.txt").content.decode()
