"""Certificates PDF read back the way a person sees it: poppler's ``pdftotext -bbox`` for the words and
their places, ``pdftoppm`` for the colours. Skipped with the reason when poppler is missing (CI
installs it; under THIDUA_REQUIRE_ALL=1 a skip is a failure)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from thidua.recognition.certificates import (
    DEFAULT_POSITIONS,
    MM,
    certificates_pdf,
    certificates_pdf_response,
    fit,
    layout_test_pdf,
    validate_positions,
)
from thidua.recognition.models import AwardDecision, CertificateLayout, DecisionLine
from thidua.recognition.tests.factories import catalogue, kind
from thidua.recognition.tests.test_documents import bac_kan, build_decision
from thidua.testing import make_member

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (PDFTOTEXT and PDFTOPPM),
        reason="poppler (pdftotext, pdftoppm) is not installed: apt-get install poppler-utils",
    ),
]

BORDER = 33.0  # the inner red rule of the frame, points from each edge


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float  # from the top of the page
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def phrase(self, phrase: str) -> list[Word]:
        wanted = phrase.split()
        for start in range(len(self.words) - len(wanted) + 1):
            if [w.text for w in self.words[start : start + len(wanted)]] == wanted:
                return self.words[start : start + len(wanted)]
        raise AssertionError(f"{phrase!r} not on the page: {self.text[:600]}")


def read(pdf: bytes, tmp_path: Path, name: str = "cert") -> list[Page]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(  # noqa: S603 - our file
        [PDFTOTEXT or "pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for number, chunk in enumerate(xml.split("<page ")[1:], start=1):
        width, height = (float(v) for v in re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk).groups())
        words = [
            Word(number, unescape(text), float(a), float(b), float(c), float(d))
            for a, b, c, d, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk
            )
        ]
        pages.append(Page(width, height, words))
    return pages


def pixels(pdf_path: Path, page: int = 1) -> tuple[int, int, bytes]:
    """Page ``page`` rendered at 72 dpi (one pixel per point): width, height, RGB bytes (PPM)."""
    prefix = pdf_path.with_suffix("")
    subprocess.run(  # noqa: S603 - our file
        [
            PDFTOPPM or "pdftoppm",
            "-r",
            "72",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf_path),
            str(prefix),
        ],
        check=True,
    )
    data = prefix.with_suffix(".ppm").read_bytes()
    _magic, width, height, _depth, body = re.match(rb"(P6)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", data, re.DOTALL).groups()
    return int(width), int(height), body


def ink(pdf_path: Path, words: list[Word]) -> tuple[int, int]:
    """(red pixels, all inked pixels) inside the boxes of ``words``."""
    width, _height, body = pixels(pdf_path)
    red = inked = 0
    for word in words:
        for y in range(int(word.y0) + 1, int(word.y1)):
            for x in range(int(word.x0) + 1, int(word.x1)):
                r, g, b = body[(y * width + x) * 3 : (y * width + x) * 3 + 3]
                if min(r, g, b) < 200:  # not the white ground
                    inked += 1
                    red += r - max(g, b) > 60  # red, or its anti-aliased edge (pink), not black or navy
    return red, inked


def snapshot(pdf_path: Path, name: str, page: int = 1) -> None:
    """Page ``page`` as a PNG to look at: var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    command = [PDFTOPPM or "pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run([*command, str(pdf_path), str(SCREENSHOTS / name)], check=False, capture_output=True)  # noqa: S603


def inside_border(page: Page) -> None:
    for word in page.words:
        assert word.x0 > BORDER and word.x1 < page.width - BORDER, word
        assert word.y0 > BORDER and word.y1 < page.height - BORDER, word


# --- the drawn certificate ---------------------------------------------------------------------------


def test_one_a4_landscape_page_per_recipient_with_everything_in_place(tmp_path):
    decision = build_decision(people=3, collectives=2)
    pdf = certificates_pdf(decision)
    pages = read(pdf, tmp_path)
    snapshot(tmp_path / "cert.pdf", "recognition-certificate")
    assert len(pages) == 5
    assert all(round(p.width) == 842 and round(p.height) == 595 for p in pages)

    first = pages[0]
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN",
        "TẶNG",
        "BẰNG KHEN",
        "Nguyễn Thị Hương",
        "Chủ tịch Công đoàn cơ sở",
        "Trường THCS Nam Mẫu, huyện Ba Bể",
        "Đã có thành tích xuất sắc trong phong trào thi đua “Lao động giỏi, lao động sáng tạo” năm 2026",
        "Quyết định số 05/QĐ-LĐLĐ ngày 20/12/2026",
        "Số sổ vàng: 101",
        "Bắc Kạn, ngày 20 tháng 12 năm 2026",
        "TM. BAN THƯỜNG VỤ",
        "CHỦ TỊCH",
        "Triệu Thị Mai",
    ):
        first.phrase(phrase)
    inside_border(first)
    middle_x, middle_y = first.width / 2, first.height / 2
    # Top to bottom: motto, decider, "TẶNG", the award, the recipient.
    order = ["CỘNG", "BAN", "TẶNG", "BẰNG", "Nguyễn"]
    tops = [next(w.y0 for w in first.words if w.text == word) for word in order]
    assert tops == sorted(tops)
    # Bottom left: the decision and the gold book; bottom right: the date and the signer.
    for phrase in ("Quyết định số 05/QĐ-LĐLĐ", "Số sổ vàng: 101"):
        words = first.phrase(phrase)
        assert words[-1].x1 < middle_x and words[0].y0 > middle_y, phrase
    for phrase in ("Bắc Kạn, ngày 20 tháng 12 năm 2026", "Triệu Thị Mai"):
        words = first.phrase(phrase)
        assert words[0].x0 > middle_x and words[0].y0 > middle_y, phrase
    assert first.phrase("Triệu Thị Mai")[0].y0 - first.phrase("CHỦ TỊCH")[0].y0 > 60  # room for seal and signature

    # The collectives: their name, their unit, their own gold-book number.
    fourth = pages[3]
    fourth.phrase("Công đoàn cơ sở Trạm Y tế xã Khang Ninh")
    fourth.phrase("Liên đoàn Lao động huyện Ba Bể")
    fourth.phrase("Số sổ vàng: 104")
    assert "Chủ tịch Công đoàn cơ sở" not in fourth.text


def test_the_issuer_and_the_award_are_printed_in_red(tmp_path):
    """Read from the rendered pixels (not from reportlab): the award's and the decider's ink is red,
    the recipient's is not."""
    decision = build_decision(people=1, collectives=0)
    page = read(certificates_pdf(decision), tmp_path)[0]
    red, inked = ink(tmp_path / "cert.pdf", page.phrase("BẰNG KHEN"))
    assert inked > 200 and red / inked > 0.8
    red, inked = ink(tmp_path / "cert.pdf", page.phrase("BAN THƯỜNG VỤ LIÊN ĐOÀN"))
    assert inked > 100 and red / inked > 0.8
    red, inked = ink(tmp_path / "cert.pdf", page.phrase("Nguyễn Thị Hương"))
    assert inked > 100 and red / inked < 0.05


def test_a_title_reads_tang_danh_hieu(tmp_path):
    decision = build_decision(people=1, collectives=0)
    DecisionLine.objects.filter(decision=decision).update(kind=kind("cstd-co-so"))
    page = read(certificates_pdf(decision), tmp_path)[0]
    tang, title = page.phrase("TẶNG DANH HIỆU"), page.phrase("CHIẾN SĨ THI ĐUA CƠ SỞ")
    assert tang[0].y0 < title[0].y0


def test_long_names_and_achievements_wrap_and_shrink_inside_the_border(tmp_path):
    units = bac_kan()
    decision = build_decision(
        people=1,
        collectives=0,
        units=units,
        achievement="Đã có thành tích xuất sắc đặc biệt " + "trong phong trào thi đua yêu nước " * 7 + "năm 2026",
    )
    long_name = "Nguyễn Trần Hoàng Phương Thị Ngọc Minh Khuê Lê Phạm Đặng Bảo Thiên Hương Quỳnh Anh Thư"
    member = make_member(units["school"], long_name)
    DecisionLine.objects.create(
        decision=decision,
        kind=kind("bang-khen-ldld-ca-nhan"),
        member=member,
        unit=units["school"],
        position="Phó Chủ tịch Công đoàn cơ sở kiêm Tổ trưởng tổ chuyên môn Toán – Tin học – Công nghệ",
        unit_name="Công đoàn cơ sở Trường Phổ thông Dân tộc Nội trú Trung học cơ sở và Trung học phổ thông "
        "huyện Ba Bể, tỉnh Bắc Kạn, trực thuộc Liên đoàn Lao động huyện Ba Bể",
        achievement="",
        gold_book=999,
        prize=1_490_000,
        order=9,
    )
    pages = read(certificates_pdf(decision), tmp_path)
    snapshot(tmp_path / "cert.pdf", "recognition-certificate-long", page=2)
    page = pages[1]
    inside_border(page)
    assert "Quỳnh Anh Thư" in page.text and "Khuê" in page.text
    # The achievement ends above the signature zone (the date line) and is cut with "…" only if need be.
    date_top = page.phrase("Bắc Kạn, ngày 20 tháng 12 năm 2026")[0].y0
    achievement = [w for w in page.words if w.y0 > page.phrase("Nguyễn Trần")[0].y0 and w.y1 < date_top + 1]
    assert achievement and max(w.y1 for w in achievement) <= date_top + 1
    lines = {round(w.y0) for w in page.words if w.text in ("phong", "trào")}
    assert len(lines) >= 2  # wrapped


def test_fit_shrinks_then_cuts():
    size, lines = fit("Công đoàn cơ sở", "bold", 400, 20, 10, 1)
    assert (size, lines) == (20, ["Công đoàn cơ sở"])
    size, lines = fit("Công đoàn cơ sở " * 20, "regular", 300, 20, 10, 2)
    assert size == 10 and len(lines) == 2 and lines[-1].endswith("…")
    size, lines = fit("Công đoàn cơ sở " * 3, "regular", 300, 20, 10, 2)
    assert 10 < size <= 20 and len(lines) <= 2 and not lines[-1].endswith("…")
    assert fit("", "regular", 100, 12, 8, 1) == (12, [])


def test_the_download_is_an_ascii_named_pdf():
    decision = build_decision(people=1, collectives=0)
    response = certificates_pdf_response(decision)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="giay-khen-05-QD-2026.pdf"'
    blank = certificates_pdf_response(decision, blank=True)["Content-Disposition"]
    assert blank == 'attachment; filename="giay-khen-05-QD-2026-in-phoi.pdf"'


def test_a_draft_is_marked_and_leaves_the_number_blank(tmp_path):
    decision = build_decision(people=1, collectives=0, status=AwardDecision.Status.DRAFT)
    page = read(certificates_pdf(decision), tmp_path)[0]
    assert "DỰ THẢO" in page.text and "05/QĐ" not in page.text and "Số sổ vàng: ……" in page.text
    page.phrase("/QĐ-LĐLĐ ngày")


# --- pre-printed blanks ------------------------------------------------------------------------------


def _near(value_pt: float, mm: float) -> bool:
    return abs(value_pt / MM - mm) <= 2


def test_blank_mode_prints_only_the_fields_at_their_positions(tmp_path):
    decision = build_decision(people=2, collectives=1)
    positions = {
        "recipient": {"x": 150, "y": 92, "size": 22, "align": "center", "width": 200},
        "decision": {"x": 30, "y": 172, "size": 12, "align": "left", "width": 110},
        "gold_book": {"x": 30, "y": 180, "size": 12, "align": "left", "width": 110},
        "signer": {"x": 260, "y": 186, "size": 14, "align": "right", "width": 100},
    }
    CertificateLayout.objects.create(kind=kind("bang-khen-ldld-ca-nhan"), positions=positions)
    pdf = certificates_pdf(decision, blank=True)
    pages = read(pdf, tmp_path)
    snapshot(tmp_path / "cert.pdf", "recognition-certificate-blank")
    assert len(pages) == 3
    first = pages[0]
    for absent in ("CỘNG HÒA", "BẰNG KHEN", "TẶNG", "TM. BAN", "BAN THƯỜNG VỤ"):
        assert absent not in first.text
    name = first.phrase("Nguyễn Thị Hương")
    assert _near((name[0].x0 + name[-1].x1) / 2, 150) and _near(name[0].y0, 92)
    number = first.phrase("Quyết định số 05/QĐ-LĐLĐ ngày 20/12/2026")
    assert _near(number[0].x0, 30) and _near(number[0].y0, 172)
    gold = first.phrase("Số sổ vàng: 101")
    assert _near(gold[0].x0, 30) and _near(gold[0].y0, 180)
    signer = first.phrase("Triệu Thị Mai")
    assert _near(signer[-1].x1, 260) and _near(signer[0].y0, 186)
    # Fields left at their defaults print there too.
    unit = first.phrase("Trường THCS Nam Mẫu, huyện Ba Bể")
    assert _near(unit[0].y0, DEFAULT_POSITIONS["unit"]["y"])
    # No drawn border or emblem: not one coloured pixel on the page, only the black text.
    width, height, body = pixels(tmp_path / "cert.pdf")
    coloured = sum(1 for i in range(0, width * height * 3, 3) if max(body[i : i + 3]) - min(body[i : i + 3]) > 60)
    assert coloured == 0
    # The collective's kind has no layout: its certificate is drawn in full.
    assert "BẰNG KHEN" in pages[2].text and "CỘNG HÒA" in pages[2].text


def test_the_test_print_shows_the_grid_and_every_field(tmp_path):
    catalogue()
    bang_khen = kind("bang-khen-ldld-ca-nhan")
    pdf = layout_test_pdf(bang_khen, {"recipient": {"x": 148.5, "y": 80, "size": 20, "align": "center", "width": 180}})
    pages = read(pdf, tmp_path, "layout")
    snapshot(tmp_path / "layout.pdf", "recognition-layout-test")
    assert len(pages) == 1
    text = pages[0].text
    assert "IN THỬ BỐ CỤC" in text and "recipient (x=148.5, y=80, 20 pt, center)" in text
    for field in CertificateLayout.FIELDS:
        assert f"{field} (x=" in text
    assert "Nguyễn Thị Hương" in text and "290" in text  # sample text and the millimetre scale
    name = pages[0].phrase("Nguyễn Thị Hương")
    assert _near(name[0].y0, 80)
    with pytest.raises(ValidationError):
        layout_test_pdf(bang_khen, {"recipient": {"x": 400}})


def test_validate_positions_fills_defaults_and_refuses_bad_input():
    assert validate_positions({}) == {
        field: {**spec, "x": float(spec["x"]), "y": float(spec["y"]), "size": float(spec["size"])}
        for field, spec in DEFAULT_POSITIONS.items()
    }
    assert validate_positions('{"signer": {"x": "200,5"}}')["signer"]["x"] == 200.5
    cases = {
        "unknown field": ({"stamp": {"x": 1}}, "Không có trường “stamp”"),
        "not a number": ({"recipient": {"x": "giữa"}}, "phải là một số"),
        "a boolean": ({"recipient": {"y": True}}, "phải là một số"),
        "off the page": ({"decision": {"x": 280, "align": "left", "width": 50}}, "nằm ngoài trang"),
        "above the page": ({"decision": {"y": -3}}, "nằm ngoài trang"),
        "below the page": ({"signer": {"y": 209}}, "nằm ngoài trang"),
        "bad alignment": ({"unit": {"align": "justify"}}, "căn lề"),
        "tiny font": ({"unit": {"size": 2}}, "cỡ chữ"),
        "not a table": ([1, 2], "Bố cục phải là"),
        "bad json": ("{x", "JSON"),
        "unknown key": ({"unit": {"colour": "red"}}, "không hiểu"),
        "infinite": ({"unit": {"x": float("inf")}}, "phải là một số"),
    }
    for label, (data, message) in cases.items():
        with pytest.raises(ValidationError) as caught:
            validate_positions(data)
        assert any(message in m for m in caught.value.messages), (label, caught.value.messages)
    # Every problem at once.
    with pytest.raises(ValidationError) as caught:
        validate_positions({"stamp": {}, "recipient": {"x": "a"}, "signer": {"y": 500}})
    assert len(caught.value.messages) == 3
