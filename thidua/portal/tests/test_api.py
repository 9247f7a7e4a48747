"""Articles and view statistics through the API: the officers' pages' rows and figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thidua.portal.models import ArticleDay, SiteDay
from thidua.portal.tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_articles_as_the_officers_pages_show_them(client, world):
    draft = make_article(world.G1, "Hội thao công nhân")
    public = make_article(world.D1, "Đại hội Công đoàn huyện", public=True)
    scheduled = make_article(
        world.D1, "Tháng Công nhân", status="published", publish_at=timezone.now() + dt.timedelta(days=2)
    )
    foreign = make_article(world.G2, "Tin xã Hai")
    client.force_login(world.users["district"])
    items = {a["id"]: a for a in client.get("/api/articles?limit=500").json()["items"]}
    assert set(items) == {draft.pk, public.pk, scheduled.pk}
    assert items[draft.pk]["status"] == "draft" and items[draft.pk]["public_url"] is None
    assert items[scheduled.pk]["status"] == "scheduled"
    assert items[public.pk]["public_url"] == public.get_absolute_url()
    assert [a["id"] for a in client.get("/api/articles?status=published").json()["items"]] == [public.pk]
    assert [a["id"] for a in client.get("/api/articles?q=dai hoi").json()["items"]] == [public.pk]
    assert [a["id"] for a in client.get(f"/api/articles?unit={world.G1.pk}").json()["items"]] == [draft.pk]
    detail = client.get(f"/api/articles/{public.pk}").json()
    assert detail["body"] == "<p>Nội dung Đại hội Công đoàn huyện</p>" and detail["views"]["total"] == 0
    assert client.get(f"/api/articles/{foreign.pk}").status_code == 404


def test_statistics_are_the_statistics_pages_figures(client, world):
    article = make_article(world.D1, "Đại hội Công đoàn huyện", public=True)
    today = timezone.localdate()
    SiteDay.objects.create(day=today, views=12, visitors=5)
    SiteDay.objects.create(day=today - dt.timedelta(days=40), views=7, visitors=3)
    ArticleDay.objects.create(article=article, day=today, views=9, visitors=4)
    client.force_login(world.users["grassroots"])
    body = client.get("/api/statistics/portal").json()
    assert body["end"] == today.isoformat() and len(body["by_day"]) == 30
    assert body["by_day"][-1] == {"day": today.isoformat(), "views": 12, "visitors": 5}
    assert body["figures"]["today"] == 12 and body["figures"]["total"] == 19
    assert body["top"] == [{"article_id": article.pk, "title": article.title, "views": 9, "visitors": 4}]
    assert sum(m["views"] for m in body["by_month"]) == 19
    start = (today - dt.timedelta(days=45)).isoformat()
    assert sum(d["views"] for d in client.get(f"/api/statistics/portal?start={start}").json()["by_day"]) == 19
    for bad in (
        "?start=2030-01-01&end=2029-01-01",
        "?start=1999-01-01",
        "?start=2024-01-01&end=2025-06-01",
        "?start=abc",
    ):
        response = client.get("/api/statistics/portal" + bad)
        assert response.status_code == 422, bad
