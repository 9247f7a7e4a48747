"""Decree-30 documents checked the way people see them: rendered by LibreOffice, read back.

Each plan is converted to PDF by LibreOffice headless and read with ``pdftotext -bbox``:
words and their positions on the page. Skipped with the reason when LibreOffice or poppler
is missing (CI installs both; under THIDUA_REQUIRE_ALL=1 a skip is a failure).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from thidua.campaigns import services
from thidua.campaigns.documents import render_plan
from thidua.campaigns.models import Plan
from thidua.testing import make_unit
from thidua.units.services import unit_update

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

if not (SOFFICE and PDFTOTEXT):
    pytest.skip(
        "LibreOffice (soffice) or poppler (pdftotext) is not installed: "
        "apt-get install libreoffice-writer-nogui poppler-utils fonts-liberation2",
        allow_module_level=True,
    )


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x: float
    y: float  # top of the word, in points from the top of its page


def words_of(pdf: Path) -> list[Word]:
    command = [PDFTOTEXT, "-bbox", str(pdf), "-"]
    xml = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603 - our files
    found = []
    for page, chunk in enumerate(xml.split("<page ")[1:], start=1):
        for x, y, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', chunk):
            found.append(Word(page, unescape(text), float(x), float(y)))
    return found


def line_of(words: list[Word], phrase: str, page: int = 1) -> list[Word]:
    """The words of ``phrase`` where it first appears in reading order (all on one line or not)."""
    wanted = phrase.split()
    flat = [w for w in words if w.page == page]
    for start in range(len(flat) - len(wanted) + 1):
        if [w.text for w in flat[start : start + len(wanted)]] == wanted:
            return flat[start : start + len(wanted)]
    raise AssertionError(f"{phrase!r} not found on page {page}: {' '.join(w.text for w in flat)[:800]}")


def one_line(words: list[Word]) -> bool:
    return max(w.y for w in words) - min(w.y for w in words) < 2


def rendered(tmp_path: Path, plans: dict[str, Plan]) -> dict[str, list[Word]]:
    for name, plan in plans.items():
        (tmp_path / f"{name}.docx").write_bytes(render_plan(plan))
    docs = [str(tmp_path / f"{name}.docx") for name in plans]
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"  # a fresh profile: no lock shared with a desktop
    command = [SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *docs]
    subprocess.run(command, check=True, capture_output=True, timeout=180)  # noqa: S603 - our files
    return {name: words_of(tmp_path / f"{name}.pdf") for name in plans}


@pytest.fixture
def plan_07(db):
    """Plan 07/KH-LĐLĐ as the seed has it: Bắc Kạn's federation under the Confederation."""
    national = make_unit(None, "Tổng Liên đoàn Lao động Việt Nam", "confederation", "TLD")
    province = make_unit(national, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    unit_update(unit=province, short_name="LĐLĐ", place_name="Bắc Kạn")
    district = make_unit(province, "Liên đoàn Lao động huyện Ba Bể", "district-federation", "BB")
    unit_update(unit=district, short_name="LĐLĐ", place_name="Ba Bể")
    plan = services.plan_create(
        issuer=province,
        by=None,
        number=7,
        issued_on=dt.date(2018, 10, 16),
        place="Bắc Kạn",
        title="Tuyên truyền và phát động thi đua chào mừng Đại hội Mặt trận Tổ quốc Việt Nam các cấp, "
        "“Sản xuất & Thương mại” < 0,5% hộ nghèo",
        purpose="<p>Tuyên truyền sâu rộng &amp; <b>kịp thời</b> trong cán bộ, đoàn viên.<br>Dòng thứ hai.</p>"
        "<ul><li>Yêu cầu một</li><li>Yêu cầu hai</li></ul>",
        legal_basis="Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022 của Quốc hội\n"
        "Căn cứ Chỉ thị số 05/CT-UBND ngày 02/3/2018 của Ủy ban nhân dân tỉnh Bắc Kạn",
        window_start=dt.date(2018, 10, 1),
        window_end=dt.date(2019, 9, 30),
        registration_deadline=dt.date(2018, 11, 30),
        signing_capacity="TM.",
        signing_for="Ban Thường vụ",
        signer_position="Chủ tịch",
        signer_name="Triệu Thị Mai",
        recipients="Tổng Liên đoàn Lao động Việt Nam (b/c)\nCác LĐLĐ huyện, thành phố\nLưu: VT, TG",
    )
    content = services.content_save(plan=plan, name="Phong trào thi đua “Lao động giỏi”", required=True)
    services.criterion_save(content=content, name="Sáng kiến được công nhận", kind="number", target=Decimal("85.5"))
    services.round_save(plan=plan, name="Đợt 1", start=dt.date(2018, 10, 1), end=dt.date(2019, 3, 31))
    return plan, district


def test_plan_07_reads_as_decree_30_lays_it_out(tmp_path, plan_07):
    plan, _district = plan_07
    draft = Plan.objects.get(pk=plan.pk)
    issued = services.plan_issue(plan=Plan.objects.get(pk=plan.pk), by=None, due_on=dt.date(2018, 10, 31))
    recalled = services.plan_recall(plan=Plan.objects.get(pk=issued.pk), by=None, reason="Ban hành nhầm")
    pages = rendered(tmp_path, {"draft": draft, "issued": issued, "recalled": recalled})
    words = pages["issued"]
    text = " ".join(w.text for w in words)

    # Header: motto and slogan on one line each; names break only where intended.
    assert one_line(line_of(words, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert one_line(line_of(words, "Độc lập - Tự do - Hạnh phúc"))
    assert one_line(line_of(words, "LIÊN ĐOÀN LAO ĐỘNG"))
    assert one_line(line_of(words, "TỈNH BẮC KẠN"))
    assert not one_line(line_of(words, "LAO ĐỘNG TỈNH"))
    # The number stands level with the place-date line.
    number, date = line_of(words, "Số: 07/KH-LĐLĐ"), line_of(words, "Bắc Kạn, ngày 16 tháng 10 năm 2018")
    assert one_line(number + date)
    # Title block, legal grounds in full, part headings in order; text as typed, no entities.
    assert one_line(line_of(words, "KẾ HOẠCH"))
    assert "Sản xuất & Thương mại” < 0,5%" in text and "&amp;" not in text and "&lt;" not in text
    assert "06/2022/QH15 ngày 15/6/2022 của Quốc hội;" in text and "tỉnh Bắc Kạn." in text
    headings = ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG THI ĐUA", "III. THỜI GIAN VÀ CÁC ĐỢT THI ĐUA"]
    headings += ["IV. ĐĂNG KÝ THI ĐUA VÀ KHEN THƯỞNG", "V. TỔ CHỨC THỰC HIỆN"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "a) Sáng kiến được công nhận: chỉ tiêu 85,5." in text
    assert "Đợt 1: từ ngày 01/10/2018 đến ngày 31/03/2019." in text
    assert "trước ngày 30/11/2018" in text and "trước ngày 31/10/2018" in text  # registration; lower levels
    # "Dòng thứ hai" starts its own paragraph instead of stretching a justified line.
    assert not one_line(line_of(words, "đoàn viên. Dòng thứ hai."))
    # Signature block together, recipients level with the capacity line.
    capacity = [w for w in words if w.text == "THƯỜNG"][-1]
    recipients = [w for w in words if w.text == "Nơi"][-1]
    assert capacity.page == recipients.page and abs(capacity.y - recipients.y) < 2
    name = [w for w in words if w.text == "Mai"][-1]
    assert name.page == capacity.page
    # Pages: sane count; a number at the top of every page but the first.
    last_page = max(w.page for w in words)
    assert last_page <= 3
    for page in range(2, last_page + 1):
        top = min((w for w in words if w.page == page), key=lambda w: w.y)
        assert top.text == str(page) and top.y < 60
    assert min((w for w in words if w.page == 1), key=lambda w: w.y).text != "1"

    # A draft says so and leaves the number and date blank; a recalled plan says it was recalled.
    draft_text = " ".join(w.text for w in pages["draft"])
    assert "DỰ THẢO" in draft_text and "07/KH" not in draft_text and "ngày 16 tháng 10" not in draft_text
    assert "/KH-LĐLĐ" in draft_text
    recalled_text = " ".join(w.text for w in pages["recalled"])
    assert "ĐÃ THU HỒI" in recalled_text and "Ban hành nhầm" in recalled_text and "DỰ THẢO" not in text

    # Page images to look at (var/screenshots/plan-07-docx-1.png, -2.png).
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        command = [pdftoppm, "-png", "-r", "70", str(tmp_path / "issued.pdf"), str(SCREENSHOTS / "plan-07-docx")]
        subprocess.run(command, check=False, capture_output=True)  # noqa: S603 - our files


def test_an_implementation_plan_is_dated_where_its_issuer_sits(tmp_path, plan_07):
    plan, district = plan_07
    issued = services.plan_issue(plan=plan, by=None, due_on=dt.date(2018, 10, 31))
    obligation = issued.obligations.get(unit=district)
    implementation = services.implementation_start(obligation=obligation, by=None, issued_on=dt.date(2018, 10, 20))
    assert implementation.place == "Ba Bể"
    assert implementation.title.count("Thực hiện") == 1
    services.plan_update(plan=implementation, by=None, signer_name="Hoàng Văn Nam", signer_position="Chủ tịch")
    issued_implementation = services.plan_issue(
        plan=Plan.objects.get(pk=implementation.pk), by=None, due_on=dt.date(2018, 11, 5)
    )
    words = rendered(tmp_path, {"district": issued_implementation})["district"]
    assert one_line(line_of(words, "HUYỆN BA BỂ")) and one_line(line_of(words, "TỈNH BẮC KẠN"))
    assert one_line(line_of(words, "Số: 01/KH-LĐLĐ") + line_of(words, "Ba Bể, ngày 20 tháng 10 năm 2018"))
    assert "Hoàng Văn Nam" in " ".join(w.text for w in words)
