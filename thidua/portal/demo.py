"""Demo portal: the seed article, a few dozen others, and a history of views.

The history makes the footer read exactly as the seed page's did on the demo's
reference date: today 61, this month 4,199, this year 12,883, total 27,309 and
4,733 visitors (``SEED_FIGURES``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from thidua.portal.counting import clock
from thidua.portal.demo_content import ARTICLES, CATEGORIES
from thidua.portal.models import Article, ArticleDay, Category, SiteDay, slug_for
from thidua.portal.services import article_tags_set
from thidua.units.models import Unit

SEED_FIGURES = {"today": 61, "month": 4199, "year": 12883, "total": 27309, "visitors": 4733}
SEED_TITLE = (
    "Phát động thi đua chào mừng Đại hội Mặt trận Tổ quốc Việt Nam các cấp tiến tới Đại hội Mặt trận "
    "Tổ quốc Việt Nam tỉnh Bắc Kạn lần thứ VI và Đại hội đại biểu toàn quốc Mặt trận Tổ quốc Việt Nam "
    "lần thứ IX, nhiệm kỳ 2019 -2024"
)
SEED_AUTHOR = "Lương Thị Quyên – Sở Công Thương"
# The seed's dates are Bắc Kạn's office hours, whatever zone the project runs in.
SEED_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SEED_PUBLISHED = dt.datetime(2018, 10, 22, 8, 30, tzinfo=SEED_ZONE)


def reference_date(today: dt.date) -> dt.date:
    """The day the footer shows the seed's figures: today, unless today cannot hold them.

    On the first of a month "this month" would equal "today", and in January
    "this year" would equal "this month"; those days fall back to the last
    day of the previous month (the 31st of December in January).
    """
    if today.month == 1:
        return dt.date(today.year - 1, 12, 31)
    if today.day == 1:
        return reference_date(today - dt.timedelta(days=1))
    return today


def _seed_paragraphs() -> list[str]:
    """The seed article's body, verbatim (shared/seed, copied into the package)."""
    text = (Path(__file__).with_name("seed_article.txt")).read_text(encoding="utf-8")
    return [paragraph.strip() for paragraph in text.split("\n\n") if paragraph.strip()]


def _html(paragraphs: list[str]) -> str:
    from django.utils.html import escape

    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def load_categories() -> dict[str, Category]:
    out = {}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        category, _created = Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        out[slug] = category
    return out


def load_articles(province: Unit, plan: Any = None) -> Article:
    """The seed article and the invented ones; returns the seed article."""
    categories = load_categories()
    seed = Article.objects.create(
        unit=province,
        category=categories["tin-hoat-dong-cong-doan"],
        title=SEED_TITLE,
        slug=slug_for(SEED_TITLE),
        summary=(
            "Liên đoàn Lao động tỉnh Bắc Kạn ban hành Kế hoạch số 07/KH-LĐLĐ ngày 16/10/2018 về tuyên truyền "
            "và phát động thi đua chào mừng Đại hội MTTQ Việt Nam các cấp, từ tháng 10/2018 đến tháng 9/2019."
        ),
        body=_html(_seed_paragraphs()),
        author_line=SEED_AUTHOR,
        plan=plan,
        featured=True,
        status=Article.Status.PUBLISHED,
        publish_at=SEED_PUBLISHED,
    )
    article_tags_set(article=seed, names=["Đại hội MTTQ", "Kế hoạch 07/KH-LĐLĐ", "Thi đua yêu nước"])
    units = {u.name: u for u in Unit.objects.filter(parent=province)}
    newest = dt.datetime(2019, 9, 30, 9, 0, tzinfo=SEED_ZONE)
    items: list[dict[str, Any]] = ARTICLES  # type: ignore[assignment]
    for index, item in enumerate(items):
        hint = item.get("unit_hint", "province")
        unit = next((u for name, u in units.items() if hint != "province" and name.endswith(hint)), province)
        article = Article.objects.create(
            unit=unit,
            category=categories[item["category"]],
            title=item["title"],
            slug=slug_for(item["title"]),
            summary=item["summary"],
            body=_html(item["paragraphs"]),
            author_line=item["author"],
            featured=item["featured"],
            status=Article.Status.PUBLISHED,
            publish_at=(newest - dt.timedelta(days=item["days_before"])).replace(
                hour=7 + index % 9, minute=15 * (index % 4)
            ),
        )
        article_tags_set(article=article, names=item["tags"])
    # One draft, for the editor to find (never public), and one article scheduled ten minutes after
    # the demo loads: under `make run` a newcomer sees it come out on the portal on time.
    draft = Article.objects.create(
        unit=province,
        category=categories["thi-dua-khen-thuong"],
        title="Dự thảo: Sơ kết đợt thi đua chào mừng Đại hội MTTQ các cấp",
        slug=slug_for("Dự thảo: Sơ kết đợt thi đua chào mừng Đại hội MTTQ các cấp"),
        summary="Bản nháp, chưa đăng.",
        body="<p>Nội dung đang hoàn thiện.</p>",
        author_line="Ban Tuyên giáo LĐLĐ tỉnh",
    )
    scheduled = Article.objects.create(
        unit=province,
        category=categories["tin-hoat-dong-cong-doan"],
        title="Thông báo lịch tổng kết phong trào thi đua năm (đã lên lịch)",
        slug=slug_for("Thông báo lịch tổng kết phong trào thi đua năm (đã lên lịch)"),
        summary="Bài đã lên lịch: tự đăng 10 phút sau khi nạp dữ liệu mẫu.",
        body="<p>Lịch tổng kết sẽ được công bố.</p>",
        author_line="Văn phòng LĐLĐ tỉnh",
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() + dt.timedelta(minutes=10),
    )
    for article in (draft, scheduled):
        article_tags_set(article=article, names=[])  # their search text, for the editor's search
    return seed


def _split(total: int, days: list[dt.date], rng: random.Random) -> dict[dt.date, int]:
    """``total`` spread over ``days`` with weekday-heavy random weights, summing exactly."""
    if not days:
        return {}
    weights = [rng.uniform(0.6, 1.4) * (0.55 if d.weekday() >= 5 else 1.0) for d in days]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return dict(zip(days, counts, strict=True))


def load_view_history(reference: dt.date, seed: Article, rng: random.Random | None = None) -> None:
    """Site and article views whose footer on ``reference`` shows ``SEED_FIGURES``."""
    rng = rng or random.Random(27309)
    figures = SEED_FIGURES
    month_start, year_start = reference.replace(day=1), reference.replace(month=1, day=1)
    history_start = year_start.replace(year=year_start.year - 2)

    def span(a: dt.date, b: dt.date) -> list[dt.date]:
        return [a + dt.timedelta(days=i) for i in range((b - a).days)]

    views: dict[dt.date, int] = {reference: figures["today"]}
    views |= _split(figures["month"] - figures["today"], span(month_start, reference), rng)
    views |= _split(figures["year"] - figures["month"], span(year_start, month_start), rng)
    views |= _split(figures["total"] - figures["year"], span(history_start, year_start), rng)
    days = sorted(d for d, n in views.items() if n > 0)
    total_views = sum(views[d] for d in days)
    # Visitors: about one in six views, at least one a day with views, summing exactly.
    visitors = {d: max(1, views[d] * figures["visitors"] // total_views) for d in days}
    surplus = figures["visitors"] - sum(visitors.values())
    order = sorted(days, key=lambda d: -views[d])
    step = 1 if surplus > 0 else -1
    i = 0
    while surplus:
        d = order[i % len(order)]
        if (step > 0 and visitors[d] < views[d]) or (step < 0 and visitors[d] > 1):
            visitors[d] += step
            surplus -= step
        i += 1
    SiteDay.objects.bulk_create([SiteDay(day=d, views=views[d], visitors=visitors[d]) for d in days])
    # Each day's views fall on the articles published by then; the seed article draws the most.
    articles = list(Article.objects.public().values_list("id", "publish_at"))
    rows = []
    for d in days:
        live = [pk for pk, at in articles if clock.local_day(at) <= d] or [seed.pk]
        weights = [6.0 if pk == seed.pk else rng.uniform(0.3, 1.5) for pk in live]
        scale = views[d] / sum(weights)
        shares = [int(w * scale) for w in weights]
        shares[live.index(seed.pk) if seed.pk in live else 0] += views[d] - sum(shares)
        for pk, n in zip(live, shares, strict=True):
            if n:
                rows.append(ArticleDay(article_id=pk, day=d, views=n, visitors=max(1, n * visitors[d] // views[d])))
    ArticleDay.objects.bulk_create(rows, batch_size=2000)


def load_portal(reference: dt.date | None = None, plan: Any = None) -> Article:
    province = Unit.objects.get(code="BK")
    seed = load_articles(province, plan)
    load_view_history(reference or reference_date(clock.local_day()), seed)
    return seed
