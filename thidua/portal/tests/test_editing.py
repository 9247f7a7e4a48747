"""Editors write, schedule and publish; bad input gets a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from thidua.accounts.models import Role
from thidua.portal.models import Article
from thidua.portal.tests.factories import category, make_article
from thidua.testing import make_unit, make_user
from thidua.units.models import Unit

pytestmark = pytest.mark.django_db

# A corpus of XSS payloads (OWASP cheat sheet classics and parser-confusion cases).
XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">bấm</a>',
    '<a href="JaVaScRiPt:alert(1)">bấm</a>',
    '<a href="&#106;avascript:alert(1)">bấm</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div onmouseover="alert(1)">di chuột</div>',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</script>",
    "<object data=javascript:alert(1)>",
    '<form action="https://evil.example"><button>Gửi</button></form>',
    "<body onload=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
]

DANGEROUS = [
    "<script",
    "onerror",
    "onload",
    "onmouseover",
    "javascript:",
    "<iframe",
    "<object",
    "<svg",
    "<form",
    "data:text",
]


def _clean(html: str) -> bool:
    low = html.lower()
    return not any(marker in low for marker in DANGEROUS)


@pytest.fixture
def newsroom(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    province = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    editor = make_user("bientap", (province, Role.EDITOR))
    return province, editor


def _png(width=800, height=450, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (155, 28, 28)).save(buffer, fmt)
    return buffer.getvalue()


def _post(client, unit, **fields):
    data = {"unit": unit.pk, "category": category().pk, "title": "Đại hội", "body": "<p>Nội dung</p>"} | fields
    return client.post(reverse("portal:manage_create"), data)


def test_editor_writes_previews_schedules_and_publishes(client, newsroom):
    province, editor = newsroom
    client.force_login(editor)
    cover = SimpleUploadedFile("anh.png", _png(), content_type="image/png")
    response = _post(
        client,
        province,
        title="  Đại hội   Công đoàn tỉnh  ",
        summary="Tóm tắt",
        author_line="Lương Thị Quyên – Sở Công Thương",
        tag_names="Đại hội MTTQ, Thi đua yêu nước",
        cover_file=cover,
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == "Đại hội Công đoàn tỉnh" and article.unit == province
    assert article.status == Article.Status.DRAFT and not article.is_public
    assert sorted(article.tags.values_list("name", flat=True)) == ["Thi đua yêu nước", "Đại hội MTTQ"]
    large = Path(settings.MEDIA_ROOT) / "portal" / article.cover
    assert Image.open(large).size == (800, 450) and Image.open(large).format == "JPEG"
    assert Image.open(Path(settings.MEDIA_ROOT) / "portal" / article.cover_small).size == (480, 270)
    assert client.get(article.cover_url).status_code == 200
    preview = client.get(reverse("portal:manage_detail", args=[article.pk]))
    assert "Nội dung" in preview.content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404  # not public yet

    later = timezone.localtime() + dt.timedelta(days=1)
    client.post(reverse("portal:manage_publish", args=[article.pk]), {"publish_at": later.strftime("%d/%m/%Y %H:%M")})
    article.refresh_from_db()
    assert article.display_status == "scheduled"
    assert client.get(article.get_absolute_url()).status_code == 404

    client.post(reverse("portal:manage_unpublish", args=[article.pk]))
    client.post(reverse("portal:manage_publish", args=[article.pk]), {"publish_at": ""})
    article.refresh_from_db()
    assert article.display_status == "published"
    assert client.get(article.get_absolute_url()).status_code == 200
    # Published articles cannot be deleted, only archived.
    client.post(reverse("portal:manage_delete", args=[article.pk]))
    assert Article.objects.filter(pk=article.pk).exists()
    client.post(reverse("portal:manage_archive", args=[article.pk]))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.history.count() >= 4


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_body_title_and_summary_never_reaches_a_page(client, newsroom, payload):
    province, editor = newsroom
    client.force_login(editor)
    response = _post(client, province, title="Đại hội " + payload, summary=payload, body=f"<p>An toàn</p>{payload}")
    assert response.status_code == 302, response.content.decode()[:500]
    article = Article.objects.get()
    assert _clean(article.body)
    client.post(reverse("portal:manage_publish", args=[article.pk]), {"publish_at": ""})
    client.logout()
    for url in [
        article.get_absolute_url(),
        reverse("portal:home"),
        reverse("portal:search") + "?q=dai+hoi",
        reverse("portal:rss"),
    ]:
        html = client.get(url).content.decode()
        # Titles and summaries are text: escaped, so no tag they carry is live.
        assert payload not in html, url
        body_start = html.find('class="rich article-body"')
        if body_start > 0:
            assert _clean(html[body_start : html.find("</div>", body_start)])


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_search_and_query_strings_is_escaped(client, payload):
    response = client.get(reverse("portal:search"), {"q": payload, "page": payload})
    assert response.status_code == 200
    assert payload not in response.content.decode()
    assert client.get(reverse("portal:home"), {"q": payload}).status_code == 200
    next_redirect = client.get(reverse("portal:set_language", args=["en"]), {"next": payload})
    assert next_redirect["Location"].startswith("/")


def test_links_in_articles_get_safe_rel(newsroom):
    from thidua.core.html import sanitize_article_html

    html = sanitize_article_html('<p><a href="https://congdoan.vn" target="_blank">Công đoàn</a></p>')
    assert html == '<p><a href="https://congdoan.vn" rel="noopener noreferrer nofollow">Công đoàn</a></p>'


def _zip_bomb_png(side: int) -> bytes:
    """A valid PNG header claiming side × side pixels (tiny on disk, huge in memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (side * 3)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * 4)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tailieu.jpg", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "không phải là ảnh"),
        ("script.jpg", b"<script>alert(1)</script>", "không phải là ảnh"),
        ("anh.jpg", _png(fmt="GIF"), "Chỉ nhận ảnh JPEG, PNG hoặc WebP"),
        ("nho.png", _png(50, 50), "quá nhỏ"),
        ("bom.png", _zip_bomb_png(20_000), "quá nhiều điểm ảnh"),
        ("cut.png", _png()[:200], "không phải là ảnh"),
    ],
)
def test_bad_images_are_refused_with_a_clear_message(client, newsroom, name, content, message):
    province, editor = newsroom
    client.force_login(editor)
    folder = Path(settings.MEDIA_ROOT) / "portal"
    files_before = set(folder.glob("*"))
    response = _post(client, province, cover_file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Article.objects.exists()
    assert set(folder.glob("*")) == files_before  # nothing written for this post


def test_huge_upload_is_refused_before_decoding(client, newsroom, monkeypatch):
    from thidua.portal import images

    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    province, editor = newsroom
    client.force_login(editor)
    response = _post(client, province, cover_file=SimpleUploadedFile("lon.png", _png()))
    assert response.status_code == 400 and "Ảnh quá lớn" in response.content.decode()


def test_polyglot_image_is_re_encoded(client, newsroom):
    """A real image with HTML appended is accepted, but what we serve is our own re-encoding."""
    province, editor = newsroom
    client.force_login(editor)
    content = _png(fmt="JPEG") + b"<script>alert(1)</script>"
    assert _post(client, province, cover_file=SimpleUploadedFile("anh.jpg", content)).status_code == 302
    served = (Path(settings.MEDIA_ROOT) / "portal" / Article.objects.get().cover).read_bytes()
    assert b"<script>" not in served and served.startswith(b"\xff\xd8")


def test_editor_cannot_publish_for_a_unit_outside_their_subtree(client, newsroom):
    _province, editor = newsroom
    elsewhere = make_unit(Unit.objects.get(code="R"), "Liên đoàn Lao động tỉnh khác", "provincial-federation", "KH")
    client.force_login(editor)
    assert _post(client, elsewhere).status_code == 400
    foreign = make_article(elsewhere, "Bài tỉnh khác")
    assert client.get(reverse("portal:manage_detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("portal:manage_publish", args=[foreign.pk])).status_code == 404
    assert not Article.objects.get(pk=foreign.pk).is_public


def test_statistics_page_and_excel(client, newsroom):
    from openpyxl import load_workbook

    from thidua.core.excel import read_table
    from thidua.portal.counting.clock import local_day
    from thidua.portal.models import ArticleDay, SiteDay

    province, editor = newsroom
    article = make_article(province, "Đại hội được xem nhiều", public=True)
    today = local_day()
    SiteDay.objects.create(day=today, views=7, visitors=3)
    ArticleDay.objects.create(article=article, day=today, views=7, visitors=3)
    client.force_login(editor)
    page = client.get(reverse("portal:statistics"))
    assert page.status_code == 200 and "Đại hội được xem nhiều" in page.content.decode()
    assert page.context["figures"].today == 7
    xlsx = client.get(reverse("portal:statistics"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert [s.title for s in book.worksheets] == ["Theo ngày", "Theo tháng", "Bài xem nhiều"]
    header, rows = read_table(book["Bài xem nhiều"])
    assert header[0] == "Bài viết"
    assert rows[0][0] == "Đại hội được xem nhiều" and rows[0][2] == 7
    client.logout()
    assert client.get(reverse("portal:statistics")).status_code == 302
